using System.Text.Json;

using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.Precision;
using NetTopologySuite.Simplify;

namespace Passerelle.Core.Territories;

/// <summary>
/// Simplified GeoJSON for map display (<c>/api/v1/territories/{code}/geometry?zoom=</c>): topology-preserving
/// simplification (no self-intersections, holes stay inside) and coordinates rounded to what the zoom level can show.
/// </summary>
public static class GeometrySimplifier
{
    public const int MaxZoom = 22;

    /// <summary>Serializer options with NTS's GeoJSON converters, shared so the converter is built once.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = CreateOptions();

    /// <summary>
    /// Half a pixel of a 256-px Web Mercator tile at <paramref name="zoom"/>, in degrees of longitude: removing detail
    /// smaller than that is invisible on screen. Latitude degrees are shorter on screen at European latitudes, so this
    /// errs on the side of keeping detail.
    /// </summary>
    public static double ToleranceForZoom(int zoom)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(zoom);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(zoom, MaxZoom);
        return 360.0 / (256.0 * Math.Pow(2, zoom)) / 2;
    }

    /// <summary>Simplifies and rounds coordinates; a tolerance of 0 returns the geometry unchanged.</summary>
    public static Geometry Simplify(Geometry geometry, double toleranceDegrees)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentOutOfRangeException.ThrowIfNegative(toleranceDegrees);
        if (toleranceDegrees == 0)
        {
            return geometry;
        }

        var simplified = TopologyPreservingSimplifier.Simplify(geometry, toleranceDegrees);
        // A grid ten times finer than the tolerance is invisible and cuts the JSON size roughly in half at low zooms.
        double scale = Math.Pow(10, Math.Clamp(Math.Ceiling(-Math.Log10(toleranceDegrees / 10)), 0, 7));
        var reduced = GeometryPrecisionReducer.Reduce(simplified, new PrecisionModel(scale));
        reduced.SRID = geometry.SRID;
        return reduced;
    }

    /// <summary>GeoJSON geometry object for <paramref name="geometry"/> simplified for <paramref name="zoom"/>.</summary>
    public static string ToGeoJson(Geometry geometry, int zoom) =>
        ToGeoJson(geometry, ToleranceForZoom(zoom));

    /// <summary>GeoJSON geometry object for <paramref name="geometry"/> simplified with a tolerance in degrees.</summary>
    public static string ToGeoJson(Geometry geometry, double toleranceDegrees) =>
        JsonSerializer.Serialize(Simplify(geometry, toleranceDegrees), JsonOptions);

    /// <summary>Same, from the WKB stored in <see cref="TerritoryUnit.Geometry"/>.</summary>
    public static string ToGeoJson(byte[] wkb, int zoom) => ToGeoJson(FromWkb(wkb), zoom);

    /// <summary>Reads WKB as written by the territory readers (WGS84 lon/lat, SRID not embedded).</summary>
    public static Geometry FromWkb(byte[] wkb)
    {
        ArgumentNullException.ThrowIfNull(wkb);
        var geometry = new WKBReader().Read(wkb);
        geometry.SRID = 4326;
        return geometry;
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        options.Converters.Add(new GeoJsonConverterFactory());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
