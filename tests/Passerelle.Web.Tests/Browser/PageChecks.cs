using System.Buffers.Binary;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace Passerelle.Web.Tests.Browser;

/// <summary>Checks shared by the browser tests: what went wrong while loading, and full-page screenshots.</summary>
public static class PageChecks
{
    /// <summary>
    /// Records every script error, console error, failed request and 4xx/5xx response of the page from now on; a test
    /// asserts the list is empty once done.
    /// </summary>
    public static List<string> RecordProblems(IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add("console: " + message.Text); };
        page.PageError += (_, error) => problems.Add("script: " + error);
        page.RequestFailed += (_, request) => problems.Add($"request failed: {request.Url} {request.Failure}");
        page.Response += (_, response) => { if (response.Status >= 400) problems.Add($"{response.Status} {response.Url}"); };
        return problems;
    }

    /// <summary>
    /// The page's requests still waiting for their answer, from now on (what <see cref="WaitForNetworkIdleAsync"/> names
    /// when the network does not go quiet).
    /// </summary>
    public static HashSet<IRequest> TrackPending(IPage page)
    {
        var pending = new HashSet<IRequest>();
        page.Request += (_, request) => { lock (pending) { pending.Add(request); } };
        page.RequestFinished += (_, request) => { lock (pending) { pending.Remove(request); } };
        page.RequestFailed += (_, request) => { lock (pending) { pending.Remove(request); } };
        return pending;
    }

    /// <summary>
    /// Playwright's network idle (no request for 500 ms), failing with the requests still waiting rather than with a
    /// bare timeout: a CI run once waited 60 s here without saying for what.
    /// </summary>
    public static async Task WaitForNetworkIdleAsync(IPage page, HashSet<IRequest> pending)
    {
        try
        {
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
        catch (TimeoutException)
        {
            string[] waiting;
            lock (pending)
            {
                waiting = pending.Select(r => $"{r.Method} {r.Url} ({r.ResourceType})").ToArray();
            }

            Assert.Fail($"{page.Url}: the network was not idle in time; still waiting for: {(waiting.Length == 0 ? "nothing the page asked for" : string.Join(", ", waiting))}");
        }
    }

    /// <summary>
    /// Once every map is drawn, checks the page fits the window's width (no horizontal scrolling) and saves a
    /// full-page PNG as TestResults/screenshots/<paramref name="name"/>.png under the test output folder.
    /// </summary>
    public static async Task SaveScreenshotAsync(IPage page, string name)
    {
        foreach (var map in await page.Locator("[data-map]").AllAsync())
        {
            await Expect(map).ToHaveAttributeAsync("data-ready", "true");
        }

        var width = page.ViewportSize!.Width;
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"{page.Url} is {scrollWidth} px wide in a {width} px window");

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
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20, 4)) >= page.ViewportSize.Height);
    }
}
