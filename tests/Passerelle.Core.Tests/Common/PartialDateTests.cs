using System.Globalization;

using Passerelle.Core.Common;

namespace Passerelle.Core.Tests.Common;

public sealed class PartialDateTests
{
    [Theory]
    [InlineData("2016", true)]
    [InlineData("2016-10", true)]
    [InlineData("2016-10-01", true)]
    [InlineData("2016-02-30", false)]
    [InlineData("2016-13", false)]
    [InlineData("16-10-01", false)]
    [InlineData("2016-1-1", false)]
    [InlineData("", false)]
    public void IsValid_IsoPartialDates_AcceptsOnlyRealDates(string value, bool valid) =>
        Assert.Equal(valid, PartialDate.IsValid(value));

    [Fact]
    public void Format_MonthPrecision_DoesNotInventADay()
    {
        Assert.Equal("October 2016", PartialDate.Format("2016-10", CultureInfo.GetCultureInfo("en-GB")));
        Assert.Equal("1 octobre 2016", PartialDate.Format("2016-10-01", CultureInfo.GetCultureInfo("fr-BE")));
        Assert.Equal("2016", PartialDate.Format("2016", CultureInfo.GetCultureInfo("nl-BE")));
    }
}
