using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

/// <summary>The French and Dutch names of the Belgian municipalities file, and the NUTS units they are given to.</summary>
public sealed class BelgianNamesTests
{
    private static readonly Lazy<Dictionary<(string Code, string Language), string>> Names = new(() =>
        BelgianNames.Read(Path.Combine(SharedData.Folder, "municipalities", BelgianMunicipalitiesReader.DefaultFileName))
            .ToTerritoryNames([.. SharedData.Nuts, .. SharedData.Belgian, .. SharedData.French], sourceId: 7)
            .ToDictionary(n => (n.UnitCode, n.Language), n => n.Name));

    [Theory]
    [InlineData("BE34022", "Courtrai", "Kortrijk")]
    [InlineData("BE57081", "Tournai", "Doornik")]
    [InlineData("BE57096", "Mouscron", "Moeskroen")]
    [InlineData("BE57097", "Comines-Warneton", "Komen-Waasten")]
    [InlineData("BE21004", "Bruxelles", "Brussel")]
    public void Municipalities_BothNames(string code, string french, string dutch)
    {
        Assert.Equal(french, Names.Value[(code, "fr")]);
        Assert.Equal(dutch, Names.Value[(code, "nl")]);
    }

    [Theory]
    [InlineData("BE254", "Arrondissement de Courtrai", "Arrondissement Kortrijk")]
    [InlineData("BE328", "Arrondissement de Tournai-Mouscron", "Arrondissement Doornik-Moeskroen")]
    [InlineData("BE25", "Province de Flandre Occidentale", "Provincie West-Vlaanderen")]
    [InlineData("BE32", "Province du Hainaut", "Provincie Henegouwen")]
    [InlineData("BE2", "Région Flamande", "Vlaams Gewest")]
    [InlineData("BE1", "Région de Bruxelles-Capitale", "Brussels Hoofdstedelijk Gewest")]
    public void Areas_NamesGoToTheNutsUnitThatIsTheSameTerritory(string nuts, string french, string dutch)
    {
        Assert.Equal(french, Names.Value[(nuts, "fr")]);
        Assert.Equal(dutch, Names.Value[(nuts, "nl")]);
    }

    [Theory]
    [InlineData("BE335")] // Arr. Verviers, French-speaking part: the arrondissement is larger
    [InlineData("BE336")] // the German-speaking part: no arrondissement of its own in the file
    [InlineData("FRE11")]
    [InlineData("FR59350")]
    public void Units_NotTheSameTerritoryAsAnArea_GetNoName(string code) =>
        Assert.DoesNotContain(Names.Value.Keys, k => k.Code == code);

    [Fact]
    public void Names_OnePerUnitAndLanguage_WithTheSource()
    {
        var rows = BelgianNames.Read(Path.Combine(SharedData.Folder, "municipalities", BelgianMunicipalitiesReader.DefaultFileName))
            .ToTerritoryNames([.. SharedData.Nuts, .. SharedData.Belgian, .. SharedData.French], sourceId: 7);

        Assert.Equal(rows.Count, rows.Select(r => (r.UnitCode, r.Language)).Distinct().Count());
        Assert.All(rows, r => Assert.Equal(7, r.SourceId));
        Assert.Equal(581, rows.Count(r => r.Language == "nl" && r.UnitCode.Length == 7));
    }

    [Fact]
    public void Mesen_FlemishByItsNisCode_NamedInDutchFirst()
    {
        // The file's reg_nis puts Mesen in Wallonia, like its prov_nis and arr_nis; it is a Flemish municipality.
        var mesen = SharedData.Belgian.Single(u => u.Code == "BE33016").Unit;

        Assert.Equal(("Mesen", "Messines"), (mesen.Name, mesen.NameLocal));
        Assert.Equal("Mesen", Names.Value[("BE33016", "nl")]);
    }
}
