using System.Globalization;

using Microsoft.AspNetCore.Mvc.RazorPages;

using Passerelle.Core.Common;
using Passerelle.Web.Localization;

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

    private UiText Texts => HttpContext.RequestServices.GetRequiredService<UiText>();

    /// <summary>The interface text for a key in the page's language (Localization/{en,fr,nl,de}.json).</summary>
    public string T(string key) => Texts.Get(Lang, key);

    /// <summary>A text with {0}-style arguments, formatted in the page's language.</summary>
    public string T(string key, params object?[] args) => Texts.Format(Lang, key, args);

    /// <summary>A link within the portal in the page's language.</summary>
    public string Link(string path) => RouteData.Values.ContainsKey(LanguageRouteConvention.RouteKey) ? $"/{Lang}{path}" : path;

    public LocalizedValue? Text(LocalizedText? text) => text?.Resolve(Lang);
}
