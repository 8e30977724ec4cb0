using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

public class EqualAreaProjectionTests
{
    [Fact]
    public void Forward_EpsgGuidanceExample_MatchesToCentimetres()
    {
        // EPSG Guidance Note 7-2, method 9820 example: 50°N 5°E → E 3962799.45, N 2999718.85.
        var (easting, northing) = EqualAreaProjection.Forward(5.0, 50.0);

        Assert.Equal(3962799.45, easting, 0.01);
        Assert.Equal(2999718.85, northing, 0.01);
    }

    [Fact]
    public void HaversineMetres_OneDegreeOfLatitude_Is111Km()
    {
        Assert.Equal(111_195, Geodesy.HaversineMetres(3, 50, 3, 51), 1.0);
    }
}
