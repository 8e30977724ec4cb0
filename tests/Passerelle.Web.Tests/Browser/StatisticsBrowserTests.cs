using System.Text.RegularExpressions;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace Passerelle.Web.Tests.Browser;

/// <summary>The statistics page in a real Chromium: its charts at a phone's and a desktop's width, and the way in from a search.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StatisticsBrowserTests(BrowserFixture browser)
{
    [Theory]
    [InlineData(390)]
    [InlineData(1366)]
    public async Task StatisticsPage_Width_FitsItShowsEveryChartAndIsSaved(int width)
    {
        await using var context = await browser.NewContextAsync(width, 900);
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        var response = await page.GotoAsync("/statistics");
        Assert.Equal(200, response!.Status);

        await Expect(page.Locator("h1")).ToHaveTextAsync("Statistics");
        await Expect(page.Locator("svg.chart[role=img]")).ToHaveCountAsync(11);
        foreach (var chart in await page.Locator("svg.chart").AllAsync())
        {
            // Drawn at the page's width (not shrunk into a fixed box), with its text at a readable size.
            var box = await chart.BoundingBoxAsync();
            Assert.True(box!.Width > width * 0.5 && box.Width <= width, $"a chart is {box.Width} px wide in a {width} px window");
            Assert.Equal("14px", await chart.Locator("text").First.EvaluateAsync<string>("e => getComputedStyle(e).fontSize"));
        }

        // A table wider than the phone scrolls in its own labelled region, which the keyboard reaches.
        var region = page.Locator("#budget-by-programme .table-scroll");
        await Expect(region).ToHaveAttributeAsync("role", "region");
        await region.FocusAsync();
        await Expect(region).ToBeFocusedAsync();

        await PageChecks.SaveScreenshotAsync(page, $"statistics-{width}");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Search_StatisticsLinkClicked_ShowsTheFiguresOfTheSameSearch()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        await page.GotoAsync("/fr/search?q=biodiversity&type=project&theme=biodiversity");
        var found = int.Parse(Regex.Match(await page.Locator("p.lead").InnerTextAsync(), @"\d+").Value);

        await page.Locator("p.stats-link a").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"/fr/statistics\?q=biodiversity&theme=biodiversity$"));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "fr");
        var projects = page.Locator(".stats-totals > div").First.Locator("dd");
        await Expect(projects).ToHaveTextAsync(found.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("ul.stats-filters")).ToContainTextAsync("biodiversity");
        Assert.Empty(problems);
    }
}
