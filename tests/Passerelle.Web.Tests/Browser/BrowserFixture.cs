using System.Net;

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Browser;

/// <summary>All browser tests share one Kestrel server and one Chromium; each test opens its own browser context.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>
/// The real web host (a copy of the per-run SQLite template) served by Kestrel on a free loopback port, and the
/// Debian Chromium driven by Playwright. The browser is never downloaded: <c>PASSERELLE_CHROMIUM</c> names the
/// executable (default <c>/usr/bin/chromium</c>) and a missing one fails every browser test with a message.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumVariable = "PASSERELLE_CHROMIUM";
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public KestrelApp App { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The server's root, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string BaseUrl => App.BaseUrl;

    /// <summary>Where the screenshots go: TestResults/screenshots under the test output folder.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } path ? path : DefaultChromium;

    public async ValueTask InitializeAsync()
    {
        var chromium = ChromiumPath;
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"The browser tests need Chromium at '{chromium}', which does not exist. Install the Debian package " +
                $"(sudo apt-get install chromium) or set {ChromiumVariable} to a Chromium executable. " +
                "Playwright's own browser download is never used.");
        }

        await App.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>
    /// A fresh context (cookies, storage) at the given width. Without
    /// <paramref name="javaScript"/>, pages are used as a browser without script would.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 900, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = BaseUrl,
            ViewportSize = new() { Width = width, Height = height },
            Locale = "en-GB",
            JavaScriptEnabled = javaScript,
        });
        // Guards against a hang, not timings: a loaded 2-core machine once took over 15 s to load a map page.
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(60_000);
        await context.AddInitScriptAsync(LeafletProbe);
        return context;
    }

    /// <summary>
    /// Test-only script run before the page's own: when leaflet.js assigns <c>window.L</c>, an init hook records every
    /// map created in <c>window.__testMaps</c>, so a test can turn a latitude/longitude into a pixel to click. The
    /// portal itself exposes nothing.
    /// </summary>
    private const string LeafletProbe = """
        (() => {
          let leaflet;
          window.__testMaps = [];
          Object.defineProperty(window, 'L', {
            configurable: true,
            get() { return leaflet; },
            set(value) {
              leaflet = value;
              if (value && value.Map && value.Map.addInitHook) {
                value.Map.addInitHook(function () { window.__testMaps.push(this); });
              }
            },
          });
        })();
        """;

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>The test host on Kestrel (a real socket a browser can reach) at a port the system picks.</summary>
public sealed class KestrelApp : PasserelleApp
{
    public string BaseUrl { get; private set; } = "";

    public override async ValueTask InitializeAsync()
    {
        await PrepareDatabaseAsync();
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
        await Services.WaitUntilReadyAsync();
    }
}
