using System.Net;
using System.Text.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Web.Security;
using Passerelle.Web.Tests.Hosting;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Security;

/// <summary>
/// The web host with the security settings an installation sets: tiny rate limits, a public address, an allowed host
/// of its own, a trusted proxy and a tile server. The sign-in policy is attached to the programmes page here, as the
/// back office attaches it to its sign-in form; "/test/throw" fails inside the application's pipeline.
/// </summary>
public sealed class ConfiguredApp : PasserelleApp
{
    public const int ApiPerMinute = 3;
    public const int SignInPerMinute = 2;
    public const string Proxy = "10.0.0.1";
    public const string PublicUrl = "https://passerelle.test/registry";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RateLimits:ApiPerMinute", ApiPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("RateLimits:SignInPerMinute", SignInPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("AllowedHosts", "localhost;passerelle.test");
        builder.UseSetting("PublicUrl", PublicUrl + "/");
        builder.UseSetting("ForwardedHeaders:KnownProxies:0", Proxy);
        builder.UseSetting("Territories:TileUrl", "https://{s}.tile.example.org/{z}/{x}/{y}.png");
        builder.ConfigureTestServices(services =>
        {
            services.AddTransient<IStartupFilter, ThrowingRoute>();
        });
    }

    /// <summary>Appended after the application's own middleware: reached when no endpoint took the request.</summary>
    private sealed class ThrowingRoute : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(context => context.Request.Path.Value?.EndsWith("/test/throw", StringComparison.Ordinal) == true
                ? throw new InvalidOperationException("Secret internals: connection string Password=hunter2")
                : Task.CompletedTask);
        };
    }
}

