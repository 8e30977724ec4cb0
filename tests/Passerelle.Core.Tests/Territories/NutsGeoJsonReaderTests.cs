using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

public class NutsGeoJsonReaderTests
{
    [Fact]
    public void Read_GiscoFile_HasExpectedCountsPerLevel()
    {
        var counts = SharedData.Nuts.GroupBy(u => u.Kind).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(37, counts[TerritoryKind.Nuts0]);
        Assert.Equal(125, counts[TerritoryKind.Nuts1]);
        Assert.Equal(334, counts[TerritoryKind.Nuts2]);
        Assert.Equal(1514, counts[TerritoryKind.Nuts3]);
    }

    [Fact]
    public void Read_GiscoFile_EveryNonRootUnitHasExistingParentOneLevelUp()
    {
        var byCode = SharedData.Nuts.ToDictionary(u => u.Code);

        foreach (var unit in SharedData.Nuts.Where(u => u.Kind != TerritoryKind.Nuts0))
        {
            Assert.True(byCode.TryGetValue(unit.Unit.ParentCode!, out var parent), $"{unit.Code} has no parent");
            Assert.Equal(unit.Kind - 1, parent.Kind);
            Assert.Equal(unit.Unit.CountryCode, parent.Unit.CountryCode);
        }
    }

    [Fact]
    public void Read_GiscoFile_MapsNamesVersionAndWkb()
    {
        var nord = SharedData.Nuts.Single(u => u.Code == "FRE11").Unit;
        var pazardzhik = SharedData.Nuts.Single(u => u.Code == "BG423").Unit;

        Assert.Equal("Nord", nord.Name);
        Assert.Null(nord.NameLocal);
        Assert.Equal("FR", nord.CountryCode);
        Assert.Equal("FRE1", nord.ParentCode);
        Assert.Equal("NUTS 2021", nord.Version);
        Assert.NotNull(nord.Geometry);
        var roundTrip = new NetTopologySuite.IO.WKBReader().Read(nord.Geometry);
        Assert.True(roundTrip.EqualsExact(SharedData.Nuts.Single(u => u.Code == "FRE11").Geometry));
        // Nord is 5,743 km² officially; the 1:10M outline is within a few per cent.
        Assert.InRange(nord.AreaKm2!.Value, 5500, 6000);
        Assert.Equal("Pazardzhik", pazardzhik.Name);
        Assert.Equal("Пазарджик", pazardzhik.NameLocal);
    }

    [Theory]
    [InlineData("{\"NUTS_ID\":\"BE10\",\"LEVL_CODE\":1,\"CNTR_CODE\":\"BE\",\"NAME_LATN\":\"B\"}", "NUTS_ID", 1)]
    [InlineData("{\"LEVL_CODE\":0,\"CNTR_CODE\":\"BE\",\"NAME_LATN\":\"B\"}", "NUTS_ID", 1)]
    [InlineData("{\"NUTS_ID\":\"BE10000\",\"LEVL_CODE\":5,\"CNTR_CODE\":\"BE\",\"NAME_LATN\":\"B\"}", "LEVL_CODE", 1)]
    [InlineData("{\"NUTS_ID\":\"BE\",\"LEVL_CODE\":\"zero\",\"CNTR_CODE\":\"BE\",\"NAME_LATN\":\"B\"}", "LEVL_CODE", 1)]
    [InlineData("{\"NUTS_ID\":\"BE\",\"LEVL_CODE\":0,\"CNTR_CODE\":\"BE\"}", "NAME_LATN", 1)]
    public void Read_MalformedProperties_ThrowsWithFeatureIndexAndProperty(string properties, string property, int index)
    {
        string json = FeatureCollection(
            Feature("{\"NUTS_ID\":\"FR\",\"LEVL_CODE\":0,\"CNTR_CODE\":\"FR\",\"NAME_LATN\":\"France\"}", Square),
            Feature(properties, Square));
        using var file = new TempFile("nuts.geojson", json);

        var ex = Assert.Throws<TerritoryImportException>(() => NutsGeoJsonReader.Read(file.Path));

        Assert.Equal("nuts.geojson", ex.FileName);
        Assert.Equal(index, ex.FeatureIndex);
        Assert.Equal(property, ex.PropertyName);
        Assert.Contains("nuts.geojson", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingIdAtFeature17_ReportsFeature17()
    {
        var features = Enumerable.Range(0, 17)
            .Select(i => Feature($"{{\"NUTS_ID\":\"F{(char)('A' + i)}\",\"LEVL_CODE\":0,\"CNTR_CODE\":\"F{(char)('A' + i)}\",\"NAME_LATN\":\"x\"}}", Square))
            .Append(Feature("{\"LEVL_CODE\":0,\"CNTR_CODE\":\"XX\",\"NAME_LATN\":\"x\"}", Square));
        using var file = new TempFile("nuts.geojson", FeatureCollection([.. features]));

        var ex = Assert.Throws<TerritoryImportException>(() => NutsGeoJsonReader.Read(file.Path));

        Assert.Equal(17, ex.FeatureIndex);
        Assert.Equal("NUTS_ID", ex.PropertyName);
    }

    [Theory]
    [InlineData("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}")] // self-intersecting bow-tie
    [InlineData("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}")] // not closed
    [InlineData("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}")] // too few positions
    [InlineData("{\"type\":\"Point\",\"coordinates\":[0,0]}")]
    [InlineData("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[\"a\",0],[1,1],[0,0]]]}")]
    [InlineData("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[500,0],[1,1],[0,0]]]}")]
    public void Read_InvalidGeometry_ThrowsWithFeatureIndexAndGeometryProperty(string geometry)
    {
        using var file = new TempFile("nuts.geojson", FeatureCollection(
            Feature("{\"NUTS_ID\":\"FR\",\"LEVL_CODE\":0,\"CNTR_CODE\":\"FR\",\"NAME_LATN\":\"France\"}", Square),
            Feature("{\"NUTS_ID\":\"BE\",\"LEVL_CODE\":0,\"CNTR_CODE\":\"BE\",\"NAME_LATN\":\"Belgique\"}", geometry)));

        var ex = Assert.Throws<TerritoryImportException>(() => NutsGeoJsonReader.Read(file.Path));

        Assert.Equal(1, ex.FeatureIndex);
        Assert.StartsWith("geometry", ex.PropertyName, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedJson_ThrowsImportExceptionNotJsonException()
    {
        using var file = new TempFile("nuts.geojson", "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":");

        var ex = Assert.Throws<TerritoryImportException>(() => NutsGeoJsonReader.Read(file.Path));

        Assert.IsType<System.Text.Json.JsonException>(ex.InnerException, exactMatch: false);
    }

    internal const string Square = "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}";

    internal static string Feature(string properties, string geometry) =>
        $"{{\"type\":\"Feature\",\"properties\":{properties},\"geometry\":{geometry}}}";

    internal static string FeatureCollection(params string[] features) =>
        $"{{\"type\":\"FeatureCollection\",\"features\":[{string.Join(",", features)}]}}";
}
