using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.Search;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Search;

public sealed class SqliteSearchIndexRestartTests(PasserelleApp app) : SearchIndexRestartTests<PasserelleApp>(app);

public sealed class PostgresSearchIndexRestartTests(PostgresApp app) : SearchIndexRestartTests<PostgresApp>(app);

/// <summary>
/// An index on disk (Search:IndexPath) across restarts of an instance: reused when it reflects the database, caught up
/// with what changed while the instance was stopped, rebuilt when it belongs to another database or state. Each
/// "instance" is a host of its own on the fixture's database, with the test's own index folder; it is stopped
/// (disposed) before the next one starts, as a redeploy does.
/// </summary>
public abstract class SearchIndexRestartTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-index-").FullName;

    private async Task<WebApplicationFactory<Program>> StartInstanceAsync()
    {
        var host = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("Search:IndexPath", _folder);
            b.UseSetting("ChangeFeed:PollIntervalSeconds", "0.2");
        });
        await host.Services.WaitUntilReadyAsync();
        return host;
    }

    /// <summary>Starts an instance that builds the index into the folder, and stops it.</summary>
    private async Task<long> BuildAndStopAsync()
    {
        await using var first = await StartInstanceAsync();
        var index = first.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.Rebuilt, index.LastOpen);
        return index.Position;
    }

    private static async Task<int> TotalAsync(WebApplicationFactory<Program> host, string query)
    {
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/api/v1/search?" + query, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("total").GetInt32();
    }

    [Fact]
    public async Task Restart_IndexOnDiskUpToDate_IsReusedNotRebuiltAndServesItsFirstSearch()
    {
        var position = await BuildAndStopAsync();

        await using var second = await StartInstanceAsync();
        var index = second.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.Reused, index.LastOpen);
        Assert.Equal(0, index.Builds);
        Assert.Equal(position, index.Position);
        // The facet and sort arrays saved when the first instance stopped, read back whole (ADR 7, "Restart").
        Assert.Equal(index.Engine!.Current.Reader.MaxDoc, index.Engine.TableDocsFromFile);
        Assert.True(await TotalAsync(second, "q=biodiversity&type=project") >= 3);
        // Theme labels are not in the index: they are read again when it is opened.
        using var client = second.CreateClient();
        var result = await client.GetFromJsonAsync<JsonElement>("/api/v1/search?type=project", Ct);
        var theme = result.GetProperty("facets").GetProperty("theme").EnumerateArray()
            .Single(f => f.GetProperty("value").GetString() == "biodiversity");
        Assert.Equal("Biodiversity", theme.GetProperty("label").GetString());
    }

    [Fact]
    public async Task Restart_RecordChangedWhileStopped_IsFoundAfterCatchingUpWithoutRebuild()
    {
        await BuildAndStopAsync();
        // A write while the instance is down, through the write path like every writer: it adds the change-feed entry.
        await app.WriteAsync(async session =>
        {
            var project = await session.Db.Projects.SingleAsync(p => p.Slug == "biseps", Ct);
            await session.LoadValuesAsync([project], Ct);
            return session.SetValue(project, Passerelle.Core.Registry.Fields.Project.Summary.En,
                project.Summary.En + " Counting of the marshwarbler colony.", await PasserelleApp.TestSourceAsync(session));
        });

        await using var second = await StartInstanceAsync();
        var index = second.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.CaughtUp, index.LastOpen);
        Assert.Equal(0, index.Builds);
        Assert.Equal(1, await TotalAsync(second, "q=marshwarbler"));
        Assert.Equal(await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => e.Id, Ct)), index.Position);
    }

    [Fact]
    public async Task Restart_EverythingEntryWhileStopped_RebuildsTheIndex()
    {
        await BuildAndStopAsync();
        // What seeding and `restore` write after their set-based changes.
        await app.WithDbAsync(db =>
        {
            db.ChangeFeed.Add(ChangeEntry.Everything(DateTime.UtcNow));
            return db.SaveChangesAsync(Ct);
        });

        await using var second = await StartInstanceAsync();
        var index = second.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.Rebuilt, index.LastOpen);
        Assert.Equal(1, index.Builds);
        Assert.True(await TotalAsync(second, "q=biodiversity") >= 3);
    }

    [Fact]
    public async Task Restart_IndexOfAnotherDatabase_IsRebuilt()
    {
        await BuildAndStopAsync();
        // Another database under the same settings (a new installation, another server): another database-id.
        await app.WithDbAsync(db => db.AppSettings.Where(s => s.Key == DatabaseIdentity.SettingKey)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Value, Guid.NewGuid().ToString("D")), Ct));

        await using var second = await StartInstanceAsync();
        var index = second.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.Rebuilt, index.LastOpen);
        Assert.Equal(1, index.Builds);
        Assert.True(await TotalAsync(second, "q=biodiversity") >= 3);
    }

    [Fact]
    public async Task Restart_IndexBeyondTheEndOfTheFeed_IsRebuilt()
    {
        var position = await BuildAndStopAsync();
        Assert.True(position > 0, "the seeded database has change-feed entries");
        // The database put back to an older state by other means than `restore` (a file copied back, pg_restore by
        // hand): its feed ends before the entry the index reflects.
        await app.WithDbAsync(db => db.ChangeFeed.Where(e => e.Id >= position).ExecuteDeleteAsync(Ct));

        await using var second = await StartInstanceAsync();
        var index = second.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.Rebuilt, index.LastOpen);
        Assert.Equal(1, index.Builds);
        Assert.True(index.Position < position);
    }

    [Fact]
    public async Task ChangeFeed_EverythingEntry_RebuildsWhileTheOldIndexKeepsAnswering()
    {
        await using var host = await StartInstanceAsync();
        var index = host.Services.GetRequiredService<SearchIndex>();
        var builds = index.Builds;
        await app.WithDbAsync(db =>
        {
            db.ChangeFeed.Add(ChangeEntry.Everything(DateTime.UtcNow));
            return db.SaveChangesAsync(Ct);
        });

        var bound = DateTime.UtcNow + TimeSpan.FromSeconds(180); // against a hang only
        while (index.Builds == builds)
        {
            Assert.True(DateTime.UtcNow < bound, "the change feed did not rebuild the index");
            Assert.True(await TotalAsync(host, "q=biodiversity") >= 3);
        }

        Assert.True(await TotalAsync(host, "q=biodiversity") >= 3);
    }

    [Fact]
    public async Task DatabaseIdentity_InstancesStartingAtOnce_AgreeOnOneId()
    {
        await app.WithDbAsync(db => db.AppSettings.Where(s => s.Key == DatabaseIdentity.SettingKey).ExecuteDeleteAsync(Ct));

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await DatabaseIdentity.GetOrCreateAsync(scope.ServiceProvider.GetRequiredService<PasserelleDbContext>(), Ct);
        }, Ct)));

        var id = Assert.Single(ids.Distinct());
        Assert.True(Guid.TryParse(id, out _), id);
        Assert.Equal(id, await app.WithDbAsync(db => db.AppSettings.Where(s => s.Key == DatabaseIdentity.SettingKey).Select(s => s.Value).SingleAsync(Ct)));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}
