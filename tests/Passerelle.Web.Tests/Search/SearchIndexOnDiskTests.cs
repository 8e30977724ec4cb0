using System.Diagnostics;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Search;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Search;

/// <summary>
/// What is in the index folder itself, whatever the database: an unreadable index, one written in another format,
/// and the `reindex` command's index. (The database-dependent cases run per provider in SearchIndexRestartTests.)
/// </summary>
public sealed class SearchIndexOnDiskTests(PasserelleApp app) : IClassFixture<PasserelleApp>, IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-index-").FullName;

    private async Task<WebApplicationFactory<Program>> StartInstanceAsync()
    {
        var host = app.WithWebHostBuilder(b => b.UseSetting("Search:IndexPath", _folder));
        await host.Services.WaitUntilReadyAsync();
        return host;
    }

    private static async Task AssertServesAsync(WebApplicationFactory<Program> host)
    {
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/api/v1/search?q=biodiversity", Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Restart_UnreadableIndexOnDisk_IsReplacedByARebuild()
    {
        await using (await StartInstanceAsync())
        {
        }

        var files = Directory.GetFiles(_folder);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            // A disk that lost or mangled the files: same names, garbage content.
            await File.WriteAllBytesAsync(file, [0x13, 0x37, 0x00, 0xFF, 0x42], Ct);
        }

        await using var second = await StartInstanceAsync();
        var index = second.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.Rebuilt, index.LastOpen);
        Assert.True(index.DocumentCount > 0);
        await AssertServesAsync(second);
    }

    [Fact]
    public async Task Restart_IndexWrittenInAnotherFormat_IsRebuilt()
    {
        await using (await StartInstanceAsync())
        {
        }

        // What an older build would have left: the same database and position, another schema version.
        using (var engine = new SearchEngine(_folder))
        {
            var data = engine.CommitData.ToDictionary(d => d.Key, d => d.Value);
            data["passerelle.schema"] = (SearchEngine.SchemaVersion - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            engine.Update([], [], data);
        }

        await using var second = await StartInstanceAsync();
        var index = second.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.Rebuilt, index.LastOpen);
        await AssertServesAsync(second);
    }

    [Fact]
    public async Task Reindex_Command_WritesAnIndexTheNextStartReuses()
    {
        // The published executable, as an operator runs it; it starts no hosted service.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Passerelle.Web.dll"));
        start.ArgumentList.Add("reindex");
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["ConnectionStrings__Passerelle"] = app.ConnectionString;
        start.Environment["Search__IndexPath"] = _folder;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(180)); // against a hang only
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Matches(@"Search index rebuilt: [1-9][0-9]* documents\.", await stdout);

        await using var host = await StartInstanceAsync();
        var index = host.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.Reused, index.LastOpen);
        Assert.Equal(0, index.Builds);
        await AssertServesAsync(host);
    }

    [Fact]
    public async Task Dispose_IndexOpenedAheadOfAStartThatNeverCame_ReleasesTheFolder()
    {
        await using (await StartInstanceAsync())
        {
        }

        // A host that stopped between its hosted services' StartingAsync (which begins opening the index) and the
        // index's start: the engine opened ahead holds the folder's lock until the index is disposed.
        var services = app.Services;
        using (var ahead = ActivatorUtilities.CreateInstance<SearchIndex>(services, new SearchOptions { FullIndexPath = _folder }))
        {
            ahead.BeginOpening();
        }

        await using var next = await StartInstanceAsync();
        Assert.Equal(SearchIndexOpening.Reused, next.Services.GetRequiredService<SearchIndex>().LastOpen);
        await AssertServesAsync(next);
    }

    // An index beside the fixture's host, on its database, reporting to a status of its own: the host's must stay its own.
    private SearchIndex Standalone(SearchOptions options) =>
        ActivatorUtilities.CreateInstance<SearchIndex>(app.Services, options, new Passerelle.Core.Common.ServiceStatus(TimeProvider.System));

    [Fact]
    public async Task StartAsync_RebuildMergedLater_ServesThenSavesTheMergedIndexAndItsArrays()
    {
        await app.Services.WaitUntilReadyAsync();
        var query = new SearchQuery("biodiversity", PageSize: 100);
        var expected = await app.Services.GetRequiredService<SearchIndex>().SearchAsync(query, Ct);
        // A segment per 5 documents and no size threshold: the seed's rebuild serves many segments, then merges them.
        var options = new SearchOptions { FullIndexPath = _folder, MergeLaterFrom = 0, FlushEveryDocs = 5 };
        using (var index = Standalone(options))
        {
            await index.StartAsync(Ct);
            Assert.Equal(SearchIndexOpening.Rebuilt, index.LastOpen);
            Assert.True(index.IsReady);

            Assert.True(await index.Merging);

            var reader = index.Engine!.Current.Reader;
            Assert.Single(reader.Leaves);
            var saved = TableFile.Load(Path.Combine(_folder, TableFile.FileName), reader);
            Assert.Equal(reader.MaxDoc, saved?.Shared.Docs);
            var actual = await index.SearchAsync(query, Ct);
            Assert.Equal(expected.Total, actual.Total);
            Assert.Equal(expected.Items.Select(i => i.Slug), actual.Items.Select(i => i.Slug));
        }

        using var next = Standalone(new SearchOptions { FullIndexPath = _folder });
        await next.StartAsync(Ct);
        Assert.Equal(SearchIndexOpening.Reused, next.LastOpen);
        Assert.Single(next.Engine!.Current.Reader.Leaves);
        Assert.Equal(next.Engine.Current.Reader.MaxDoc, next.Engine.TableDocsFromFile);
    }

    [Fact]
    public async Task RebuildAsync_MergedLater_ReturnsOnceTheIndexIsMerged()
    {
        // The `reindex` command's path: the process ends next, so the index it leaves must be the merged one.
        await app.Services.WaitUntilReadyAsync();
        var options = new SearchOptions { FullIndexPath = _folder, MergeLaterFrom = 0, FlushEveryDocs = 5 };
        using var index = Standalone(options);

        var count = await index.RebuildAsync(Ct);

        Assert.True(count > 5);
        Assert.True(index.Merging.IsCompletedSuccessfully);
        Assert.True(await index.Merging);
        Assert.Single(index.Engine!.Current.Reader.Leaves);
        Assert.Equal(count, index.DocumentCount);
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
