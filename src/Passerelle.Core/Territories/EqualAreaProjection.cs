using NetTopologySuite.Geometries;

namespace Passerelle.Core.Territories;

/// <summary>
/// ETRS89-LAEA (EPSG:3035): Lambert azimuthal equal-area on the GRS80 ellipsoid, centre 52°N 10°E, false origin
/// 4,321,000 / 3,210,000 m. Implemented from the EPSG Guidance Note 7-2 formulas (method 9820) because ProjNET is not
/// referenced and only the forward projection is needed: areas are preserved exactly, and distances over a few hundred
/// metres are distorted by well under 0.5 % across Europe, which is what the tolerance tests of <see cref="BorderLength"/>
/// need. WGS84 and ETRS89 differ by under a metre, ignored here.
/// </summary>
public static class EqualAreaProjection
{
    private const double A = 6378137.0;
    private const double InverseFlattening = 298.257222101;
    private const double FalseEasting = 4321000.0;
    private const double FalseNorthing = 3210000.0;
    private static readonly double E2 = (2 - (1 / InverseFlattening)) / InverseFlattening;
    private static readonly double E = Math.Sqrt(E2);
    private static readonly double Lon0 = 10.0 * Math.PI / 180.0;
    private static readonly double Qp = Q(1.0);
    private static readonly double Rq = A * Math.Sqrt(Qp / 2);
    private static readonly double SinBeta0;
    private static readonly double CosBeta0;
    private static readonly double D;

#pragma warning disable CA1810 // the constants depend on each other; a static constructor keeps the order explicit.
    static EqualAreaProjection()
#pragma warning restore CA1810
    {
        double lat0 = 52.0 * Math.PI / 180.0;
        double beta0 = Math.Asin(Q(Math.Sin(lat0)) / Qp);
        SinBeta0 = Math.Sin(beta0);
        CosBeta0 = Math.Cos(beta0);
        D = A * (Math.Cos(lat0) / Math.Sqrt(1 - (E2 * Math.Sin(lat0) * Math.Sin(lat0)))) / (Rq * CosBeta0);
    }

    /// <summary>Projects WGS84 degrees to EPSG:3035 metres (easting, northing).</summary>
    public static (double Easting, double Northing) Forward(double longitude, double latitude)
    {
        double lat = latitude * Math.PI / 180.0;
        double dLon = (longitude * Math.PI / 180.0) - Lon0;
        double sinBeta = Q(Math.Sin(lat)) / Qp;
        sinBeta = Math.Clamp(sinBeta, -1.0, 1.0);
        double cosBeta = Math.Sqrt(1 - (sinBeta * sinBeta));
        double b = Rq * Math.Sqrt(2 / (1 + (SinBeta0 * sinBeta) + (CosBeta0 * cosBeta * Math.Cos(dLon))));
        double easting = FalseEasting + (b * D * cosBeta * Math.Sin(dLon));
        double northing = FalseNorthing + (b / D * ((CosBeta0 * sinBeta) - (SinBeta0 * cosBeta * Math.Cos(dLon))));
        return (easting, northing);
    }

    /// <summary>A copy of a lon/lat geometry in EPSG:3035 metres.</summary>
    public static Geometry Project(Geometry geometry)
    {
        var copy = geometry.Copy();
        copy.Apply(new ProjectFilter());
        copy.SRID = 3035;
        copy.GeometryChanged();
        return copy;
    }

    /// <summary>Area of a lon/lat polygon in km², from its EPSG:3035 outline (equal-area, so no scale correction).</summary>
    public static double AreaKm2(Geometry geometry) => Project(geometry).Area / 1e6;

    // q(φ) of the authalic latitude, written in sin φ.
    private static double Q(double sinLat)
    {
        double esin = E * sinLat;
        return (1 - E2) * ((sinLat / (1 - (esin * esin))) - (1 / (2 * E) * Math.Log((1 - esin) / (1 + esin))));
    }

    private sealed class ProjectFilter : ICoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq, int i)
        {
            var (x, y) = Forward(seq.GetX(i), seq.GetY(i));
            seq.SetX(i, x);
            seq.SetY(i, y);
        }
    }
}
