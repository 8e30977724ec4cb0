using Passerelle.Core.OpenData;

namespace Passerelle.Core.Tests.OpenData;

public sealed class ExportNamesTests
{
    [Theory]
    [InlineData("Acronym", "acronym")]
    [InlineData("ProjectId", "projectId")]
    [InlineData("total_budget_eur", "totalBudgetEur")]
    [InlineData("Start date", "startDate")]
    [InlineData("ID", "id")]
    [InlineData("Total budget (EUR)", "totalBudgetEUR")]
    [InlineData("Région NUTS 2", "régionNUTS2")]
    [InlineData("--", "column")]
    public void ToCamelCase_Header_GivesJsonKey(string header, string expected) =>
        Assert.Equal(expected, ExportNames.ToCamelCase(header));

    [Theory]
    [InlineData(0, "A")]
    [InlineData(25, "Z")]
    [InlineData(26, "AA")]
    [InlineData(701, "ZZ")]
    [InlineData(702, "AAA")]
    [InlineData(16_383, "XFD")]
    public void ColumnName_Index_GivesLettersAndBack(int index, string letters)
    {
        Assert.Equal(letters, CellReference.ColumnName(index));
        Assert.Equal(index, CellReference.ColumnIndex(letters + "12"));
    }

    [Theory]
    [InlineData("12")]
    [InlineData("XFE1")]
    [InlineData("ABCD1")]
    public void ColumnIndex_InvalidReference_GivesMinusOne(string reference) =>
        Assert.Equal(-1, CellReference.ColumnIndex(reference));

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+33", "'+33")]
    [InlineData("-5", "'-5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "'\rx")]
    [InlineData("a=1", "a=1")]
    [InlineData("", "")]
    public void Neutralise_Text_PrefixesFormulaStarts(string text, string expected) =>
        Assert.Equal(expected, FormulaInjectionGuard.Neutralise(text));
}
