using System.Text.Json;

using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

public class GeometrySimplifierTests
{
    [Fact]
    public void ToGeoJson_LowZoom_HasFewerVerticesAndStaysValid()
    {
        var nord = SharedData.French.Single(u => u.Code == "FR59350").Unit;

        string low = GeometrySimplifier.ToGeoJson(nord.Geometry!, 6);
        string high = GeometrySimplifier.ToGeoJson(nord.Geometry!, 16);
        var lowGeometry = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(low, GeometrySimplifier.JsonOptions)!;

        Assert.True(low.Length < high.Length);
        Assert.True(lowGeometry.IsValid);
        Assert.Contains("\"type\":\"Polygon\"", low, StringComparison.Ordinal);
    }

    [Fact]
    public void Simplify_ZeroTolerance_ReturnsSameGeometry()
    {
        var geometry = SharedData.Nuts.Single(u => u.Code == "BE").Geometry;

        Assert.Same(geometry, GeometrySimplifier.Simplify(geometry, 0));
    }

    [Fact]
    public void Simplify_Belgium_KeepsAreaWithinTwoPercentAtZoom8()
    {
        var geometry = SharedData.Nuts.Single(u => u.Code == "BE").Geometry;

        var simplified = GeometrySimplifier.Simplify(geometry, GeometrySimplifier.ToleranceForZoom(8));

        Assert.True(simplified.NumPoints < geometry.NumPoints);
        Assert.Equal(geometry.Area, simplified.Area, geometry.Area * 0.02);
    }

    [Fact]
    public void ToleranceForZoom_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GeometrySimplifier.ToleranceForZoom(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GeometrySimplifier.ToleranceForZoom(23));
    }
}
