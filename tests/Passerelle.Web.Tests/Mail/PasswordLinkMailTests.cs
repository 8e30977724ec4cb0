using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Web.Tests.Hosting;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Mail;

/// <summary>A back office whose password links go by e-mail through a real SMTP server on a loopback port.</summary>
public sealed class MailApp : PasserelleApp
{
    public SmtpTestServer Smtp { get; } = SmtpTestServer.Start();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in Smtp.Settings())
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>Optional SMTP (ADR 0020): links mailed, not shown; a refused mail shows the link and the reason; half-set settings stop the start.</summary>
public sealed partial class PasswordLinkMailTests(MailApp app) : IClassFixture<MailApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateUser_SmtpSet_MailsTheLinkInThePagesLanguageAndDoesNotShowIt()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var email = $"viewer.{Guid.NewGuid():N}@example.org";

        using var created = await admin.Client.SubmitFormAsync("/fr/admin/users/create", [("Email", email), ("DisplayName", "Élise Lecteur"), ("Role", "Viewer")]);
        var html = await created.Content.ReadAsStringAsync(Ct);

        var mail = await app.Smtp.WaitForAsync(email);
        Assert.Equal(SmtpTestServer.UserName, mail.AuthenticatedUser);
        Assert.Equal("Votre compte Passerelle", mail.Message.Subject);
        Assert.Equal("no-reply@passerelle.example.eu", mail.Message.From.Mailboxes.Single().Address);
        Assert.Contains("Bonjour Élise Lecteur", mail.Text, StringComparison.Ordinal);
        var link = Link().Match(mail.Text);
        Assert.True(link.Success, mail.Text);
        Assert.Equal("/fr/admin/account/set-password", link.Groups["path"].Value);

        // The page says where the link went and does not show it: it is the new user's key, not the administrator's.
        Assert.Contains("data-testid=\"password-link-mailed\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("set-password", html, StringComparison.Ordinal);

        // The mailed link works: the user chooses a password and signs in.
        using var browser = app.CreateBrowserClient();
        const string Password = "a passphrase chosen from the mail";
        using var set = await browser.SubmitFormAsync(link.Groups["path"].Value + link.Groups["query"].Value, [("Password", Password), ("Confirm", Password)]);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await browser.SignInAsync(email, Password);
        Assert.Contains("Élise Lecteur", WebUtility.HtmlDecode(await browser.GetStringAsync("/admin", Ct)), StringComparison.Ordinal);
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Kind == AuditKind.PasswordLinkMailed && a.Subject == email, Ct)));
    }

    [Fact]
    public async Task IssueLink_SmtpSet_MailsANewLinkToTheUser()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: ["fwv-2021-2027"]);

        using var issued = await admin.Client.SubmitFormAsync($"/admin/users/{editor.Id}", [], handler: "Link");
        var html = await issued.Content.ReadAsStringAsync(Ct);

        var mail = await app.Smtp.WaitForAsync(editor.Email);
        Assert.Equal("Choose your Passerelle password", mail.Message.Subject);
        Assert.Matches(Link(), mail.Text);
        Assert.Contains("data-testid=\"password-link-mailed\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("set-password", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateUser_ServerRefusesTheAddress_ShowsTheReasonAndTheLinkAndKeepsTheAccount()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var email = $"someone.{Guid.NewGuid():N}@{SmtpTestServer.RefusedDomain}";

        using var created = await admin.Client.SubmitFormAsync("/admin/users/create", [("Email", email), ("DisplayName", "Refused Address"), ("Role", "Viewer")]);
        var html = await created.Content.ReadAsStringAsync(Ct);

        Assert.Contains("data-testid=\"mail-error\"", html, StringComparison.Ordinal);
        Assert.Contains("550", html, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"password-link\">https://passerelle\\.example\\.eu/admin/account/set-password\\?user=\\d+&amp;token=", html);
        Assert.DoesNotContain(app.Smtp.Received, m => m.To == email);
        Assert.True(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email, Ct)));
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Kind == AuditKind.MailFailed && a.Subject == email, Ct)));
    }

    [Fact]
    public async Task UsersAdd_SmtpSet_MailsTheLinkAndDoesNotPrintIt()
    {
        await using var database = await ProcessDatabase.CreateAsync(DatabaseProvider.Sqlite, fromTemplate: true);
        var settings = database.Settings();
        foreach (var (key, value) in app.Smtp.Settings())
        {
            settings[key] = value;
        }

        var email = $"first.{Guid.NewGuid():N}@example.org";
        var added = await PasserelleProcess.RunAsync(settings, "users", "add", "--admin", email, "--name", "First Admin");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains($"sent by e-mail to {email}", added.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("set-password", added.Stdout, StringComparison.Ordinal);
        var mail = await app.Smtp.WaitForAsync(email);
        Assert.Equal("Your Passerelle account", mail.Message.Subject);
        Assert.Equal("/admin/account/set-password", Link().Match(mail.Text).Groups["path"].Value);
    }

    [Fact]
    public async Task UsersLink_ServerRefusesTheAddress_PrintsTheLinkOneErrorLineExitSeven()
    {
        await using var database = await ProcessDatabase.CreateAsync(DatabaseProvider.Sqlite, fromTemplate: true);
        var settings = database.Settings();
        var email = $"viewer@{SmtpTestServer.RefusedDomain}";
        Assert.Equal(0, (await PasserelleProcess.RunAsync(settings, "users", "add", "--viewer", email)).ExitCode);
        foreach (var (key, value) in app.Smtp.Settings())
        {
            settings[key] = value;
        }

        var linked = await PasserelleProcess.RunAsync(settings, "users", "link", email);

        linked.AssertOneErrorLine(7);
        Assert.Contains(email, linked.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"https://passerelle\.example\.eu/admin/account/set-password\?user=\d+&token=\S+", linked.Stdout);
    }

    [Fact]
    public async Task UsersAdd_SmtpHalfConfigured_OneErrorLineNamingEachSettingNothingWritten()
    {
        await using var database = await ProcessDatabase.CreateAsync(DatabaseProvider.Sqlite, fromTemplate: true);
        var settings = database.Settings();
        settings["Smtp:Host"] = "mail.example.eu";
        settings["Smtp:Security"] = "None";
        settings["Smtp:UserName"] = "passerelle";

        var added = await PasserelleProcess.RunAsync(settings, "users", "add", "--viewer", "v@example.org");

        added.AssertOneErrorLine(2);
        foreach (var named in new[] { "Smtp:From", "Smtp:UserName", "Smtp:Security", "PublicUrl" })
        {
            Assert.Contains(named, added.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(0L, await database.CountAsync("Users"));
    }

    [GeneratedRegex(@"https://passerelle\.example\.eu(?<path>/[a-z/-]+)(?<query>\?user=\d+&token=\S+)")]
    private static partial Regex Link();
}
