using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

public class TerritoryLocatorTests
{
    private static string[] Codes(double lat, double lon) => [.. SharedData.Locator.Locate(lat, lon).Select(u => u.Code)];

    [Fact]
    public void Locate_Lille_ReturnsNutsChainAndCommune()
    {
        Assert.Equal(["FR", "FRE", "FRE1", "FRE11", "FR59350"], Codes(50.6292, 3.0573));
    }

    [Fact]
    public void Locate_Kortrijk_ReturnsBE254AndMunicipality()
    {
        Assert.Equal(["BE", "BE2", "BE25", "BE254", "BE34022"], Codes(50.8279, 3.2649));
    }

    [Fact]
    public void LocateNuts3_Tournai_ReturnsBE328()
    {
        Assert.Equal("BE328", SharedData.Locator.LocateNuts3(50.6058, 3.3881)?.Code);
        Assert.Contains("BE328", Codes(50.6058, 3.3881));
    }

    [Fact]
    public void Locate_Paris_ReturnsFR101AndNotNord()
    {
        string[] codes = Codes(48.8566, 2.3522);

        Assert.Contains("FR101", codes);
        Assert.DoesNotContain("FRE11", codes);
        Assert.Equal(4, codes.Length); // no municipality loaded outside Nord and Belgium
    }

    [Fact]
    public void Locate_NorthSea_ReturnsNothing()
    {
        Assert.Empty(Codes(54.0, 3.0));
        Assert.Null(SharedData.Locator.LocateNuts3(54.0, 3.0));
    }

    [Fact]
    public void Locate_HalluinCentre_UsesCommuneOutlineNotCoarseNuts()
    {
        // At 1:10M Halluin's centre falls in BE254; the commune outline is right, and its parent chain wins.
        Assert.Equal("BE254", SharedData.NutsLocator.LocateNuts3(50.7836, 3.1256)?.Code);
        Assert.Equal(["FR", "FRE", "FRE1", "FRE11", "FR59279"], Codes(50.7836, 3.1256));
    }

    [Fact]
    public void Locate_ByKind_ReturnsOnlyThatLevel()
    {
        Assert.Equal("FRE", SharedData.Locator.Locate(50.6292, 3.0573, TerritoryKind.Nuts1)?.Code);
        Assert.Equal("FRE1", SharedData.Locator.Locate(50.6292, 3.0573, TerritoryKind.Nuts2)?.Code);
        Assert.Equal("BE34022", SharedData.Locator.Locate(50.8279, 3.2649, TerritoryKind.Municipality)?.Code);
    }

    [Fact]
    public void Constructor_DuplicateCode_Throws()
    {
        var nord = SharedData.Nuts.Single(u => u.Code == "FRE11");

        Assert.Throws<ArgumentException>(() => new TerritoryLocator([nord, nord]));
    }

    [Fact]
    public void LocateNuts3_ParallelQueries_AgreeWithSequential()
    {
        var random = new Random(7);
        var points = Enumerable.Range(0, 20_000)
            .Select(_ => (Lat: 34 + (random.NextDouble() * 38), Lon: -25 + (random.NextDouble() * 70))).ToArray();
        string?[] sequential = [.. points.Select(p => SharedData.NutsLocator.LocateNuts3(p.Lat, p.Lon)?.Code)];
        var parallel = new string?[points.Length];

        Parallel.For(0, points.Length, i => parallel[i] = SharedData.NutsLocator.LocateNuts3(points[i].Lat, points[i].Lon)?.Code);

        Assert.Equal(sequential, parallel);
        Assert.InRange(sequential.Count(c => c is not null), 2000, 12_000);
    }
}
