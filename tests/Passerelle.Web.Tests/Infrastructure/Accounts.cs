using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>
/// A back-office user made for a test, and an <see cref="HttpClient"/> that behaves like their browser: it keeps
/// cookies, does not follow redirects (tests look at them), and was signed in through the real sign-in page (and the
/// two-factor page for users with an authenticator), so the cookie, antiforgery and lockout code all ran.
/// </summary>
public sealed class TestUser(User user, string password, string? authenticatorKey, HttpClient client) : IDisposable
{
    /// <summary>The user as created (role and scope as then; read the database for later changes).</summary>
    public User User { get; } = user;

    public int Id => User.Id;

    public string Email => User.Email!;

    public string Password { get; } = password;

    /// <summary>The base32 authenticator key when two-factor sign-in is on (always for administrators): see <see cref="Totp"/>.</summary>
    public string? AuthenticatorKey { get; } = authenticatorKey;

    /// <summary>The user's browser: signed in unless the user was created with <c>signIn: false</c>.</summary>
    public HttpClient Client { get; } = client;

    public void Dispose() => Client.Dispose();
}

/// <summary>
/// Test data for accounts, through the same services the back office uses (<see cref="UserDirectory"/>, Identity's
/// <see cref="UserManager{TUser}"/>), and form posts with antiforgery tokens as a browser sends them.
/// <code>
/// using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: ["fwv-2014-2020"]);
/// var page = await editor.Client.GetStringAsync("/admin", ct);
/// var response = await editor.Client.SubmitFormAsync("/admin/profile/tokens", [("Name", "CI")], handler: "Create");
/// </code>
/// </summary>
public static partial class TestAccounts
{
    /// <summary>Every test user's password (long enough for the password rules; never a real one).</summary>
    public const string DefaultPassword = "correct horse battery staple 42";

    public const string SignInPath = "/admin/account/sign-in";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Creates an active user with a password and, for administrators (who need it) or when
    /// <paramref name="twoFactor"/> says so, an enrolled authenticator; then signs their client in.
    /// </summary>
    /// <param name="role">The user's one role.</param>
    /// <param name="programmes">Slugs of the programmes an editor edits (e.g. "fwv-2014-2020").</param>
    /// <param name="groupings">Slugs of the groupings an editor edits (e.g. "eurometropole").</param>
    /// <param name="email">Defaults to a new unique address, so tests sharing a fixture's database never collide.</param>
    /// <param name="twoFactor">Enrol an authenticator; null means only for administrators.</param>
    /// <param name="signIn">Sign the client in through /admin/account/sign-in; false leaves it anonymous.</param>
    public static async Task<TestUser> CreateUserAsync(this PasserelleApp app, AccessRole role, IEnumerable<string>? programmes = null,
        IEnumerable<string>? groupings = null, string? email = null, bool? twoFactor = null, bool signIn = true)
    {
        email ??= $"{role.ToString().ToLowerInvariant()}.{Guid.NewGuid():N}@example.org";
        User user;
        string? key = null;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            var programmeSlugs = programmes?.ToList() ?? [];
            var groupingSlugs = groupings?.ToList() ?? [];
            var programmeIds = await db.Programmes.Where(p => programmeSlugs.Contains(p.Slug)).Select(p => p.Id).ToListAsync(Ct);
            var groupingIds = await db.Groupings.Where(g => groupingSlugs.Contains(g.Slug)).Select(g => g.Id).ToListAsync(Ct);
            if (programmeIds.Count != programmeSlugs.Count || groupingIds.Count != groupingSlugs.Count)
            {
                throw new ArgumentException($"Unknown programme or grouping among {string.Join(", ", programmeSlugs.Concat(groupingSlugs))}.");
            }

            var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
            user = await directory.CreateAsync(email, $"Test {role} {email[..email.IndexOf('@', StringComparison.Ordinal)]}", role,
                programmeIds, groupingIds, "test", Ct);
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            Check(await users.AddPasswordAsync(user, DefaultPassword));
            if (twoFactor ?? role == AccessRole.Administrator)
            {
                key = await EnrolAuthenticatorAsync(users, user);
            }
        }

