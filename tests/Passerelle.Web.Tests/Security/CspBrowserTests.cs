using Microsoft.Playwright;

using Passerelle.Web.Tests.Browser;

using static Microsoft.Playwright.Assertions;

namespace Passerelle.Web.Tests.Security;

/// <summary>
/// The Content-Security-Policy in a real Chromium: the portal's maps and the API reference work under it, with no
/// violation reported (ADR 17). Kestrel itself: no Server header.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CspBrowserTests(BrowserFixture browser)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Test-only, run before the page's own scripts (injected by the driver, not subject to the policy).</summary>
    private const string RecordViolations = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__cspViolations.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile + ':' + e.lineNumber));
        """;

    private async Task<(IPage Page, List<string> Problems, IBrowserContext Context, HashSet<IRequest> Pending)> OpenAsync(string path)
    {
        var context = await browser.NewContextAsync();
        await context.AddInitScriptAsync(RecordViolations);
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        var pending = PageChecks.TrackPending(page);
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        Assert.Contains("default-src 'self'", await response.HeaderValueAsync("content-security-policy"), StringComparison.Ordinal);
        return (page, problems, context, pending);
    }

    private static Task<string[]> ViolationsAsync(IPage page) => page.EvaluateAsync<string[]>("() => window.__cspViolations");

    [Theory]
    [InlineData("/programmes/fwv-2014-2020")]
    [InlineData("/groupings/eurometropole")]
    [InlineData("/eligibility?nuts=FRE11")]
    [InlineData("/fr/programmes/fwv-2021-2027")]
    public async Task MapPage_UnderTheSitePolicy_DrawsItsMapsWithoutViolation(string path)
    {
        var (page, problems, context, _) = await OpenAsync(path);
        await using var _ = context;
        var maps = await page.Locator("[data-map]").AllAsync();
        Assert.NotEmpty(maps);
        foreach (var map in maps)
        {
            await Expect(map).ToHaveAttributeAsync("data-ready", "true");
            // Leaflet drew its layers (SVG paths) and its controls, styled by leaflet.css from the site.
            await Expect(map.Locator("path.leaflet-interactive").First).ToBeVisibleAsync();
            await Expect(map.Locator(".leaflet-control-zoom-in")).ToBeVisibleAsync();
        }

        Assert.Empty(await ViolationsAsync(page));
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/projects/tec")]
    [InlineData("/search?q=water")]
    [InlineData("/statistics")]
    [InlineData("/no-such-page")]
    public async Task Page_UnderTheSitePolicy_HasNoViolation(string path)
    {
        var context = await browser.NewContextAsync();
        await using var _ = context;
        await context.AddInitScriptAsync(RecordViolations);
        var page = await context.NewPageAsync();
        var pending = PageChecks.TrackPending(page);
        await page.GotoAsync(path);
        await PageChecks.WaitForNetworkIdleAsync(page, pending);
        Assert.Empty(await ViolationsAsync(page));
    }

    [Fact]
    public async Task ApiReference_UnderItsPolicy_RendersTheOperationsWithoutViolation()
    {
        var (page, problems, context, pending) = await OpenAsync("/api/docs/");
        await using var _ = context;
        await Expect(page.GetByText("Passerelle open-data API").First).ToBeVisibleAsync();
        await Expect(page.GetByText("Search programmes, groupings, projects, organisations and places").First).ToBeVisibleAsync();
        await Expect(page.GetByText("Page number, from 1").First).ToBeVisibleAsync();
        await PageChecks.WaitForNetworkIdleAsync(page, pending);

        // Scalar probes whether eval is available (Function("") in a try): the policy says no, and it carries on
        // without. Nothing else may be refused.
        var violations = await ViolationsAsync(page);
        var refused = violations.Where(v => !v.Contains("blocked eval", StringComparison.Ordinal)).ToList();
        Assert.Empty(refused);
        var otherProblems = problems.Where(p => !p.Contains("unsafe-eval", StringComparison.Ordinal)).ToList();
        Assert.Empty(otherProblems);
    }

    [Fact]
    public async Task Kestrel_Responses_HaveNoServerHeader()
    {
        using var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        foreach (var path in new[] { "/", "/api/v1/projects", "/css/site.css", "/no-such-page" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.False(response.Headers.Contains("Server"), $"{path}: Server: {string.Join(",", response.Headers.Server)}");
            SecurityHeaders.Check(response);
        }

        // HTTP, not HTTPS: no Strict-Transport-Security (it would pin a plain-HTTP site to HTTPS).
        using var home = await client.GetAsync("/", Ct);
        Assert.False(home.Headers.Contains("Strict-Transport-Security"));
    }
}
