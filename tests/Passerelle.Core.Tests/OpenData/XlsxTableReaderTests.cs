using System.Buffers.Binary;
using System.IO.Compression;

using Passerelle.Core.OpenData;

using static Passerelle.Core.Tests.OpenData.OpenDataTestSupport;

namespace Passerelle.Core.Tests.OpenData;

public sealed class XlsxTableReaderTests
{
    private const string ContentTypes =
        "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";

    private const string RootRels =
        "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
        "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

    private const string Workbook =
        "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" +
        "<sheets><sheet name=\"Projets\" sheetId=\"1\" r:id=\"rId7\"/><sheet name=\"Other\" sheetId=\"2\" r:id=\"rId8\"/></sheets></workbook>";

    private const string WorkbookRels =
        "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
        "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/data.xml\"/>" +
        "<Relationship Id=\"rId8\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/other.xml\"/>" +
        "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"/xl/sharedStrings.xml\"/>" +
        "<Relationship Id=\"rId10\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>";

    private const string SharedStrings =
        "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" +
        "<si><t>acronym</t></si><si><t>total_budget_eur</t></si><si><t>start</t></si><si><t>closed</t></si>" +
        "<si><r><rPr><b/></rPr><t>ECO</t></r><r><t xml:space=\"preserve\">-Rhin </t></r><rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si></sst>";

    private const string Styles =
        "<?xml version=\"1.0\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" +
        "<numFmts count=\"1\"><numFmt numFmtId=\"170\" formatCode=\"[$-40C]d\\ mmmm\\ yyyy\"/></numFmts>" +
        "<cellXfs count=\"3\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"170\"/></cellXfs></styleSheet>";

    private static string Sheet(string rows) =>
        "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" + rows + "</sheetData></worksheet>";

    private static byte[] Workbook_(string sheetRows, params (string Name, byte[] Content)[] extra) => Zip(
        [("[Content_Types].xml", Utf8(ContentTypes)), ("_rels/.rels", Utf8(RootRels)), ("xl/workbook.xml", Utf8(Workbook)),
         ("xl/_rels/workbook.xml.rels", Utf8(WorkbookRels)), ("xl/sharedStrings.xml", Utf8(SharedStrings)),
         ("xl/styles.xml", Utf8(Styles)), ("xl/worksheets/data.xml", Utf8(Sheet(sheetRows))), .. extra]);

    private const string HeaderRow =
        "<row r=\"2\"><c r=\"B2\" t=\"s\"><v>0</v></c><c r=\"C2\" t=\"s\"><v>1</v></c><c r=\"D2\" t=\"s\"><v>2</v></c><c r=\"E2\" t=\"s\"><v>3</v></c></row>";

