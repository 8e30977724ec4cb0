using System.Globalization;
using System.Text;
using System.Text.Json;

using Passerelle.Core.OpenData;

using static Passerelle.Core.Tests.OpenData.OpenDataTestSupport;

namespace Passerelle.Core.Tests.OpenData;

public sealed class CsvExportWriterTests
{
    private const string PythonCsvToJson =
        "import csv, json, sys\n" +
        "with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n" +
        "    print(json.dumps(list(csv.reader(f)), ensure_ascii=True))\n";

    [Fact]
    public async Task WriteAsync_TrickyText_PythonCsvModuleReadsTheSameCells()
    {
        var path = TempFile(".csv");
        try
        {
            await using (var file = File.Create(path))
            {
                await new CsvExportWriter().WriteAsync(file, Columns, ToAsync(TrickyRows), TestContext.Current.CancellationToken);
            }

            var rows = JsonSerializer.Deserialize<string[][]>(Run("python3", "-c", PythonCsvToJson, path))!;

            Assert.Equal(TrickyRows.Length + 1, rows.Length);
            Assert.Equal(["Acronym", "Title", "Total budget (EUR)", "Partners", "Rate", "Start date", "Updated", "Closed", "Note"], rows[0]);
            Assert.Equal(["ÉCO-Rhin", "Coopération transfrontalière, Région Grand Est", "1234567.89", "5", "0.85", "2021-01-01", "2024-03-01T14:30:00Z", "false", "simple"], rows[1]);
            Assert.Equal("Le \"Rhin\" supérieur", rows[2][1]);
            Assert.Equal("-5", rows[2][2]); // a negative number is never neutralised
            Assert.Equal("-0.5", rows[2][4]);
            Assert.Equal("2024-03-01T00:00:00", rows[2][6]);
            Assert.Equal("line one\r\nline two\nline three", rows[2][8]);
            Assert.Equal("'=1+1", rows[3][0]);
            Assert.Equal("'+33 3 88 00 00 00", rows[3][1]);
            Assert.Equal("1E-07", rows[3][4]);
            Assert.Equal("'@SUM(A1:A2)", rows[3][8]);
            Assert.Equal("'-5", rows[4][0]); // "-5" as text could be a formula: neutralised
            Assert.Equal("'\tTabbed", rows[4][1]);
            Assert.Equal("", rows[4][8]);
            Assert.Equal(["ΑΒΓ 東京 😀", "Şırnak – Ústí nad Labem, \"quoted\", comma", "1000000", "3", "2.5", "1999-01-01", "2020-02-29T23:59:59Z", "false", "   spaced   "], rows[5]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WriteAsync_Default_StartsWithBomAndEndsLinesWithCrlf()
    {
        var output = new MemoryStream();
        await new CsvExportWriter().WriteAsync(output, Columns, ToAsync(TrickyRows.Take(1)), TestContext.Current.CancellationToken);

        var bytes = output.ToArray();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.StartsWith("Acronym,Title,Total budget (EUR),", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain('\n', text.Replace("\r\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_BomDisabled_StartsWithHeader()
    {
        var output = new MemoryStream();
        await new CsvExportWriter(new CsvExportOptions { IncludeByteOrderMark = false })
            .WriteAsync(output, Columns, ToAsync(Array.Empty<SampleProject>()), TestContext.Current.CancellationToken);

        Assert.Equal("Acronym,Title,Total budget (EUR),Partners,Rate,Start date,Updated,Closed,Note\r\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task WriteAsync_FrenchCurrentCulture_NumbersStayInvariant()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("fr-FR");
        try
        {
            var output = new MemoryStream();
            ExportColumn<int>[] columns = [new("a", _ => 1234.5m), new("b", _ => 0.25), new("c", _ => -5), new("d", _ => double.NaN)];
            await new CsvExportWriter(new CsvExportOptions { IncludeByteOrderMark = false })
                .WriteAsync(output, columns, ToAsync([1]), TestContext.Current.CancellationToken);

            Assert.Equal("a,b,c,d\r\n1234.5,0.25,-5,\r\n", Encoding.UTF8.GetString(output.ToArray()));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public async Task WriteAsync_ManyRows_FlushesInChunksWithAsyncWritesOnly()
    {
        var sink = new CountingSink(allowSynchronousWrites: false);
        var result = await new CsvExportWriter(new CsvExportOptions { FlushThresholdChars = 4096 })
            .WriteAsync(sink, Columns, Generate(5_000), TestContext.Current.CancellationToken);

        Assert.Equal(5_000, result.RowsWritten);
        Assert.True(sink.BytesWritten > 400_000, $"only {sink.BytesWritten} bytes");
    }

    [Fact]
    public async Task WriteAsync_ThenCsvTableReader_RoundTripsEveryCell()
    {
        var output = new MemoryStream();
        await new CsvExportWriter().WriteAsync(output, Columns, ToAsync(TrickyRows), TestContext.Current.CancellationToken);
        output.Position = 0;

        var rows = new List<TableRow>();
        await foreach (var row in new CsvTableReader().ReadAsync(output, "export.csv", TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        Assert.Equal(TrickyRows.Length, rows.Count);
        Assert.Equal([2, 3, 4, 5, 6], rows.Select(r => r.RowNumber));
        Assert.Equal("line one\r\nline two\nline three", rows[1]["Note"]);
        Assert.Equal(-5m, rows[1].GetDecimal("Total budget (EUR)"));
        Assert.Equal("'=1+1", rows[2]["Acronym"]);
        Assert.Equal(new DateOnly(2000, 2, 29), rows[2].GetDate("Start date"));
        Assert.Equal("ΑΒΓ 東京 😀", rows[4]["Acronym"]);
        Assert.Equal("", rows[3]["Note"]);
    }
}
