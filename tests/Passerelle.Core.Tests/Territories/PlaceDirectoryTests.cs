using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

/// <summary>The place search over the publishers' real names: NUTS, the Nord communes, and the Belgian municipalities in French and Dutch.</summary>
public sealed class PlaceDirectoryTests
{
    private static readonly Lazy<IReadOnlyList<TerritoryName>> Names = new(() =>
        BelgianNames.Read(Path.Combine(SharedData.Folder, "municipalities", BelgianMunicipalitiesReader.DefaultFileName))
            .ToTerritoryNames([.. SharedData.Nuts, .. SharedData.Belgian, .. SharedData.French], sourceId: null));

    private static readonly Lazy<PlaceDirectory> Directory = new(() =>
        new PlaceDirectory([.. SharedData.Nuts.Select(t => t.Unit), .. SharedData.Belgian.Select(t => t.Unit), .. SharedData.French.Select(t => t.Unit)], Names.Value));

    private static PlaceDirectory Places => Directory.Value;

    [Theory]
    [InlineData("Halluin", "FR59279")]
    [InlineData("Moeskroen", "BE57096")]
    [InlineData("Mouscron", "BE57096")]
    [InlineData("Tournai", "BE57081")]
    [InlineData("Doornik", "BE57081")]
    [InlineData("kortrik", "BE34022")]
    [InlineData("Kortrijk", "BE34022")]
    [InlineData("Courtrai", "BE34022")]
    [InlineData("Komen-Waasten", "BE57097")]
    [InlineData("Mesen", "BE33016")]
    public void Search_NameInFrenchDutchOrWithATypo_FindsTheMunicipalityFirst(string query, string code)
    {
        var matches = Places.Search(query, 10);

        Assert.NotEmpty(matches);
        Assert.Equal(code, matches[0].Unit.Code);
        Assert.Equal(TerritoryKind.Municipality, matches[0].Unit.Kind);
    }

    [Theory]
    [InlineData("HALLUIN")]
    [InlineData("hAlLuIn")]
    [InlineData("  halluin ")]
    public void Search_CaseAndSpaces_Ignored(string query) => Assert.Equal("FR59279", Places.Search(query, 5)[0].Unit.Code);

    [Theory]
    [InlineData("Liège", "BE62063")]
    [InlineData("liege", "BE62063")]
    [InlineData("LIEGE", "BE62063")]
    [InlineData("Villeneuve-d'Ascq", "FR59009")]
    [InlineData("villeneuve d ascq", "FR59009")]
    [InlineData("villeneuve dascq", "FR59009")]
    [InlineData("Comines Warneton", "BE57097")]
    [InlineData("Düsseldorf", "DEA1")]
    [InlineData("dusseldorf", "DEA1")]
    public void Search_AccentsAndPunctuation_Ignored(string query, string code) => Assert.Equal(code, Places.Search(query, 5)[0].Unit.Code);

    [Fact]
    public void Search_Kortrik_IsATypoMatchOfTheDutchName()
    {
        var best = Places.Search("kortrik", 5)[0];

        Assert.Equal(PlaceMatchKind.Typo, best.Match);
        Assert.Equal(1, best.Distance);
        Assert.Equal("Kortrijk", best.MatchedName);
        Assert.Equal("nl", best.MatchedLanguage);
    }

    [Fact]
    public void Search_DoornikIsTheDutchNameOfTournai_ReportsWhichNameMatched()
    {
        var best = Places.Search("doornik", 5)[0];

        Assert.Equal(PlaceMatchKind.Exact, best.Match);
        Assert.Equal("Doornik", best.MatchedName);
        Assert.Equal("nl", best.MatchedLanguage);
        Assert.Equal("Tournai", best.Unit.Name);
    }

    [Fact]
    public void Search_NameAsTyped_ListsNoTypoMatches()
    {
        // "lille" is Lille (Nord), Lille (Antwerp) and the "-lez-Lille" communes; not Killem or Willems, a typo away.
        var matches = Places.Search("lille", 20);

        Assert.DoesNotContain(matches, m => m.Match == PlaceMatchKind.Typo);
        Assert.Equal(["FR59350", "BE13019"], matches.Where(m => m.Match == PlaceMatchKind.Exact).Select(m => m.Unit.Code));
        Assert.Equal("FR59350", matches[0].Unit.Code); // the larger first
        Assert.Contains(matches, m => m.Unit.Code == "FR59527"); // Saint-André-lez-Lille
    }