    private static async Task<List<TableRow>> ReadAsync(byte[] xlsx, XlsxReadOptions? options = null, bool seekable = true)
    {
        var rows = new List<TableRow>();
        Stream input = seekable ? new MemoryStream(xlsx) : new TrickleStream(xlsx, 4096);
        await foreach (var row in new XlsxTableReader(options).ReadAsync(input, "projects.xlsx", TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadAsync_SharedStringsStylesAndGaps_ReadsFirstSheetByHeader(bool seekable)
    {
        var xlsx = Workbook_(
            HeaderRow +
            "<row r=\"5\"><c r=\"B5\" t=\"s\"><v>4</v></c><c r=\"C5\"><v>1234.5</v></c><c r=\"D5\" s=\"1\"><v>45352</v></c><c r=\"E5\" t=\"b\"><v>1</v></c></row>" +
            "<row r=\"6\"/>" +
            "<row r=\"7\"><c r=\"B7\" t=\"inlineStr\"><is><t>INLINE</t></is></c><c r=\"D7\" s=\"2\"><v>45352.5</v></c><c r=\"E7\" t=\"str\"><f>A1</f><v>formula text</v></c></row>");

        var rows = await ReadAsync(xlsx, seekable: seekable);

        Assert.Equal(2, rows.Count);
        Assert.Equal([5, 7], rows.Select(r => r.RowNumber));
        Assert.Equal("Projets", rows[0].Sheet);
        Assert.Equal("ECO-Rhin ", rows[0]["acronym"]);
        Assert.Equal(1234.5m, rows[0].GetDecimal("total_budget_eur"));
        Assert.Equal("2024-03-01", rows[0]["start"]);
        Assert.Equal("true", rows[0]["closed"]);
        Assert.Equal("INLINE", rows[1]["acronym"]);
        Assert.Equal("", rows[1]["total_budget_eur"]);
        Assert.Equal("2024-03-01T12:00:00", rows[1]["start"]);
        Assert.Equal("formula text", rows[1]["closed"]);
    }

    [Fact]
    public async Task ReadAsync_NotANumberInCell_ThrowsWithSheetRowAndColumn()
    {
        var xlsx = Workbook_(HeaderRow + "<row r=\"3\"><c r=\"C3\"><v>lots</v></c></row>");

        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(xlsx));

        Assert.Equal("projects.xlsx, sheet 'Projets', row 3, column 'total_budget_eur': not a number ('lots')", error.Message);
    }

    [Fact]
    public async Task ReadAsync_ValueWithoutHeader_ThrowsWithColumnLetter()
    {
        var xlsx = Workbook_(HeaderRow + "<row r=\"3\"><c r=\"G3\" t=\"inlineStr\"><is><t>stray</t></is></c></row>");

        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(xlsx));

        Assert.Equal((3, "G"), (error.Row, error.Column));
    }

    [Fact]
    public async Task ReadAsync_ZipBombOf300MegabytesOfZeros_RejectedBeforeInflating()
    {
        var bomb = new MemoryStream();
        using (var archive = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("xl/worksheets/data.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 300; i++)
            {
                entry.Write(zeros);
            }
        }

        Assert.True(bomb.Length < 1_000_000, $"bomb is {bomb.Length} bytes");
        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(bomb.ToArray()));

        Assert.Contains("would inflate to 314,572,800 bytes", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_CompressionRatioOver100_Rejected()
    {
        var xlsx = Workbook_(HeaderRow, ("xl/media/padding.bin", new byte[20 * 1024 * 1024]));

        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(xlsx));

        Assert.Contains("'xl/media/padding.bin' has a compression ratio of", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ForgedSmallSizeInZipHeaders_RejectedNotTrusted()
    {
        var rows = string.Concat(Enumerable.Range(3, 20_000).Select(i => $"<row r=\"{i}\"><c r=\"B{i}\" t=\"inlineStr\"><is><t>P{i}</t></is></c></row>"));
        var xlsx = Workbook_(HeaderRow + rows);
        ForgeUncompressedSize(xlsx, "xl/worksheets/data.xml", 4096);

        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(xlsx));

        // .NET stops inflating at the declared size, so the part reads as truncated XML; the reader's own byte counter
        // would report "inflates to more than its declared 4,096 bytes" on a runtime that did not.
        Assert.StartsWith("malformed XML", error.Reason, StringComparison.Ordinal);
        Assert.Equal("Projets", error.Sheet);
    }

    [Fact]
    public async Task ReadAsync_TooManyEntries_Rejected()
    {
        var xlsx = Workbook_(HeaderRow, [.. Enumerable.Range(0, 20).Select(i => ($"xl/extra{i}.xml", Utf8("<x/>")))]);

        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(xlsx, new XlsxReadOptions { MaxEntries = 10 }));

        Assert.Contains("more than the 10 allowed", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SheetWithDtd_RejectedWithoutExpandingEntities()
    {
        const string billionLaughs =
            "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">" +
            "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" +
            "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&b;&xxe;</t></is></c></row></sheetData></worksheet>";
        var xlsx = Zip(
            ("_rels/.rels", Utf8(RootRels)), ("xl/workbook.xml", Utf8(Workbook)),
            ("xl/_rels/workbook.xml.rels", Utf8(WorkbookRels)), ("xl/worksheets/data.xml", Utf8(billionLaughs)));

        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(xlsx));

        Assert.Contains("DTD", error.Reason, StringComparison.Ordinal);
        Assert.Equal("Projets", error.Sheet);
    }

    [Fact]
    public async Task ReadAsync_ZipWithoutWorkbook_RejectedAsNotXlsx()
    {
        var zip = Zip(("readme.txt", Utf8("hello")));

        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(zip));

        Assert.Equal("projects.xlsx: not an .xlsx workbook (no xl/workbook.xml in the zip)", error.Message);
    }

    [Fact]
    public async Task ReadAsync_NotAZipAtAll_RejectedAsNotXlsx()
    {
        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(Utf8("acronym,title\nA,B\n")));

        Assert.Contains("not a zip archive", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_EmptySheet_ThrowsHeaderExpected()
    {
        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(Workbook_("")));

        Assert.Contains("a header row is expected", error.Reason, StringComparison.Ordinal);
    }

    /// <summary>Rewrites the uncompressed size of an entry in its local header and in the central directory.</summary>
    private static void ForgeUncompressedSize(byte[] zip, string entryName, uint size)
    {
        var name = Utf8(entryName);
        var patched = 0;
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50 && zip.AsSpan(i + 30, name.Length).SequenceEqual(name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), size);
                patched++;
            }
            else if (signature == 0x02014b50 && zip.AsSpan(i + 46, name.Length).SequenceEqual(name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
                patched++;
            }
        }

        Assert.Equal(2, patched);
    }
}
