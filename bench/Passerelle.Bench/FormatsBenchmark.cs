using System.Diagnostics;
using System.Globalization;

using CsvHelper;

using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

using Passerelle.Core.OpenData;

namespace Passerelle.Bench;

/// <summary>
/// The hand-written CSV and XLSX writers and readers of <c>Passerelle.Core.OpenData</c> against maintained libraries
/// doing the same job in the same run (ADR 29): CsvHelper (RFC 4180 writer with its formula-injection escape, and
/// its parser) and the Open XML SDK's SAX API (OpenXmlWriter with inline strings and typed numbers, OpenXmlReader), and MiniExcel (SaveAs from a stream of rows, Query).
/// Rows are SYNTHETIC (the export benchmark's generator, in memory, no database), so only the format code is timed.
/// Each job writes to / reads from a temporary file (the Open XML SDK needs a seekable package stream; ours is given the
/// same file so the sink costs the same). Then the hostile CSV inputs of CsvTableReaderTests go to both readers and
/// the benchmark prints what each does. Medians of 7 runs; CPU time and allocated bytes of the median run; peak
/// working set sampled every 5 ms. Usage: Passerelle.Bench formats [rows=100000]
/// </summary>
public static class FormatsBenchmark
{
    private const int Runs = 7;

    private static readonly ExportColumn<Row>[] Columns =
    [
        new("Acronym", r => r.Acronym),
        new("Title", r => r.Title),
        new("Programme", r => r.Programme),
        new("Summary", r => r.Summary),
        new("Specific objective", r => r.Objective),
        new("Start date", r => r.Start),
        new("End date", r => r.End),
        new("Total budget (EUR)", r => r.Total),
        new("EU contribution (EUR)", r => r.Eu),
        new("keep.eu id", r => r.KeepId),
        new("Website", r => r.Website),
        new("Lead partner", r => r.Lead),
        new("Lead partner country", r => r.Country),
    ];