    [Fact]
    public void Search_Lile_FindsLilleWithinATypo()
    {
        var matches = Places.Search("lile", 5);

        Assert.Equal("FR59350", matches[0].Unit.Code);
        Assert.All(matches, m => Assert.Equal(PlaceMatchKind.Typo, m.Match));
    }

    [Fact]
    public void Search_Beginning_SuggestsAsOneTypes()
    {
        var matches = Places.Search("moesk", 5);

        Assert.Equal("BE57096", matches[0].Unit.Code);
        Assert.Equal(PlaceMatchKind.Prefix, matches[0].Match);
    }

    [Fact]
    public void Search_RegionName_FindsTheProvinceBeforeMunicipalitiesNamedAfterIt()
    {
        // "Leuze-en-Hainaut" also has the word; "Prov. Hainaut" is mostly it.
        Assert.Equal("BE32", Places.Search("Hainaut", 5)[0].Unit.Code);
        Assert.Equal("BE32", Places.Search("Henegouwen", 5)[0].Unit.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("k")]
    [InlineData("--")]
    [InlineData("zzqqxxww")]
    public void Search_TooShortOrNothingLikeIt_FindsNothing(string query) => Assert.Empty(Places.Search(query, 10));

    [Fact]
    public void Search_Limit_IsRespected() => Assert.Equal(3, Places.Search("saint", 3).Count);

    [Theory]
    [InlineData("Lille", "FR", "FR59350")]
    [InlineData("LILLE", "FR", "FR59350")]
    [InlineData("Kortrijk", "BE", "BE34022")]
    [InlineData("Courtrai", "BE", "BE34022")]
    [InlineData("Lille", "BE", "BE13019")]
    public void MunicipalityNamed_OneMunicipalityHasTheName_IsFound(string city, string country, string code) =>
        Assert.Equal(code, Places.MunicipalityNamed(city, country)?.Code);

    [Theory]
    [InlineData("Comines", "BE")] // Comines-Warneton's partner sources say "Comines": not a Belgian municipality's name
    [InlineData("Sint-Andries", "BE")] // a part of Brugge, not a municipality
    [InlineData("Lille", "DE")]
    public void MunicipalityNamed_NoMunicipalityOfThatName_IsNull(string city, string country) =>
        Assert.Null(Places.MunicipalityNamed(city, country));

    [Fact]
    public void NameIn_PageLanguage_TheNameASourceGivesElseItsOwn()
    {
        var kortrijk = SharedData.Belgian.Single(t => t.Code == "BE34022").Unit;
        var lille = SharedData.French.Single(t => t.Code == "FR59350").Unit;

        Assert.Equal(("Courtrai", "fr"), Places.NameIn(kortrijk, "fr"));
        Assert.Equal(("Kortrijk", "nl"), Places.NameIn(kortrijk, "nl"));
        Assert.Equal(("Kortrijk", (string?)null), Places.NameIn(kortrijk, "de"));
        Assert.Equal(("Lille", (string?)null), Places.NameIn(lille, "nl"));
    }

    [Theory]
    [InlineData("Villeneuve-d'Ascq", "villeneuve d ascq")]
    [InlineData("Gießen", "giessen")]
    [InlineData("  Sint-Jans-Molenbeek ", "sint jans molenbeek")]
    [InlineData("Œuf/Æble", "oeuf aeble")]
    public void Fold_CaseAccentsPunctuation_Removed(string text, string folded) => Assert.Equal(folded, PlaceDirectory.Fold(text));

    [Theory]
    [InlineData("kortrik", "kortrijk", false, 1)]
    [InlineData("kotrrijk", "kortrijk", false, 1)]
    [InlineData("kortrijk", "kortrijk", false, 0)]
    [InlineData("moeskron", "moeskroen", true, 1)]
    [InlineData("moeskr", "moeskroen", true, 0)]
    [InlineData("abcdef", "kortrijk", false, 3)]
    public void Distance_EditsToTheNameOrItsBeginning(string query, string name, bool prefix, int expected) =>
        Assert.Equal(expected, PlaceDirectory.Distance(query, name, 2, prefix));
}
