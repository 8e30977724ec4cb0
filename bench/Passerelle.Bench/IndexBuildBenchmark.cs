using System.Diagnostics;
using System.Globalization;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Search;

namespace Passerelle.Bench;

/// <summary>
/// `index-build &lt;passerelle.db&gt;`: the search index's full build from a SQLite database, in process (issue 17: 2 M
/// projects within 5 minutes on 2 cores and 2 GiB; a restart on an up-to-date index serving within 2 s). Reports
/// reading alone (the pages of documents, no index), then each build: wall, CPU, peak RSS, documents/s and where the
/// time went (reading pages, waiting for the engine, adding, merging, committing, reopening), then the restart: a new
/// <see cref="SearchIndex"/> on the index on disk until its first search answers. The database is opened as given (it
/// gets a database id if it has none): use a copy.
/// </summary>
public static class IndexBuildBenchmark
{
    private const string Usage = "index-build <passerelle.db> [--index <folder>] [--builds 1] [--page 2000] [--skip-read] [--segments n (0: no final merge)]";

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("error: " + Usage);
            return 2;
        }

        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var database = Path.GetFullPath(args[0]);
        var folder = Path.GetFullPath(Option("--index") ?? Path.Combine(Path.GetTempPath(), "index-build-" + Environment.ProcessId));
        var builds = int.Parse(Option("--builds") ?? "1", CultureInfo.InvariantCulture);
        var pageSize = int.Parse(Option("--page") ?? "2000", CultureInfo.InvariantCulture);
        var segments = Option("--segments") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : (int?)null;

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Passerelle"] = $"Data Source={database}",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddPasserelleData(configuration, Path.GetDirectoryName(database)!);
        await using var provider = services.BuildServiceProvider();
        var scopes = provider.GetRequiredService<IServiceScopeFactory>();
        var options = new SearchOptions { IndexPath = folder, FullIndexPath = folder, RebuildPageSize = pageSize };
        if (segments is { } max)
        {
            options.RebuildSegments = max;
        }

        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(folder))
        {
            File.Delete(file);
        }

        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"index-build: {database} ({new FileInfo(database).Length / 1e6:F0} MB), index in {folder}; {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}; page size {pageSize}");

        if (!args.Contains("--skip-read"))
        {
            // Reading alone: every page of projects and organisations as the build reads them, no index.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            var reader = new SearchDocumentReader(db, DateOnly.FromDateTime(DateTime.UtcNow));
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var projects = 0;
            await foreach (var page in reader.ProjectPagesAsync(pageSize, default))
            {
                projects += page.Count;
            }

            var projectTime = clock.Elapsed;
            var organisations = 0;
            await foreach (var page in reader.OrganisationPagesAsync(pageSize, default))
            {
                organisations += page.Count;
            }

            process.Refresh();
            Console.WriteLine(FormattableString.Invariant(
                $"read only: {projects:N0} projects in {projectTime.TotalSeconds:F1} s, {organisations:N0} organisations in {(clock.Elapsed - projectTime).TotalSeconds:F1} s; CPU {(process.TotalProcessorTime - cpu0).TotalSeconds:F1} s"));
        }

        for (var b = 1; b <= builds; b++)
        {
            using var index = new SearchIndex(scopes, options, new ServiceStatus(TimeProvider.System), TimeProvider.System, NullLogger<SearchIndex>.Instance);
            GC.Collect();
            using var sampler = new PeakSampler();
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var count = await index.RebuildAsync();
            var wall = clock.Elapsed;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpu0;
            var peak = sampler.Stop();
            var (reading, waiting) = index.LastRebuildReading;
            var t = index.Engine!.LastRebuild!;
            var m = index.Engine.LastMerge;
            var size = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);
            Console.WriteLine(FormattableString.Invariant(
                $"build {b}: {count:N0} documents in {wall.TotalSeconds:F1} s wall ({count / wall.TotalSeconds:N0} docs/s), CPU {cpu.TotalSeconds:F1} s ({cpu / wall:F2} cores), peak RSS {peak / 1048576} MB, index {size / 1e6:F0} MB, load average {Machine.LoadAverage()}"));
            Console.WriteLine(FormattableString.Invariant(
                $"  reading pages {reading.TotalSeconds:F1} s, waiting for the engine {waiting.TotalSeconds:F1} s; engine: add {t.Add.TotalSeconds:F1} s, merge {t.Merge.TotalSeconds:F1} s, commit {t.Commit.TotalSeconds:F1} s, reopen {t.Reopen.TotalSeconds:F1} s; searchable after {index.LastRebuildServing.TotalSeconds:F1} s"));
            if (m is not null)
            {
                Console.WriteLine(FormattableString.Invariant(
                    $"  then, serving: segments merged in {m.Merge.TotalSeconds:F1} s, commit {m.Commit.TotalSeconds:F1} s, reopen {m.Reopen.TotalSeconds:F1} s"));
            }
        }

        // A restart: a new instance on the index on disk, as SearchIndexService starts it, until its first search answers.
        for (var r = 1; r <= 2; r++)
        {
            var clock = Stopwatch.StartNew();
            using var index = new SearchIndex(scopes, options, new ServiceStatus(TimeProvider.System), TimeProvider.System, NullLogger<SearchIndex>.Instance);
            await index.StartAsync(default);
            var started = clock.Elapsed;
            var result = await index.SearchAsync(new SearchQuery("synthetic"));
            var first = clock.Elapsed;
            await index.SearchAsync(new SearchQuery("water energy"));
            Console.WriteLine(FormattableString.Invariant(
                $"restart {r} ({index.LastOpen}): started in {started.TotalSeconds:F2} s, first search ({result.Total:N0} hits) answered at {first.TotalSeconds:F2} s; a second search {(clock.Elapsed - first).TotalMilliseconds:F0} ms"));
        }

        return 0;
    }
}
