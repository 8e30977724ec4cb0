using System.Net;

using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

using Scalar.AspNetCore;

namespace Passerelle.Web.Security;

/// <summary>
/// The hardened web surface (ADR 17): security headers on every response, allowed hosts, no CORS, rate limits, HSTS
/// behind HTTPS, forwarded headers from configured proxies only, and an OpenAPI document that never echoes the
/// request's Host.
/// </summary>
public static class SecurityExtensions
{
    /// <summary>The site's public address (e.g. https://passerelle.example.org), for links that leave the request.</summary>
    public const string PublicUrlKey = "PublicUrl";

    /// <summary>Services and settings; every setting is checked here, so a start with a bad one stops at once.</summary>
    public static WebApplicationBuilder AddPasserelleSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // No Server header: it only tells an attacker which server and version to look up.
        services.Configure<KestrelServerOptions>(o => o.AddServerHeader = false);

        services.AddSingleton(new ContentSecurityPolicies(configuration["Territories:TileUrl"], configuration["Authentication:OpenIdConnect:Authority"]));
        // The API reference: a fresh nonce on its script elements for each request (the headers put it in the
        // policy), and nothing sent to or fetched from Scalar's servers (fonts, telemetry, its AI agent).
        services.Configure<ScalarOptions>(o => o.WithNonce().DisableDefaultFonts().DisableTelemetry().DisableAgent());
        // First of all startup filters, so even the host filter's 400 (added by the web host's defaults) has the headers.
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, SecurityStartupFilter>());

        services.AddPasserelleRateLimits(RateLimits.Read(configuration));

        var proxies = ProxySettings.Read(configuration);
        services.AddSingleton(proxies);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // The client address (rate limits, logs) and the scheme (HSTS) only; never the Host, which the allowed
            // hosts have checked, and only from the proxies named in the settings.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Proxies)
            {
                o.KnownProxies.Add(proxy);
            }

            foreach (var network in proxies.Networks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
        // A year; not for subdomains (the operator's other sites may not be on HTTPS) and no preload list.
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));

        var publicUrl = ReadPublicUrl(configuration);
        services.ConfigureAll<OpenApiOptions>(o =>
        {
            // HEAD, which every GET route of the API answers, is said once in the description rather than listed as
            // a second operation of each route (with the same operation id).
            var include = o.ShouldInclude;
            o.ShouldInclude = description => !HttpMethods.IsHead(description.HttpMethod ?? "") && include(description);
            // The document's server is the configured public address, or none (clients then use the document's own
            // address): never the request's Host header, which anyone can set.
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Servers = publicUrl is null ? [] : [new OpenApiServer { Url = publicUrl }];
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>
    /// The middleware that runs before everything else of the application: forwarded headers (when proxies are
    /// configured) and HSTS (outside Development; it answers only HTTPS requests, so plain HTTP on localhost is
    /// unaffected). The security headers themselves come from <see cref="SecurityStartupFilter"/>.
    /// </summary>
    public static WebApplication UsePasserelleSecurity(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ProxySettings>().Any)
        {
            app.UseForwardedHeaders();
        }

        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        return app;
    }

    private static string? ReadPublicUrl(IConfiguration configuration)
    {
        var value = configuration[PublicUrlKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? uri.GetLeftPart(UriPartial.Path).TrimEnd('/')
            : throw new OptionsValidationException(PublicUrlKey, typeof(string),
                [$"{PublicUrlKey} '{value}' must be an absolute http:// or https:// address without query or fragment (e.g. https://passerelle.example.org)"]);
    }
}

/// <summary>
/// <c>ForwardedHeaders:KnownProxies</c> (addresses) and <c>ForwardedHeaders:KnownNetworks</c> (CIDR): the reverse
/// proxies whose X-Forwarded-For and X-Forwarded-Proto are believed. None by default: the headers are ignored.
/// </summary>
public sealed class ProxySettings
{
    public const string Section = "ForwardedHeaders";

    public IReadOnlyList<IPAddress> Proxies { get; private init; } = [];

    public IReadOnlyList<System.Net.IPNetwork> Networks { get; private init; } = [];

    public bool Any => Proxies.Count > 0 || Networks.Count > 0;

    internal static ProxySettings Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var problems = new List<string>();
        var proxies = new List<IPAddress>();
        foreach (var value in Values(section.GetSection("KnownProxies")))
        {
            if (IPAddress.TryParse(value, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                problems.Add($"{Section}:KnownProxies has '{value}', which is not an IP address");
            }
        }

        var networks = new List<System.Net.IPNetwork>();
        foreach (var value in Values(section.GetSection("KnownNetworks")))
        {
            if (System.Net.IPNetwork.TryParse(value, out var network))
            {
                networks.Add(network);
            }
            else
            {
                problems.Add($"{Section}:KnownNetworks has '{value}', which is not a network in CIDR notation (e.g. 10.0.0.0/8)");
            }
        }

        return problems.Count > 0
            ? throw new OptionsValidationException(Section, typeof(ProxySettings), problems)
            : new ProxySettings { Proxies = proxies, Networks = networks };
    }

    /// <summary>
    /// An array (KnownProxies:0, :1, ...) or one value separated by semicolons or commas. The array's items win: an
    /// empty JSON array leaves an empty value beside the items another source (environment, command line) adds.
    /// </summary>
    private static IEnumerable<string> Values(IConfigurationSection section)
    {
        var items = section.GetChildren().Select(c => c.Value ?? "").ToList();
        return (items.Count > 0 ? items : [section.Value ?? ""])
            .SelectMany(v => v.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