    public static int Run(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var folder = Directory.CreateTempSubdirectory("passerelle-bench-formats-").FullName;
        try
        {
            var data = Generate(rows);
            Console.WriteLine($"# formats benchmark, SYNTHETIC rows ({rows:N0} × {Columns.Length} columns, in memory); medians of {Runs} runs");
            Console.WriteLine($"# {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {Machine.LoadAverage()}");

            var csvFile = Path.Combine(folder, "in.csv");
            var xlsxFile = Path.Combine(folder, "in.xlsx");
            using (var f = File.Create(csvFile))
            {
                new CsvExportWriter().WriteAsync(f, Columns, Async(data)).GetAwaiter().GetResult();
            }

            using (var f = File.Create(xlsxFile))
            {
                new XlsxExportWriter().WriteAsync(f, Columns, Async(data)).GetAwaiter().GetResult();
            }

            var output = Path.Combine(folder, "out");
            var results = new List<(string Job, Result Ours, Result Library)>
            {
                ("CSV write", Measure(() => WriteOurs(new CsvExportWriter(), output, data)), Measure(() => WriteCsvHelper(output, data))),
                ("CSV read", Measure(() => ReadOurs(csvFile, xlsx: false)), Measure(() => ReadCsvHelper(csvFile))),
                ("XLSX write", Measure(() => WriteOurs(new XlsxExportWriter(), output, data)), Measure(() => WriteOpenXmlSax(output, data))),
                ("XLSX read", Measure(() => ReadOurs(xlsxFile, xlsx: true)), Measure(() => ReadOpenXmlSax(xlsxFile))),
                ("XLSX write", Measure(() => WriteOurs(new XlsxExportWriter(), output, data)), Measure(() => WriteMiniExcel(output, data))),
                ("XLSX read", Measure(() => ReadOurs(xlsxFile, xlsx: true)), Measure(() => ReadMiniExcel(xlsxFile))),
            };

            Console.WriteLine($"# load average at the end {Machine.LoadAverage()}");
            Console.WriteLine($"{"job",-11} {"code",-22} {"median s",9} {"CPU s",7} {"rows/s",11} {"MB file",8} {"alloc MB",9} {"peak WS MB",11} {"lib/ours rows/s",16} {"ours/lib CPU",13}");
            for (var i = 0; i < results.Count; i++)
            {
                var (job, ours, library) = results[i];
                Print(job, "ours", ours, null);
                Print(job, job.StartsWith("CSV", StringComparison.Ordinal) ? "CsvHelper 34.0.0" : i < 4 ? "Open XML SDK 3.3.0 SAX" : "MiniExcel 1.46.0", library, ours);
            }

            ProbeHostileCsv();

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Row(
        string Acronym, string Title, string Programme, string Summary, string Objective, string Start, string End,
        decimal Total, decimal? Eu, string? KeepId, string Website, string Lead, string Country);

    private sealed record Result(double Seconds, double CpuSeconds, long Rows, long Bytes, long Allocated, long PeakWorkingSet);

    /// <summary>The export benchmark's generator, without the database: project i, led by organisation i mod (rows/10).</summary>
    private static List<Row> Generate(int rows)
    {
        var day0 = new DateOnly(2015, 1, 1);
        var organisations = Math.Max(rows / 10, 1);
        var list = new List<Row>(rows);
        for (var i = 0; i < rows; i++)
        {
            var total = 50_000m + (i * 7919 % 5_000_000);
            var org = i % organisations;
            list.Add(new Row(
                $"SYN-{i:D6}",
                // One title in 50 starts like a formula, so the injection guard does real work in both codes.
                i % 50 == 0 ? $"=Synthetic cross-border project number {i}" : $"Synthetic cross-border project number {i}",
                "SYN",
                $"Synthetic description {i}: cooperation between partners on both sides of the border, with \"quotes\", commas, and accents: é, ü, ø.",
                $"Synthetic specific objective {i % 12}",
                day0.AddDays(i % 2000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                day0.AddDays((i % 2000) + 1000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                total,
                i % 3 == 0 ? null : Math.Round(total * 0.6m, 2),
                i % 5 == 0 ? (20_000 + i).ToString(CultureInfo.InvariantCulture) : null,
                $"https://example.org/synthetic/{i}",
                $"Synthetic organisation {org:D6}",
                (org % 4) switch { 0 => "FR", 1 => "BE", 2 => "NL", _ => "DE" }));
        }

        return list;
    }

    private static async IAsyncEnumerable<Row> Async(List<Row> rows)
    {
        foreach (var row in rows)
        {
            yield return row;
        }

        await Task.CompletedTask;
    }

    private static (long Rows, long Bytes) WriteOurs(ITabularExportWriter writer, string path, List<Row> data)
    {
        using var file = File.Create(path);
        var result = writer.WriteAsync(file, Columns, Async(data)).GetAwaiter().GetResult();
        return (result.RowsWritten, file.Length);
    }

    /// <summary>CsvHelper configured for the same output: RFC 4180, CRLF, UTF-8 with BOM, quotes only when needed, a leading ' on formula-like text, asynchronous flushes.</summary>
    private static (long Rows, long Bytes) WriteCsvHelper(string path, List<Row> data) => WriteCsvHelperAsync(path, data).GetAwaiter().GetResult();

    private static async Task<(long Rows, long Bytes)> WriteCsvHelperAsync(string path, List<Row> data)
    {
        await using var file = File.Create(path);
        var options = new CsvWriterOptions { Injection = CsvInjection.Escape, WriteByteOrderMark = true };
        long count = 0;
        await using (var csv = CsvWriter.Create(file, options, leaveOpen: true))
        {
            foreach (var column in Columns)
            {
                csv.WriteField(column.Header);
            }

            await csv.EndRecordAsync();
            foreach (var row in data)
            {
                foreach (var column in Columns)
                {
                    switch (column.Value(row))
                    {
                        case null:
                            csv.WriteField(string.Empty);
                            break;
                        case decimal d:
                            csv.WriteField(d, ReadOnlySpan<char>.Empty);
                            break;
                        case var v:
                            csv.WriteField(v.ToString());
                            break;
                    }
                }

                await csv.EndRecordAsync();
                count++;
            }
        }

        return (count, file.Length);
    }

    private static (long Rows, long Bytes) ReadOurs(string path, bool xlsx)
    {
        using var file = File.OpenRead(path);
        var rows = xlsx ? new XlsxTableReader().ReadAsync(file, "in.xlsx") : new CsvTableReader().ReadAsync(file, "in.csv");
        long count = 0;
        var e = rows.GetAsyncEnumerator();
        try
        {
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                count++;
            }
        }
        finally
        {
            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return (count, file.Length);
    }

    /// <summary>CsvHelper's reader with the limits closest to ours (malformed quoting throws, 1 MiB records), one string[] per record as ours builds.</summary>
    private static (long Rows, long Bytes) ReadCsvHelper(string path) => ReadCsvHelperAsync(path).GetAwaiter().GetResult();

    private static async Task<(long Rows, long Bytes)> ReadCsvHelperAsync(string path)
    {
        await using var file = File.OpenRead(path);
        var options = new CsvReaderOptions { MalformedData = CsvMalformedDataHandling.Throw, MaxRecordSize = 1024 * 1024 };
        await using var reader = CsvReader.Create(file, options, leaveOpen: true);
        long count = 0;
        while (await reader.ReadAsync())
        {
            var values = reader.Current.ToArray();
            count += values.Length > 0 ? 1 : 0;
        }

        return (count, file.Length);
    }

    /// <summary>
    /// The hostile CSV inputs of CsvTableReaderTests, given to ours and to CsvHelper's reader with the options closest to
    /// ours: what each does with them (the faster reader only qualifies if it rejects them too, ADR 0028).
    /// </summary>
    private static void ProbeHostileCsv()
    {
        var line = string.Join(',', Enumerable.Repeat(new string('x', 50_000), 40));
        var cases = new (string Name, byte[] Bytes)[]
        {
            ("invalid UTF-8 byte 0xE9", [.. "a,b\r\n1,2\r\n3,caf"u8, 0xE9, .. "\r\n"u8]),
            ("UTF-16 file with BOM", [.. System.Text.Encoding.Unicode.GetPreamble(), .. System.Text.Encoding.Unicode.GetBytes("a,b\n1,2\n")]),
            ("2 MB line, 40 fields of 50,000", System.Text.Encoding.UTF8.GetBytes("a\n" + line + "\n")),
            ("field of 100,001 chars", System.Text.Encoding.UTF8.GetBytes("id,summary\n1," + new string('x', 100_001) + "\n")),
            ("missing closing quote", System.Text.Encoding.UTF8.GetBytes("id,title\n1,ok\n2,\"never closed\n3,x\n")),
            ("text after closing quote", System.Text.Encoding.UTF8.GetBytes("id,title\n1,\"a\"b\n")),
            ("wrong field count", System.Text.Encoding.UTF8.GetBytes("a,b,c\n1,2,3\n4,5\n")),
        };
        Console.WriteLine("# hostile CSV inputs: what each reader does");
        foreach (var (name, bytes) in cases)
        {
            Console.WriteLine($"{name,-32} ours: {Outcome(() => ReadAllOurs(bytes))}");
            Console.WriteLine($"{"",-32} CsvHelper: {Outcome(() => ReadAllCsvHelper(bytes))}");
        }

        static string Outcome(Func<string> read)
        {
            try
            {
                return "accepted, last value " + read();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return $"rejected ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")[..Math.Min(e.Message.Length, 110)]})";
            }
        }

        static string ReadAllOurs(byte[] bytes)
        {
            var last = "";
            var e = new CsvTableReader().ReadAsync(new MemoryStream(bytes), "probe.csv").GetAsyncEnumerator();
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                last = e.Current.Values.Last();
            }

            return Show(last);
        }

        static string ReadAllCsvHelper(byte[] bytes)
        {
            var last = "";
            var options = new CsvReaderOptions
            {
                MalformedData = CsvMalformedDataHandling.Throw,
                FieldCountMismatch = CsvFieldCountHandling.Throw,
                MaxRecordSize = 1024 * 1024,
            };
            using var reader = CsvReader.Create(new MemoryStream(bytes), options, leaveOpen: false);
            while (reader.Read())
            {
                last = reader.Current.ToArray().Last();
            }

            return Show(last);
        }

        static string Show(string value) =>
            value.Length > 20 ? $"{value.Length:N0} chars" : "\"" + string.Concat(value.Select(c => c < 128 ? c.ToString() : $"\\u{(int)c:X4}")) + "\"";
    }

