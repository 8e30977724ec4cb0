using K = Passerelle.Core.Exports.KohesioSchema;

namespace Passerelle.Core.Tests.Exports;

/// <summary>The Kohesio Table Schema's geopoint ("longitude, latitude"), as the import reads it.</summary>
public sealed class KohesioSchemaTests
{
    [Theory]
    [InlineData("3.06, 50.63", 3.06, 50.63)]
    [InlineData("-9.0491,53.2744", -9.0491, 53.2744)]
    [InlineData("  -180 ,\t-90  ", -180, -90)]
    [InlineData("180, 90", 180, 90)]
    [InlineData("0, 0", 0, 0)]
    public void ParseGeoPoint_LongitudeCommaLatitude_ReadsBoth(string text, double longitude, double latitude)
    {
        var point = K.ParseGeoPoint(text);

        Assert.NotNull(point);
        Assert.Equal((decimal)longitude, point.Value.Longitude);
        Assert.Equal((decimal)latitude, point.Value.Latitude);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("3.06")]
    [InlineData("3.06; 50.63")]
    [InlineData("3,06, 50,63")]
    [InlineData("3.06, 50.63, 10")]
    [InlineData("+3.06, 50.63")]
    [InlineData("3.06, 90.5")]
    [InlineData("-180.01, 0")]
    [InlineData("3.06 50.63")]
    [InlineData("lon, lat")]
    public void ParseGeoPoint_NotAPointInRange_IsNull(string? text)
    {
        Assert.Null(K.ParseGeoPoint(text));
        if (text is not null)
        {
            Assert.NotNull(K.CheckValue(K.Get(K.GeoPoint), text));
        }
    }
}
