using System.Globalization;

using Microsoft.AspNetCore.Mvc.RazorPages;

using Passerelle.Core.Common;

namespace Passerelle.Web.Portal;

/// <summary>Base of every portal page: the content language from the address, and the page's source notes.</summary>
public abstract class PortalPage : PageModel
{
    public string Lang => RouteData.Values[LanguageRouteConvention.RouteKey] as string ?? "en";

    public CultureInfo Culture => Lang switch
    {
        "fr" => CultureInfo.GetCultureInfo("fr-BE"),
        "nl" => CultureInfo.GetCultureInfo("nl-BE"),
        "de" => CultureInfo.GetCultureInfo("de-DE"),
        _ => CultureInfo.GetCultureInfo("en-GB"),
    };

    public SourceNotes Notes { get; } = new();

    /// <summary>A link within the portal in the page's language.</summary>
    public string Link(string path) => RouteData.Values.ContainsKey(LanguageRouteConvention.RouteKey) ? $"/{Lang}{path}" : path;

    public LocalizedValue? Text(LocalizedText? text) => text?.Resolve(Lang);
}
