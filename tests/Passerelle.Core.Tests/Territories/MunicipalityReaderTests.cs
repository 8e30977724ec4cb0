using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

public class MunicipalityReaderTests
{
    private static string BelgianFile => Path.Combine(SharedData.Folder, "municipalities", BelgianMunicipalitiesReader.DefaultFileName);

    [Fact]
    public void BelgianRead_RealFile_Has581MunicipalitiesAndStatbelPopulation()
    {
        var units = SharedData.Belgian;

        Assert.Equal(581, units.Count);
        Assert.Equal(11_492_641, units.Sum(u => u.Unit.Population));
        Assert.All(units, u =>
        {
            Assert.Equal(TerritoryKind.Municipality, u.Kind);
            Assert.Equal("BE", u.Unit.CountryCode);
            Assert.Equal("REFNIS 2019", u.Unit.Version);
            Assert.Equal("Statbel, 1 January 2020", u.Unit.PopulationReference);
        });
    }

    [Fact]
    public void BelgianRead_RealFile_EveryParentIsABelgianNuts3()
    {
        var nuts3 = SharedData.Nuts.Where(u => u.Kind == TerritoryKind.Nuts3 && u.Unit.CountryCode == "BE")
            .Select(u => u.Code).ToHashSet();

        Assert.All(SharedData.Belgian, u => Assert.Contains(u.Unit.ParentCode!, nuts3));
    }

    [Fact]
    public void BelgianRead_ProvNisCounts_WestVlaanderen63Hainaut70()
    {
        // prov_nis is not kept on TerritoryUnit; read it from the file to check the documented counts.
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(BelgianFile));
        var provinces = document.RootElement.GetProperty("objects").GetProperty("municipalities").GetProperty("geometries")
            .EnumerateArray()
            .Select(g => g.GetProperty("properties").TryGetProperty("prov_nis", out var p) ? p.GetString() : null)
            .ToList();