    /// <summary>The Open XML SDK's SAX writer producing the same sheet as ours: inline strings, typed numbers, frozen header, auto-filter.</summary>
    private static (long Rows, long Bytes) WriteOpenXmlSax(string path, List<Row> data)
    {
        long count = 0;
        using (var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = document.AddWorkbookPart();
            var styles = workbookPart.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(
                new NumberingFormats(new NumberingFormat { NumberFormatId = 164, FormatCode = "yyyy-mm-dd" }) { Count = 1 },
                new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
                new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
                new Borders(new Border()) { Count = 1 },
                new CellFormats(
                    new CellFormat(),
                    new CellFormat { FontId = 1, ApplyFont = true },
                    new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true },
                    new CellFormat { NumberFormatId = 4, ApplyNumberFormat = true })
                { Count = 4 });
            var sheetPart = workbookPart.AddNewPart<WorksheetPart>();
            var names = Enumerable.Range(0, Columns.Length).Select(CellReference.ColumnName).ToArray();
            using (var writer = OpenXmlWriter.Create(sheetPart))
            {
                writer.WriteStartElement(new Worksheet());
                writer.WriteElement(new SheetViews(new SheetView(new Pane { VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen }) { WorkbookViewId = 0 }));
                writer.WriteStartElement(new SheetData());
                writer.WriteStartElement(new DocumentFormat.OpenXml.Spreadsheet.Row { RowIndex = 1 });
                for (var i = 0; i < Columns.Length; i++)
                {
                    writer.WriteElement(TextCell(names[i] + "1", Columns[i].Header, 1));
                }

                writer.WriteEndElement();
                foreach (var row in data)
                {
                    count++;
                    var r = (count + 1).ToString(CultureInfo.InvariantCulture);
                    writer.WriteStartElement(new DocumentFormat.OpenXml.Spreadsheet.Row { RowIndex = (uint)(count + 1) });
                    for (var i = 0; i < Columns.Length; i++)
                    {
                        switch (Columns[i].Value(row))
                        {
                            case null:
                                break;
                            case decimal d:
                                writer.WriteElement(new Cell { CellReference = names[i] + r, StyleIndex = 3, CellValue = new CellValue(d) });
                                break;
                            case var v:
                                writer.WriteElement(TextCell(names[i] + r, v.ToString()!, null));
                                break;
                        }
                    }

                    writer.WriteEndElement();
                }

                writer.WriteEndElement(); // sheetData
                writer.WriteElement(new AutoFilter { Reference = $"A1:{names[^1]}{count + 1}" });
                writer.WriteEndElement(); // worksheet
            }

            workbookPart.Workbook = new Workbook(new Sheets(new Sheet { Name = "Data", SheetId = 1, Id = workbookPart.GetIdOfPart(sheetPart) }));
        }

