using Microsoft.AspNetCore.Html;

using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal;

/// <summary>How the pages say in words where an organisation is placed on a map (the map's text alternative).</summary>
public static class MapText
{
    /// <summary>"50.6365, 3.0635", "Lille (approximate: only the municipality is known)", or "not known".</summary>
    public static IHtmlContent Location(PortalPage page, PlaceLocation? location)
    {
        if (location is null)
        {
            return new HtmlString($"<span class=\"unknown\">{System.Net.WebUtility.HtmlEncode(page.T("map.location_unknown"))}</span>");
        }

        var text = location.Precision == LocationPrecision.Exact
            ? page.T("map.location_exact", location.Latitude.ToString("0.0####", page.Culture), location.Longitude.ToString("0.0####", page.Culture))
            : page.T("map.location_approximate", location.MunicipalityName ?? location.MunicipalityCode ?? "");
        return new HtmlString($"<span class=\"location location-{(location.IsApproximate ? "approximate" : "exact")}\">{System.Net.WebUtility.HtmlEncode(text)}</span>");
    }

    /// <summary>The legend of a partner map: a point at known coordinates, a hollow one at a municipality.</summary>
    public static IReadOnlyList<MapLegendItem> PartnerLegend(PortalPage page) =>
    [
        new(MapView.Styles.PartnerExact, page.T("map.legend_partner_exact")),
        new(MapView.Styles.PartnerApproximate, page.T("map.legend_partner_approximate")),
    ];
}
