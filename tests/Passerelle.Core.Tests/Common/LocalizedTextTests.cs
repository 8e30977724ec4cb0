using Passerelle.Core.Common;

namespace Passerelle.Core.Tests.Common;

public sealed class LocalizedTextTests
{
    [Fact]
    public void Resolve_LanguagePresent_ReturnsItWithoutFallbackMarker()
    {
        var text = new LocalizedText { En = "Eco-Citizens together!", Fr = "Tous Eco-Citoyens!" };
        Assert.Equal(new LocalizedValue("Tous Eco-Citoyens!", "fr", false), text.Resolve("fr"));
    }

    [Fact]
    public void Resolve_LanguageMissing_FallsBackAndSaysSo()
    {
        var text = new LocalizedText { Nl = "Platformen voor ooievaarsnesten in de Leievallei" };
        Assert.Equal(new LocalizedValue("Platformen voor ooievaarsnesten in de Leievallei", "nl", true), text.Resolve("de"));
    }

    [Fact]
    public void Resolve_Empty_ReturnsNull() => Assert.Null(LocalizedText.Empty.Resolve("en"));

    [Theory]
    [InlineData("Métropole Européenne de Lille", "metropole-europeenne-de-lille")]
    [InlineData("TEC!", "tec")]
    [InlineData("G.O.N", "g-o-n")]
    [InlineData("  ALARM   FWV ", "alarm-fwv")]
    public void SlugFrom_Names_AsciiLowerHyphenated(string name, string slug) => Assert.Equal(slug, Slug.From(name));
}
