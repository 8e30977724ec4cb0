using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Accounts;

/// <summary>
/// Passerelle on a real Kestrel port with OpenID Connect sign-in configured against <see cref="Authority"/>, a real
/// OpenIddict authority on another loopback port (and a second one, <see cref="Other"/>, that Passerelle does not trust).
/// </summary>
public abstract class OidcFixture : IAsyncLifetime
{
    public const string ClientId = "passerelle";
    public const string ClientSecret = "a secret only this test run knows";
    public const string DisplayName = "Test authority";

    public TestAuthority Authority { get; private set; } = null!;

    public TestAuthority Other { get; private set; } = null!;

    public PasserelleApp App { get; private set; } = null!;

    /// <summary>Passerelle's root, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The host on the fixture's database provider, with these settings.</summary>
    protected abstract PasserelleApp CreateApp(IReadOnlyDictionary<string, string> settings);

    public async ValueTask InitializeAsync()
    {
        Authority = await TestAuthority.StartAsync();
        Other = await TestAuthority.StartAsync();
        App = CreateApp(new Dictionary<string, string>
        {
            ["Authentication:OpenIdConnect:Authority"] = Authority.Url,
            ["Authentication:OpenIdConnect:ClientId"] = ClientId,
            ["Authentication:OpenIdConnect:ClientSecret"] = ClientSecret,
            ["Authentication:OpenIdConnect:DisplayName"] = DisplayName,
            ["Authentication:OpenIdConnect:Scopes:0"] = "passerelle",
            ["Authentication:OpenIdConnect:AdministratorValues:0"] = "passerelle-admin",
            ["Authentication:OpenIdConnect:EditorValues:0"] = "passerelle-editor",
            ["Authentication:OpenIdConnect:ViewerValues:0"] = "passerelle-viewer",
            ["Authentication:OpenIdConnect:ViewerValues:1"] = "secretariat-staff",
        });
        // The app's port is the system's choice, so the authority learns the redirect address once the app listens.
        await App.InitializeAsync();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        var callback = BaseUrl + "/admin/account/oidc-callback";
        await Authority.RegisterClientAsync(ClientId, ClientSecret, callback);
        await Other.RegisterClientAsync(ClientId, ClientSecret, callback);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Authority.DisposeAsync();
        await Other.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Adds the given settings to the test host's.</summary>
    internal static void Apply(IWebHostBuilder builder, IReadOnlyDictionary<string, string> settings)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Starts the host on Kestrel at a loopback port the system picks (a browser and the authority reach it).</summary>
    internal static async Task StartOnKestrelAsync(PasserelleApp app)
    {
        app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        await app.Services.WaitUntilReadyAsync();
    }
}

public sealed class SqliteOidcFixture : OidcFixture
{
    protected override PasserelleApp CreateApp(IReadOnlyDictionary<string, string> settings) => new Host(settings);

    private sealed class Host(IReadOnlyDictionary<string, string> settings) : PasserelleApp
    {
        public override async ValueTask InitializeAsync()
        {
            await PrepareDatabaseAsync();
            await StartOnKestrelAsync(this);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            Apply(builder, settings);
        }
    }
}

public sealed class PostgresOidcFixture : OidcFixture
{
    protected override PasserelleApp CreateApp(IReadOnlyDictionary<string, string> settings) => new Host(settings);

    private sealed class Host(IReadOnlyDictionary<string, string> settings) : PostgresApp
    {
        public override async ValueTask InitializeAsync()
        {
            await PrepareDatabaseAsync();
            await StartOnKestrelAsync(this);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            Apply(builder, settings);
        }
    }
}

public sealed class SqliteOidcSignInTests(SqliteOidcFixture fixture) : OidcSignInTests<SqliteOidcFixture>(fixture);

public sealed class PostgresOidcSignInTests(PostgresOidcFixture fixture) : OidcSignInTests<PostgresOidcFixture>(fixture);

/// <summary>
/// Sign-in through a real OpenID Connect authority, as a browser does it: Passerelle's sign-in page, the authority's
/// authorization endpoint, the callback, the External page, the back office. Each test signs in a person of its own.
/// Every test runs once per database provider (the sealed subclasses above pick the fixture).
/// </summary>
public abstract partial class OidcSignInTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : OidcFixture
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PasserelleApp App => fixture.App;

