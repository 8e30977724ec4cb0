namespace Passerelle.Web.Tests.Browser;

/// <summary>
/// The home page on a phone-sized window. The other main pages are saved at 1280 px by the tests that visit them
/// (PageChecks.SaveScreenshotAsync), all under TestResults/screenshots in the test output folder.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Home_NarrowWindow_FitsItsWidthAndIsSaved()
    {
        await using var context = await browser.NewContextAsync(375, 800);
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);
        var response = await page.GotoAsync("/");
        Assert.Equal(200, response!.Status);

        await PageChecks.SaveScreenshotAsync(page, "home-375");

        Assert.Empty(problems);
    }
}
