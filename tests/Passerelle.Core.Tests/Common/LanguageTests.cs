using Passerelle.Core.Common;

namespace Passerelle.Core.Tests.Common;

public sealed class LanguageTests
{
    [Fact]
    public void All_OneList_EveryOtherListDerivesFromIt()
    {
        Assert.Equal(["en", "fr", "nl", "de"], Language.Codes);
        Assert.Same(Language.Codes, LocalizedText.Languages);
        Assert.Equal("^(en|fr|nl|de)$", Language.RoutePattern);
        Assert.All(Language.All, l => Assert.False(string.IsNullOrWhiteSpace(l.NativeName)));
        Assert.Equal(["English", "Français", "Nederlands", "Deutsch"], Language.All.Select(l => l.NativeName));
    }

    [Theory]
    [InlineData("/fr", "fr", "/")]
    [InlineData("/fr/projects/tec", "fr", "/projects/tec")]
    [InlineData("/de/search", "de", "/search")]
    [InlineData("/projects", null, "/projects")]
    [InlineData("/fresh", null, "/fresh")]
    [InlineData("/es/projects", null, "/es/projects")]
    [InlineData("/", null, "/")]
    public void OfPath_LanguageSegment_IsFoundOnlyAsAWholeSegment(string path, string? language, string without)
    {
        Assert.Equal(language, Language.OfPath(path)?.Code);
        Assert.Equal(without, Language.WithoutSegment(path));
    }

    [Theory]
    [InlineData("fr-BE,fr;q=0.9,en;q=0.8", "fr")]
    [InlineData("en-US,en;q=0.9,fr;q=0.8", "en")]
    [InlineData("en;q=0.5, de;q=0.9", "de")]
    [InlineData("de;q=0.5, nl-BE;q=0.8, fr;q=0.8", "nl")]
    [InlineData("es, NL;q=0.3", "nl")]
    [InlineData("fr;q=0, en;q=0.1", "en")]
    [InlineData("*", null)]
    [InlineData("es-ES, it", null)]
    public void Preferred_AcceptLanguage_FollowsQualityThenOrder(string header, string? expected)
    {
        var ranges = header.Split(',').Select(part =>
        {
            var pieces = part.Split(";q=");
            return (pieces[0].Trim(), pieces.Length > 1 ? double.Parse(pieces[1], System.Globalization.CultureInfo.InvariantCulture) : 1.0);
        });
        Assert.Equal(expected, Language.Preferred(ranges)?.Code);
    }

    [Theory]
    [InlineData("fr", "50,63", 50.63)]
    [InlineData("nl", " 3,06 ", 3.06)]
    [InlineData("de", "-12,5", -12.5)]
    [InlineData("fr", "50.63", 50.63)]
    [InlineData("en", "50.63", 50.63)]
    public void TryParseDecimal_TheLanguagesSeparatorOrADot_IsRead(string language, string text, double expected)
    {
        Assert.True(Language.Of(language).TryParseDecimal(text, out var value));
        Assert.Equal(expected, value, 10);
    }

    [Theory]
    [InlineData("en", "50,63")]
    [InlineData("fr", "1.050,6")]
    [InlineData("fr", "50,6,3")]
    [InlineData("de", "abc")]
    [InlineData("fr", "")]
    [InlineData("fr", "1e5")]
    public void TryParseDecimal_NotADecimalInTheLanguage_IsRefused(string language, string text) =>
        Assert.False(Language.Of(language).TryParseDecimal(text, out _));

    [Theory]
    [InlineData("en", "2016-05-01", "1 May 2016")]
    [InlineData("fr", "2016-05-01", "1 mai 2016")]
    [InlineData("nl", "2016-05-01", "1 mei 2016")]
    [InlineData("de", "2016-05-01", "1. Mai 2016")]
    [InlineData("de", "2016-05", "Mai 2016")]
    public void PartialDate_Format_WritesTheDateAsTheLanguageDoes(string language, string value, string expected) =>
        Assert.Equal(expected, PartialDate.Format(value, Language.Of(language).Culture));
}
