using System.Text.RegularExpressions;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace Passerelle.Web.Tests.Browser;

/// <summary>The public portal in a real Chromium: navigation, filters, maps, languages and the keyboard.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PortalBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Home_FootnoteMarkerClicked_JumpsToItsSourceListItem()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        var response = await page.GotoAsync("/");
        Assert.Equal(200, response!.Status);

        await Expect(page).ToHaveTitleAsync("Territorial cooperation · Passerelle");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Territorial cooperation");
        var figures = page.Locator("section[aria-labelledby=grouping] dl.figures-inline");
        await Expect(figures).ToContainTextAsync("Municipalities");
        await Expect(figures.Locator("div", new() { HasText = "Municipalities" }).Locator("dd")).ToContainTextAsync("157");
        await Expect(figures.Locator("div", new() { HasText = "Area" }).Locator("dd")).ToContainTextAsync("3,589 km²");
        await Expect(figures.Locator("div", new() { HasText = "Inhabitants" }).Locator("dd")).ToContainTextAsync("2,100,000");
        await Expect(figures.Locator("div", new() { HasText = "Member authorities" }).Locator("dd")).ToContainTextAsync("14");

        await PageChecks.SaveScreenshotAsync(page, "home-1280");

        // The Area figure's footnote marker, not the first one on the page: the list item must be scrolled to.
        var marker = figures.Locator("div", new() { HasText = "Area" }).Locator("sup.cite a").First;
        var href = await marker.GetAttributeAsync("href");
        Assert.Matches("^#source-[0-9]+$", href);
        var item = page.Locator(href!);
        await Expect(item).Not.ToBeInViewportAsync();

        await marker.ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(href!) + "$"));
        await Expect(item).ToBeVisibleAsync();
        await Expect(item).ToBeInViewportAsync();
        Assert.True(await item.EvaluateAsync<bool>("e => e.matches(':target')"));
        Assert.StartsWith("Source ", await marker.GetAttributeAsync("aria-label"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Search_ThemeFilterLinkClicked_NarrowsResultsAndKeepsTheFilterInTheAddress()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/search?q=biodiversity");
        await Expect(page.Locator("input#q")).ToHaveValueAsync("biodiversity");
        var before = await ResultCountAsync(page);

        var filter = page.Locator("fieldset", new() { Has = page.Locator("legend", new() { HasTextString = "Theme" }) })
            .Locator("li", new() { Has = page.Locator("label", new() { HasTextRegex = new Regex("^Biodiversity$") }) });
        var expected = int.Parse(await filter.Locator(".count").InnerTextAsync());
        await filter.GetByRole(AriaRole.Link).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"[?&]theme=biodiversity(&|$)"));
        await Expect(page).ToHaveURLAsync(new Regex(@"[?&]q=biodiversity(&|$)"));
        var after = await ResultCountAsync(page);
        Assert.Equal(expected, after);
        Assert.InRange(after, 1, before);
        await Expect(page.Locator("input#f-theme-biodiversity")).ToBeCheckedAsync();
        await Expect(page.Locator("ol.results > li")).ToHaveCountAsync(Math.Min(after, 20));
        await Expect(page.Locator("ol.results > li > a", new() { HasTextString = "TEC!" })).ToBeVisibleAsync();
        await Expect(page.Locator("ol.results mark").First).ToBeVisibleAsync();
        await PageChecks.SaveScreenshotAsync(page, "search-1280");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Search_ThemeCheckboxTicked_AppliesAtOnceWithTheSameResultsAsTheLink()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/search?q=biodiversity&theme=biodiversity");
        var byLink = await page.Locator("ol.results > li > a").AllInnerTextsAsync();

        await page.GotoAsync("/search?q=biodiversity");
        // With script the button is gone: ticking is enough, and the page says so.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" })).ToBeHiddenAsync();
        await Expect(page.Locator("aside.facets .facet-note")).ToHaveTextAsync("A filter applies as soon as it is ticked: the results are reloaded.");
        await page.Locator("input#f-theme-biodiversity").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"[?&]theme=biodiversity(&|$)"));
        await Expect(page.Locator("ol.results > li > a")).ToHaveTextAsync(byLink.ToArray());
        Assert.Contains("TEC!", byLink);
        // Focus is back on the value just ticked, for a keyboard user to go on from there.
        await Expect(page.Locator("input#f-theme-biodiversity")).ToBeFocusedAsync();
        await Expect(page.Locator("input#f-theme-biodiversity")).ToBeCheckedAsync();
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Search_WithoutScript_TickAndButtonApplyTheFilter()
    {
        await using var context = await browser.NewContextAsync(javaScript: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/search?q=biodiversity");
        await page.Locator("input#f-theme-biodiversity").CheckAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex("theme="));

        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"[?&]theme=biodiversity(&|$)"));
        await Expect(page.Locator("input#f-theme-biodiversity")).ToBeCheckedAsync();
        Assert.Equal(3, await ResultCountAsync(page));
    }

    [Fact]
    public async Task Search_ShowAllRegions_FilterBoxNarrowsTheListAndTickingApplies()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/search");
        var regions = page.Locator("fieldset#facet-region");
        await Expect(regions.Locator("li")).ToHaveCountAsync(8);

        await regions.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Show all \\d+ values") }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"[?&]expand=region(&|$)"));
        var all = await regions.Locator("li").CountAsync();
        Assert.True(all > 200, $"{all} regions");
        var box = regions.GetByLabel("Find a value of “Region (NUTS 2)”");
        await box.FillAsync("vlaanderen");
        await Expect(regions.Locator("li:visible")).ToHaveCountAsync(2);
        await Expect(regions.Locator(".facet-filter-status")).ToHaveTextAsync("2 shown");

        // A click, not CheckAsync: the tick submits the form, so the box checked afterwards is on the next page.
        await regions.Locator("li:visible", new() { HasText = "West-Vlaanderen" }).Locator("input[type=checkbox]").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"[?&]region=BE25(&|$)"));
        await Expect(page).ToHaveURLAsync(new Regex(@"[?&]expand=region(&|$)"));
        await Expect(page.Locator("input#f-region-BE25")).ToBeCheckedAsync();
        await PageChecks.SaveScreenshotAsync(page, "search-regions-1280");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Search_NarrowWindow_FoldsTheFiltersAboveTheResults()
    {
        await using var context = await browser.NewContextAsync(390, 800);
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/search?q=lile");

        await Expect(page.Locator("details.facets-details")).Not.ToHaveAttributeAsync("open", "");
        await Expect(page.Locator("ol.results > li > a").First).ToHaveTextAsync("Lille");
        await Expect(page.Locator("ol.results > li > a").First).ToBeInViewportAsync();
        await PageChecks.SaveScreenshotAsync(page, "search-390");

        await page.Locator("details.facets-details > summary").ClickAsync();
        await Expect(page.Locator("input#f-type-territory")).ToBeVisibleAsync();
        Assert.Empty(problems);
    }

    private static async Task<int> ResultCountAsync(IPage page)
    {
        var lead = await page.Locator("p.lead[aria-live]").InnerTextAsync();
        var match = Regex.Match(lead, @"^(\d+) results? for “biodiversity”\.$");
        Assert.True(match.Success, $"Unexpected result line: {lead}");
        return int.Parse(match.Groups[1].Value);
    }

    [Fact]
    public async Task ProjectPage_Biseps_ShowsSourcedBudgetsPartnersAndDrawsTheProgrammeArea()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/projects/biseps");

        await Expect(page.Locator("h1")).ToHaveTextAsync("BISEPS");
        var total = page.Locator("dl.facts dt:text-is('Total budget') + dd");
        await Expect(total).ToContainTextAsync("EUR 3,908,751");
        await Expect(total.Locator("sup.cite a")).Not.ToHaveCountAsync(0);
        var erdf = page.Locator("dl.facts dt:text-is('EU contribution (ERDF)') + dd");
        await Expect(erdf).ToContainTextAsync("EUR 2,345,251");
        await Expect(erdf.Locator("sup.cite a")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("dl.facts dt:text-is('EU co-financing rate') + dd")).ToContainTextAsync("60.0%");
        // Every marker points at an item of the source list.
        foreach (var href in await total.Locator("sup.cite a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
        {
            await Expect(page.Locator($"section.sources li{href}")).ToHaveCountAsync(1);
        }

        var partners = page.Locator("section[aria-labelledby=partners] table");
        await Expect(partners.Locator("thead th")).ToHaveTextAsync(["Organisation", "Country", "Location", "Role", "Named in the source as"]);
        var lead = partners.Locator("tbody tr", new() { HasTextString = "Intercommunale Leiedal" });
        await Expect(lead).ToContainTextAsync("Lead partner");
        Assert.True(await partners.Locator("tbody tr").CountAsync() >= 2);

        var map = page.Locator("#project-map[data-map]");
        await Expect(map).ToHaveAttributeAsync("data-ready", "true");
        Assert.True(await map.Locator("path.leaflet-interactive").CountAsync() > 0);
        await PageChecks.SaveScreenshotAsync(page, "project-biseps-1280");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task GroupingPage_Eurometropole_DrawsItsMunicipalitiesAndShowsTheComputedTerritory()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/groupings/eurometropole");

        var map = page.Locator("#grouping-map[data-map]");
        await Expect(map).ToHaveAttributeAsync("data-ready", "true");
        var polygons = await map.Locator("path.leaflet-interactive").CountAsync();
        Assert.True(polygons > 100, $"{polygons} municipality outlines drawn");

        var table = page.Locator("section[aria-labelledby=territory] table.figures");
        await Expect(table.Locator("thead th").Nth(1)).ToContainTextAsync("Computed");
        var row = table.Locator("tbody tr", new() { Has = page.Locator("th", new() { HasTextString = "Municipalities" }) });
        await Expect(row.Locator("td")).ToHaveTextAsync([polygons.ToString(System.Globalization.CultureInfo.InvariantCulture), "157", $"{polygons - 157:+#;-#;0}"]);
        await Expect(table.Locator("tbody th")).ToHaveTextAsync(["Municipalities", "Area", "Inhabitants"]);

        await PageChecks.SaveScreenshotAsync(page, "grouping-eurometropole-1280");

        // A municipality's outline names it on hover.
        await map.ScrollIntoViewIfNeededAsync();
        await map.Locator("path.leaflet-interactive").First.HoverAsync(new() { Force = true });
        await Expect(map.Locator(".leaflet-tooltip")).ToHaveTextAsync(new Regex(@"\(\w+\)$"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task LanguageNav_FrClickedOnProjectPage_ShowsTheFrenchPage()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/projects/tec");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        // The link shows the code and is read out with the language's own name.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Language" }).GetByRole(AriaRole.Link, new() { Name = "FR Français", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(browser.BaseUrl + "/fr/projects/tec");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "fr");
        await Expect(page.GetByText("Tous Eco-Citoyens!").First).ToBeVisibleAsync();
        await Expect(page.Locator("nav.languages a[aria-current=true]")).ToHaveTextAsync(new Regex("^FR"));
        // Links on the French page stay in French.
        await Expect(page.Locator("nav.crumbs a")).ToHaveAttributeAsync("href", "/fr/projects");
    }

    [Fact]
    public async Task Keyboard_TabFromTop_FocusesSkipLinkWhichMovesToMain()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        await page.Keyboard.PressAsync("Tab");
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        await Expect(skip).ToBeFocusedAsync();
        await Expect(skip).ToBeInViewportAsync(); // shown when focused, off-screen otherwise

        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("#main$"));

        // The next Tab continues inside the main content, past the site header and its navigation.
        await page.Keyboard.PressAsync("Tab");
        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.closest('main#main') !== null"),
            "after the skip link, Tab focused " + await page.EvaluateAsync<string>("() => document.activeElement.outerHTML"));
    }
}
