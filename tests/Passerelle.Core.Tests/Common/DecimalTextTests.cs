using Passerelle.Core.Common;

namespace Passerelle.Core.Tests.Common;

public sealed class DecimalTextTests
{
    [Theory]
    [InlineData("50,63", 50.63)]
    [InlineData("50.63", 50.63)]
    [InlineData(" 3,0573 ", 3.0573)]
    [InlineData("-3,5", -3.5)]
    [InlineData("\u22123.5", -3.5)]
    [InlineData("50", 50)]
    [InlineData(",5", 0.5)]
    public void TryParse_DecimalPointOrComma_Reads(string text, double expected)
    {
        Assert.True(DecimalText.TryParse(text, out var value));
        Assert.Equal(expected, value, 10);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("abc")]
    [InlineData("1,234.5")]
    [InlineData("1.234,5")]
    [InlineData("50,6,3")]
    [InlineData("1e5")]
    [InlineData("NaN")]
    [InlineData("50 63")]
    public void TryParse_NotOneDecimalNumber_Refuses(string? text) => Assert.False(DecimalText.TryParse(text, out _));
}
