using System.Text;

using Passerelle.Core.OpenData;

namespace Passerelle.Core.Tests.OpenData;

public sealed class CsvTableReaderTests
{
    private static async Task<List<TableRow>> ReadAsync(byte[] bytes, CsvReadOptions? options = null, int chunk = int.MaxValue)
    {
        var rows = new List<TableRow>();
        await foreach (var row in new CsvTableReader(options).ReadAsync(new TrickleStream(bytes, chunk), "projects.csv", TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static Task<List<TableRow>> ReadAsync(string text, CsvReadOptions? options = null) =>
        ReadAsync(Encoding.UTF8.GetBytes(text), options);

    [Fact]
    public async Task ReadAsync_SemicolonHeader_DetectsSemicolonAndKeepsCommasInValues()
    {
        var rows = await ReadAsync("\uFEFFacronym;title;total_budget_eur\r\nECO;Rhin, Moselle;1234.5\r\n");

        var row = Assert.Single(rows);
        Assert.Equal("Rhin, Moselle", row["title"]);
        Assert.Equal(1234.5m, row.GetDecimal("total_budget_eur"));
        Assert.Equal(["acronym", "title", "total_budget_eur"], row.Keys);
    }

    [Fact]
    public async Task ReadAsync_QuotedNewlinesAndBlankLines_RowNumbersFollowRecords()
    {
        var rows = await ReadAsync("a,b\n\"x\ny\",\"say \"\"hi\"\"\"\n\n3,4\n5,\"\"");

        Assert.Equal([2, 4, 5], rows.Select(r => r.RowNumber));
        Assert.Equal("x\ny", rows[0]["a"]);
        Assert.Equal("say \"hi\"", rows[0]["b"]);
        Assert.Equal("", rows[2]["b"]);
    }

    [Fact]
    public async Task ReadAsync_OneByteReads_SameRowsAsWholeBuffer()
    {
        var text = "nom,région\r\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"É{i},\"Ústí, 😀 {i}\"\r\n"));
        var bytes = Encoding.UTF8.GetBytes(text);

        var whole = await ReadAsync(bytes);
        var trickled = await ReadAsync(bytes, chunk: 1);

        Assert.Equal(3000, trickled.Count);
        Assert.Equal(whole.Select(r => r["région"]), trickled.Select(r => r["région"]));
        Assert.Equal(3001, trickled[^1].RowNumber);
        Assert.Equal("Ústí, 😀 2999", trickled[^1]["région"]);
    }

    [Fact]
    public async Task ReadAsync_InvalidUtf8Byte_ThrowsWithLineAndByteOffset()
    {
        var bytes = Encoding.UTF8.GetBytes("a,b\r\n1,2\r\n3,caf").Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes("\r\n")).ToArray();

        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(bytes));

        Assert.Equal(3, error.Row);
        Assert.Equal("b", error.Column);
        Assert.Contains("invalid UTF-8 byte 0xE9 at line 3, byte offset 15", error.Reason, StringComparison.Ordinal);
        Assert.StartsWith("projects.csv, row 3, column 'b': invalid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_InvalidByteAfterManyBuffers_ReportsAbsoluteOffset()
    {
        var prefix = Encoding.UTF8.GetBytes("a\n" + string.Concat(Enumerable.Repeat("row\n", 50_000)));
        var bytes = prefix.Concat(new byte[] { 0xFF, (byte)'\n' }).ToArray();

        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(bytes));

        Assert.Contains($"byte offset {prefix.Length}", error.Reason, StringComparison.Ordinal);
        Assert.Contains("line 50002", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TwoMegabyteLine_ThrowsLineTooLong()
    {
        var line = string.Join(',', Enumerable.Repeat(new string('x', 50_000), 40)); // 2 MB in 40 fields, each under the field limit
        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync("a\n" + line + "\n"));

        Assert.Equal(2, error.Row);
        Assert.Contains("line longer than 1,048,576 characters", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_FieldOverLimit_ThrowsWithColumnName()
    {
        var error = await Assert.ThrowsAsync<TableReadException>(
            () => ReadAsync("id,summary\n1," + new string('x', 100_001) + "\n"));

        Assert.Equal(2, error.Row);
        Assert.Equal("summary", error.Column);
        Assert.Contains("field longer than 100,000 characters", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_MissingClosingQuote_ThrowsWithRowAndColumn()
    {
        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync("id,title\n1,ok\n2,\"never closed\n3,x\n"));

        Assert.Equal(3, error.Row);
        Assert.Equal("title", error.Column);
        Assert.Contains("missing closing quote (the field opened at line 3", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TextAfterClosingQuote_ThrowsWithRowAndColumn()
    {
        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync("id,title\n1,\"a\"b\n"));

        Assert.Equal((2, "title"), (error.Row, error.Column));
    }

    [Fact]
    public async Task ReadAsync_WrongFieldCount_ThrowsWithRow()
    {
        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync("a,b,c\n1,2,3\n4,5\n"));

        Assert.Equal(3, error.Row);
        Assert.Equal("c", error.Column);
        Assert.Contains("2 fields where the header has 3 (separator ',')", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("a,,c\n", "empty column name")]
    [InlineData("a,b,a\n", "appears twice")]
    public async Task ReadAsync_BadHeader_Throws(string text, string reason)
    {
        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(text));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_Utf16File_ThrowsSaveAsUtf8()
    {
        var error = await Assert.ThrowsAsync<TableReadException>(() => ReadAsync(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("a,b\n")).ToArray()));

        Assert.Contains("UTF-16", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDecimal_NotANumber_MessageNamesFileRowAndColumn()
    {
        var rows = await ReadAsync("acronym,total_budget_eur\nA,1\nB,2\nC,1 234,50\n".Replace("1 234,50", "\"1 234,50\"", StringComparison.Ordinal));

        var error = Assert.Throws<TableReadException>(() => rows[2].GetDecimal("total_budget_eur"));

        Assert.StartsWith("projects.csv, row 4, column 'total_budget_eur': not a number", error.Message, StringComparison.Ordinal);
        Assert.Throws<TableReadException>(() => rows[0].GetDate("acronym"));
        Assert.Throws<TableReadException>(() => rows[0]["missing"]);
    }
}