        Assert.Equal(63, provinces.Count(p => p == "30000"));
        Assert.Equal(70, provinces.Count(p => p == "50000"));
    }

    [Fact]
    public void BelgianRead_ParentProvinces_MesenMovesFromHainautToWestVlaanderen()
    {
        // The file's prov_nis/arr_nis put Mesen (33016) in Hainaut; its NIS code and geometry put it in Arr. Ieper.
        var byProvince = SharedData.Belgian.GroupBy(u => u.Unit.ParentCode![..4]).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(64, byProvince["BE25"]);
        Assert.Equal(69, byProvince["BE32"]);
        Assert.Equal("BE253", SharedData.Belgian.Single(u => u.Code == "BE33016").Unit.ParentCode);
    }

    [Fact]
    public void BelgianRead_NamesFollowRegionLanguage()
    {
        var tournai = SharedData.Belgian.Single(u => u.Code == "BE57081").Unit;
        var kortrijk = SharedData.Belgian.Single(u => u.Code == "BE34022").Unit;
        var brussels = SharedData.Belgian.Single(u => u.Code == "BE21004").Unit;

        Assert.Equal(("Tournai", "Doornik"), (tournai.Name, tournai.NameLocal));
        Assert.Equal(("Kortrijk", "Courtrai"), (kortrijk.Name, kortrijk.NameLocal));
        Assert.Equal(("Bruxelles", "Brussel"), (brussels.Name, brussels.NameLocal));
        Assert.Equal("BE328", tournai.ParentCode);
        Assert.Equal("BE254", kortrijk.ParentCode);
    }

    [Fact]
    public void BelgianRead_StaleArrondissements_ParentFromGeometry()
    {
        // arr_nis in the file is stale for these; the NIS code's first two digits give the right arrondissement.
        var parents = SharedData.Belgian.ToDictionary(u => u.Code, u => u.Unit.ParentCode);

        Assert.Equal("BE253", parents["BE33016"]); // Mesen, Arr. Ieper
        Assert.Equal("BE32A", parents["BE51067"]); // Enghien, Arr. Ath
        Assert.Equal("BE329", parents["BE58001"]); // La Louvière
    }

    [Fact]
    public void BelgianRead_Area_NationalTotalWithinOnePercentMunicipalitiesWithinTen()
    {
        // Statbel: Belgium 30,689 km²; Kortrijk 80.02 km², Tournai 213.75 km². The source outlines are generalised, so
        // single municipalities are off by up to ~7 % while the national total is right.
        Assert.InRange(SharedData.Belgian.Sum(u => u.Unit.AreaKm2!.Value), 30_689 * 0.99, 30_689 * 1.01);
        Assert.InRange(SharedData.Belgian.Single(u => u.Code == "BE34022").Unit.AreaKm2!.Value, 72, 88);
        Assert.InRange(SharedData.Belgian.Single(u => u.Code == "BE57081").Unit.AreaKm2!.Value, 192, 235);
    }

    [Theory]
    [InlineData("{\"type\":\"Polygon\",\"arcs\":[[0]],\"properties\":{\"nis\":\"1100\",\"name_nl\":\"X\"}}", "nis")]
    [InlineData("{\"type\":\"Polygon\",\"arcs\":[[0]],\"properties\":{\"name_nl\":\"X\"}}", "nis")]
    [InlineData("{\"type\":\"Polygon\",\"arcs\":[[5]],\"properties\":{\"nis\":\"11002\",\"name_nl\":\"X\"}}", "arcs")]
    [InlineData("{\"type\":\"Polygon\",\"arcs\":[[0]],\"properties\":{\"nis\":\"11002\",\"name_nl\":\"X\",\"population\":\"many\"}}", "population")]
    [InlineData("{\"type\":\"LineString\",\"arcs\":[0],\"properties\":{\"nis\":\"11002\",\"name_nl\":\"X\"}}", "type")]
    [InlineData("{\"type\":\"Polygon\",\"arcs\":[[1]],\"properties\":{\"nis\":\"11002\",\"name_nl\":\"X\"}}", "arcs")]
    public void BelgianRead_MalformedTopoJson_ThrowsWithGeometryIndexAndProperty(string second, string property)
    {
        // Arc 0 is a closed quantised square (delta-encoded); arc 1 is open.
        string topo = "{\"type\":\"Topology\",\"transform\":{\"scale\":[0.001,0.001],\"translate\":[3,50]},"
            + "\"arcs\":[[[0,0],[1000,0],[0,1000],[-1000,0],[0,-1000]],[[0,0],[10,0],[0,10],[5,5]]],"
            + "\"objects\":{\"municipalities\":{\"type\":\"GeometryCollection\",\"geometries\":["
            + "{\"type\":\"Polygon\",\"arcs\":[[0]],\"properties\":{\"nis\":\"11001\",\"name_nl\":\"Aartselaar\"}},"
            + second + "]}}}";
        using var file = new TempFile("belgium.topojson", topo);

        var ex = Assert.Throws<TerritoryImportException>(() => BelgianMunicipalitiesReader.Read(file.Path, SharedData.NutsLocator));

        Assert.Equal("belgium.topojson", ex.FileName);
        Assert.Equal(1, ex.FeatureIndex);
        Assert.Equal(property, ex.PropertyName);
    }

    [Fact]
    public void BelgianRead_ReversedArcIndex_DecodesSameRing()
    {
        string topo = "{\"type\":\"Topology\",\"transform\":{\"scale\":[0.001,0.001],\"translate\":[3,50]},"
            + "\"arcs\":[[[0,0],[1000,0],[0,1000]],[[1000,1000],[-1000,0],[0,-1000]]],"
            + "\"objects\":{\"municipalities\":{\"type\":\"GeometryCollection\",\"geometries\":["
            + "{\"type\":\"Polygon\",\"arcs\":[[0,1]],\"properties\":{\"nis\":\"11001\",\"name_nl\":\"A\",\"population\":5}},"
            + "{\"type\":\"Polygon\",\"arcs\":[[-2,-1]],\"properties\":{\"nis\":\"11002\",\"name_nl\":\"B\"}}]}}}";
        using var file = new TempFile("belgium.topojson", topo);

        var units = BelgianMunicipalitiesReader.Read(file.Path, SharedData.NutsLocator);

        Assert.Equal(1.0, units[0].Geometry.Area, 9);
        Assert.True(units[0].Geometry.EqualsTopologically(units[1].Geometry));
        Assert.Equal(5, units[0].Unit.Population);
        Assert.Null(units[1].Unit.Population);
        Assert.Equal(new NetTopologySuite.Geometries.Coordinate(4, 51), units[0].Geometry.Coordinates[2]);
    }

    [Fact]
    public void FrenchRead_Nord_Has648CommunesWithInseePopulation()
    {
        var units = SharedData.French;

        Assert.Equal(648, units.Count);
        Assert.Equal(2_611_293, units.Sum(u => u.Unit.Population));
        Assert.All(units, u => Assert.Equal("FRE11", u.Unit.ParentCode));
        var lille = units.Single(u => u.Code == "FR59350").Unit;
        Assert.Equal("Lille", lille.Name);
        Assert.Equal(236_710, lille.Population);
        Assert.Equal(34.83, lille.AreaKm2);
        Assert.Equal("INSEE, populations légales 2021 (population municipale)", lille.PopulationReference);
        Assert.Equal(5742.75, units.Sum(u => u.Unit.AreaKm2!.Value), 2);
    }

    [Fact]
    public void FrenchRead_ComputedAreaAgreesWithInseeArea()
    {
        // The official area is stored; the outline's LAEA area checks the projection and the outlines.
        double computed = SharedData.French.Sum(u => EqualAreaProjection.AreaKm2(u.Geometry));

        Assert.InRange(computed, 5742.75 * 0.99, 5742.75 * 1.01);
    }

    [Fact]
    public void FrenchReadPopulations_NonNumericPmun_ThrowsWithLineAndColumn()
    {
        using var file = new TempFile("pop.csv",
            "REG;DEP;COM;PMUN;PTOT\r\n32;59;59001;100;101\r\n32;59;59002;abc;101\r\n");

        var ex = Assert.Throws<TerritoryImportException>(() => FrenchCommunesReader.ReadPopulations(file.Path));

        Assert.Equal(("pop.csv", 3, "PMUN"), (ex.FileName, ex.LineNumber, ex.PropertyName));
    }

    [Fact]
    public void FrenchReadAreas_ConflictingDuplicate_ThrowsWithLineAndColumn()
    {
        using var file = new TempFile("areas.csv",
            "insee_com,code_postal,superficie_km2\n59001,59100,10.5\n59001,59101,10.5\n59001,59102,11\n");

        var ex = Assert.Throws<TerritoryImportException>(() => FrenchCommunesReader.ReadAreas(file.Path));

        Assert.Equal((4, "superficie_km2"), (ex.LineNumber, ex.PropertyName));
    }
}
