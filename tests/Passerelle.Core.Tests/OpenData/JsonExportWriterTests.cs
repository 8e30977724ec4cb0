using System.Text;
using System.Text.Json;

using Passerelle.Core.OpenData;

using static Passerelle.Core.Tests.OpenData.OpenDataTestSupport;

namespace Passerelle.Core.Tests.OpenData;

public sealed class JsonExportWriterTests
{
    [Fact]
    public async Task WriteAsync_Rows_ArrayOfCamelCaseObjectsWithJsonTypes()
    {
        var output = new MemoryStream();
        var result = await new JsonExportWriter().WriteAsync(output, Columns, ToAsync(TrickyRows), TestContext.Current.CancellationToken);

        Assert.Equal(TrickyRows.Length, result.RowsWritten);
        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.Contains("Coopération", text, StringComparison.Ordinal); // accents not escaped
        using var json = JsonDocument.Parse(output.ToArray());
        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(TrickyRows.Length, rows.Count);
        Assert.Equal(
            ["acronym", "title", "totalBudgetEur", "partners", "rate", "startDate", "updated", "closed", "note"],
            rows[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(1234567.89m, rows[0].GetProperty("totalBudgetEur").GetDecimal());
        Assert.Equal(JsonValueKind.Number, rows[0].GetProperty("partners").ValueKind);
        Assert.Equal("2021-01-01", rows[0].GetProperty("startDate").GetString());
        Assert.Equal("2024-03-01T14:30:00Z", rows[0].GetProperty("updated").GetString());
        Assert.Equal(JsonValueKind.False, rows[0].GetProperty("closed").ValueKind);
        Assert.Equal("=1+1", rows[2].GetProperty("acronym").GetString()); // JSON carries data unchanged
        Assert.Equal(-5m, rows[1].GetProperty("totalBudgetEur").GetDecimal());
        Assert.Equal(JsonValueKind.Null, rows[3].GetProperty("note").ValueKind);
        Assert.Equal("ΑΒΓ 東京 😀", rows[4].GetProperty("acronym").GetString());
    }

    [Fact]
    public async Task WriteAsync_DuplicateKeys_ThrowsArgumentException()
    {
        ExportColumn<int>[] columns = [new("Start date", i => i), new("start_date", i => i)];

        await Assert.ThrowsAsync<ArgumentException>(
            () => new JsonExportWriter().WriteAsync(new MemoryStream(), columns, ToAsync([1]), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WriteAsync_NotFiniteDouble_WritesNull()
    {
        var output = new MemoryStream();
        ExportColumn<double>[] columns = [new("value", d => d)];
        await new JsonExportWriter().WriteAsync(output, columns, ToAsync([double.NaN, double.PositiveInfinity, 1.5]), TestContext.Current.CancellationToken);

        Assert.Equal("[{\"value\":null},{\"value\":null},{\"value\":1.5}]", Encoding.UTF8.GetString(output.ToArray()));
    }
}
