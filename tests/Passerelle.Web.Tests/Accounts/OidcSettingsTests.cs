using System.Net;
using System.Text.RegularExpressions;

using Passerelle.Web.Tests.Hosting;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Accounts;

/// <summary>Without Authentication:OpenIdConnect there is no OpenID Connect sign-in at all: no button, no pages, no callback.</summary>
public sealed partial class OidcNotConfiguredTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SignInPage_WithoutSettings_HasNoExternalButton()
    {
        using var client = app.CreateClient();

        var html = await client.GetStringAsync("/admin/account/sign-in", Ct);

        Assert.DoesNotContain("handler=External", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Sign in with", HtmlText.Of(html), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/admin/account/external")]
    [InlineData("/fr/admin/account/external")]
    [InlineData("/admin/account/oidc-callback?code=abc&state=def")]
    public async Task ExternalPages_WithoutSettings_NotFound(string path)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ExternalHandler_WithoutSettings_NotFound()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync("/admin/account/sign-in", Ct);
        var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(html).Groups[1].Value);

        using var response = await client.PostAsync("/admin/account/sign-in?handler=External",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

/// <summary>
/// OpenID Connect half configured stops the start, as an operator sees it: one `error:` line naming the key, exit code 2,
/// before anything is served.
/// </summary>
public sealed class OidcSettingsValidationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-oidc-").FullName;

    [Theory]
    [InlineData("ClientId", null, "Authentication:OpenIdConnect:ClientId is required when Authentication:OpenIdConnect:Authority is set")]
    [InlineData("Authority", "http://login.example.org/realms/passerelle", "Authentication:OpenIdConnect:Authority must use https")]
    [InlineData("EditorValues:0", null, "needs at least one of AdministratorValues, EditorValues, ViewerValues")]
    public async Task Start_OpenIdConnectMisconfigured_Exits2NamingTheKey(string key, string? value, string message)
    {
        var settings = PasserelleProcess.Sqlite(Path.Combine(_folder, key.Replace(':', '-') + ".db"));
        settings["Database:SeedOnStart"] = "false";
        settings["Territories:ImportOnStart"] = "false";
        var complete = new Dictionary<string, string>
        {
            ["Authority"] = "https://login.example.org/realms/passerelle",
            ["ClientId"] = "passerelle",
            ["ClientSecret"] = "secret",
            ["DisplayName"] = "Our login",
            ["EditorValues:0"] = "passerelle-editor",
        };
        if (value is null)
        {
            complete.Remove(key);
        }
        else
        {
            complete[key] = value;
        }

        foreach (var (k, v) in complete)
        {
            settings["Authentication:OpenIdConnect:" + k] = v;
        }

        var result = await PasserelleProcess.RunAsync(settings, "--urls=http://127.0.0.1:0");

        result.AssertOneErrorLine(2);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
