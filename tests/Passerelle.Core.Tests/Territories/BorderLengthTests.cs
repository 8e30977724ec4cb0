using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

public class BorderLengthTests(ITestOutputHelper output)
{
    private static List<NetTopologySuite.Geometries.Geometry> Mel95()
    {
        var codes = EurometropoleMunicipalitiesReader.Read(TestPaths.TerritoryFact(EurometropoleMunicipalitiesReader.DefaultFileName))
            .Where(m => m.Country == "FR" && m.InMel95).Select(m => m.UnitCode).ToHashSet();
        Assert.Equal(95, codes.Count);
        var communes = SharedData.French.Where(u => codes.Contains(u.Code)).Select(u => u.Geometry).ToList();
        Assert.Equal(95, communes.Count);
        return communes;
    }

    [Fact]
    public void Compute_MelAgainstBelgianMunicipalities_IsBetween50And120Km()
    {
        var result = BorderLength.Compute(Mel95(), SharedData.Belgian.Select(u => u.Geometry));

        output.WriteLine($"MEL (95) - Belgium border: {result.LengthKm:F1} km within {result.ToleranceMetres} m "
            + $"(MEL outline {result.OutlineLengthKm:F1} km)");
        Assert.InRange(result.LengthKm, 50, 120);
        Assert.Equal(200, result.ToleranceMetres);
    }

    [Theory]
    [InlineData(50.0)]
    [InlineData(200.0)]
    [InlineData(1000.0)]
    public void Compute_NeighbourPolygonsFarFromTheArea_LeftOutWithTheSameResult(double tolerance)
    {
        var mel = Mel95();
        var belgium = SharedData.Belgian.Select(u => u.Geometry).ToList();
        var melUnion = NetTopologySuite.Operation.Union.UnaryUnionOp.Union(mel);

        var near = BorderLength.Near(melUnion.EnvelopeInternal, belgium, tolerance).ToList();
        var withEveryPolygon = BorderLength.Measure(melUnion, NetTopologySuite.Operation.Union.UnaryUnionOp.Union(belgium), tolerance);
        var result = BorderLength.Compute(mel, belgium, tolerance);

        output.WriteLine($"{tolerance} m: {near.Count} of {belgium.Count} Belgian municipalities near; {result.LengthKm} km against {withEveryPolygon.LengthKm} km");
        Assert.InRange(near.Count, 1, belgium.Count / 4);
        Assert.Equal(withEveryPolygon.LengthKm, result.LengthKm, 1e-6);
        Assert.Equal(withEveryPolygon.OutlineLengthKm, result.OutlineLengthKm, 1e-9);
    }

    [Fact]
    public void Compute_ToleranceSensitivity_GrowsMonotonically()
    {
        var mel = Mel95();
        var belgium = SharedData.Belgian.Select(u => u.Geometry).ToList();
        var figures = new[] { 50.0, 100, 200, 500, 1000 }.Select(t => BorderLength.Compute(mel, belgium, t)).ToList();
        var nuts0 = BorderLength.Compute(mel, [SharedData.Nuts.Single(u => u.Code == "BE").Geometry]);

        foreach (var f in figures)
        {
            output.WriteLine($"tolerance {f.ToleranceMetres,5} m: {f.LengthKm:F1} km");
        }

        output.WriteLine($"against BE NUTS 0 (1:10M), 200 m: {nuts0.LengthKm:F1} km");
        Assert.True(figures.Zip(figures.Skip(1)).All(p => p.First.LengthKm <= p.Second.LengthKm));
    }

    [Fact]
    public void Compute_SquaresSharingOneSide_ReturnsThatSide()
    {
        var factory = new NetTopologySuite.Geometries.GeometryFactory();
        NetTopologySuite.Geometries.Geometry Box(double x0, double y0, double x1, double y1) =>
            factory.ToGeometry(new NetTopologySuite.Geometries.Envelope(x0, x1, y0, y1));

        // Two 0.1° squares at 50°N sharing the meridian 3.1°E: the shared side is 0.1° of latitude = 11.12 km.
        var result = BorderLength.Compute([Box(3.0, 50.0, 3.1, 50.1)], [Box(3.1, 50.0, 3.2, 50.1)], 50);

        // The ends of the top and bottom sides lying within the 50 m tolerance of the neighbour's corner add up to 2 × 50 m.
        Assert.InRange(result.LengthKm, 11.11, 11.12 + 0.11);
    }

    [Theory]
    [InlineData(100.0, 200.0, true)]
    [InlineData(190.0, 200.0, true)]
    [InlineData(400.0, 200.0, false)]
    [InlineData(50_000.0, 200.0, false)]
    public void Compute_NeighbourAcrossAGap_SharesTheFacingSideOnlyWithinTheTolerance(double gapMetres, double tolerance, bool shared)
    {
        var factory = new NetTopologySuite.Geometries.GeometryFactory();
        NetTopologySuite.Geometries.Geometry Box(double x0, double y0, double x1, double y1) =>
            factory.ToGeometry(new NetTopologySuite.Geometries.Envelope(x0, x1, y0, y1));

        // The neighbour starts east of the area's bounding box, gapMetres away at 50°N (1° of longitude: 71.6 km there).
        var east = 3.1 + (gapMetres / 71_560);
        var result = BorderLength.Compute([Box(3.0, 50.0, 3.1, 50.1)], [Box(east, 50.0, east + 0.1, 50.1)], tolerance);

        if (shared)
        {
            Assert.InRange(result.LengthKm, 11.11, 11.12 + 0.5);
        }
        else
        {
            Assert.Equal(0, result.LengthKm);
        }

        Assert.InRange(result.OutlineLengthKm, 2 * (11.12 + 7.15) - 0.1, 2 * (11.12 + 7.17) + 0.1);
    }
}
