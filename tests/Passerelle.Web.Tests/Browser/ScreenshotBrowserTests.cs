using System.Buffers.Binary;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Passerelle.Web.Tests.Browser;

/// <summary>
/// Full-page screenshots of the main pages, kept under TestResults/screenshots in the test output folder for a person
/// to look at; each test also checks the page loads without a script error or a failed request, fits its width (no
/// horizontal scrolling) and draws its maps.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotBrowserTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("home-1280", "/", 1280)]
    [InlineData("home-375", "/", 375)]
    [InlineData("search-1280", "/search?q=biodiversity&theme=biodiversity", 1280)]
    [InlineData("project-biseps-1280", "/projects/biseps", 1280)]
    [InlineData("grouping-eurometropole-1280", "/groupings/eurometropole", 1280)]
    [InlineData("eligibility-lille-1280", "/eligibility?lat=50.6292&lon=3.0573", 1280)]
    public async Task Screenshot_MainPage_SavedFullPageAtItsWidth(string name, string path, int width)
    {
        await using var context = await browser.NewContextAsync(width, 800);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add("console: " + message.Text); };
        page.PageError += (_, error) => problems.Add("script: " + error);
        page.RequestFailed += (_, request) => problems.Add($"request failed: {request.Url} {request.Failure}");
        page.Response += (_, r) => { if (r.Status >= 400) problems.Add($"{r.Status} {r.Url}"); };
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        foreach (var map in await page.Locator("[data-map]").AllAsync())
        {
            await Expect(map).ToHaveAttributeAsync("data-ready", "true");
        }

        Assert.Empty(problems); // no script error, no failed or 4xx/5xx request (stylesheets, scripts, GeoJSON)
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"{path} is {scrollWidth} px wide in a {width} px window");

        Directory.CreateDirectory(BrowserFixture.ScreenshotFolder);
        var file = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new() { Path = file, FullPage = true });
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot: {file}");

        var header = new byte[24];
        await using (var stream = File.OpenRead(file))
        {
            await stream.ReadExactlyAsync(header, TestContext.Current.CancellationToken);
        }

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, header[..4]);
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16, 4)));
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20, 4)) >= 800);
    }
}
