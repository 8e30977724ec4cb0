using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;

using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;

using Passerelle.Core.OpenData;

using static Passerelle.Core.Tests.OpenData.OpenDataTestSupport;

namespace Passerelle.Core.Tests.OpenData;

public sealed class XlsxExportWriterTests
{
    private static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private static async Task<byte[]> WriteAsync(IEnumerable<SampleProject> rows, XlsxExportOptions? options = null)
    {
        // Through a non-seekable sink, as an HTTP response would be.
        var copy = new MemoryStream();
        var sink = new CountingSink(allowSynchronousWrites: false) { Copy = copy };
        await new XlsxExportWriter(options).WriteAsync(sink, Columns, ToAsync(rows), TestContext.Current.CancellationToken);
        return copy.ToArray();
    }

    private static XDocument Part(byte[] xlsx, string name)
    {
        using var archive = new ZipArchive(new MemoryStream(xlsx), ZipArchiveMode.Read);
        using var stream = archive.GetEntry(name)!.Open();
        return XDocument.Load(stream);
    }

    [Fact]
    public async Task WriteAsync_NonSeekableOutput_ZipHoldsAllEcma376Parts()
    {
        var xlsx = await WriteAsync(TrickyRows);

        using var archive = new ZipArchive(new MemoryStream(xlsx), ZipArchiveMode.Read);
        Assert.Equal(
            ["[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"],
            archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_Rows_SheetXmlHasTypedCellsFrozenHeaderAndAutofilter()
    {
        var sheet = Part(await WriteAsync(TrickyRows), "xl/worksheets/sheet1.xml");

        var rows = sheet.Descendants(Main + "row").ToList();
        Assert.Equal(TrickyRows.Length + 1, rows.Count);
        var header = rows[0].Elements(Main + "c").ToList();
        Assert.All(header, c => Assert.Equal("1", (string?)c.Attribute("s")));
        Assert.Equal("Total budget (EUR)", header[2].Value);

        XElement Cell(string reference) => sheet.Descendants(Main + "c").Single(c => (string?)c.Attribute("r") == reference);
        Assert.Equal("inlineStr", (string?)Cell("A2").Attribute("t"));
        Assert.Equal("ÉCO-Rhin", Cell("A2").Element(Main + "is")!.Element(Main + "t")!.Value);
        Assert.Null(Cell("C2").Attribute("t")); // number
        Assert.Equal("1234567.89", Cell("C2").Element(Main + "v")!.Value);
        Assert.Equal("-5", Cell("C3").Element(Main + "v")!.Value);
        Assert.Equal("-0.5", Cell("E3").Element(Main + "v")!.Value);
        Assert.Equal("44197", Cell("F2").Element(Main + "v")!.Value); // 2021-01-01
        Assert.Equal("2", (string?)Cell("F2").Attribute("s"));
        Assert.Equal("3", (string?)Cell("G2").Attribute("s"));
        Assert.Equal("b", (string?)Cell("H3").Attribute("t"));
        Assert.Equal("1", Cell("H3").Element(Main + "v")!.Value);
        Assert.Equal("'=1+1", Cell("A4").Value);
        Assert.Equal("'-5", Cell("A5").Value);
        Assert.Equal("line one\r\nline two\nline three", Cell("I3").Value);
        Assert.Equal("   spaced   ", Cell("I6").Value);
        Assert.DoesNotContain(sheet.Descendants(Main + "c"), c => (string?)c.Attribute("r") == "I5"); // null → no cell
        Assert.Empty(sheet.Descendants(Main + "f")); // no formula anywhere

        var pane = sheet.Descendants(Main + "pane").Single();
        Assert.Equal("frozen", (string?)pane.Attribute("state"));
        Assert.Equal("A2", (string?)pane.Attribute("topLeftCell"));
        Assert.Equal("A1:I6", (string?)sheet.Root!.Element(Main + "autoFilter")!.Attribute("ref"));
    }

    [Fact]
    public async Task WriteAsync_SheetName_AppearsInWorkbookAndStylesHaveBoldHeader()
    {
        var xlsx = await WriteAsync(TrickyRows, new XlsxExportOptions { SheetName = "Projets d'Interreg" });

        var workbook = Part(xlsx, "xl/workbook.xml");
        Assert.Equal("Projets d'Interreg", (string?)workbook.Descendants(Main + "sheet").Single().Attribute("name"));
        Assert.Equal("'Projets d''Interreg'!$A$1:$I$6", workbook.Descendants(Main + "definedName").Single().Value);
        var styles = Part(xlsx, "xl/styles.xml");
        Assert.NotNull(styles.Descendants(Main + "font").ElementAt(1).Element(Main + "b"));
        Assert.Equal("yyyy-mm-dd", (string?)styles.Descendants(Main + "numFmt").First().Attribute("formatCode"));
    }

    [Fact]
    public async Task WriteAsync_Rows_OpenXmlSdkValidatorFindsNoSchemaError()
    {
        var xlsx = await WriteAsync(TrickyRows);

        using var document = SpreadsheetDocument.Open(new MemoryStream(xlsx), isEditable: false);
        var errors = new OpenXmlValidator().Validate(document, TestContext.Current.CancellationToken).Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}").ToList();

        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal("Data", document.WorkbookPart!.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().Single().Name!.Value);
    }

    [Fact]
    public async Task WriteAsync_Rows_PythonZipfileAndElementTreeReadTheSheet()
    {
        var path = TempFile(".xlsx");
        try
        {
            await File.WriteAllBytesAsync(path, await WriteAsync(TrickyRows), TestContext.Current.CancellationToken);
            const string script =
                "import zipfile, json, sys, xml.etree.ElementTree as ET\n" +
                "ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}\n" +
                "z = zipfile.ZipFile(sys.argv[1])\n" +
                "assert z.testzip() is None\n" +
                "ct = ET.fromstring(z.read('[Content_Types].xml'))\n" +
                "sheet = ET.fromstring(z.read('xl/worksheets/sheet1.xml'))\n" +
                "rows = []\n" +
                "for row in sheet.iterfind('.//m:sheetData/m:row', ns):\n" +
                "    cells = {}\n" +
                "    for c in row.iterfind('m:c', ns):\n" +
                "        if c.get('t') == 'inlineStr':\n" +
                "            cells[c.get('r')] = ''.join(t.text or '' for t in c.iterfind('.//m:t', ns))\n" +
                "        else:\n" +
                "            cells[c.get('r')] = float(c.find('m:v', ns).text)\n" +
                "    rows.append(cells)\n" +
                "print(json.dumps({'overrides': len(ct), 'rows': rows}))\n";
            using var result = JsonDocument.Parse(Run("python3", "-c", script, path));

            Assert.Equal(5, result.RootElement.GetProperty("overrides").GetInt32());
            var rows = result.RootElement.GetProperty("rows");
            Assert.Equal(6, rows.GetArrayLength());
            Assert.Equal("Acronym", rows[0].GetProperty("A1").GetString());
            Assert.Equal(1234567.89, rows[1].GetProperty("C2").GetDouble());
            Assert.Equal(-5, rows[2].GetProperty("C3").GetDouble());
            Assert.Equal("'=1+1", rows[3].GetProperty("A4").GetString());
            Assert.Equal("ΑΒΓ 東京 😀", rows[5].GetProperty("A6").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WriteAsync_TextOverExcelLimit_TruncatedTo32767Chars()
    {
        var longRow = TrickyRows[0] with { Note = new string('x', 40_000), Title = "bad\u0001char\uFFFF" };
        var sheet = Part(await WriteAsync([longRow]), "xl/worksheets/sheet1.xml");

        var cells = sheet.Descendants(Main + "row").Last().Elements(Main + "c").ToList();
        Assert.Equal(XlsxExportWriter.MaxCellTextLength, cells.Single(c => (string?)c.Attribute("r") == "I2").Value.Length);
        Assert.Equal("badchar", cells.Single(c => (string?)c.Attribute("r") == "B2").Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("[x]")]
    [InlineData("'quoted'")]
    [InlineData("this sheet name is far too long for excel")]
    public async Task WriteAsync_InvalidSheetName_ThrowsArgumentException(string name) =>
        await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(TrickyRows, new XlsxExportOptions { SheetName = name }));

    [Fact]
    public async Task WriteAsync_ThenXlsxTableReader_RoundTripsTypedCells()
    {
        var xlsx = await WriteAsync(TrickyRows, new XlsxExportOptions { SheetName = "Projects" });

        var rows = new List<TableRow>();
        await foreach (var row in new XlsxTableReader().ReadAsync(new MemoryStream(xlsx), "export.xlsx", TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        Assert.Equal(TrickyRows.Length, rows.Count);
        Assert.Equal([2, 3, 4, 5, 6], rows.Select(r => r.RowNumber));
        Assert.Equal("Projects", rows[0].Sheet);
        Assert.Equal("ÉCO-Rhin", rows[0]["Acronym"]);
        Assert.Equal(1234567.89m, rows[0].GetDecimal("Total budget (EUR)"));
        Assert.Equal("2021-01-01", rows[0]["Start date"]);
        Assert.Equal("2024-03-01T14:30:00", rows[0]["Updated"]);
        Assert.Equal("2024-03-01", rows[1]["Updated"]);
        Assert.Equal("false", rows[0]["Closed"]);
        Assert.Equal("true", rows[1]["Closed"]);
        Assert.Equal(-5m, rows[1].GetDecimal("Total budget (EUR)"));
        Assert.Equal("line one\r\nline two\nline three", rows[1]["Note"]);
        Assert.Equal("'=1+1", rows[2]["Acronym"]);
        Assert.Equal("1E-07", rows[2]["Rate"]);
        Assert.Equal(new DateOnly(2000, 2, 29), rows[2].GetDate("Start date"));
        Assert.Equal("", rows[3]["Note"]);
        Assert.Equal("   spaced   ", rows[4]["Note"]);
        Assert.Equal("1999-01-01", rows[4]["Start date"]);
    }

    [Theory]
    [InlineData(7, 3, new[] { 3, 3, 1 })]
    [InlineData(6, 3, new[] { 3, 3 })]
    [InlineData(3, 3, new[] { 3 })]
    [InlineData(0, 3, new[] { 0 })]
    public async Task WriteAsync_RowsOverSheetLimit_GoOnInFurtherSheetsEachWithHeader(int count, int perSheet, int[] expected)
    {
        var copy = new MemoryStream();
        var sink = new CountingSink(allowSynchronousWrites: false) { Copy = copy };
        var result = await new XlsxExportWriter(new XlsxExportOptions { SheetName = "Projects", MaxRowsPerSheet = perSheet })
            .WriteAsync(sink, Columns, Generate(count), TestContext.Current.CancellationToken);

        Assert.Equal(count, result.RowsWritten);
        using var document = SpreadsheetDocument.Open(new MemoryStream(copy.ToArray()), isEditable: false);
        var errors = new OpenXmlValidator().Validate(document, TestContext.Current.CancellationToken).Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var workbook = document.WorkbookPart!;
        var sheets = workbook.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().ToList();
        Assert.Equal(expected.Select((_, i) => i == 0 ? "Projects" : $"Projects ({i + 1})"), sheets.Select(s => s.Name!.Value));
        var acronyms = new List<string>();
        for (var i = 0; i < sheets.Count; i++)
        {
            var part = (WorksheetPart)workbook.GetPartById(sheets[i].Id!.Value!);
            var rows = part.Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>().ToList();
            Assert.Equal(expected[i] + 1, rows.Count);
            Assert.Equal(Enumerable.Range(1, expected[i] + 1).Select(r => (uint)r), rows.Select(r => r.RowIndex!.Value));
            Assert.Equal("Acronym", rows[0].Descendants<DocumentFormat.OpenXml.Spreadsheet.Text>().First().Text);
            acronyms.AddRange(rows.Skip(1).Select(r => r.Descendants<DocumentFormat.OpenXml.Spreadsheet.Text>().First().Text));
            Assert.Equal($"A1:I{expected[i] + 1}", part.Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.AutoFilter>().Single().Reference!.Value);
        }

        // Every row once, in order, across the sheets.
        Assert.Equal(Enumerable.Range(0, count).Select(i => "P" + i), acronyms);
        var filters = workbook.Workbook.DefinedNames!.Elements<DocumentFormat.OpenXml.Spreadsheet.DefinedName>().ToList();
        Assert.Equal(Enumerable.Range(0, sheets.Count).Select(i => (uint)i), filters.Select(f => f.LocalSheetId!.Value));
    }

    [Fact]
    public void SheetName_LongNameAndLaterSheet_ShortenedWithinThirtyOneCharacters()
    {
        Assert.Equal("Data", XlsxExportWriter.SheetName("Data", 1));
        Assert.Equal("Data (12)", XlsxExportWriter.SheetName("Data", 12));
        // Cut to 27 characters, the cut ending in an apostrophe, which a sheet name cannot end with.
        var name = XlsxExportWriter.SheetName("Operations of the programm's", 2);
        Assert.Equal("Operations of the programm (2)", name);
        Assert.True(name.Length <= 31);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(XlsxExportWriter.MaxDataRowsPerSheet + 1)]
    public async Task WriteAsync_SheetLimitOutOfRange_ThrowsArgumentException(int perSheet) =>
        await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(TrickyRows, new XlsxExportOptions { MaxRowsPerSheet = perSheet }));
}
