using System.Text.RegularExpressions;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace Passerelle.Web.Tests.Browser;

/// <summary>
/// The API reference (Scalar, ADR 24) in a real Chromium: it loads and sends nothing to another site, shows none of the
/// vendor's buttons or links, has the site's header with a link back to the portal, and speaks the address's language
/// where Scalar can.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ApiReferenceBrowserTests(BrowserFixture browser)
{
    /// <summary>Test-only, run before the page's own scripts: every Content-Security-Policy refusal.</summary>
    private const string RecordViolations = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__cspViolations.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || '(inline)')));
        """;

    /// <summary>
    /// Scalar draws the reference from a 5 MB script: on a loaded machine that takes longer than the usual 5 s, so its
    /// first element gets a generous bound (the rest then follows at once).
    /// </summary>
    private static readonly LocatorAssertionsToBeVisibleOptions Rendered = new() { Timeout = 30_000 };

    /// <summary>
    /// What the vendor's chrome says, in English, French and German: its toolbar (hosted services), the button to its
    /// stand-alone client, its AI agent and MCP offers, and the "Powered by" link.
    /// </summary>
    [GeneratedRegex(@"Scalar|Developer Tools|Outils de d|Entwickler|Generate SDK|Deploy|Configure|Open API Client|Ask AI|\bMCP\b|Powered by|Propulsé|Bereitgestellt")]
    private static partial Regex VendorChrome();

    [Theory]
    [InlineData("/api/docs/")]
    [InlineData("/fr/api/docs/")]
    [InlineData("/nl/api/docs/")]
    [InlineData("/de/api/docs/")]
    public async Task ApiReference_OpenedAndTried_LoadsOnlyFromThisSiteAndShowsNoVendorChrome(string path)
    {
        await using var context = await browser.NewContextAsync(1366, 900);
        await context.AddInitScriptAsync(RecordViolations);
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        var pending = PageChecks.TrackPending(page);
        var requests = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);

        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        await Expect(page.GetByText("Search programmes, groupings, projects, organisations and places").First).ToBeVisibleAsync(Rendered);
        await PageChecks.WaitForNetworkIdleAsync(page, pending);
        await AssertNoVendorChromeAsync(page);

        // The request client ("Test request") and the search dialog, where vendors put more of their offers.
        await page.Locator("button", new() { HasTextRegex = new Regex(@"\(get /api/v1/search\)") }).First.ClickAsync();
        // "Send", named in the page's language with the method and the address ("Test request" has them in brackets).
        var send = page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(@"^(?!.*\(get).*\bget\b.*api.v1.search") });
        await Expect(send).ToBeVisibleAsync();
        await AssertNoVendorChromeAsync(page);
        // A request tried from the reference goes to this site's API.
        var answer = await page.RunAndWaitForResponseAsync(() => send.ClickAsync(), r => r.Url.Contains("/api/v1/search", StringComparison.Ordinal));
        Assert.Equal(200, answer.Status);
        // Shown, with a link to download it (a blob: address of this site).
        await Expect(page.Locator($"a[href^='blob:{new Uri(browser.BaseUrl).GetLeftPart(UriPartial.Authority)}/']")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(send).Not.ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Control+k");
        var results = page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Listbox);
        await Expect(results).ToBeVisibleAsync();
        await page.Keyboard.TypeAsync("project");
        await Expect(results.GetByRole(AriaRole.Option).Filter(new() { HasText = "/api/v1/projects" }).First).ToBeVisibleAsync();
        await AssertNoVendorChromeAsync(page);
        await PageChecks.WaitForNetworkIdleAsync(page, pending);

        var origin = new Uri(browser.BaseUrl).GetLeftPart(UriPartial.Authority);
        Assert.Contains(requests, r => r.EndsWith("/openapi/v1.json", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.Contains("/api/v1/search", StringComparison.Ordinal));
        Assert.All(requests, r => Assert.True(r.StartsWith(origin + "/", StringComparison.Ordinal), $"{path} asked another site for {r}"));
        // Nothing refused by the policy either (a refused request never reaches the list above): Scalar's probe of
        // eval (Function("") in a try) is the only refusal, and it carries on without.
        var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations");
        var refused = violations.Where(v => !v.Contains("blocked eval", StringComparison.Ordinal)).ToList();
        Assert.Empty(refused);
        Assert.Empty(BesidesEval(problems));
    }

    /// <summary>
    /// The one other site the reference links to (nothing is loaded from it): after a tried request, the meaning of its
    /// status code on MDN, the web's reference documentation. Not the vendor's, and useful.
    /// </summary>
    private const string StatusExplained = "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/";

    /// <summary>The page's problems but the console's note on Scalar's refused eval probe.</summary>
    private static List<string> BesidesEval(List<string> problems) =>
        [.. problems.Where(p => !p.Contains("unsafe-eval", StringComparison.Ordinal))];

    /// <summary>No link leaves the site and nothing of the vendor's is shown or reachable by assistive technology.</summary>
    private static async Task AssertNoVendorChromeAsync(IPage page)
    {
        var shown = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('a[href], button, [role=button], [role=link], [role=menuitem]')]
              .filter(e => e.getClientRects().length > 0)
              .map(e => (e.getAttribute('href') ?? '') + ' | ' + (e.innerText || e.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' '))
            """);
        Assert.NotEmpty(shown);
        var origin = new Uri(page.Url).GetLeftPart(UriPartial.Authority);
        foreach (var element in shown)
        {
            var href = element[..element.IndexOf(" | ", StringComparison.Ordinal)];
            Assert.True(href.Length == 0 || href.StartsWith('#') || href.StartsWith('/') || href.StartsWith(origin + "/", StringComparison.Ordinal)
                    || href.StartsWith($"blob:{origin}/", StringComparison.Ordinal)
                    || href.StartsWith(StatusExplained, StringComparison.Ordinal),
                $"{page.Url} shows a link to another site: {element}");
            Assert.DoesNotMatch(VendorChrome(), element);
        }

        Assert.DoesNotMatch(VendorChrome(), await page.Locator("body").InnerTextAsync());
        // The footer link Scalar has no option for is in the page but hidden: not a link anyone can reach.
        await Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = VendorChrome() })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = VendorChrome() })).ToHaveCountAsync(0);
    }

    [Theory]
    [InlineData("/api/docs/", "en", "API reference", "/", "Download OpenAPI Document")]
    [InlineData("/fr/api/docs/", "fr", "Référence de l'API", "/fr/", "Télécharger le document OpenAPI")]
    [InlineData("/nl/api/docs/", "nl", "API-referentie", "/nl/", "Download OpenAPI Document")]
    [InlineData("/de/api/docs/", "de", "API-Referenz", "/de/", "OpenAPI-Dokument herunterladen")]
    public async Task ApiReference_InALanguage_SpeaksItAndLinksBackToThePortalInIt(string path, string lang, string title, string home, string download)
    {
        await using var context = await browser.NewContextAsync(1366, 900);
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync(path);

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", lang);
        await Expect(page).ToHaveTitleAsync($"{title} · Passerelle");
        var header = page.Locator("header.apiref-header");
        await Expect(header.Locator(".apiref-title")).ToHaveTextAsync(title);
        await Expect(header.Locator("nav.apiref-languages a[aria-current=true]")).ToHaveTextAsync(lang.ToUpperInvariant());
        // Scalar's own words: in the language where Scalar has it, else its English, marked as such.
        var document = page.Locator("a[href$='/openapi/v1.json']");
        await Expect(document).ToHaveTextAsync(download, new() { Timeout = Rendered.Timeout });
        Assert.Equal(lang == "nl" ? "en" : null, await page.Locator("#app").GetAttributeAsync("lang"));
        await PageChecks.SaveScreenshotAsync(page, $"api-reference-{lang}-1366");

        await header.GetByRole(AriaRole.Link, new() { Name = "Passerelle", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(home) + "$"));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", lang);
        await Expect(page.Locator("h1")).ToBeVisibleAsync();
        Assert.Empty(BesidesEval(problems));
    }

    [Theory]
    [InlineData("/fr/programmes", "fr")]
    [InlineData("/de/", "de")]
    [InlineData("/programmes", "en")]
    public async Task PortalApiLink_Clicked_OpensTheReferenceInThePagesLanguage(string portalPage, string lang)
    {
        await using var context = await browser.NewContextAsync(1366, 900);
        var page = await context.NewPageAsync();
        await page.GotoAsync(portalPage);
        // The portal header's link to the reference, found by its address (its words are the portal's to change).
        await page.Locator("header nav a[href$='/api/docs/']").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex((lang == "en" ? "" : "/" + lang) + "/api/docs/$"));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", lang);
        await Expect(page.Locator("a[href$='/openapi/v1.json']")).ToBeVisibleAsync(Rendered);
    }

    [Fact]
    public async Task ApiReference_OnAPhone_FitsWithTheHeaderAndItsMenuBelowIt()
    {
        await using var context = await browser.NewContextAsync(390, 844);
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/fr/api/docs/");
        await Expect(page.Locator("a[href$='/openapi/v1.json']")).ToBeVisibleAsync(Rendered);

        var header = await page.Locator("header.apiref-header").BoundingBoxAsync();
        Assert.NotNull(header);
        foreach (var link in await page.Locator("header.apiref-header a").AllAsync())
        {
            // Every header link whole inside the header and the window: nothing wraps out or is cut off.
            var box = await link.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.InRange(box.Y, header.Y, header.Y + header.Height);
            Assert.InRange(box.X + box.Width, 0, 390);
        }

        await PageChecks.SaveScreenshotAsync(page, "api-reference-fr-390");
        // Scalar's menu opens below the header, which stays usable.
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("menu", RegexOptions.IgnoreCase) }).First.ClickAsync();
        var search = page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Ouvrir la recherche") });
        await Expect(search).ToBeVisibleAsync();
        Assert.True((await search.BoundingBoxAsync())!.Y >= header.Y + header.Height);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Passerelle", Exact = true })).ToBeInViewportAsync();
        Assert.Empty(BesidesEval(problems));
    }
}
