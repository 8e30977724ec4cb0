using System.Text.RegularExpressions;

using Microsoft.Extensions.Options;

namespace Passerelle.Web.Security;

/// <summary>
/// The two Content-Security-Policy values of the site (ADR 17). The portal, the API and everything else: only the
/// site's own files, no inline script or style, no plugins, no framing, forms and base URL to the site only; images
/// also from the map tile server when <c>Territories:TileUrl</c> names one. The API reference under
/// <see cref="ApiDocsPath"/> (Scalar), also under a language segment, gets a looser one: its page carries an inline module script (allowed by the
/// nonce Scalar gives it) and its components inject style elements and style attributes.
/// </summary>
public sealed partial class ContentSecurityPolicies
{
    /// <summary>Where Scalar serves the API reference (Hosting maps it there); its own policy applies under it only.</summary>
    public const string ApiDocsPath = "/api/docs";

    private const string Common = "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <param name="tileUrl">Territories:TileUrl, whose host is allowed for images.</param>
    /// <param name="signInAuthority">
    /// Authentication:OpenIdConnect:Authority: the sign-in form's POST is answered by a redirect there, and browsers
    /// check form-action against every redirect of a form submission, so its origin is allowed as a form target.
    /// </param>
    public ContentSecurityPolicies(string? tileUrl, string? signInAuthority = null)
    {
        TileSource = TileSourceOf(tileUrl);
        var authority = Uri.TryCreate(signInAuthority, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? " " + uri.GetLeftPart(UriPartial.Authority) : "";
        Site = $"{Common.Replace("form-action 'self'", "form-action 'self'" + authority, StringComparison.Ordinal)}; script-src 'self'; style-src 'self'; img-src 'self'{(TileSource is null ? "" : " " + TileSource)}; " +
            "font-src 'self'; connect-src 'self'";
    }

    /// <summary>The tile server's origin allowed for images, or null without tiles (or with tiles on the site itself).</summary>
    public string? TileSource { get; }

    /// <summary>The policy of every response except the API reference's.</summary>
    public string Site { get; }

    /// <summary>
    /// The API reference's policy. Scalar needs: its inline start-up script (allowed by the nonce Scalar puts on its
    /// script elements, a new one for each request: any other inline script stays blocked), the style elements and
    /// attributes it creates at run time ('unsafe-inline' for styles only, which a nonce in style-src would disable),
    /// its SVG icons as data: images, and the OpenAPI document and "try it" requests on this site (connect-src 'self').
    /// Its web fonts (fonts.scalar.com), telemetry and AI agent are switched off: it loads nothing from another site.
    /// </summary>
    public static string ApiDocs(string? scriptNonce) =>
        $"{Common}; script-src 'self'{(scriptNonce is null ? "" : $" 'nonce-{scriptNonce}'")}; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'";

    /// <summary>Whether a request path is the API reference or one of its files, in a language (/fr/api/docs/) or not.</summary>
    public static bool IsApiDocs(PathString path)
    {
        if (path.StartsWithSegments(ApiDocsPath, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // The language segment as routing matches it: one of the site's languages, in any case (route constraints
        // ignore case), so /FR/api/docs/ is not served Scalar's page under the site's policy, which would block it.
        var value = path.Value;
        return value is { Length: > 4 } && value[0] == '/' && value[3] == '/'
            && Localization.UiText.Languages.Contains(value[1..3], StringComparer.OrdinalIgnoreCase)
            && new PathString(value[3..]).StartsWithSegments(ApiDocsPath, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The CSP source of a Leaflet tile URL template: its scheme and host, with a leading "{s}." subdomain placeholder
    /// as a "*." wildcard. Null when there is no template or it is on the site itself (a relative URL).
    /// </summary>
    public static string? TileSourceOf(string? tileUrl)
    {
        if (string.IsNullOrWhiteSpace(tileUrl) || tileUrl.StartsWith('/') && !tileUrl.StartsWith("//", StringComparison.Ordinal))
        {
            return null;
        }

        var match = TileOrigin().Match(tileUrl);
        if (!match.Success)
        {
            throw TileUrlError(tileUrl, "it must be an http:// or https:// address or a path on this site");
        }

        var host = match.Groups["host"].Value;
        var wildcard = host.StartsWith("{s}.", StringComparison.Ordinal);
        var bare = wildcard ? host[4..] : host;
        if (bare.Contains('{', StringComparison.Ordinal) || !Uri.TryCreate($"{match.Groups["scheme"].Value}://{bare}/", UriKind.Absolute, out _))
        {
            throw TileUrlError(tileUrl, "its host may hold a placeholder only as a leading {s}. subdomain");
        }

        return $"{match.Groups["scheme"].Value.ToLowerInvariant()}://{(wildcard ? "*." : "")}{bare.ToLowerInvariant()}";
    }

    private static OptionsValidationException TileUrlError(string tileUrl, string why) => new(
        "Territories", typeof(ContentSecurityPolicies),
        [$"Territories:TileUrl '{tileUrl}' cannot be allowed by the Content-Security-Policy: {why} (e.g. https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png)."]);

    [GeneratedRegex(@"^(?<scheme>https?)://(?<host>[^/?#]+)", RegexOptions.IgnoreCase)]
    private static partial Regex TileOrigin();
}
