using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Distance;
using NetTopologySuite.Operation.Union;

namespace Passerelle.Core.Territories;

/// <summary>The result of <see cref="BorderLength.Compute"/>, with the parameters needed to quote it honestly.</summary>
/// <param name="LengthKm">Geodesic length of the area's outline lying within the tolerance of the neighbour.</param>
/// <param name="ToleranceMetres">The tolerance used; the figure must be quoted with it.</param>
/// <param name="OutlineLengthKm">Geodesic length of the area's whole outer outline, for scale.</param>
public sealed record BorderLengthResult(double LengthKm, double ToleranceMetres, double OutlineLengthKm);

/// <summary>
/// Length of the boundary an area (a union of municipalities) shares with a neighbouring territory, when the two come
/// from different sources and their outlines do not coincide.
/// </summary>
/// <remarks>
/// Method: the area's polygons are unioned and the exterior rings of the union kept (holes cannot touch an outside
/// neighbour). Each ring segment is cut into pieces no longer than a quarter of the tolerance; a piece counts as shared
/// border when its two ends and its middle all lie within <c>toleranceMetres</c> of the neighbour (inside it, or closer
/// than the tolerance to its outline). Distances are measured in ETRS89-LAEA (EPSG:3035) metres, whose scale error over
/// Flanders/Nord is about 0.1 %, negligible against a 200 m tolerance. Counted pieces are summed with the haversine
/// formula on their WGS84 ends (sphere of mean radius; within 0.5 % of the ellipsoidal geodesic).
/// Tolerance: IGN's commune outlines (1:25k-derived, simplified by mapshaper) and the Belgian TopoJSON (quantised to about
/// 20-30 m) are offset by tens of metres along the FR-BE border, so a few metres would miss most of it, while more than
/// about 1 km would start counting outline that only runs close to the border. 200 m is the default; callers wanting a
/// sensitivity range should compute 100 m and 500 m as well. The length is that of the area's own (French) outline.
/// </remarks>
public static class BorderLength
{
    public const double DefaultToleranceMetres = 200.0;

    /// <param name="area">Polygons in WGS84 lon/lat (e.g. the 95 MEL communes).</param>
    /// <param name="neighbour">Polygons in WGS84 lon/lat (e.g. all Belgian municipalities, or the BE NUTS 0 outline).</param>
    /// <param name="toleranceMetres">How far from the neighbour an outline piece may lie and still count.</param>
    public static BorderLengthResult Compute(IEnumerable<Geometry> area, IEnumerable<Geometry> neighbour,
        double toleranceMetres = DefaultToleranceMetres)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toleranceMetres);
        var areaUnion = UnaryUnionOp.Union([.. area]);
        var near = Near(areaUnion.EnvelopeInternal, neighbour, toleranceMetres).ToList();
        return Measure(areaUnion, near.Count == 0 ? null : UnaryUnionOp.Union(near), toleranceMetres);
    }

    /// <summary>
    /// The neighbour's polygons whose bounding box comes within twice the tolerance of the area's: only those can lie
    /// within the tolerance of its outline, and the distance to a union is the least distance to its parts, so the
    /// result is the same as with every polygon, without the union of the whole neighbour (581 Belgian municipalities
    /// for 95 French ones: the union took most of the territory import's 2 s here).
    /// </summary>
    internal static IEnumerable<Geometry> Near(Envelope area, IEnumerable<Geometry> neighbour, double toleranceMetres)
    {
        // Degrees of longitude are the shorter at these latitudes: 1° is 111.32 km × cos(latitude) at the area's
        // farthest parallel from the equator, so the margin in degrees is at least twice the tolerance everywhere.
        var latitude = Math.Max(Math.Abs(area.MinY), Math.Abs(area.MaxY)) * Math.PI / 180;
        var margin = 2 * toleranceMetres / (111_320 * Math.Cos(Math.Min(latitude, 1.5)));
        var reach = new Envelope(area);
        reach.ExpandBy(margin);
        return neighbour.Where(g => reach.Intersects(g.EnvelopeInternal));
    }

    /// <summary>
    /// The measure itself, on the area's union and the neighbour's (<see cref="Compute"/>); no neighbour near: none
    /// of the outline is shared.
    /// </summary>
    internal static BorderLengthResult Measure(Geometry areaUnion, Geometry? neighbourUnion, double toleranceMetres)
    {
        if (neighbourUnion is null)
        {
            return new BorderLengthResult(0, toleranceMetres, Segments(areaUnion).Sum(s => s.Metres) / 1000);
        }

        var projected = EqualAreaProjection.Project(neighbourUnion);
        var inside = new IndexedPointInAreaLocator(projected);
        var outline = new IndexedFacetDistance(projected);

        double Distance(double lon, double lat)
        {
            var (x, y) = EqualAreaProjection.Forward(lon, lat);
            var c = new Coordinate(x, y);
            return inside.Locate(c) != Location.Exterior ? 0 : outline.Distance(projected.Factory.CreatePoint(c));
        }

        double shared = 0;
        double total = 0;
        double pieceMetres = toleranceMetres / 4;
        foreach (var (a, b, segment) in Segments(areaUnion))
        {
            total += segment;
            int pieces = Math.Max(1, (int)Math.Ceiling(segment / pieceMetres));
            double previous = Distance(a.X, a.Y);
            for (int p = 1; p <= pieces; p++)
            {
                // Linear interpolation in degrees is fine at these lengths (a few tens of metres).
                double t0 = (p - 1.0) / pieces;
                double t1 = (double)p / pieces;
                double tm = (t0 + t1) / 2;
                double next = Distance(a.X + ((b.X - a.X) * t1), a.Y + ((b.Y - a.Y) * t1));
                double middle = Distance(a.X + ((b.X - a.X) * tm), a.Y + ((b.Y - a.Y) * tm));
                if (previous <= toleranceMetres && next <= toleranceMetres && middle <= toleranceMetres)
                {
                    shared += segment / pieces;
                }

                previous = next;
            }
        }

        return new BorderLengthResult(shared / 1000, toleranceMetres, total / 1000);
    }

    /// <summary>The segments of the area's outer rings, with their lengths on the sphere.</summary>
    private static IEnumerable<(Coordinate A, Coordinate B, double Metres)> Segments(Geometry areaUnion)
    {
        for (int g = 0; g < areaUnion.NumGeometries; g++)
        {
            if (areaUnion.GetGeometryN(g) is not Polygon polygon)
            {
                continue;
            }

            var ring = polygon.ExteriorRing.Coordinates;
            for (int i = 0; i + 1 < ring.Length; i++)
            {
                yield return (ring[i], ring[i + 1], Geodesy.HaversineMetres(ring[i].X, ring[i].Y, ring[i + 1].X, ring[i + 1].Y));
            }
        }
    }
}
