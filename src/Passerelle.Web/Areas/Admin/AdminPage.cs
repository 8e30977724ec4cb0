using System.Globalization;

using Microsoft.AspNetCore.Mvc.RazorPages;

using Passerelle.Core.Common;
using Passerelle.Web.Localization;
using Passerelle.Web.Portal;

namespace Passerelle.Web.Areas.Admin;

/// <summary>Base of every back-office page: the language from the address (/fr/admin/...), its words, and links in it.</summary>
public abstract class AdminPage : PageModel
{
    public string Lang => RouteData.Values[LanguageRouteConvention.RouteKey] as string ?? "en";

    public CultureInfo Culture => Language.Of(Lang).Culture;

    private UiText Texts => HttpContext.RequestServices.GetRequiredService<UiText>();

    /// <summary>The interface text for a key in the page's language.</summary>
    public string T(string key) => Texts.Get(Lang, key);

    public string T(string key, params object?[] args) => Texts.Format(Lang, key, args);

    /// <summary>A back-office link in the page's language: Link("/projects") is /fr/admin/projects on a French page.</summary>
    public string Link(string path) =>
        (RouteData.Values.ContainsKey(LanguageRouteConvention.RouteKey) ? $"/{Lang}" : "") + "/admin" + (path == "/" ? "" : path);

    /// <summary>A local return address, or the back office's start page: never an address on another site.</summary>
    public string SafeReturn(string? returnUrl) => !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : Link("/");

    /// <summary>The message for an error code from Core (rule or account codes), in the page's language.</summary>
    public string Error(string code, string fallback) => Texts.Get(Lang, "error." + code) is var text && text != "error." + code ? text : fallback;
}