        var client = app.CreateBrowserClient();
        if (signIn)
        {
            await client.SignInAsync(email, DefaultPassword, key);
        }

        return new TestUser(user, DefaultPassword, key, client);
    }

    /// <summary>Gives the user a new authenticator key and turns two-factor sign-in on, as the enrolment page does.</summary>
    public static async Task<string> EnrolAuthenticatorAsync(UserManager<User> users, User user)
    {
        Check(await users.ResetAuthenticatorKeyAsync(user));
        var key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("Identity stored no authenticator key.");
        Check(await users.SetTwoFactorEnabledAsync(user, true));
        return key;
    }

    /// <summary>A client like a browser: keeps cookies, does not follow redirects, not signed in.</summary>
    public static HttpClient CreateBrowserClient(this PasserelleApp app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>
    /// Signs in through the sign-in page and, when the account asks for it, the two-factor page with the current code.
    /// Throws with the page's message when sign-in does not succeed.
    /// </summary>
    public static async Task SignInAsync(this HttpClient client, string email, string password, string? authenticatorKey = null)
    {
        var response = await client.SubmitFormAsync(SignInPath, [("Email", email), ("Password", password)]);
        var location = response.Headers.Location?.OriginalString ?? "";
        if (response.StatusCode == HttpStatusCode.Redirect && location.Contains("/admin/account/two-factor", StringComparison.Ordinal))
        {
            if (authenticatorKey is null)
            {
                throw new InvalidOperationException($"{email} signs in with an authenticator code, and no key was given.");
            }

            response = await client.SubmitFormAsync(location, [("Code", Totp.Code(authenticatorKey, DateTimeOffset.UtcNow))]);
            location = response.Headers.Location?.OriginalString ?? "";
        }

        if (response.StatusCode != HttpStatusCode.Redirect || location.Contains("/admin/account/", StringComparison.Ordinal))
        {
            var text = HtmlText.Of(await response.Content.ReadAsStringAsync(Ct));
            throw new InvalidOperationException($"Sign-in of {email} did not succeed ({(int)response.StatusCode} {location}): {text}");
        }
    }

    /// <summary>
    /// Submits a form as a browser does: GETs <paramref name="page"/> for its antiforgery token (and cookie), then
    /// POSTs the fields with it to the page, or to its <paramref name="handler"/> (?handler=Revoke).
    /// Repeat a name for a list field: [("ProgrammeIds", "1"), ("ProgrammeIds", "2")].
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient client, string page, IEnumerable<(string Name, string Value)> fields,
        string? handler = null)
    {
        var token = await client.AntiforgeryTokenAsync(page);
        var target = handler is null ? page : page + (page.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "handler=" + Uri.EscapeDataString(handler);
        return await client.PostFormAsync(target, [.. fields, ("__RequestVerificationToken", token)]);
    }

    /// <summary>POSTs fields as application/x-www-form-urlencoded, as given (add the antiforgery token yourself, or test without it).</summary>
    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string path, IEnumerable<(string Name, string Value)> fields) =>
        client.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))), Ct);

    /// <summary>The antiforgery token of the first form of a page (the page must answer 200).</summary>
    public static async Task<string> AntiforgeryTokenAsync(this HttpClient client, string page)
    {
        using var response = await client.GetAsync(page, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {page} answered {(int)response.StatusCode} {response.Headers.Location}, not a form.");
        }

        return AntiforgeryToken(html) ?? throw new InvalidOperationException($"{page} has no form with an antiforgery token.");
    }

    /// <summary>The value of the first hidden __RequestVerificationToken field of a page, if any.</summary>
    public static string? AntiforgeryToken(string html) =>
        TokenField().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups["value"].Value) : null;

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"(?<value>[^\"]+)\"|<input[^>]*value=\"(?<value>[^\"]+)\"[^>]*name=\"__RequestVerificationToken\"")]
    private static partial Regex TokenField();
}
