namespace Passerelle.Web.Portal;

/// <summary>A map on a page: the GeoJSON addresses it draws and the attribution of the outlines.</summary>
public sealed record MapView(string Id, string Label, IReadOnlyList<string> Layers, string Attribution, string? PickForm = null)
{
    /// <summary>Shown instead of a map (and the figures computed from outlines) while the territory index is being built.</summary>
    public const string PreparingMessage = "Maps are being prepared after a start of the site: please reload the page in a few seconds.";
}

public static class MapAttribution
{
    public const string Nuts = "Administrative boundaries © EuroGeographics (Eurostat GISCO, NUTS 2021)";
    public const string Municipalities = "Municipalities: IGN Admin Express COG 2018 (Licence Ouverte), Statbel/REFNIS 2019 (CC0); " + Nuts;
}