        return (count, new FileInfo(path).Length);

        static Cell TextCell(string reference, string text, uint? style)
        {
            text = FormulaInjectionGuard.Neutralise(text);
            var t = new Text(text);
            if (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])))
            {
                t.Space = SpaceProcessingModeValues.Preserve;
            }

            var cell = new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(t) };
            if (style is { } s)
            {
                cell.StyleIndex = s;
            }

            return cell;
        }
    }

    /// <summary>
    /// MiniExcel writing the same sheet from a stream of rows (one dictionary per row, typed numbers, the same formula
    /// guard on texts); it streams the sheet and writes shared strings as it sees fit.
    /// </summary>
    private static (long Rows, long Bytes) WriteMiniExcel(string path, List<Row> data)
    {
        long count = 0;
        IEnumerable<IDictionary<string, object?>> Rows()
        {
            foreach (var row in data)
            {
                var values = new Dictionary<string, object?>(Columns.Length, StringComparer.Ordinal);
                foreach (var column in Columns)
                {
                    var value = column.Value(row);
                    values[column.Header] = value is string text ? FormulaInjectionGuard.Neutralise(text) : value;
                }

                count++;
                yield return values;
            }
        }

        File.Delete(path);
        MiniExcelLibs.MiniExcel.SaveAs(path, Rows(), excelType: MiniExcelLibs.ExcelType.XLSX);
        return (count, new FileInfo(path).Length);
    }

    /// <summary>MiniExcel's streaming query of the first sheet, every cell read as a string.</summary>
    private static (long Rows, long Bytes) ReadMiniExcel(string path)
    {
        long count = 0;
        foreach (IDictionary<string, object?> row in MiniExcelLibs.MiniExcel.Query(path, useHeaderRow: true))
        {
            var values = new string[Columns.Length];
            var i = 0;
            foreach (var value in row.Values)
            {
                if (i < values.Length)
                {
                    values[i++] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
                }
            }

            count++;
        }

        return (count, new FileInfo(path).Length);
    }

    /// <summary>The Open XML SDK's SAX reader: the first sheet's rows, one string[] per row (inline, shared and plain values).</summary>
    private static (long Rows, long Bytes) ReadOpenXmlSax(string path)
    {
        using var document = SpreadsheetDocument.Open(path, isEditable: false, new OpenSettings { MaxCharactersInPart = 200L * 1024 * 1024 });
        var workbookPart = document.WorkbookPart!;
        var sheet = workbookPart.Workbook.Descendants<Sheet>().First();
        var sheetPart = (WorksheetPart)workbookPart.GetPartById(sheet.Id!);
        var shared = workbookPart.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToArray() ?? [];
        long count = -1; // the header
        using var reader = OpenXmlReader.Create(sheetPart);
        while (reader.Read())
        {
            if (reader.ElementType != typeof(DocumentFormat.OpenXml.Spreadsheet.Row) || !reader.IsStartElement)
            {
                continue;
            }

            var row = (DocumentFormat.OpenXml.Spreadsheet.Row)reader.LoadCurrentElement()!;
            var values = new string[Columns.Length];
            foreach (var cell in row.Elements<Cell>())
            {
                var index = CellReference.ColumnIndex(cell.CellReference!.Value);
                if ((uint)index >= (uint)values.Length)
                {
                    continue;
                }

                values[index] = cell.DataType?.Value == CellValues.InlineString ? cell.InlineString!.InnerText
                    : cell.DataType?.Value == CellValues.SharedString ? shared[int.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture)]
                    : cell.CellValue?.Text ?? string.Empty;
            }

            count++;
        }

        return (count, new FileInfo(path).Length);
    }

    private static Result Measure(Func<(long Rows, long Bytes)> job)
    {
        job(); // warm-up (JIT), not counted
        var results = new List<Result>();
        using var process = Process.GetCurrentProcess();
        for (var run = 0; run < Runs; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            using var sampler = new PeakSampler();
            var watch = Stopwatch.StartNew();
            var (rows, bytes) = job();
            var seconds = watch.Elapsed.TotalSeconds;
            var peak = sampler.Stop();
            process.Refresh();
            results.Add(new Result(seconds, (process.TotalProcessorTime - cpu).TotalSeconds, rows, bytes, GC.GetTotalAllocatedBytes(precise: true) - allocated, peak));
        }

        return results.OrderBy(r => r.Seconds).ElementAt(Runs / 2);
    }

    private static void Print(string job, string code, Result m, Result? ours)
    {
        // Wall-clock throughput moves with the other processes on a shared machine; CPU time moves less.
        var ratio = ours is null ? "" : ((m.Rows / m.Seconds) / (ours.Rows / ours.Seconds)).ToString("F2", CultureInfo.InvariantCulture);
        var cpuRatio = ours is null || m.CpuSeconds <= 0 ? "" : (ours.CpuSeconds / m.CpuSeconds).ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine($"{job,-11} {code,-22} {m.Seconds,9:F3} {m.CpuSeconds,7:F2} {m.Rows / m.Seconds,11:N0} {m.Bytes / 1e6,8:F1} {m.Allocated / 1e6,9:F0} {m.PeakWorkingSet / 1e6,11:F0} {ratio,16} {cpuRatio,13}");
    }
}
