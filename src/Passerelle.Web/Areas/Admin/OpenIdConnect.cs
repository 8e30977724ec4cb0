using System.Security.Claims;
using System.Text.Json;

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

using Passerelle.Core.Accounts;
using Passerelle.Core.Common;

namespace Passerelle.Web.Areas.Admin;

/// <summary>
/// The optional sign-in through an OpenID Connect authority (an organisation's Keycloak, Entra ID, ...), switched on by
/// setting <c>Authentication:OpenIdConnect:Authority</c> and configured by settings only (README, "Sign-in with
/// OpenID Connect"; ADR 0015). The authority's claims decide the role and scope of the person at every sign-in.
/// </summary>
public sealed class OpenIdConnectSettings
{
    public const string Section = "Authentication:OpenIdConnect";

    /// <summary>The authentication scheme; also the value of the session's authentication-method claim.</summary>
    public const string Scheme = "oidc";

    /// <summary>Where the authority sends the browser back with the code: register it at the authority.</summary>
    public const string CallbackPath = "/admin/account/oidc-callback";

    /// <summary>The authority's address (its issuer): https, or http on a loopback address for development and tests.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The authority's name on the sign-in button ("Sign in with ...") and in the audit log.</summary>
    public string? DisplayName { get; set; }

    /// <summary>Scopes asked for besides openid, profile and email (e.g. one that makes the authority send roles).</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The claim whose values give the role (a string or an array of strings).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Values of <see cref="RoleClaim"/> that make an administrator. The highest role whose values match wins.</summary>
    public List<string> AdministratorValues { get; set; } = [];

    public List<string> EditorValues { get; set; } = [];

    public List<string> ViewerValues { get; set; } = [];

    /// <summary>The claim whose values are the slugs of the programmes an editor edits.</summary>
    public string ProgrammeClaim { get; set; } = "passerelle_programmes";

    /// <summary>The claim whose values are the slugs of the groupings an editor edits.</summary>
    public string GroupingClaim { get; set; } = "passerelle_groupings";

    public string EmailClaim { get; set; } = "email";

    public string NameClaim { get; set; } = "name";

