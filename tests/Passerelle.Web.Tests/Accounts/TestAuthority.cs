using System.Net;
using System.Security.Claims;

using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;

using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Passerelle.Web.Tests.Accounts;

/// <summary>A person as the test authority signs them in: the claims it puts into the id token and the user-info answer.</summary>
public sealed record AuthorityUser(string Subject, string? Email, string Name, string[] Roles, string[]? Programmes = null, string[]? Groupings = null);

/// <summary>
/// A real OpenID Connect authority (OpenIddict's server, the same code an organisation would run) on a loopback port:
/// discovery, keys, authorization-code flow with PKCE required, token and user-info endpoints, its applications in an
/// in-memory SQLite store and ephemeral keys. There is no login form: the authorization endpoint issues the code for
/// <see cref="User"/>, the person the test chose (no user set: the authority answers access_denied).
/// </summary>
public sealed class TestAuthority : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SqliteConnection _store;

    private TestAuthority(WebApplication app, SqliteConnection store)
    {
        _app = app;
        _store = store;
    }

    /// <summary>The authority's address (its issuer), e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string Url { get; private set; } = "";

    /// <summary>Who the next authorization request signs in; tests of one class run one after another.</summary>
    public AuthorityUser? User { get; set; }

    public static async Task<TestAuthority> StartAsync()
    {
        var store = new SqliteConnection("Data Source=:memory:");
        await store.OpenAsync();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        // The authority's own log only when something goes wrong (the appsettings.json next to the tests says Information).
        builder.Logging.AddFilter("OpenIddict", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddDbContext<AuthorityDb>(o => o.UseSqlite(store).UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<AuthorityDb>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetUserInfoEndpointUris("connect/userinfo");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, "passerelle");
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    // Plain http on the loopback interface, as Passerelle accepts it for a loopback authority only.
                    .DisableTransportSecurityRequirement();
            });

        var app = builder.Build();
        var authority = new TestAuthority(app, store);
        app.MapMethods("/connect/authorize", ["GET", "POST"], (Delegate)authority.Authorize);
        app.MapPost("/connect/token", (Delegate)Token);
        app.MapMethods("/connect/userinfo", ["GET", "POST"], (Delegate)UserInfo);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AuthorityDb>().Database.EnsureCreatedAsync();
        }

        await app.StartAsync();
        authority.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return authority;
    }

    /// <summary>Registers a confidential client, as an organisation's administrator does for Passerelle.</summary>
    public async Task RegisterClientAsync(string clientId, string secret, string redirectUri)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        await manager.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            RedirectUris = { new Uri(redirectUri) },
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Email,
                Permissions.Scopes.Profile,
                Permissions.Prefixes.Scope + "passerelle",
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        });
    }

    private IResult Authorize(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (User is not { } user)
        {
            return Results.Forbid(
                new AuthenticationProperties(new Dictionary<string, string?> { [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.AccessDenied }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Subject).SetClaim(Claims.Name, user.Name);
        if (user.Email is not null)
        {
            identity.SetClaim(Claims.Email, user.Email);
        }

        identity.SetClaims("roles", [.. user.Roles]);
        identity.SetClaims("passerelle_programmes", [.. user.Programmes ?? []]);
        identity.SetClaims("passerelle_groupings", [.. user.Groupings ?? []]);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The code's principal, as it was issued (the authority's usual exchange).</summary>
    private static async Task<IResult> Token(HttpContext context)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var principal = result.Principal ?? throw new InvalidOperationException("The code was not validated.");
        principal.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The same claims as the id token, arrays as arrays (a client reads them from either).</summary>
    private static async Task<IResult> UserInfo(HttpContext context)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is not { } principal)
        {
            return Results.Challenge(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var claims = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [Claims.Subject] = principal.GetClaim(Claims.Subject),
            [Claims.Name] = principal.GetClaim(Claims.Name),
            ["roles"] = principal.GetClaims("roles"),
            ["passerelle_programmes"] = principal.GetClaims("passerelle_programmes"),
            ["passerelle_groupings"] = principal.GetClaims("passerelle_groupings"),
        };
        if (principal.GetClaim(Claims.Email) is { } email)
        {
            claims[Claims.Email] = email;
        }

        return Results.Json(claims);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
    }

    private sealed class AuthorityDb(DbContextOptions<AuthorityDb> options) : DbContext(options);
}
