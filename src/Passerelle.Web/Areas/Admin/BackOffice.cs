using System.Security.Claims;

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Web.Api;
using Passerelle.Web.Localization;

namespace Passerelle.Web.Areas.Admin;

/// <summary>The authorization policies of the back office and the API's write routes, by the least role they need.</summary>
public static class Policies
{
    /// <summary>Any active user: drafts, deleted records, history.</summary>
    public const string View = "admin.view";

    /// <summary>Editors and administrators; each record is then checked against the editor's scope in Core.</summary>
    public const string Edit = "admin.edit";

    /// <summary>Administrators: users, the audit log, settings.</summary>
    public const string Administer = "admin.administer";

    /// <summary>
    /// The API's write routes: editors and administrators authenticated by a personal access token, never by the
    /// back office's cookie (ADR 0016). Api.ApiAccess.RequireWriteAccess puts it on a route group.
    /// </summary>
    public const string ApiWrite = "api.write";

    /// <summary>Any active user authenticated by a personal access token (/api/v1/me).</summary>
    public const string ApiView = "api.view";
}

/// <summary>Met when the signed-in user is active and holds at least <see cref="Minimum"/>.</summary>
public sealed class AccessRequirement(AccessRole minimum) : IAuthorizationRequirement
{
    public AccessRole Minimum { get; } = minimum;
}

/// <summary>Checks <see cref="AccessRequirement"/> against the user as the database has them now, not as the cookie remembers.</summary>
public sealed class AccessHandler(CurrentAccess current) : AuthorizationHandler<AccessRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        if (await current.GetAsync() is { } access && access.Role >= requirement.Minimum)
        {
            context.Succeed(requirement);
        }
    }
}

/// <summary>
/// The access of the request's user, read from the database once per request: a changed role or scope, or a disabled
/// user, counts from the next request, whatever the cookie or token says.
/// </summary>
public sealed class CurrentAccess(IHttpContextAccessor http, PasserelleDbContext db)
{
    private bool _loaded;
    private int? _loadedFor;
    private User? _user;

    public async Task<User?> GetUserAsync()
    {
        // Keyed by the principal's user id: authorization of a token-protected route replaces the request's principal
        // (cookie user, or nobody) with the token's, and what was read for the first must not answer for the second.
        var id = UserId(http.HttpContext?.User);
        if (!_loaded || _loadedFor != id)
        {
            _loaded = true;
            _loadedFor = id;
            _user = id is null ? null
                : await db.Users.AsNoTracking().Include(u => u.Scopes).FirstOrDefaultAsync(u => u.Id == id && u.DisabledAt == null);
        }

        return _user;
    }

    public async Task<Access?> GetAsync() => await GetUserAsync() is { } user ? UserDirectory.AccessOf(user) : null;

    /// <summary>The access, for a page or route that the policies already admitted.</summary>
    public async Task<Access> RequireAsync() => await GetAsync() ?? throw new AccessDeniedException("Not signed in.");

    public static int? UserId(ClaimsPrincipal? principal) =>
        principal?.Identity?.IsAuthenticated == true
        && int.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id : null;
}

public static class BackOffice
{
    public const string SignInPath = "/admin/account/sign-in";

    public static IServiceCollection AddPasserelleBackOffice(this IServiceCollection services)
    {
        services.AddSingleton<UiText>();
        services.AddHttpContextAccessor();
        services.AddScoped<AuditLog>();
        services.AddPasserelleHistory();
        services.AddScoped<UserDirectory>();
        services.AddScoped<AccessTokens>();
        services.AddScoped<CurrentAccess>();
        services.AddScoped<FieldEditing>();
        services.AddScoped<Pages.Users.PasswordLinks>();
        services.AddScoped<IAuthorizationHandler, AccessHandler>();

        services.AddIdentityCore<User>(o =>
            {
                // NIST SP 800-63B: length over composition rules; lockout against guessing, short enough not to be a
                // denial of service on a colleague's account.
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<PasserelleDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        // Links for choosing a password are valid for three days and once (the password change renews the stamp).
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromDays(3));
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        var authentication = services.AddAuthentication(IdentityConstants.ApplicationScheme);
        authentication.AddIdentityCookies();
        // Personal access tokens: only the routes whose policy names this scheme read the Authorization header.
        authentication.AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthentication.Scheme, configureOptions: null);
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", o => o.AddTokenSecurity());
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "passerelle.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = SignInPath;
            o.AccessDeniedPath = "/admin/account/denied";
            o.Events.OnRedirectToLogin = context => Redirect(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => Redirect(context, StatusCodes.Status403Forbidden);
        });
        services.ConfigureExternalCookie(o => o.Cookie.Name = "passerelle.external");

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.View, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(AccessRole.Viewer)))
            .AddPolicy(Policies.Edit, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(AccessRole.Editor)))
            .AddPolicy(Policies.Administer, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(AccessRole.Administrator)))
            // Naming the scheme makes authorization authenticate with it alone, replacing the cookie's principal: a
            // signed-in browser without a token is anonymous here (401), whatever its cookie says.
            .AddPolicy(Policies.ApiView, p => p.AddAuthenticationSchemes(TokenAuthentication.Scheme).RequireAuthenticatedUser()
                .AddRequirements(new AccessRequirement(AccessRole.Viewer)))
            .AddPolicy(Policies.ApiWrite, p => p.AddAuthenticationSchemes(TokenAuthentication.Scheme).RequireAuthenticatedUser()
                .AddRequirements(new AccessRequirement(AccessRole.Editor)));
        services.AddHostedService<SetupLinkService>();
        return services;
    }

    /// <summary>
    /// API callers get a status, never a sign-in page; people are sent to the sign-in page in the language of the page
    /// they asked for (/fr/admin/... → /fr/admin/account/sign-in).
    /// </summary>
    private static Task Redirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int apiStatus)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.StartsWith("/api/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = apiStatus;
            return Task.CompletedTask;
        }

        var target = context.RedirectUri;
        if (path.Length > 3 && Language.OfPath(path) is { } language)
        {
            var uri = new Uri(target, UriKind.RelativeOrAbsolute);
            var local = uri.IsAbsoluteUri ? uri.PathAndQuery : target;
            target = "/" + language.Code + local;
        }

        context.Response.Redirect(target);
        return Task.CompletedTask;
    }
}

/// <summary>
/// At start, while no administrator exists, prints a one-time link to create the first one (no default password
/// anywhere). `users add --admin` does the same from a shell.
/// </summary>
public sealed class SetupLinkService(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<SetupLinkService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var token = await scope.ServiceProvider.GetRequiredService<UserDirectory>().IssueSetupTokenAsync(cancellationToken);
            if (token is not null)
            {
                logger.LogWarning(
                    "No administrator yet. Open {Link} within {Hours} hours to create the first one (or run `users add --admin <e-mail>`).",
                    Links.Absolute(configuration, $"/admin/setup?token={token}"), (int)UserDirectory.SetupLinkLifetime.TotalHours);
            }
        }
        catch (Exception e) when (e is Microsoft.EntityFrameworkCore.DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            // A database not migrated yet (PostgreSQL before `migrate`): the portal still starts; the link comes next start.
            logger.LogWarning("No setup link could be issued: {Reason}", e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Absolute links for messages that leave the browser (a console, a command's output, an e-mail).</summary>
public static class Links
{
    /// <summary>`PublicUrl` (e.g. https://passerelle.example.eu) before the path; the path alone when it is not set.</summary>
    public static string Absolute(IConfiguration configuration, string path) =>
        configuration["PublicUrl"] is { Length: > 0 } root ? root.TrimEnd('/') + path : path;
}
