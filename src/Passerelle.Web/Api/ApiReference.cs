using System.Collections.Frozen;
using System.Text.Encodings.Web;
using System.Text.Unicode;

using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Web.Localization;
using Passerelle.Web.Portal;
using Passerelle.Web.Security;

using Scalar.AspNetCore;

namespace Passerelle.Web.Api;

/// <summary>
/// The browsable API reference (Scalar) at <c>/api/docs/</c> and, like every portal page, in each language at
/// <c>/{lang}/api/docs/</c>: the site's own header (a link back to the portal in the same language, the title, the
/// language switch), Scalar's interface in that language where Scalar has it, and none of the vendor's chrome (ADR 24).
/// </summary>
public static class ApiReference
{
    /// <summary>
    /// The site's languages Scalar translates its interface into (scalar.js 2.19 has en, de, es, fr, pt, ru, ar,
    /// zh-CN and zh-TW). The others get Scalar's English, marked <c>lang="en"</c>.
    /// </summary>
    public static readonly FrozenSet<string> ScalarLocales = FrozenSet.Create(StringComparer.Ordinal, "en", "fr", "de");

    /// <summary>Encodes markup characters and leaves letters such as é and ß as they are (the page is UTF-8).</summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>The reference's address in a language: /api/docs/ without one (the page then speaks English).</summary>
    public static string PathIn(string? language) => $"{(language is null ? "" : "/" + language)}{ContentSecurityPolicies.ApiDocsPath}/";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        var languages = string.Join('|', UiText.Languages);
        app.MapScalarApiReference(ContentSecurityPolicies.ApiDocsPath, Configure).AddEndpointFilter(MarkLanguages);
        app.MapScalarApiReference($"/{{{LanguageRouteConvention.RouteKey}:regex(^({languages})$)}}{ContentSecurityPolicies.ApiDocsPath}", Configure)
            .AddEndpointFilter(MarkLanguages);
        return app;
    }

    /// <summary>The language of the request's address (/fr/api/docs/), or null for /api/docs/.</summary>
    private static string? AddressLanguage(HttpContext context) =>
        (context.GetRouteValue(LanguageRouteConvention.RouteKey) as string)?.ToLowerInvariant();

    private static void Configure(ScalarOptions options, HttpContext context)
    {
        var prefix = AddressLanguage(context);
        var language = prefix ?? "en";
        var text = context.RequestServices.GetRequiredService<UiText>();
        options.WithTitle($"{text.Get(language, "apiref.title")} · Passerelle")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            // One copy of the 5 MB script for every language (the pages under /{lang}/api/docs/ would otherwise each
            // load their own), still from this site.
            .WithBundleUrl(ContentSecurityPolicies.ApiDocsPath + "/scalar.js")
            // Scalar's default ("favicon.svg", relative) would ask for /api/docs/favicon.svg, which its own route
            // answers with the reference's HTML.
            .WithFavicon("/favicon.svg")
            .WithLocalization(new ScalarLocalizationOptions { Locale = ScalarLocales.Contains(language) ? language : "en" })
            // Off, the vendor's chrome: the toolbar of its hosted services (configure, share, generate an SDK,
            // deploy), the button opening its stand-alone API client, the MCP offer, and the dark-mode switch beside
            // "Powered by Scalar" (light only, as the portal; that footer link has no option and api-docs.css hides
            // it). Kept: the reference, its search, "Test request" (sent to this site only) and a plain link to the
            // OpenAPI document itself.
            .HideDeveloperTools()
            .HideClientButton()
            .DisableMcp()
            .HideDarkModeToggle()
            .ForceLightMode()
            .WithDirectDocumentDownload()
            .AddHeadContent("""<link rel="stylesheet" href="/css/api-docs.css" />""")
            .AddHeaderContent(Header(text, prefix, language));
    }

    /// <summary>The site's header above the reference, every text encoded (it is written into Scalar's page as is).</summary>
    private static string Header(UiText text, string? prefix, string language)
    {
        var languages = UiText.Languages.Select(other =>
            "<a href=\"" + Encoder.Encode(PathIn(other)) + "\" lang=\"" + other + "\" hreflang=\"" + other + "\""
            + (other == language ? " aria-current=\"true\"" : "") + ">" + other.ToUpperInvariant() + "</a>");
        return "<a class=\"skip\" href=\"#app\">" + Encoder.Encode(text.Get(language, "apiref.skip")) + "</a>"
            + "<header class=\"apiref-header\">"
            + "<a class=\"apiref-brand\" href=\"" + Encoder.Encode(prefix is null ? "/" : $"/{prefix}/") + "\">Passerelle</a>"
            + "<span class=\"apiref-title\">" + Encoder.Encode(text.Get(language, "apiref.title")) + "</span>"
            + "<nav class=\"apiref-languages\" aria-label=\"" + Encoder.Encode(text.Get(language, "apiref.languages")) + "\">"
            + string.Concat(languages) + "</nav></header>";
    }

    /// <summary>
    /// Scalar writes <c>&lt;html&gt;</c> without a language; the page gets its address's, and Scalar's interface,
    /// when Scalar has no translation for it, is marked as the English it then is.
    /// </summary>
    private static async ValueTask<object?> MarkLanguages(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var result = await next(invocation);
        if (result is not ContentHttpResult { ResponseContent: { } html } content
            || content.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) != true)
        {
            return result;
        }

        var language = AddressLanguage(invocation.HttpContext) ?? "en";
        html = html.Replace("<html>", $"""<html lang="{language}">""", StringComparison.Ordinal);
        if (!ScalarLocales.Contains(language))
        {
            html = html.Replace("""<div id="app">""", """<div id="app" lang="en">""", StringComparison.Ordinal);
        }

        return TypedResults.Content(html, content.ContentType, statusCode: content.StatusCode);
    }
}
