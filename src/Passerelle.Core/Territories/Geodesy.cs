namespace Passerelle.Core.Territories;

/// <summary>Great-circle distances on a sphere of the IUGG mean Earth radius (haversine).</summary>
public static class Geodesy
{
    /// <summary>Mean Earth radius R1 = (2a + b) / 3 for WGS84, in metres.</summary>
    public const double MeanEarthRadiusMetres = 6371008.8;

    /// <summary>
    /// Haversine distance in metres between two WGS84 points (degrees). The spherical model differs from the ellipsoidal
    /// geodesic by up to about 0.5 %, well inside the uncertainty of outlines drawn at different scales.
    /// </summary>
    public static double HaversineMetres(double lon1, double lat1, double lon2, double lat2)
    {
        const double toRad = Math.PI / 180.0;
        double dLat = (lat2 - lat1) * toRad;
        double dLon = (lon2 - lon1) * toRad;
        double h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2))
            + (Math.Cos(lat1 * toRad) * Math.Cos(lat2 * toRad) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * MeanEarthRadiusMetres * Math.Asin(Math.Min(1.0, Math.Sqrt(h)));
    }
}
