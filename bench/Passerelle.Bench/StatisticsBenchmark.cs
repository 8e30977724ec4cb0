using System.Diagnostics;
using System.Globalization;

using Passerelle.Core.Search;

namespace Passerelle.Bench;

/// <summary>
/// `statistics [projects] [--index folder]`: the search benchmark's SYNTHETIC projects (default 100,000) with made-up amounts, sources
/// and partners among 20,000 synthetic organisations, indexed straight into the engine, then the time to aggregate
/// every statistic (ADR 22) over all projects (uncached), one theme's projects and a word's. Never default data.
/// `--index` runs on an existing index instead (the 2 M scale run's: issue 17); `--split-at` sets from how many matches
/// the statistics borrow a second core. Baselines in the same run: the same
/// statistics with the matches found through Lucene's scorers, the search of the same query, matching alone.
/// </summary>
public static class StatisticsBenchmark
{
    private const int Organisations = 20_000;

    public static int Run(string[] args)
    {
        var count = args.Length > 0 && !args[0].StartsWith('-') ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var index = Array.IndexOf(args, "--index") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        using var engine = new SearchEngine(index) { CacheQueries = false };
        // --split-at n: the matches from which the statistics borrow a second core when one is free (the engine's
        // default 100,000; a number above every match set keeps them on one core).
        if (Array.IndexOf(args, "--split-at") is var split and >= 0 && split + 1 < args.Length)
        {
            engine.StatisticsSplitAt = int.Parse(args[split + 1], CultureInfo.InvariantCulture);
        }

        var clock = Stopwatch.StartNew();
        if (index is null)
        {
            Console.WriteLine($"statistics benchmark: {count:N0} SYNTHETIC projects, {Organisations:N0} synthetic organisations");
            engine.Rebuild(Documents(count));
            Console.WriteLine($"index build: {clock.Elapsed.TotalSeconds:F1} s");
        }
        else
        {
            Console.WriteLine($"statistics benchmark: the index in {index}, {engine.DocumentCount:N0} documents; load average {Machine.LoadAverage()}");
        }

        clock.Restart();
        var first = engine.Statistics(new SearchQuery(null));
        Console.WriteLine($"first statistics (loads the per-document arrays): {clock.Elapsed.TotalMilliseconds:F0} ms; {first.Total.Projects:N0} projects, {first.Partners:N0} partners");

        // Every kind: all projects, but through the collector (no words and no filters is cached per snapshot).
        var all = new Dictionary<SearchFacet, IReadOnlyList<string>> { [SearchFacet.Kind] = ["cross-border", "transnational", "interregional", "network"] };
        var theme = new Dictionary<SearchFacet, IReadOnlyList<string>> { [SearchFacet.Theme] = [SyntheticProjects.Themes[3]] };
        foreach (var (name, query) in new[]
        {
            ("all projects (uncached)", new SearchQuery(null, all)), ("one theme", new SearchQuery(null, theme)), ("word 'water'", new SearchQuery("water")),
            ("words 'river basin'", new SearchQuery("river basin")),
            // A word every project of gen.py's data has (over HTTP, the probe of "every project").
            ("word 'synthetic'", new SearchQuery("synthetic")),
        })
        {
            // Warm-up (JIT) of both, so that the timed rounds compare steady code.
            for (var i = 0; i < 5; i++)
            {
                engine.Statistics(query);
                engine.Search(query);
            }

            var times = new List<double>();
            var projects = 0;
            const int rounds = 15;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < rounds; i++)
            {
                var start = Stopwatch.GetTimestamp();
                projects = engine.Statistics(query).Total.Projects;
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            var statisticsCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / rounds;
            // The same statistics with the matches found through Lucene's scorers (before MatchBits).
            engine.MatchBitsForStatistics = false;
            engine.Statistics(query);
            var scored = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                var start = Stopwatch.GetTimestamp();
                engine.Statistics(query);
                scored.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            engine.MatchBitsForStatistics = true;
            scored.Sort();
            // The baseline, in the same run: the search's own count of the same query (facets counted, page of 20).
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < rounds; i++)
            {
                engine.Search(query);
            }

            var searchCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / rounds;
            // And matching alone: the query's hits counted by Lucene, nothing collected.
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < rounds; i++)
            {
                engine.CountMatches(query.Text);
            }

            var matchCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / rounds;
            times.Sort();
            Console.WriteLine($"{name}: {projects:N0} projects, median {times[times.Count / 2]:F1} ms wall, p99 {times[^1]:F1} ms, {statisticsCpu:F1} ms CPU " +
                $"(matched through Lucene's scorers: median {scored[scored.Count / 2]:F1} ms, {scored[scored.Count / 2] / times[times.Count / 2]:F1}× slower) " +
                $"(the search of the same query: {searchCpu:F1} ms CPU, ratio {statisticsCpu / Math.Max(0.01, searchCpu):F2}; matching alone {matchCpu:F1} ms CPU)");
        }

        clock.Restart();
        engine.Statistics(new SearchQuery(null));
        Console.WriteLine($"all projects again (cached per snapshot): {clock.Elapsed.TotalMilliseconds:F2} ms");
        return 0;
    }

    private static IEnumerable<SearchDocument> Documents(int count)
    {
        var random = new Random(SearchBenchmark.Seed + 1);
        foreach (var project in SyntheticProjects.Generate(count))
        {
            var eu = random.Next(4) == 0 ? (decimal?)null : project.Budget * 0.6m;
            yield return project with
            {
                Figures = new IndexedFigures
                {
                    EuContribution = eu,
                    BudgetSources = project.Budget is null ? [] : [1 + random.Next(200)],
                    EuSources = eu is null ? [] : [1 + random.Next(200)],
                    LeadCountry = project.Countries.FirstOrDefault(),
                    Partners = [.. Enumerable.Range(0, 1 + random.Next(5)).Select(_ => 1 + random.Next(Organisations)).Distinct()],
                },
            };
        }

        for (var id = 1; id <= Organisations; id++)
        {
            yield return new SearchDocument
            {
                Type = SearchDocType.Organisation,
                Id = id,
                Slug = $"synthetic-organisation-{id}",
                Name = $"Organisation {id}",
                Countries = [SyntheticProjects.Countries[id % SyntheticProjects.Countries.Length]],
                Figures = new IndexedFigures { OrganisationType = (id % 4) switch { 0 => null, 1 => "public", 2 => "private", _ => "other" } },
            };
        }
    }
}