public sealed class ConfiguredSurfaceTests(ConfiguredApp app) : IClassFixture<ConfiguredApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One request as it arrives from <paramref name="client"/> (the connection's address).</summary>
    private Task<HttpContext> SendAsync(string path, string client, string method = "GET", string host = "localhost",
        Action<HttpRequest>? configure = null) =>
        app.Server.SendAsync(context =>
        {
            var query = path.IndexOf('?', StringComparison.Ordinal);
            context.Request.Method = method;
            context.Request.Path = query < 0 ? path : path[..query];
            context.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(path[query..]);
            context.Request.Host = new HostString(host);
            context.Connection.RemoteIpAddress = IPAddress.Parse(client);
            configure?.Invoke(context.Request);
        }, Ct);

    private static string Body(HttpContext context) => new StreamReader(context.Response.Body).ReadToEnd();

    private static void AssertRateLimited(HttpContext context)
    {
        Assert.Equal(StatusCodes.Status429TooManyRequests, context.Response.StatusCode);
        var retryAfter = int.Parse(context.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(SecurityHeaders.SitePolicyWithTiles, context.Response.Headers.ContentSecurityPolicy.ToString());
    }

    [Fact]
    public async Task Api_OverTheLimit_Answers429ProblemWithRetryAfterPerClientAddress()
    {
        for (var i = 0; i < ConfiguredApp.ApiPerMinute; i++)
        {
            Assert.Equal(200, (await SendAsync("/api/v1/themes", "203.0.113.1")).Response.StatusCode);
        }

        foreach (var path in new[] { "/api/v1/themes", "/api/v1/projects/tec", "/api/v1/search?q=water", "/api/v1/projects/export.csv" })
        {
            var limited = await SendAsync(path, "203.0.113.1");
            AssertRateLimited(limited);
            Assert.Equal("application/problem+json", limited.Response.ContentType);
            var problem = JsonDocument.Parse(Body(limited)).RootElement;
            Assert.Equal("rate_limited", problem.GetProperty("errorCode").GetString());
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
        }

        // Another address has its own budget; the portal's pages are not the API's.
        Assert.Equal(200, (await SendAsync("/api/v1/themes", "203.0.113.2")).Response.StatusCode);
        Assert.Equal(200, (await SendAsync("/projects", "203.0.113.1")).Response.StatusCode);
    }

    [Fact]
    public async Task Api_IPv6Clients_ShareTheBudgetOfTheir64Network()
    {
        for (var i = 0; i < ConfiguredApp.ApiPerMinute; i++)
        {
            Assert.Equal(200, (await SendAsync("/api/v1/themes", $"2001:db8:1:2::{i + 1}")).Response.StatusCode);
        }

        AssertRateLimited(await SendAsync("/api/v1/themes", "2001:db8:1:2:ffff::9"));
        Assert.Equal(200, (await SendAsync("/api/v1/themes", "2001:db8:1:3::1")).Response.StatusCode);
    }

    [Fact]
    public async Task ForwardedFor_FromTheConfiguredProxyOnly_IsTheClientAddress()
    {
        static void From(HttpRequest request, string client) => request.Headers["X-Forwarded-For"] = client;

        // Through the trusted proxy: each forwarded client has its own budget.
        for (var i = 0; i < ConfiguredApp.ApiPerMinute; i++)
        {
            Assert.Equal(200, (await SendAsync("/api/v1/themes", ConfiguredApp.Proxy, configure: r => From(r, "198.51.100.7"))).Response.StatusCode);
        }

        AssertRateLimited(await SendAsync("/api/v1/themes", ConfiguredApp.Proxy, configure: r => From(r, "198.51.100.7")));
        Assert.Equal(200, (await SendAsync("/api/v1/themes", ConfiguredApp.Proxy, configure: r => From(r, "198.51.100.8"))).Response.StatusCode);

        // From anyone else the header is ignored: a client cannot pick a fresh address for each request.
        for (var i = 0; i < ConfiguredApp.ApiPerMinute; i++)
        {
            Assert.Equal(200, (await SendAsync("/api/v1/themes", "10.0.0.2", configure: r => From(r, $"198.51.100.{20 + i}"))).Response.StatusCode);
        }

        AssertRateLimited(await SendAsync("/api/v1/themes", "10.0.0.2", configure: r => From(r, "198.51.100.99")));
    }

    [Fact]
    public async Task SignInPolicy_OverTheLimit_Answers429PageWithRetryAfter()
    {
        const string SignIn = "/admin/account/sign-in";
        for (var i = 0; i < ConfiguredApp.SignInPerMinute; i++)
        {
            // Attempts without a form body: refused by the antiforgery check, but counted.
            Assert.Equal(400, (await SendAsync(SignIn, "192.0.2.10", method: "POST")).Response.StatusCode);
        }

        var limited = await SendAsync(SignIn, "192.0.2.10", method: "POST");
        AssertRateLimited(limited);
        Assert.StartsWith("text/html", limited.Response.ContentType, StringComparison.Ordinal);
        var text = HtmlText.Of(Body(limited));
        Assert.Contains("Too many requests", text, StringComparison.Ordinal);
        // Showing the form is not an attempt; another address has its own count.
        Assert.Equal(200, (await SendAsync(SignIn, "192.0.2.10")).Response.StatusCode);
        Assert.Equal(400, (await SendAsync(SignIn, "192.0.2.11", method: "POST")).Response.StatusCode);
    }

    [Fact]
    public async Task Hsts_OnlyOnHttps()
    {
        var plain = await SendAsync("/", "192.0.2.20", host: "passerelle.test");
        Assert.Equal(200, plain.Response.StatusCode);
        Assert.False(plain.Response.Headers.ContainsKey("Strict-Transport-Security"));

        // HTTPS as the trusted proxy says it received it.
        var secure = await SendAsync("/", ConfiguredApp.Proxy, host: "passerelle.test", configure: r => r.Headers["X-Forwarded-Proto"] = "https");
        Assert.Equal(200, secure.Response.StatusCode);
        Assert.Equal("max-age=31536000", secure.Response.Headers["Strict-Transport-Security"].ToString());

        // The same header from anyone else changes nothing.
        var spoofed = await SendAsync("/", "192.0.2.21", host: "passerelle.test", configure: r => r.Headers["X-Forwarded-Proto"] = "https");
        Assert.False(spoofed.Response.Headers.ContainsKey("Strict-Transport-Security"));
    }

    [Fact]
    public async Task OpenApiDocument_ServerIsThePublicUrl()
    {
        foreach (var host in new[] { "localhost", "passerelle.test" })
        {
            var response = await SendAsync("/openapi/v1.json", "192.0.2.30", host: host, configure: r => r.Headers["X-Forwarded-Host"] = "evil.example");
            Assert.Equal(200, response.Response.StatusCode);
            var servers = JsonDocument.Parse(Body(response)).RootElement.GetProperty("servers").EnumerateArray().ToList();
            Assert.Equal(ConfiguredApp.PublicUrl, Assert.Single(servers).GetProperty("url").GetString());
        }

        Assert.Equal(400, (await SendAsync("/openapi/v1.json", "192.0.2.30", host: "evil.example")).Response.StatusCode);
    }

    [Fact]
    public async Task Csp_AllowsImagesFromTheConfiguredTileServerOnly()
    {
        var page = await SendAsync("/programmes/fwv-2014-2020", "192.0.2.40");
        Assert.Equal(200, page.Response.StatusCode);
        Assert.Equal(SecurityHeaders.SitePolicyWithTiles, page.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.Contains("data-tiles=\"https://{s}.tile.example.org/{z}/{x}/{y}.png\"", Body(page), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/test/throw", "text/html")]
    [InlineData("/fr/test/throw", "text/html")]
    [InlineData("/api/test/throw", "application/problem+json")]
    public async Task UnhandledException_Answers500WithHeadersAndNoInternals(string path, string type)
    {
        var response = await SendAsync(path, "192.0.2.50");
        Assert.Equal(500, response.Response.StatusCode);
        Assert.StartsWith(type, response.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal(SecurityHeaders.SitePolicyWithTiles, response.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", response.Response.Headers.XContentTypeOptions.ToString());
        Assert.Equal("DENY", response.Response.Headers.XFrameOptions.ToString());
        var body = Body(response);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
    }
}

/// <summary>Settings the start checks: a bad one stops the host at once with exit code 2, naming the key.</summary>
public sealed class SecuritySettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-settings-").FullName;

    [Theory]
    [InlineData("RateLimits:ApiPerMinute", "0", "RateLimits:ApiPerMinute is 0")]
    [InlineData("RateLimits:SignInPerMinute", "ten", "RateLimits:SignInPerMinute")]
    [InlineData("PublicUrl", "ftp://passerelle.example.org", "PublicUrl 'ftp://passerelle.example.org'")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "proxy.local", "ForwardedHeaders:KnownProxies has 'proxy.local'")]
    [InlineData("ForwardedHeaders:KnownNetworks", "10.0.0.0/40", "ForwardedHeaders:KnownNetworks has '10.0.0.0/40'")]
    [InlineData("Territories:TileUrl", "https://{s}.tiles.{r}.example.org/{z}/{x}/{y}.png", "Territories:TileUrl")]
    public async Task Start_BadSecuritySetting_Exits2NamingIt(string key, string value, string message)
    {
        var settings = new Dictionary<string, string>(PasserelleProcess.Sqlite(Path.Combine(_folder, "passerelle.db"))) { [key] = value };
        var result = await PasserelleProcess.RunAsync(settings, "--urls=http://127.0.0.1:0");
        result.AssertOneErrorLine(2);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "passerelle.db")), "nothing is created before the settings are checked");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
