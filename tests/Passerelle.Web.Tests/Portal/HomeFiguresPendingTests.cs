using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Data;
using Passerelle.Core.OpenData.Catalog;
using Passerelle.Core.Organisations;
using Passerelle.Core.Statistics;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Portal;

/// <summary>
/// A host whose pages never wait for a value of the registry being computed (RegistryCache:WaitForCurrent 0), and
/// that computes none before it is asked. Its database has none of the values the template's host kept (ADR 38), as
/// at a first start: every value must be computed. Its key figures are computed only while <see cref="Figures"/> is
/// open, so that a test decides whether a computation is still running when a page asks: with a wait of 0, a count
/// on a registry this small can otherwise end before the page reads what it got (CI, 2 December).
/// </summary>
public sealed class NoWaitApp : PasserelleApp
{
    /// <summary>Holds the key figures' computations while a test keeps it closed (it starts open).</summary>
    public ComputationGate Figures { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RegistryCache:WaitForCurrent", "00:00:00");
        builder.UseSetting("RegistryCache:WarmUpAtStart", "false");
        // The same cache as the host's (same computation, kept likewise), whose computation first passes the gate.
        builder.ConfigureTestServices(services => services.AddSingleton(sp => new RegistryCache<KeyFigureSet>(
            sp.GetRequiredService<IServiceScopeFactory>(),
            async (db, ct) =>
            {
                await Figures.PassAsync(ct);
                return await KeyFigures.ComputeAsync(db, ct);
            },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RegistryCache<KeyFigureSet>>>(),
            KeptRegistryValues.Json)));
    }

    protected override async Task PrepareDatabaseAsync()
    {
        await base.PrepareDatabaseAsync();
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM \"KeptRegistryValues\"";
        Assert.True(await command.ExecuteNonQueryAsync() > 0, "the template kept no registry value (ADR 38)");
    }
}

/// <summary>A gate a computation passes only while it is open: a test holds it, then lets it go.</summary>
public sealed class ComputationGate
{
    private volatile TaskCompletionSource _open = Opened();

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    /// <summary>Computations that start from now on wait at the gate.</summary>
    public void Close()
    {
        if (_open.Task.IsCompleted)
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets the computations waiting, and those after them, through.</summary>
    public void Open() => _open.TrySetResult();

    public Task PassAsync(CancellationToken ct) => _open.Task.WaitAsync(ct);
}

/// <summary>A host whose pages never wait for a value being computed, with the warm-up after the start (the default).</summary>
public sealed class NoWaitWarmUpApp : PasserelleApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RegistryCache:WaitForCurrent", "00:00:00");
    }
}

/// <summary>The warm-up (ADR 33): the key figures are counted after the start, before any visitor asks for them.</summary>
public sealed class RegistryWarmUpTests(NoWaitWarmUpApp app) : IClassFixture<NoWaitWarmUpApp>
{
    [Fact]
    public async Task Start_WarmUp_CountsTheKeyFiguresBeforeTheFirstVisit()
    {
        var ct = TestContext.Current.CancellationToken;
        var figures = app.Services.GetRequiredService<RegistryCache<KeyFigureSet>>();
        var catalog = app.Services.GetRequiredService<RegistryCache<DataCatalog>>();
        for (var i = 0; i < 300 && !(figures.HasValue && catalog.HasValue); i++)
        {
            await Task.Delay(100, ct);
        }

        using var client = app.CreateClient();
        var home = await client.GetStringAsync("/", ct);

        Assert.True(catalog.HasValue);
        Assert.Contains("key-figures-list", home, StringComparison.Ordinal);
        Assert.DoesNotContain("figures-pending", home, StringComparison.Ordinal);
    }
}

/// <summary>
/// The home page when its key figures take longer to count than a visitor is kept waiting, as at two million projects
/// (ADR 33): it says they are being counted, then shows them, and after a change shows them with their time.
/// </summary>
public sealed partial class HomeFiguresPendingTests(NoWaitApp app) : IClassFixture<NoWaitApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex("""<p class="sub figures-as-of">Chiffres au (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC""")]
    private static partial Regex AsOfInFrench();

    private async Task<string> WaitForAsync(HttpClient client, string path, Func<string, bool> until)
    {
        for (var i = 0; i < 300; i++)
        {
            var html = await client.GetStringAsync(path, Ct);
            if (until(html))
            {
                return html;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"{path} never showed what was waited for");
    }

    [Fact]
    public async Task Home_FiguresSlowerThanTheWait_SaysTheyAreCountedThenShowsThemThenTheirTimeAfterAChange()
    {
        using var client = app.CreateClient();

        // Nothing counted yet, and the page does not wait: it says so, as a status, in its language.
        app.Figures.Close();
        var first = await client.GetStringAsync("/", Ct);
        Assert.Contains("<p class=\"figures-pending\" role=\"status\">The figures are being counted", first, StringComparison.Ordinal);
        Assert.DoesNotContain("key-figures-list", first, StringComparison.Ordinal);

        // Counted in the background: the figures, current, with no note.
        app.Figures.Open();
        var counted = await WaitForAsync(client, "/fr/", html => html.Contains("key-figures-list", StringComparison.Ordinal));
        Assert.DoesNotContain("figures-as-of", counted, StringComparison.Ordinal);
        Assert.DoesNotContain("figures-pending", counted, StringComparison.Ordinal);

        // A change: the previous figures, with the time they were counted, while they are counted again.
        app.Figures.Close();
        await app.WriteAsync(session =>
        {
            session.Create(new Organisation { Slug = "home-figures-pending", Name = "Home figures pending" });
            return Task.FromResult(0);
        });
        var stale = await client.GetStringAsync("/fr/", Ct);
        Assert.Contains("key-figures-list", stale, StringComparison.Ordinal);
        var at = AsOfInFrench().Match(stale);
        Assert.True(at.Success, "the previous figures carry the time they were counted");
        Assert.InRange(DateTime.ParseExact(at.Groups[1].Value + "Z", "yyyy-MM-dd HH:mmK", null, System.Globalization.DateTimeStyles.AdjustToUniversal),
            DateTime.UtcNow.AddMinutes(-10), DateTime.UtcNow.AddMinutes(1));

        app.Figures.Open();
        await WaitForAsync(client, "/fr/", html => !html.Contains("figures-as-of", StringComparison.Ordinal));
    }
}
