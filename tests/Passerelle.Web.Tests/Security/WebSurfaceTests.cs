using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Passerelle.Web.Security;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Security;

/// <summary>
/// The hardened surface with the shipped settings: security headers on every response, the allowed hosts, no CORS,
/// and the error page reachable only through the application's own re-execution (ADR 17).
/// </summary>
public sealed class WebSurfaceTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("GET", "/", HttpStatusCode.OK)]
    [InlineData("GET", "/fr/projects", HttpStatusCode.OK)]
    [InlineData("GET", "/projects/tec", HttpStatusCode.OK)]
    [InlineData("GET", "/programmes/fwv-2014-2020", HttpStatusCode.OK)]
    [InlineData("GET", "/eligibility?nuts=FRE11", HttpStatusCode.OK)]
    [InlineData("GET", "/search?q=water", HttpStatusCode.OK)]
    [InlineData("GET", "/api/v1/projects", HttpStatusCode.OK)]
    [InlineData("HEAD", "/api/v1/projects/tec", HttpStatusCode.OK)]
    [InlineData("GET", "/api/v1/projects/export.csv", HttpStatusCode.OK)]
    [InlineData("GET", "/css/site.css", HttpStatusCode.OK)]
    [InlineData("GET", "/js/map.js", HttpStatusCode.OK)]
    [InlineData("GET", "/favicon.svg", HttpStatusCode.OK)]
    [InlineData("GET", "/healthz", HttpStatusCode.OK)]
    [InlineData("GET", "/readyz", HttpStatusCode.OK)]
    [InlineData("GET", "/openapi/v1.json", HttpStatusCode.OK)]
    [InlineData("GET", "/no-such-page", HttpStatusCode.NotFound)]
    [InlineData("GET", "/projects/no-such-project", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/v1/no-such-route", HttpStatusCode.NotFound)]
    [InlineData("PUT", "/api/v1/projects", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "/openapi/v1.json", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/api/v1/projects?pageSize=1000", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/error/101", HttpStatusCode.NotFound)]
    public async Task AnyResponse_HasTheSecurityHeaders(string method, string path, HttpStatusCode status)
    {
        using var client = app.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        Assert.Equal(status, response.StatusCode);
        SecurityHeaders.Check(response);
    }

    [Fact]
    public async Task PortalPages_HaveNoInlineScriptStyleOrEventHandler()
    {
        using var client = app.CreateClient();
        foreach (var path in new[] { "/", "/programmes", "/programmes/fwv-2014-2020", "/groupings/eurometropole", "/projects/tec",
                     "/organisations/lille-metropole", "/eligibility?nuts=FRE11", "/search?q=water", "/statistics", "/no-such-page" })
        {
            using var response = await client.GetAsync(path, Ct);
            var html = await response.Content.ReadAsStringAsync(Ct);
            Assert.Contains("</html>", html, StringComparison.Ordinal);
            // Every script element has a src (the policy would block an inline one); no style attribute or element,
            // no on* handler, no javascript: address.
            Assert.DoesNotMatch(@"(?i)<script(?![^>]*\bsrc=)[^>]*>", html);
            Assert.DoesNotMatch(@"(?i)<style\b|\sstyle\s*=", html);
            Assert.DoesNotMatch(@"(?i)<[^>]+\son[a-z]+\s*=", html);
            Assert.DoesNotMatch(@"(?i)javascript:", html);
        }
    }

    [Fact]
    public async Task ApiReference_HasItsOwnPolicyWithAFreshNonceForItsScripts()
    {
        using var client = app.CreateClient();
        string Nonce(HttpResponseMessage response, string html)
        {
            SecurityHeaders.Check(response, policy: null);
            var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
            var nonce = System.Text.RegularExpressions.Regex.Match(policy, "'nonce-([A-Za-z0-9+/=_-]+)'").Groups[1].Value;
            Assert.NotEmpty(nonce);
            Assert.Equal(ContentSecurityPolicies.ApiDocs(nonce), policy);
            // Each script element of the page carries the nonce: the inline one runs, an injected one would not.
            var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*>");
            Assert.NotEmpty(scripts);
            Assert.All(scripts, s => Assert.Contains($"nonce=\"{nonce}\"", s.Value, StringComparison.Ordinal));
            Assert.DoesNotContain("fonts.scalar.com", html, StringComparison.Ordinal);
            return nonce;
        }

        using var first = await client.GetAsync("/api/docs/", Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var a = Nonce(first, await first.Content.ReadAsStringAsync(Ct));
        using var second = await client.GetAsync("/api/docs/", Ct);
        var b = Nonce(second, await second.Content.ReadAsStringAsync(Ct));
        Assert.NotEqual(a, b);

        // Its files get the reference's policy without a nonce; the rest of the site keeps the strict one.
        using var script = await client.GetAsync("/api/docs/scalar.js", Ct);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        SecurityHeaders.Check(script, ContentSecurityPolicies.ApiDocs(null));
        Assert.DoesNotContain("unsafe-inline", SecurityHeaders.SitePolicy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/fr/api/docs/")]
    [InlineData("/de/api/docs/")]
    [InlineData("/en/api/docs/")]
    [InlineData("/NL/api/docs/")]
    public async Task ApiReference_InALanguage_HasTheReferencePolicyWithItsNonce(string path)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var nonce = System.Text.RegularExpressions.Regex.Match(policy, "'nonce-([A-Za-z0-9+/=_-]+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        SecurityHeaders.Check(response, ContentSecurityPolicies.ApiDocs(nonce));
        Assert.All(System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*>"),
            s => Assert.Contains($"nonce=\"{nonce}\"", s.Value, StringComparison.Ordinal));
        Assert.Contains($"<html lang=\"{path[1..3].ToLowerInvariant()}\">", html, StringComparison.Ordinal);

        // Its helper script beside it; the big script is the one under /api/docs/ for every language.
        using var helper = await client.GetAsync(path + "scalar.aspnetcore.js", Ct);
        Assert.Equal(HttpStatusCode.OK, helper.StatusCode);
        SecurityHeaders.Check(helper, ContentSecurityPolicies.ApiDocs(null));
        Assert.Contains("src=\"/api/docs/scalar.js\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/fr/programmes")]
    [InlineData("/xx/api/docs/")]
    [InlineData("/fr/api/v1/projects")]
    [InlineData("/fr/apidocs/")]
    public async Task NotTheApiReference_KeepsTheSitePolicy(string path)
    {
        Assert.False(ContentSecurityPolicies.IsApiDocs(path));
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        SecurityHeaders.Check(response);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:80")]
    [InlineData("localhost.evil.example")]
    public async Task ForeignHost_Answers400WithHeadersAndNothingElse(string host)
    {
        using var client = app.CreateClient();
        foreach (var path in new[] { "/openapi/v1.json", "/", "/api/v1/projects" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = host;
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            SecurityHeaders.Check(response);
            Assert.DoesNotContain("evil", await response.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("LOCALHOST:5080")]
    public async Task AllowedHost_IsServed(string host)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/themes");
        request.Headers.Host = host;
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_NeverNamesTheRequestsHost()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = "127.0.0.1:5080";
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("evil.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        // No PublicUrl configured: no server at all, so clients use the document's own address.
        Assert.False(JsonDocument.Parse(text).RootElement.TryGetProperty("servers", out _));
    }

    [Theory]
    [InlineData("/api/v1/projects")]
    [InlineData("/api/v1/projects/export.csv")]
    [InlineData("/projects")]
    [InlineData("/openapi/v1.json")]
    public async Task CorsPreflight_OtherOrigin_GetsNoAccessControlHeaders(string path)
    {
        using var client = app.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        using var response = await client.SendAsync(preflight, Ct);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        SecurityHeaders.Check(response);

        using var get = new HttpRequestMessage(HttpMethod.Get, path);
        get.Headers.Add("Origin", "https://evil.example");
        using var simple = await client.SendAsync(get, Ct);
        Assert.Equal(HttpStatusCode.OK, simple.StatusCode);
        Assert.DoesNotContain(simple.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("/error/101")]
    [InlineData("/error/-1")]
    [InlineData("/error/204")]
    [InlineData("/error/500")]
    [InlineData("/error/503")]
    [InlineData("/error")]
    [InlineData("/error/xyz")]
    [InlineData("/error/404")]
    public async Task ErrorPage_AskedForDirectly_IsAPlainNotFoundPage(string path)
    {
        using var client = app.CreateClient();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path), Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var text = HtmlText.Of(await response.Content.ReadAsStringAsync(Ct));
            Assert.Contains("Page not found", text, StringComparison.Ordinal);
            SecurityHeaders.Check(response);
        }
    }

    [Theory]
    [InlineData("GET", "/no-such-page")]
    [InlineData("GET", "/fr/projects/no-such-project")]
    [InlineData("POST", "/no-such-page")]
    [InlineData("PUT", "/no-such-page")]
    public async Task UnknownAddress_RendersTheNotFoundPage(string method, string path)
    {
        using var client = app.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var text = HtmlText.Of(await response.Content.ReadAsStringAsync(Ct));
        // In the address's language (/fr/... in French).
        Assert.Contains(PageWords.ForPath(path, "portal.error.not_found"), text, StringComparison.Ordinal);
        Assert.Contains(PageWords.ForPath(path, "portal.error.not_found_text"), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MethodNotAllowedOutsideTheApi_RendersTheErrorPageWithAllow()
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsync("/openapi/v1.json", null, Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET"], response.Content.Headers.Allow);
        Assert.Contains("Method not allowed", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
    }
}

/// <summary>The security headers every response has (ADR 17).</summary>
public static class SecurityHeaders
{
    public const string SitePolicy =
        "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; " +
        "script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'";

    /// <summary>The policy with Territories:TileUrl set to https://{s}.tile.example.org/{z}/{x}/{y}.png.</summary>
    public const string SitePolicyWithTiles =
        "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; " +
        "script-src 'self'; style-src 'self'; img-src 'self' https://*.tile.example.org; font-src 'self'; connect-src 'self'";

    /// <summary>Every header the site sends on every response, whatever the response.</summary>
    public static void Check(HttpResponseMessage response, string? policy = SitePolicy)
    {
        var what = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} ({(int)response.StatusCode})";
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), $"no CSP on {what}");
        if (policy is not null)
        {
            Assert.Equal(policy, Assert.Single(csp));
        }

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal(SecurityHeadersMiddleware.PermissionsPolicy, Assert.Single(response.Headers.GetValues("Permissions-Policy")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Cross-Origin-Opener-Policy")));
        Assert.False(response.Headers.Contains("Server"), $"Server header on {what}");
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), $"CORS header on {what}");
    }
}