    /// <summary>
    /// Whether the first sign-in of a person whose e-mail belongs to an existing Passerelle account takes that account
    /// over (its password is removed: from then on the authority signs it in). Off: such a sign-in is refused.
    /// </summary>
    public bool LinkExistingUsers { get; set; }

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>What the authority's claims say of the person, mapped to Passerelle's role and scope.</summary>
    public ExternalIdentity Read(ClaimsPrincipal principal)
    {
        var subject = principal.FindFirst("sub");
        var roles = Values(principal, RoleClaim).ToHashSet(StringComparer.Ordinal);
        AccessRole? role =
            AdministratorValues.Any(roles.Contains) ? AccessRole.Administrator
            : EditorValues.Any(roles.Contains) ? AccessRole.Editor
            : ViewerValues.Any(roles.Contains) ? AccessRole.Viewer
            : null;
        return new ExternalIdentity(
            // The id token's iss, checked by the handler against the authority's discovery document.
            principal.FindFirstValue("iss") ?? subject?.Issuer ?? "",
            subject?.Value ?? "",
            DisplayName ?? "OpenID Connect",
            Values(principal, EmailClaim).FirstOrDefault(),
            Values(principal, NameClaim).FirstOrDefault(),
            role,
            [.. Values(principal, ProgrammeClaim).Select(v => v.ToLowerInvariant()).Distinct(StringComparer.Ordinal)],
            [.. Values(principal, GroupingClaim).Select(v => v.ToLowerInvariant()).Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>
    /// The values of a claim: one claim per value from the id token, or one claim holding a JSON array (the user-info
    /// response's arrays arrive so).
    /// </summary>
    private static IEnumerable<string> Values(ClaimsPrincipal principal, string type)
    {
        foreach (var claim in principal.FindAll(type))
        {
            var value = claim.Value.Trim();
            if (value.StartsWith('[') && TryArray(value) is { } items)
            {
                foreach (var item in items)
                {
                    yield return item;
                }
            }
            else if (value.Length > 0)
            {
                yield return value;
            }
        }
    }

    private static List<string>? TryArray(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return [.. document.RootElement.EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.String)
                .Select(e => e.GetString()!.Trim())
                .Where(s => s.Length > 0)];
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Refuses to start with OpenID Connect half configured, naming each missing or wrong key (the messages are joined with
/// "; " into the one `error:` line, so they end without a full stop).
/// </summary>
public sealed class OpenIdConnectSettingsValidator : IValidateOptions<OpenIdConnectSettings>
{
    public ValidateOptionsResult Validate(string? name, OpenIdConnectSettings options)
    {
        const string S = OpenIdConnectSettings.Section;
        var failures = new List<string>();
        if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            failures.Add($"{S}:Authority must be the authority's absolute https address (it is '{options.Authority}')");
        }
        else if (authority.Scheme == "http" && !authority.IsLoopback)
        {
            // Discovery, keys and the token exchange over plain http could be rewritten on the way; only a loopback
            // authority (development, the tests) may use it.
            failures.Add($"{S}:Authority must use https ('{options.Authority}'); http is accepted for a loopback address only");
        }

        foreach (var (key, value) in new[] { ("ClientId", options.ClientId), ("ClientSecret", options.ClientSecret), ("DisplayName", options.DisplayName) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{S}:{key} is required when {S}:Authority is set");
            }
        }

        if (string.IsNullOrWhiteSpace(options.RoleClaim))
        {
            failures.Add($"{S}:RoleClaim must name a claim (the default is 'roles')");
        }

        if (options.AdministratorValues.Count + options.EditorValues.Count + options.ViewerValues.Count == 0)
        {
            failures.Add($"{S} needs at least one of AdministratorValues, EditorValues, ViewerValues: without them every sign-in is refused");
        }

        if (options.EditorValues.Count > 0 && string.IsNullOrWhiteSpace(options.ProgrammeClaim) && string.IsNullOrWhiteSpace(options.GroupingClaim))
        {
            failures.Add($"{S}:EditorValues needs {S}:ProgrammeClaim or {S}:GroupingClaim: an editor edits the programmes or groupings they name");
        }

        if (options.Scopes.FirstOrDefault(s => string.IsNullOrWhiteSpace(s) || s.Any(char.IsWhiteSpace)) is { } scope)
        {
            failures.Add($"{S}:Scopes holds '{scope}', which is not one scope (give each in its own entry)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class OpenIdConnectRegistration
{
    /// <summary>
    /// Registers the OpenID Connect handler under scheme "oidc" when <c>Authentication:OpenIdConnect:Authority</c> is
    /// set; the settings are validated when the host starts. Without it, nothing is registered and the sign-in page
    /// shows no button.
    /// </summary>
    public static IServiceCollection AddPasserelleOpenIdConnect(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(OpenIdConnectSettings.Section);
        if (string.IsNullOrWhiteSpace(section["Authority"]))
        {
            return services;
        }

        services.AddSingleton<IValidateOptions<OpenIdConnectSettings>, OpenIdConnectSettingsValidator>();
        services.AddOptions<OpenIdConnectSettings>().Bind(section).ValidateOnStart();
        services.AddAuthentication().AddOpenIdConnect(OpenIdConnectSettings.Scheme, section["DisplayName"], _ => { });
        services.AddOptions<OpenIdConnectOptions>(OpenIdConnectSettings.Scheme)
            .Configure<IOptions<OpenIdConnectSettings>>((o, settings) => Configure(o, settings.Value));
        return services;
    }

    private static void Configure(OpenIdConnectOptions o, OpenIdConnectSettings settings)
    {
        var authority = new Uri(settings.Authority!);
        o.Authority = settings.Authority;
        o.RequireHttpsMetadata = !authority.IsLoopback;
        o.ClientId = settings.ClientId;
        o.ClientSecret = settings.ClientSecret;
        // Authorization code with PKCE (S256); the code comes back in the query string, so the correlation and nonce
        // cookies can stay SameSite=Lax (form_post would need SameSite=None cookies).
        o.ResponseType = OpenIdConnectResponseType.Code;
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.UsePkce = true;
        o.Scope.Clear();
        foreach (var scope in new[] { "openid", "profile", "email" }.Concat(settings.Scopes).Distinct(StringComparer.Ordinal))
        {
            o.Scope.Add(scope);
        }

        o.CallbackPath = OpenIdConnectSettings.CallbackPath;
        o.SignedOutCallbackPath = "/admin/account/oidc-signed-out";
        o.RemoteSignOutPath = "/admin/account/oidc-sign-out";
        // The handler's result goes to Identity's short-lived external cookie; the External page reads it once, maps
        // the claims and signs in with the application cookie.
        o.SignInScheme = IdentityConstants.ExternalScheme;
        o.SaveTokens = false;
        o.UseTokenLifetime = false;
        // Claim names as the authority sends them ("roles", "email"), which is what the settings name.
        o.MapInboundClaims = false;
        o.GetClaimsFromUserInfoEndpoint = true;
        o.ClaimActions.MapAll();
        o.TokenValidationParameters.NameClaimType = settings.NameClaim;
        o.DisableTelemetry = true;
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.NonceCookie.SameSite = SameSiteMode.Lax;
        o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.Events.OnRemoteFailure = RemoteFailureAsync;
    }

    /// <summary>
    /// A callback that fails (tampered or replayed state, a code the authority refuses, an error from the authority) is
    /// recorded and answered with the External page's message, not the error page.
    /// </summary>
    private static async Task RemoteFailureAsync(RemoteFailureContext context)
    {
        var settings = context.HttpContext.RequestServices.GetRequiredService<IOptions<OpenIdConnectSettings>>().Value;
        var audit = context.HttpContext.RequestServices.GetRequiredService<AuditLog>();
        await audit.RecordAsync(AuditKind.SignInFailed, settings.DisplayName, detail: $"{settings.DisplayName}: {context.Failure?.Message}",
            address: context.HttpContext.Connection.RemoteIpAddress?.ToString(), ct: context.HttpContext.RequestAborted);
        context.HandleResponse();
        context.Response.Redirect(LanguageOf(context.Properties?.RedirectUri) + "/admin/account/external?failed=true");
    }

    /// <summary>"/fr" when the sign-in started on a French page (/fr/admin/...), else "".</summary>
    private static string LanguageOf(string? redirectUri) =>
        redirectUri is { Length: > 4 } r && r[3] == '/' && Language.OfPath(r) is { } language ? "/" + language.Code : "";
}