    private TestAuthority Authority => fixture.Authority;

    [Fact]
    public async Task SignIn_EditorOfAProgramme_LandsInAdminAsEditorOfThatProgramme()
    {
        var programme = await App.WithDbAsync(db => db.Programmes.OrderBy(p => p.Id).Select(p => new { p.Id, p.Slug }).FirstAsync(Ct));
        Authority.User = new("editor-1", "erika@secretariat.example", "Erika Editor", ["passerelle-editor"], [programme.Slug, "no-such-programme"]);
        using var browser = NewBrowser();

        using var response = await SignInAsync(browser);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/admin", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Signed in as Erika Editor (Editor)", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        var user = await UserAsync("erika@secretariat.example");
        Assert.Equal(AccessRole.Editor, user.Role);
        Assert.Equal("Erika Editor", user.DisplayName);
        Assert.Equal(Authority.Url + "/", user.ExternalIssuer);
        Assert.Equal([programme.Id], user.Scopes.Select(s => s.ProgrammeId));
        Assert.Null(user.PasswordHash);
        var login = await App.WithDbAsync(db => db.UserLogins.SingleAsync(l => l.UserId == user.Id, Ct));
        Assert.Equal((Authority.Url + "/", "editor-1"), (login.LoginProvider, login.ProviderKey));
        Assert.Contains(await AuditAsync(user.Id), e => e.Kind == AuditKind.SignIn && e.Detail == "with " + OidcFixture.DisplayName);
    }

