using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Web.Api;
using Passerelle.Web.Areas.Admin;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Accounts;

public sealed class SqliteAccessTokenTests(SqliteAccessTokenTests.App app) : AccessTokenTests<SqliteAccessTokenTests.App>(app)
{
    public sealed class App : SqliteClockedApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            WriteProbe.Install(builder);
        }
    }
}

public sealed class PostgresAccessTokenTests(PostgresAccessTokenTests.App app) : AccessTokenTests<PostgresAccessTokenTests.App>(app)
{
    public sealed class App : PostgresClockedApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            WriteProbe.Install(builder);
        }
    }
}

/// <summary>
/// Personal access tokens end to end: made on the profile page, used on /api/v1/me and on a write route, refused once
/// revoked, expired or their user disabled; always acting with the user's role and scope as they are now.
/// </summary>
public abstract partial class AccessTokenTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, IClockedApp, new()
{
    private const string TokensPage = "/admin/profile/tokens";
    private const string Programme = "fwv-2014-2020";
    private const string Grouping = "eurometropole";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TokensPage_Create_ShowsTheSecretOnceAndStoresOnlyItsHash()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);

        using var created = await editor.Client.SubmitFormAsync(TokensPage, [("Name", "import script"), ("Expiry", "90")]);
        var createdHtml = await created.Content.ReadAsStringAsync(Ct);
        var secret = SecretIn(createdHtml);
        using var reload = await editor.Client.GetAsync(TokensPage, Ct);
        var reloadHtml = await reload.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.NotNull(secret);
        Assert.Matches("^pat_[A-Za-z0-9_-]{43}$", secret);
        Assert.Contains("no-store", created.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        // A reload lists the token by its beginning, never the secret again.
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.DoesNotContain(secret, reloadHtml, StringComparison.Ordinal);
        Assert.Null(SecretIn(reloadHtml));
        Assert.Contains("import script", reloadHtml, StringComparison.Ordinal);
        Assert.Contains(secret[..12] + "…", HtmlText.Of(reloadHtml), StringComparison.Ordinal);

        var (token, audit) = await app.WithDbAsync(async db => (
            await db.AccessTokens.AsNoTracking().SingleAsync(t => t.UserId == editor.Id, Ct),
            await db.AuditEntries.AsNoTracking().Where(a => a.UserId == editor.Id).ToListAsync(Ct)));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(secret))), token.Hash);
        Assert.Equal(secret[4..12], token.Prefix);
        Assert.All(new[] { token.Name, token.Prefix, token.Hash }, v => Assert.DoesNotContain(secret[4..], v, StringComparison.Ordinal));
        Assert.Equal(token.CreatedAt.AddDays(90), token.ExpiresAt);
        Assert.Contains(audit, a => a.Kind == AuditKind.TokenCreated && a.Subject!.Contains("import script", StringComparison.Ordinal));
        Assert.All(audit, a => Assert.DoesNotContain(secret[4..], $"{a.Actor} {a.Subject} {a.Detail}", StringComparison.Ordinal));
        if (app.Provider == DatabaseProvider.Sqlite)
        {
            // Nowhere in the database's bytes either (the file and its write-ahead log).
            foreach (var file in new[] { app.SqliteFile, app.SqliteFile + "-wal" }.Where(File.Exists))
            {
                Assert.DoesNotContain(secret[4..], await ReadSharedAsync(file), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Me_ValidToken_ReturnsTheUserRoleScopeAndToken()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme], groupings: [Grouping]);
        var secret = await CreateTokenAsync(editor, "CI", "30");

        using var response = await MeAsync(secret);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(editor.Id, me.GetProperty("id").GetInt32());
        Assert.Equal(editor.Email, me.GetProperty("email").GetString());
        Assert.Equal("Editor", me.GetProperty("role").GetString());
        Assert.True(me.GetProperty("canWrite").GetBoolean());
        Assert.False(me.GetProperty("scope").GetProperty("everything").GetBoolean());
        Assert.Equal([Programme], Slugs(me, "programmes"));
        Assert.Equal([Grouping], Slugs(me, "groupings"));
        var token = me.GetProperty("token");
        Assert.Equal("CI", token.GetProperty("name").GetString());
        Assert.Equal(secret[..12] + "…", token.GetProperty("prefix").GetString());
        var expires = token.GetProperty("expiresAt").GetDateTimeOffset();
        var createdAt = token.GetProperty("createdAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromDays(30), expires - createdAt);
        Assert.EndsWith("Z", token.GetProperty("expiresAt").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Me_Administrator_HasEverythingInScope()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var secret = await CreateTokenAsync(admin, "admin script");

        using var response = await MeAsync(secret);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Administrator", me.GetProperty("role").GetString());
        Assert.True(me.GetProperty("scope").GetProperty("everything").GetBoolean());
    }

    [Fact]
    public async Task Me_RevokedToken_Answers401WithInvalidToken()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var secret = await CreateTokenAsync(editor, "to revoke");
        using var before = await MeAsync(secret);
        var tokenId = await TokenIdAsync(editor.Id, "to revoke");

        using var revoke = await editor.Client.SubmitFormAsync(TokensPage, [("TokenId", tokenId.ToString(System.Globalization.CultureInfo.InvariantCulture))], handler: "Revoke");
        using var after = await MeAsync(secret);
        using var page = await editor.Client.GetAsync(revoke.Headers.Location, Ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        await AssertUnauthorizedAsync(after, invalidToken: true);
        Assert.Contains("“to revoke” is revoked", HtmlText.Of(await page.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        var audit = await AuditAsync(editor.Id);
        Assert.Contains(audit, a => a.Kind == AuditKind.TokenRevoked && a.Actor == editor.User.DisplayName);
        Assert.Contains(audit, a => a.Kind == AuditKind.TokenRefused && a.Detail!.StartsWith("revoked: GET /api/v1/me", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Me_ExpiredToken_Answers401()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var secret = await CreateTokenAsync(editor, "month", "30");
        using var before = await MeAsync(secret);

        app.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        using var after = await MeAsync(secret);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await AssertUnauthorizedAsync(after, invalidToken: true);
        Assert.Contains(await AuditAsync(editor.Id), a => a.Kind == AuditKind.TokenRefused && a.Detail!.StartsWith("expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Me_TokenWithoutExpiry_StillWorksYearsLater()
    {
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        var secret = await CreateTokenAsync(viewer, "forever", TokensModelNoExpiry);

        app.Clock.Advance(TimeSpan.FromDays(3 * 365));
        using var response = await MeAsync(secret);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonValueKind.Null, me.GetProperty("token").GetProperty("expiresAt").ValueKind);
        Assert.False(me.GetProperty("canWrite").GetBoolean());
    }

    [Fact]
    public async Task Me_DisabledUser_Answers401UntilEnabledAgain()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var secret = await CreateTokenAsync(editor, "script");
        var programmeId = await ProgrammeIdAsync(Programme);

        await UpdateUserAsync(editor, AccessRole.Editor, [programmeId], [], disabled: true);
        using var disabled = await MeAsync(secret);
        await UpdateUserAsync(editor, AccessRole.Editor, [programmeId], [], disabled: false);
        using var enabled = await MeAsync(secret);

        await AssertUnauthorizedAsync(disabled, invalidToken: true);
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.Contains(await AuditAsync(editor.Id), a => a.Kind == AuditKind.TokenRefused && a.Detail!.StartsWith("user disabled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Me_UserScopeChanged_ShowsTheScopeAsItIsNow()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var secret = await CreateTokenAsync(editor, "script");
        var groupingId = await app.WithDbAsync(db => db.Groupings.Where(g => g.Slug == Grouping).Select(g => g.Id).SingleAsync(Ct));

        using var first = await MeAsync(secret);
        var before = await first.Content.ReadFromJsonAsync<JsonElement>(Ct);
        await UpdateUserAsync(editor, AccessRole.Editor, [], [groupingId], disabled: false);
        using var second = await MeAsync(secret);
        var regrouped = await second.Content.ReadFromJsonAsync<JsonElement>(Ct);
        await UpdateUserAsync(editor, AccessRole.Viewer, [], [], disabled: false);
        using var third = await MeAsync(secret);
        var demoted = await third.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal([Programme], Slugs(before, "programmes"));
        Assert.Empty(Slugs(regrouped, "programmes"));
        Assert.Equal([Grouping], Slugs(regrouped, "groupings"));
        Assert.Equal("Viewer", demoted.GetProperty("role").GetString());
        Assert.False(demoted.GetProperty("canWrite").GetBoolean());
        Assert.Empty(Slugs(demoted, "groupings"));
    }

    [Fact]
    public async Task Me_RepeatedUse_RecordsTheLastUseAtMostOnceAMinute()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var secret = await CreateTokenAsync(editor, "busy script");
        var tokenId = await TokenIdAsync(editor.Id, "busy script");

        var start = app.Clock.GetUtcNow().UtcDateTime;
        for (var i = 0; i < 3; i++)
        {
            using var response = await MeAsync(secret);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var firstUse = await LastUsedAsync(tokenId);
        var usesAfterBurst = (await AuditAsync(editor.Id)).Count(a => a.Kind == AuditKind.TokenUsed);
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        var later = app.Clock.GetUtcNow().UtcDateTime;
        using (var response = await MeAsync(secret))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var secondUse = await LastUsedAsync(tokenId);
        var used = (await AuditAsync(editor.Id)).Where(a => a.Kind == AuditKind.TokenUsed).ToList();
        using var page = await editor.Client.GetAsync(TokensPage, Ct);
        var pageText = HtmlText.Of(await page.Content.ReadAsStringAsync(Ct));

        Assert.NotNull(firstUse);
        Assert.InRange(firstUse.Value, start, later);
        Assert.Equal(1, usesAfterBurst);
        Assert.NotNull(secondUse);
        Assert.True(secondUse >= later, $"last use {secondUse:O} moved to the second minute ({later:O})");
        Assert.Equal(2, used.Count);
        Assert.All(used, a => Assert.Equal("GET /api/v1/me", a.Detail));
        Assert.Contains(secondUse.Value.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC", pageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Me_SignedInBrowserWithoutToken_Answers401NotARedirect()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        using var home = await editor.Client.GetAsync("/admin", Ct);

        using var response = await editor.Client.GetAsync("/api/v1/me", Ct);

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        await AssertUnauthorizedAsync(response, invalidToken: false);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer")]
    [InlineData("Bearer not-a-passerelle-token")]
    [InlineData("Bearer pat_short")]
    [InlineData("Bearer pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Basic dXNlcjpwYXNzd29yZA==")]
    public async Task Me_NoOrBadToken_Answers401WithABearerChallenge(string? authorization)
    {
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request, Ct);

        await AssertUnauthorizedAsync(response, invalidToken: authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task WriteRoute_ByRole_EditorsAndAdministratorsWriteViewersAreForbidden()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        var editorSecret = await CreateTokenAsync(editor, "w");
        var adminSecret = await CreateTokenAsync(admin, "w");
        var viewerSecret = await CreateTokenAsync(viewer, "w");

        using var byEditor = await WriteAsync(editorSecret);
        using var byAdmin = await WriteAsync(adminSecret);
        using var byViewer = await WriteAsync(viewerSecret);
        using var anonymous = await WriteAsync(null);
        // A signed-in editor's browser, cookie and antiforgery token included, is not let in either.
        using var byCookie = await editor.Client.PostAsync(WriteProbe.Path,
            new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", await editor.Client.AntiforgeryTokenAsync(TokensPage))]), Ct);

        Assert.Equal(HttpStatusCode.OK, byEditor.StatusCode);
        Assert.Equal(editor.User.DisplayName, (await byEditor.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byViewer.StatusCode);
        Assert.Equal("application/problem+json", byViewer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ErrorCodes.Forbidden, (await byViewer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errorCode").GetString());
        await AssertUnauthorizedAsync(anonymous, invalidToken: false);
        await AssertUnauthorizedAsync(byCookie, invalidToken: false);
    }

    [Fact]
    public async Task AdminPages_TokenWithoutCookie_AreNotOpened()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var secret = await CreateTokenAsync(admin, "not for pages");
        using var client = app.CreateBrowserClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        using var response = await client.GetAsync("/admin/users", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/admin/account/sign-in", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeForm_WithoutAntiforgeryToken_IsRejectedAndTheTokenStillWorks()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var secret = await CreateTokenAsync(editor, "keep");
        var tokenId = await TokenIdAsync(editor.Id, "keep");

        using var forged = await editor.Client.PostFormAsync(TokensPage + "?handler=Revoke", [("TokenId", tokenId.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        using var me = await MeAsync(secret);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Null(await RevokedAtAsync(tokenId));
    }

    [Fact]
    public async Task RevokeForm_AnotherUsersToken_IsNotFoundAndTheTokenStillWorks()
    {
        using var owner = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        using var other = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var secret = await CreateTokenAsync(owner, "mine");
        var tokenId = await TokenIdAsync(owner.Id, "mine");

        using var attempt = await other.Client.SubmitFormAsync(TokensPage, [("TokenId", tokenId.ToString(System.Globalization.CultureInfo.InvariantCulture))], handler: "Revoke");
        using var me = await MeAsync(secret);
        using var othersPage = await other.Client.GetAsync(TokensPage, Ct);

        Assert.Equal(HttpStatusCode.NotFound, attempt.StatusCode);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Null(await RevokedAtAsync(tokenId));
        Assert.DoesNotContain("mine", HtmlText.Of(await othersPage.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserPage_Administrator_SeesAndRevokesAnotherUsersToken()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var secret = await CreateTokenAsync(editor, "leaked on a wiki");
        var tokenId = await TokenIdAsync(editor.Id, "leaked on a wiki");
        var userPage = "/admin/users/" + editor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var page = await admin.Client.GetAsync(userPage, Ct);
        var pageText = HtmlText.Of(await page.Content.ReadAsStringAsync(Ct));
        using var revoke = await admin.Client.SubmitFormAsync(userPage, [("TokenId", tokenId.ToString(System.Globalization.CultureInfo.InvariantCulture))], handler: "RevokeToken");
        using var me = await MeAsync(secret);
        using var editorsPage = await editor.Client.GetAsync(TokensPage, Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("leaked on a wiki", pageText, StringComparison.Ordinal);
        Assert.Contains(secret[..12] + "…", pageText, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        await AssertUnauthorizedAsync(me, invalidToken: true);
        Assert.Contains("Revoked", HtmlText.Of(await editorsPage.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Contains(await AuditAsync(editor.Id), a => a.Kind == AuditKind.TokenRevoked && a.Actor == admin.User.DisplayName && a.Detail == "by an administrator");
    }

    [Fact]
    public async Task UserPage_Editor_IsDenied()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);

        using var response = await editor.Client.GetAsync("/admin/users/" + editor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/admin/account/denied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "30", "Give the token a name")]
    [InlineData("ok", "7", "Choose one of the lifetimes offered")]
    public async Task TokensPage_BadInput_ShowsWhyAndCreatesNothing(string name, string expiry, string message)
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);

        using var response = await editor.Client.SubmitFormAsync(TokensPage, [("Name", name), ("Expiry", expiry)]);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, HtmlText.Of(html), StringComparison.Ordinal);
        Assert.Null(SecretIn(html));
        Assert.Equal(0, await app.WithDbAsync(db => db.AccessTokens.CountAsync(t => t.UserId == editor.Id, Ct)));
    }

    [Theory]
    [InlineData("fr", "Jetons d'accès", "Copiez-le maintenant")]
    [InlineData("nl", "Toegangstokens", "Kopieer het nu")]
    [InlineData("de", "Zugriffstoken", "Kopieren Sie es jetzt")]
    public async Task TokensPage_InAnotherLanguage_SpeaksIt(string lang, string title, string warning)
    {
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);

        using var response = await viewer.Client.SubmitFormAsync($"/{lang}{TokensPage}", [("Name", "x"), ("Expiry", "365")]);
        var text = HtmlText.Of(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(title, text, StringComparison.Ordinal);
        Assert.Contains(warning, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_Document_DeclaresTheBearerSchemeAndRequiresItOnMe()
    {
        using var client = app.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty(ApiAccess.SecuritySchemeName);
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var me = document.GetProperty("paths").GetProperty("/api/v1/me").GetProperty("get");
        Assert.Contains(me.GetProperty("security").EnumerateArray(), r => r.TryGetProperty(ApiAccess.SecuritySchemeName, out _));
        Assert.True(me.GetProperty("responses").TryGetProperty("401", out _));
        // The open-data routes stay open.
        Assert.False(document.GetProperty("paths").GetProperty("/api/v1/programmes").GetProperty("get").TryGetProperty("security", out _));
    }

    // ---- helpers ----

    private const string TokensModelNoExpiry = "never";

    /// <summary>Creates a token on the profile page, as its owner does, and returns the secret the page shows once.</summary>
    private static async Task<string> CreateTokenAsync(TestUser user, string name, string expiry = "90")
    {
        using var response = await user.Client.SubmitFormAsync(TokensPage, [("Name", name), ("Expiry", expiry)]);
        var html = await response.Content.ReadAsStringAsync(Ct);
        return SecretIn(html) ?? throw new InvalidOperationException($"No token secret on the page ({(int)response.StatusCode}): {HtmlText.Of(html)}");
    }

    private static string? SecretIn(string html) => SecretField().Match(html) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("data-testid=\"token-secret\">(pat_[A-Za-z0-9_-]+)<")]
    private static partial Regex SecretField();

    private async Task<HttpResponseMessage> MeAsync(string secret)
    {
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return await client.SendAsync(request, Ct);
    }

    private async Task<HttpResponseMessage> WriteAsync(string? secret)
    {
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, WriteProbe.Path) { Content = JsonContent.Create(new { }) };
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        return await client.SendAsync(request, Ct);
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response, bool invalidToken)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal(invalidToken ? "error=\"invalid_token\"" : null, challenge.Parameter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(ErrorCodes.Unauthorized, problem.GetProperty("errorCode").GetString());
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }

    private static List<string> Slugs(JsonElement me, string kind) =>
        [.. me.GetProperty("scope").GetProperty(kind).EnumerateArray().Select(r => r.GetProperty("slug").GetString()!)];

    private Task<int> TokenIdAsync(int userId, string name) =>
        app.WithDbAsync(db => db.AccessTokens.Where(t => t.UserId == userId && t.Name == name).Select(t => t.Id).SingleAsync(Ct));

    private Task<int> ProgrammeIdAsync(string slug) =>
        app.WithDbAsync(db => db.Programmes.Where(p => p.Slug == slug).Select(p => p.Id).SingleAsync(Ct));

    private Task<DateTime?> LastUsedAsync(int tokenId) =>
        app.WithDbAsync(db => db.AccessTokens.Where(t => t.Id == tokenId).Select(t => t.LastUsedAt).SingleAsync(Ct));

    private Task<DateTime?> RevokedAtAsync(int tokenId) =>
        app.WithDbAsync(db => db.AccessTokens.Where(t => t.Id == tokenId).Select(t => t.RevokedAt).SingleAsync(Ct));

    private Task<List<AuditEntry>> AuditAsync(int userId) =>
        app.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.UserId == userId).OrderBy(a => a.Id).ToListAsync(Ct));

    /// <summary>Changes a user as an administrator does on the user's page (the same Core service).</summary>
    private async Task UpdateUserAsync(TestUser user, AccessRole role, IReadOnlyCollection<int> programmeIds, IReadOnlyCollection<int> groupingIds, bool disabled)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserDirectory>()
            .UpdateAsync(user.Id, user.User.DisplayName, role, programmeIds, groupingIds, disabled, "test", Ct);
    }

    private static async Task<string> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return await reader.ReadToEndAsync(Ct);
    }
}

/// <summary>
/// A write route as the API's will be (a POST behind <see cref="ApiAccess.RequireWriteAccess{TBuilder}"/>), mapped by
/// the test host only, until the real ones exist: it answers the name of the user the token acts for.
/// </summary>
public static class WriteProbe
{
    public const string Path = "/api/v1/test-write-probe";

    public static void Install(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, Filter>());

    private sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.MapWhen(context => context.Request.Path.Equals(Path, StringComparison.Ordinal), branch =>
            {
                branch.UseRouting();
                branch.UseAuthentication();
                branch.UseAuthorization();
                branch.UseEndpoints(endpoints => endpoints
                    .MapPost(Path, async (CurrentAccess current) => TypedResults.Ok(new { (await current.RequireAsync()).Name }))
                    .RequireWriteAccess());
            });
            next(app);
        };
    }
}
