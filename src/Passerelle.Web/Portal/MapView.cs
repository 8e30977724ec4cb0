namespace Passerelle.Web.Portal;

/// <summary>
/// A map on a page: the GeoJSON addresses it draws and the attribution of the outlines. <paramref name="Label"/> is
/// the page's text (in its language); <paramref name="Attribution"/> is a key of the interface texts
/// (<see cref="MapAttribution"/>), written in the page's language by the _Map partial. <see cref="Layers"/> are drawn
/// with the default styles in order; <see cref="Styled"/> layers after them with their own style (wwwroot/js/map.js).
/// Every map also says in words what it shows (<see cref="Description"/>, and the page's own lists): the map is an
/// addition for those who see it, never the only way to the information.
/// </summary>
public sealed record MapView(string Id, string Label, IReadOnlyList<string> Layers, string Attribution, string? PickForm = null)
{
    /// <summary>The key of the text shown instead of a map (and the figures computed from outlines) while the territory index is being built.</summary>
    public const string PreparingKey = "portal.map.preparing";

    /// <summary>Layers with a style of their own, drawn after <see cref="Layers"/>.</summary>
    public IReadOnlyList<MapLayer> Styled { get; init; } = [];

    /// <summary>A marker at a chosen point (the eligibility finder's place).</summary>
    public MapMarker? Marker { get; init; }

    /// <summary>The closest the map zooms when it fits its layers (a municipality alone would fill the screen).</summary>
    public int? MaxZoom { get; init; }

    /// <summary>What the map shows, in words, under it: its text alternative.</summary>
    public string? Description { get; init; }

    /// <summary>The symbols of the map and what they mean, also in words.</summary>
    public IReadOnlyList<MapLegendItem> Legend { get; init; } = [];

    /// <summary>The map's style names for <see cref="MapLayer.Style"/> and <see cref="MapLegendItem.Symbol"/>.</summary>
    public static class Styles
    {
        /// <summary>A programme's area (a second and third one get their own colours).</summary>
        public const string Area = "area";
        public const string Area2 = "area2";
        public const string Area3 = "area3";

        /// <summary>The place asked about.</summary>
        public const string Focus = "focus";

        /// <summary>A grouping's municipalities.</summary>
        public const string Grouping = "grouping";

        /// <summary>Regions shown for context only.</summary>
        public const string Context = "context";

        /// <summary>Organisations (GeoJSON points): filled where coordinates are known, hollow and dashed where only the municipality is.</summary>
        public const string Partners = "partners";

        /// <summary>Legend only: a partner at its coordinates, one placed at its municipality, the marker of a chosen place.</summary>
        public const string PartnerExact = "partner-exact";
        public const string PartnerApproximate = "partner-approximate";
        public const string Marker = "marker";
    }
}

/// <param name="Fit">Whether the map's view is fitted to this layer (when no layer says so, to all).</param>
/// <param name="Label">The layer's name in the tooltip of its features (e.g. the programme's), in the page's language.</param>
public sealed record MapLayer(string Url, string Style, bool Fit = false, string? Label = null);

public sealed record MapMarker(double Latitude, double Longitude, string Label);

/// <summary>One line of a map's legend: a symbol drawn by the stylesheet, and its meaning.</summary>
public sealed record MapLegendItem(string Symbol, string Text);

/// <summary>The attributions of the outlines maps draw, as keys of the interface texts.</summary>

public static class MapAttribution
{
    public const string Nuts = "portal.map.attribution_nuts";
    public const string Municipalities = "portal.map.attribution_municipalities";
}