    [Fact]
    public async Task SignIn_ClaimsMapToNoRole_RefusedInThePageLanguageAndNoUserCreated()
    {
        Authority.User = new("staff-1", "nora@elsewhere.example", "Nora Nobody", ["accounting", "intranet-user"]);
        using var browser = NewBrowser();

        using var response = await SignInAsync(browser, "/fr");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("/fr/admin/account/external", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Votre compte chez Test authority ne vous donne aucun rôle dans Passerelle.",
            HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "nora@elsewhere.example", Ct)));
        var failure = await App.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Kind == AuditKind.SignInFailed && e.Actor == "nora@elsewhere.example", Ct));
        Assert.Equal(Authority.Url + "/ staff-1", failure.Subject);
        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task SignIn_EditorClaimsNamingNoKnownProgramme_Refused()
    {
        Authority.User = new("editor-2", "otto@secretariat.example", "Otto Orphan", ["passerelle-editor"], ["no-such-programme"]);
        using var browser = NewBrowser();

        using var response = await SignInAsync(browser);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("names no programme or grouping of this Passerelle", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "otto@secretariat.example", Ct)));
        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task SignIn_RoleChangedAtTheAuthority_AppliedAtTheNextSignIn()
    {
        var grouping = await App.WithDbAsync(db => db.Groupings.OrderBy(g => g.Id).Select(g => new { g.Id, g.Slug }).FirstAsync(Ct));
        Authority.User = new("changing-1", "chris@secretariat.example", "Chris Change", ["passerelle-editor"], Groupings: [grouping.Slug]);
        using (var first = NewBrowser())
        {
            using var response = await SignInAsync(first);
            Assert.Equal("/admin", response.RequestMessage!.RequestUri!.AbsolutePath);
        }

        var before = await UserAsync("chris@secretariat.example");
        Assert.Equal((AccessRole.Editor, (int?)grouping.Id), (before.Role, Assert.Single(before.Scopes).GroupingId));

        // Promoted at the authority: an administrator, not sent to enrol an authenticator (the authority's job).
        Authority.User = Authority.User with { Roles = ["secretariat-staff", "passerelle-admin"], Name = "Chris Changed" };
        using (var second = NewBrowser())
        {
            using var response = await SignInAsync(second);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("/admin", response.RequestMessage!.RequestUri!.AbsolutePath);
            Assert.Contains("Signed in as Chris Changed (Administrator)", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
            using var users = await second.GetAsync("/admin/users", Ct);
            Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        }

        var promoted = await UserAsync("chris@secretariat.example");
        Assert.Equal((before.Id, AccessRole.Administrator, "Chris Changed"), (promoted.Id, promoted.Role, promoted.DisplayName));
        Assert.Empty(promoted.Scopes);

        // Then only staff: a viewer.
        Authority.User = Authority.User with { Roles = ["secretariat-staff"] };
        using (var third = NewBrowser())
        {
            using var response = await SignInAsync(third);
            Assert.Equal("/admin", response.RequestMessage!.RequestUri!.AbsolutePath);
        }

        Assert.Equal(AccessRole.Viewer, (await UserAsync("chris@secretariat.example")).Role);
        Assert.Equal(1, await App.WithDbAsync(db => db.Users.CountAsync(u => u.Email == "chris@secretariat.example", Ct)));
        Assert.Equal(1, await App.WithDbAsync(db => db.UserLogins.CountAsync(l => l.UserId == before.Id, Ct)));
        var changes = (await AuditAsync(before.Id)).Where(e => e.Kind == AuditKind.UserChanged).Select(e => e.Detail).ToList();
        Assert.Equal([$"Editor of grouping {grouping.Id} → Administrator", "Administrator → Viewer"], changes);
    }

    [Fact]
    public async Task SignIn_RoleWithdrawnAtTheAuthority_RefusedAndTheUserKept()
    {
        Authority.User = new("leaving-1", "lea@secretariat.example", "Lea Leaving", ["passerelle-viewer"]);
        using (var first = NewBrowser())
        {
            using var response = await SignInAsync(first);
            Assert.Equal("/admin", response.RequestMessage!.RequestUri!.AbsolutePath);
        }

        Authority.User = Authority.User with { Roles = [] };
        using var second = NewBrowser();

        using var refused = await SignInAsync(second);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(AccessRole.Viewer, (await UserAsync("lea@secretariat.example")).Role);
        await AssertSignedOutAsync(second);
    }

    [Fact]
    public async Task SignIn_EmailOfALocalAccount_RefusedAndTheAccountUntouched()
    {
        int local;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            local = (await scope.ServiceProvider.GetRequiredService<UserDirectory>()
                .CreateAsync("local@secretariat.example", "Local Person", AccessRole.Viewer, [], [], "test", Ct)).Id;
        }

        Authority.User = new("impostor-1", "local@secretariat.example", "Someone Else", ["passerelle-admin"]);
        using var browser = NewBrowser();

        using var response = await SignInAsync(browser);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("already exists and signs in with its own password", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        var user = await UserAsync("local@secretariat.example");
        Assert.Equal((local, AccessRole.Viewer, "Local Person", (string?)null), (user.Id, user.Role, user.DisplayName, user.ExternalIssuer));
        Assert.False(await App.WithDbAsync(db => db.UserLogins.AnyAsync(l => l.UserId == local, Ct)));
        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task SignInExternal_LinkingAllowed_TakesTheLocalAccountOverAndRemovesItsPassword()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<User>>();
        var local = await directory.CreateAsync("linked@secretariat.example", "Linda Local", AccessRole.Viewer, [], [], "test", Ct);
        Assert.True((await users.AddPasswordAsync(local, "a long enough local password")).Succeeded);
        var identity = new ExternalIdentity(Authority.Url + "/", "linked-1", OidcFixture.DisplayName, "linked@secretariat.example", "Linda Linked",
            AccessRole.Administrator, [], []);

        var user = await directory.SignInExternalAsync(identity, linkExisting: true, Ct);

        var stored = await UserAsync("linked@secretariat.example");
        Assert.Equal((local.Id, AccessRole.Administrator, "Linda Linked", Authority.Url + "/"), (user.Id, stored.Role, stored.DisplayName, stored.ExternalIssuer));
        Assert.Null(stored.PasswordHash);
        Assert.Equal(local.Id, (await users.FindByLoginAsync(Authority.Url + "/", "linked-1"))?.Id);
        Assert.Contains(await AuditAsync(local.Id), e => e.Kind == AuditKind.UserChanged && e.Detail!.EndsWith("; password removed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Admin_FromTheAuthorityWithALocalPassword_MustEnrolAnAuthenticator()
    {
        Authority.User = new("admin-1", "ada@secretariat.example", "Ada Admin", ["passerelle-admin"]);
        using var browser = NewBrowser();
        using (var response = await SignInAsync(browser))
        {
            Assert.Equal("/admin", response.RequestMessage!.RequestUri!.AbsolutePath);
        }

        // An administrator issued them a password link and they used it: that password signs in without the authority.
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<User>>();
            Assert.True((await users.AddPasswordAsync((await users.FindByEmailAsync("ada@secretariat.example"))!, "a long enough local password")).Succeeded);
        }

        using var next = await browser.GetAsync("/admin", Ct);

        Assert.Equal("/admin/profile/authenticator", next.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Callback_TamperedState_RefusedAndNotSignedIn()
    {
        Authority.User = new("tamper-1", "tess@secretariat.example", "Tess Tamper", ["passerelle-admin"]);
        using var browser = NewBrowser(followRedirects: false);
        var callback = await CallbackAsync(browser, Authority.Url);
        var state = StateParameter().Match(callback).Groups[1].Value;
        var tampered = callback.Replace("state=" + state, "state=" + (state[0] == 'A' ? 'B' : 'A') + state[1..], StringComparison.Ordinal);
        var since = await LastAuditIdAsync();

        var page = await FollowAsync(browser, tampered);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("Sign-in with Test authority did not complete.", HtmlText.Of(await page.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "tess@secretariat.example", Ct)));
        Assert.Contains("message.State", await CallbackFailureAsync(since), StringComparison.Ordinal);
        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task Callback_ReplayedInAnotherBrowser_Refused()
    {
        Authority.User = new("replay-1", "rita@secretariat.example", "Rita Replay", ["passerelle-admin"]);
        using var victim = NewBrowser(followRedirects: false);
        var callback = await CallbackAsync(victim, Authority.Url);
        using var attacker = NewBrowser(followRedirects: false);
        var since = await LastAuditIdAsync();

        var page = await FollowAsync(attacker, callback);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("Correlation failed", await CallbackFailureAsync(since), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "rita@secretariat.example", Ct)));
        await AssertSignedOutAsync(attacker);
    }

    [Fact]
    public async Task Callback_CodeFromAnAuthorityNotConfigured_Refused()
    {
        // A mix-up: the sign-in starts at the configured authority, but the code comes from another one (here a real
        // authority with a client of the same id and the same redirect address), which vouches for an administrator.
        fixture.Other.User = new("mixup-1", "max@attacker.example", "Max Mixup", ["passerelle-admin"]);
        Authority.User = null;
        using var browser = NewBrowser(followRedirects: false);

        var callback = await CallbackAsync(browser, fixture.Other.Url);
        var since = await LastAuditIdAsync();
        var page = await FollowAsync(browser, callback);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        // The configured authority does not know the other one's code.
        Assert.Contains("invalid_grant", await CallbackFailureAsync(since), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "max@attacker.example", Ct)));
        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task SignIn_AuthorityDeniesAccess_MessageInThePageLanguage()
    {
        Authority.User = null;
        using var browser = NewBrowser();
        var since = await LastAuditIdAsync();

        using var response = await SignInAsync(browser, "/nl");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("/nl/admin/account/external", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Aanmelden met Test authority is niet gelukt.", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Contains("denied", await CallbackFailureAsync(since), StringComparison.Ordinal);
        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task External_OpenedDirectly_ShowsTheFailureAndSignsNobodyIn()
    {
        using var browser = NewBrowser();

        using var response = await browser.GetAsync("/admin/account/external", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertSignedOutAsync(browser);
    }

    private HttpClient NewBrowser(bool followRedirects = true) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = followRedirects })
        {
            BaseAddress = new Uri(fixture.BaseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Opens the sign-in page and presses "Sign in with Test authority" (following redirects when the client does).</summary>
    private async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string language = "")
    {
        var html = await browser.GetStringAsync($"{language}/admin/account/sign-in", Ct);
        Assert.Contains("Test authority", HtmlText.Of(html), StringComparison.Ordinal);
        var token = AntiforgeryToken().Match(html).Groups[1].Value;
        return await browser.PostAsync($"{language}/admin/account/sign-in?handler=External", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["ReturnUrl"] = "",
        }), Ct);
    }

    /// <summary>
    /// Starts a sign-in without following redirects and sends the authorization request to <paramref name="authorityUrl"/>
    /// (the configured authority, or another one for a mix-up); returns the callback address the authority answers with.
    /// </summary>
    private async Task<string> CallbackAsync(HttpClient browser, string authorityUrl)
    {
        using var challenge = await SignInAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(Authority.Url + "/connect/authorize?", authorize.ToString(), StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", authorize.Query, StringComparison.Ordinal);
        using var atAuthority = await browser.GetAsync(authorityUrl + authorize.PathAndQuery, Ct);
        Assert.Equal(HttpStatusCode.Redirect, atAuthority.StatusCode);
        var callback = atAuthority.Headers.Location!.ToString();
        Assert.StartsWith(fixture.BaseUrl + "/admin/account/oidc-callback?", callback, StringComparison.Ordinal);
        Assert.Contains("code=", callback, StringComparison.Ordinal);
        return callback;
    }

    /// <summary>Follows redirects by hand (the client does not) and returns the last answer.</summary>
    private static async Task<HttpResponseMessage> FollowAsync(HttpClient browser, string address)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            var response = await browser.GetAsync(address, Ct);
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther))
            {
                return response;
            }

            address = new Uri(new Uri(browser.BaseAddress!, address), response.Headers.Location!).ToString();
            response.Dispose();
        }

        throw new InvalidOperationException("More than 10 redirects.");
    }

    private static async Task AssertSignedOutAsync(HttpClient browser)
    {
        using var response = await browser.GetAsync("/admin", Ct);
        var final = response.StatusCode == HttpStatusCode.Redirect ? response.Headers.Location!.ToString() : response.RequestMessage!.RequestUri!.ToString();
        Assert.Contains("/admin/account/sign-in", final, StringComparison.Ordinal);
    }

    private Task<User> UserAsync(string email) =>
        App.WithDbAsync(db => db.Users.AsNoTracking().Include(u => u.Scopes).SingleAsync(u => u.Email == email, Ct));

    private async Task<long> LastAuditIdAsync() => await App.WithDbAsync(db => db.AuditEntries.MaxAsync(e => (long?)e.Id, Ct)) ?? 0;

    /// <summary>The one failed callback recorded after <paramref name="since"/>: its detail.</summary>
    private async Task<string> CallbackFailureAsync(long since)
    {
        var entry = Assert.Single(await App.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Id > since).ToListAsync(Ct)));
        Assert.Equal((AuditKind.SignInFailed, OidcFixture.DisplayName), (entry.Kind, entry.Actor));
        return entry.Detail!;
    }

    private Task<List<AuditEntry>> AuditAsync(int userId) =>
        App.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.UserId == userId).OrderBy(e => e.Id).ToListAsync(Ct));

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("[?&]state=([^&]+)")]
    private static partial Regex StateParameter();
}
