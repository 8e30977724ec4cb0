using System.Text.RegularExpressions;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace Passerelle.Web.Tests.Browser;

/// <summary>The eligibility finder in a real browser: a click on the map, and the form's error messages.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EligibilityBrowserTests(BrowserFixture browser)
{
    private const double LilleLat = 50.6292, LilleLon = 3.0573;

    /// <summary>The page the form's submission loads (not the map's GeoJSON requests).</summary>
    private static bool IsFinderAnswer(IResponse response) =>
        response.Request.IsNavigationRequest && response.Url.Contains("/eligibility?", StringComparison.Ordinal);

    [Fact]
    public async Task EligibilityMap_ClickNearLille_ShowsNordAndFranceWalloniaFlanders()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/eligibility");
        var map = page.Locator("#eligibility-map[data-map]");
        await Expect(map).ToHaveAttributeAsync("data-ready", "true");
        await map.ScrollIntoViewIfNeededAsync();

        // Leaflet turns the place into a pixel of the map; the mouse clicks there, as a user would.
        var point = await page.EvaluateAsync<double[]>(
            """
            ([lat, lon]) => {
              const map = window.__testMaps[0];
              const p = map.latLngToContainerPoint([lat, lon]);
              const box = map.getContainer().getBoundingClientRect();
              return [box.left + p.x, box.top + p.y];
            }
            """,
            new[] { LilleLat, LilleLon });
        await page.RunAndWaitForResponseAsync(() => page.Mouse.ClickAsync((float)point[0], (float)point[1]), IsFinderAnswer);
        await page.WaitForLoadStateAsync();

        var lat = double.Parse(await page.Locator("input#lat").InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var lon = double.Parse(await page.Locator("input#lon").InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(lat, LilleLat - 0.05, LilleLat + 0.05);
        Assert.InRange(lon, LilleLon - 0.05, LilleLon + 0.05);
        await Expect(page).ToHaveURLAsync(new Regex(@"/eligibility\?lat=50\.\d+&lon=3\.\d+"));

        var units = page.Locator("ol.units");
        await Expect(units.Locator("li", new() { HasTextString = "FRE11" })).ToContainTextAsync("Nord");
        var programmes = page.Locator("section[aria-labelledby=programmes]");
        await Expect(programmes.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("France-Wallonie-Vlaanderen") }).First).ToBeVisibleAsync();
        // The grouping whose territory contains the point, by its name.
        await Expect(programmes).ToContainTextAsync("Lille-Kortrijk-Tournai Eurometropole");

        // The result's unit is drawn on the map of the new page.
        var newMap = page.Locator("#eligibility-map[data-map]");
        await Expect(newMap).ToHaveAttributeAsync("data-ready", "true");
        Assert.True(await newMap.Locator("path.leaflet-interactive").CountAsync() > 0);
        await PageChecks.SaveScreenshotAsync(page, "eligibility-lille-1280");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task PlaceSearch_TypingWithATypo_SuggestsTheMunicipalityAndTheKeyboardChoosesIt()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/fr/eligibility");
        var box = page.GetByRole(AriaRole.Combobox, new() { Name = "Commune ou région" });
        await box.PressSequentiallyAsync("kortrik");

        var suggestions = page.GetByRole(AriaRole.Listbox);
        await Expect(suggestions).ToBeVisibleAsync();
        await Expect(box).ToHaveAttributeAsync("aria-expanded", "true");
        var first = suggestions.GetByRole(AriaRole.Option).First;
        await Expect(first).ToContainTextAsync("Courtrai (Kortrijk)");
        await Expect(first).ToContainTextAsync("commune");

        await box.PressAsync("ArrowDown");
        await Expect(first).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(box).ToHaveAttributeAsync("aria-activedescendant", (await first.GetAttributeAsync("id"))!);
        await page.RunAndWaitForResponseAsync(() => box.PressAsync("Enter"), IsFinderAnswer);
        await page.WaitForLoadStateAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"/fr/eligibility\?lau=BE34022$"));
        var answer = page.Locator("section.answer");
        await Expect(answer).ToContainTextAsync("Programmes dont la zone comprend Courtrai");
        await Expect(answer.GetByRole(AriaRole.Link, new() { Name = "Eurométropole Lille-Kortrijk-Tournai" })).ToBeVisibleAsync();
        var map = page.Locator("#eligibility-map[data-map]");
        await Expect(map).ToHaveAttributeAsync("data-ready", "true");
        await Expect(map.Locator(".leaflet-marker-icon")).ToHaveCountAsync(1);
        await Expect(map.Locator(".leaflet-tooltip")).ToHaveTextAsync("Courtrai");
        await PageChecks.SaveScreenshotAsync(page, "eligibility-kortrijk-fr-1280");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task EligibilityMap_NoQuestionYet_OpensOnTheProgrammeAreas()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/eligibility");

        var map = page.Locator("#eligibility-map[data-map]");
        await Expect(map).ToHaveAttributeAsync("data-ready", "true");
        Assert.True(await map.Locator("path.leaflet-interactive").CountAsync() > 10);
        // The map takes the keyboard: focused, the + key zooms in.
        var zoom = await page.EvaluateAsync<double>("() => window.__testMaps[0].getZoom()");
        await map.FocusAsync();
        await page.Keyboard.PressAsync("+");
        await page.WaitForFunctionAsync($"() => window.__testMaps[0].getZoom() > {zoom.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task EligibilityForm_LatitudeOutOfRange_RedisplaysFormWithErrorsAndStatus400()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/eligibility");
        await page.GetByLabel("Latitude").FillAsync("95");
        await page.GetByLabel("Longitude").FillAsync("3.0573");

        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync(), IsFinderAnswer);
        await page.WaitForLoadStateAsync();

        Assert.NotNull(response);
        Assert.Equal(400, response.Status);
        var summary = page.Locator("div.errors[role=alert]");
        await Expect(summary.Locator("h2")).ToHaveTextAsync("There is a problem");
        await Expect(summary.GetByRole(AriaRole.Link)).ToHaveTextAsync("The latitude must be between -90 and 90");
        await Expect(summary.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", "#lat");
        await Expect(page.Locator("#lat-error")).ToHaveTextAsync("The latitude must be between -90 and 90");
        await Expect(page.Locator("input#lat")).ToHaveAttributeAsync("aria-describedby", "lat-error");
        await Expect(page.Locator("input#lat")).ToHaveValueAsync("95");
        await Expect(page.Locator("input#lon")).ToHaveValueAsync("3.0573");
        await Expect(page.Locator("section[aria-labelledby=units]")).ToHaveCountAsync(0);
    }
}
