namespace Passerelle.Web.Portal;

/// <summary>
/// A map on a page: the GeoJSON addresses it draws and the attribution of the outlines. <paramref name="Label"/> is
/// the page's text (in its language); <paramref name="Attribution"/> is a key of the interface texts
/// (<see cref="MapAttribution"/>), written in the page's language by the _Map partial.
/// </summary>
public sealed record MapView(string Id, string Label, IReadOnlyList<string> Layers, string Attribution, string? PickForm = null)
{
    /// <summary>The key of the text shown instead of a map (and the figures computed from outlines) while the territory index is being built.</summary>
    public const string PreparingKey = "portal.map.preparing";
}

/// <summary>The attributions of the outlines maps draw, as keys of the interface texts.</summary>
public static class MapAttribution
{
    public const string Nuts = "portal.map.attribution_nuts";
    public const string Municipalities = "portal.map.attribution_municipalities";
}
