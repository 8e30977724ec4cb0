using System.Net;

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Accounts;

public sealed class SqliteSignInTests(PasserelleApp app) : SignInTests<PasserelleApp>(app);

public sealed class PostgresSignInTests(PostgresApp app) : SignInTests<PostgresApp>(app);

/// <summary>Sign-in to the back office: passwords, lockout, authenticator codes, one-time links, CSRF, redirects.</summary>
public abstract class SignInTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Local(Uri location) => new Uri(new Uri("http://localhost"), location).PathAndQuery;

    [Fact]
    public async Task SignIn_RightPassword_OpensTheBackOfficeAndIsAudited()
    {
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);

        using var response = await viewer.Client.GetAsync("/admin", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(viewer.User.DisplayName, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Kind == AuditKind.SignIn && a.UserId == viewer.Id, Ct)));
    }

    [Fact]
    public async Task Admin_Anonymous_RedirectsToSignInInThePagesLanguage()
    {
        using var client = app.CreateBrowserClient();

        using var english = await client.GetAsync("/admin/users", Ct);
        using var french = await client.GetAsync("/fr/admin", Ct);

        Assert.Equal(HttpStatusCode.Redirect, english.StatusCode);
        Assert.StartsWith("/admin/account/sign-in?ReturnUrl=%2Fadmin%2Fusers", Local(english.Headers.Location!), StringComparison.Ordinal);
        Assert.StartsWith("/fr/admin/account/sign-in", Local(french.Headers.Location!), StringComparison.Ordinal);
        var page = await client.GetStringAsync(Local(french.Headers.Location!), Ct);
        Assert.Contains("<h1>Se connecter</h1>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LocksTheAccountEvenForTheRightOne()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Viewer, signIn: false);
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await editor.Client.SubmitFormAsync(TestAccounts.SignInPath, [("Email", editor.Email), ("Password", "not the password at all")]);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        using var right = await editor.Client.SubmitFormAsync(TestAccounts.SignInPath, [("Email", editor.Email), ("Password", editor.Password)]);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked for 15 minutes", HtmlText.Of(await right.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        var kinds = await app.WithDbAsync(db => db.AuditEntries.Where(a => a.UserId == editor.Id).Select(a => a.Kind).ToListAsync(Ct));
        Assert.Equal(4, kinds.Count(k => k == AuditKind.SignInFailed));
        Assert.Contains(AuditKind.LockedOut, kinds);
        Assert.DoesNotContain(AuditKind.SignIn, kinds);
    }

    [Fact]
    public async Task SignIn_UnknownEmail_SaysTheSameAsAWrongPassword()
    {
        using var client = app.CreateBrowserClient();

        using var response = await client.SubmitFormAsync(TestAccounts.SignInPath, [("Email", "nobody@example.org"), ("Password", "whatever it is here")]);

        // No way to learn which addresses have accounts.
        Assert.Contains("The e-mail address or the password is wrong.", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_AdministratorWithoutAuthenticator_MustEnrolBeforeAnythingElse()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator, twoFactor: false);

        using var home = await admin.Client.GetAsync("/admin/users", Ct);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/admin/profile/authenticator", home.Headers.Location!.OriginalString);

        var page = await admin.Client.GetStringAsync("/admin/profile/authenticator", Ct);
        var key = System.Text.RegularExpressions.Regex.Match(page, "data-testid=\"authenticator-key\">([^<]+)<").Groups[1].Value;
        using var wrong = await admin.Client.SubmitFormAsync("/admin/profile/authenticator", [("Code", "000000")]);
        Assert.Contains("This code is not right", HtmlText.Of(await wrong.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        using var enrolled = await admin.Client.SubmitFormAsync("/admin/profile/authenticator", [("Code", Totp.Code(key, DateTimeOffset.UtcNow))]);
        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);

        using var users = await admin.Client.GetAsync("/admin/users", Ct);
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        // From now on the administrator signs in with a code.
        using var fresh = app.CreateBrowserClient();
        using var step = await fresh.SubmitFormAsync(TestAccounts.SignInPath, [("Email", admin.Email), ("Password", admin.Password)]);
        Assert.StartsWith("/admin/account/two-factor", step.Headers.Location!.OriginalString, StringComparison.Ordinal);
        await fresh.SignInAsync(admin.Email, admin.Password, key.Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoFactor_WrongCode_RefusedAndAudited()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator, signIn: false);
        using var step = await admin.Client.SubmitFormAsync(TestAccounts.SignInPath, [("Email", admin.Email), ("Password", admin.Password)]);
        var twoFactor = step.Headers.Location!.OriginalString;

        using var wrong = await admin.Client.SubmitFormAsync(twoFactor, [("Code", "123456")]);

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        using var still = await admin.Client.GetAsync("/admin", Ct);
        Assert.Equal(HttpStatusCode.Redirect, still.StatusCode);
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Kind == AuditKind.TwoFactorFailed && a.UserId == admin.Id, Ct)));
    }

    [Fact]
    public async Task SignIn_ReturnUrlOnAnotherSite_GoesToTheBackOfficeInstead()
    {
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer, signIn: false);

        using var response = await viewer.Client.SubmitFormAsync(TestAccounts.SignInPath + "?ReturnUrl=https%3A%2F%2Fevil.example%2F",
            [("Email", viewer.Email), ("Password", viewer.Password)]);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_IsRefusedAndChangesNothing()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var email = $"csrf.{Guid.NewGuid():N}@example.org";

        using var signIn = await app.CreateBrowserClient().PostFormAsync(TestAccounts.SignInPath, [("Email", admin.Email), ("Password", admin.Password)]);
        using var create = await admin.Client.PostFormAsync("/admin/users/create", [("Email", email), ("DisplayName", "Forged"), ("Role", "Administrator")]);

        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.False(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email, Ct)));
    }

    [Fact]
    public async Task Users_EditorOrViewer_AreRefused()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: ["fwv-2021-2027"]);
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);

        foreach (var client in new[] { editor.Client, viewer.Client })
        {
            using var response = await client.GetAsync("/admin/users", Ct);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/admin/account/denied", Local(response.Headers.Location!), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Users_AdministratorCreatesEditor_OneTimeLinkSetsPasswordOnce()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var programme = await app.WithDbAsync(db => db.Programmes.FirstAsync(p => p.Slug == "fwv-2021-2027", Ct));
        var email = $"new.editor.{Guid.NewGuid():N}@example.org";

        using var created = await admin.Client.SubmitFormAsync("/admin/users/create",
            [("Email", email), ("DisplayName", "Nouvelle Éditrice"), ("Role", "Editor"), ("ProgrammeIds", programme.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        var html = await created.Content.ReadAsStringAsync(Ct);
        var link = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"password-link\">([^<]+)<").Groups[1].Value);
        Assert.StartsWith("/admin/account/set-password?user=", link, StringComparison.Ordinal);

        using var browser = app.CreateBrowserClient();
        const string Password = "a new editor's long passphrase";
        using var set = await browser.SubmitFormAsync(link, [("Password", Password), ("Confirm", Password)]);
        Assert.Contains("Your password is set", HtmlText.Of(await set.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        await browser.SignInAsync(email, Password);
        var home = await browser.GetStringAsync("/admin", Ct);
        Assert.Contains("Nouvelle Éditrice", WebUtility.HtmlDecode(home), StringComparison.Ordinal);

        // The link is dead once used.
        using var again = await app.CreateBrowserClient().SubmitFormAsync(link, [("Password", "another long passphrase"), ("Confirm", "another long passphrase")]);
        Assert.Contains("not valid", HtmlText.Of(await again.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_EditorWithoutScope_IsRefusedWithTheMessageInThePagesLanguage()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var email = $"no.scope.{Guid.NewGuid():N}@example.org";

        using var response = await admin.Client.SubmitFormAsync("/fr/admin/users/create", [("Email", email), ("DisplayName", "Sans périmètre"), ("Role", "Editor")]);

        Assert.Contains("Un éditeur modifie au moins un programme", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.False(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email, Ct)));
    }

    [Fact]
    public async Task Users_DisabledUser_IsRefusedAtTheNextRequest()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        using (var before = await viewer.Client.GetAsync("/admin", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var disabled = await admin.Client.SubmitFormAsync($"/admin/users/{viewer.Id}",
            [("DisplayName", viewer.User.DisplayName), ("Role", "Viewer"), ("Disabled", "true")]);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);

        using var after = await viewer.Client.GetAsync("/admin", Ct);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }
}

/// <summary>The first administrator, from the one-time link printed at the first start: a database without any.</summary>
public sealed class SetupLinkTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Setup_ValidLink_CreatesTheAdministratorOnceThenAsksForAnAuthenticator()
    {
        string token;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            token = (await scope.ServiceProvider.GetRequiredService<UserDirectory>().IssueSetupTokenAsync(Ct))!;
        }

        using var browser = app.CreateBrowserClient();
        using (var bad = await browser.GetAsync("/admin/setup?token=0123", Ct))
        {
            Assert.Contains("not valid", HtmlText.Of(await bad.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        }

        const string Password = "the first administrator's passphrase";
        using var created = await browser.SubmitFormAsync($"/admin/setup?token={token}",
            [("Email", "first.admin@example.org"), ("DisplayName", "First Admin"), ("Password", Password), ("Confirm", Password)]);

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/admin/profile/authenticator", created.Headers.Location!.OriginalString);
        var user = await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == "first.admin@example.org", Ct));
        Assert.Equal(AccessRole.Administrator, user.Role);
        using var again = await app.CreateBrowserClient().GetAsync($"/admin/setup?token={token}", Ct);
        Assert.Contains("not valid", HtmlText.Of(await again.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // With an administrator, no new setup link is issued.
            Assert.Null(await scope.ServiceProvider.GetRequiredService<UserDirectory>().IssueSetupTokenAsync(Ct));
        }
    }
}
