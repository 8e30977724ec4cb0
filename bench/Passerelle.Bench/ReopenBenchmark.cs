using System.Diagnostics;
using System.Globalization;

using Passerelle.Core.Search;

namespace Passerelle.Bench;

/// <summary>
/// `reopen &lt;index folder&gt; [--updates 20]`: what makes a change visible in search on a large index (issue 17: within
/// 2 s of the commit). Opens the index (the facet and statistics arrays of every document, as a restart does), then
/// writes one SYNTHETIC document at a time and times each update (commit and reopen) until a search finds it, first
/// with the arrays of the segments the new reader shares with the previous one copied (the product's path), then
/// with every segment read again (the baseline, what every reopen did before), alternated in the same run. Medians
/// and p99. The synthetic documents are deleted at the end, but the index is written to: run it on a copy.
/// </summary>
public static class ReopenBenchmark
{
    private const string Usage = "reopen <index folder (a copy: it is written to)> [--updates 20]";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("error: " + Usage);
            return 2;
        }

        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var updates = int.Parse(Option("--updates") ?? "20", CultureInfo.InvariantCulture);

        var clock = Stopwatch.StartNew();
        using var engine = new SearchEngine(args[0]) { CacheQueries = false };
        var open = clock.Elapsed;
        clock.Restart();
        engine.Statistics(new SearchQuery(null));
        var statistics = clock.Elapsed;
        Console.WriteLine($"reopen: {args[0]}, {engine.DocumentCount:N0} documents; {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}");
        Console.WriteLine($"- Opening the index (Lucene, facet and sort arrays): {open.TotalMilliseconds:F0} ms; the statistics' arrays, on the first statistics: {statistics.TotalMilliseconds:F0} ms; facet arrays {engine.FacetMemoryBytes / 1e6:F0} MB.");

        var keys = new List<string>();
        var runs = new Dictionary<bool, List<(double Update, double Load, double Visible, int Shared, int MaxDoc)>> { [true] = [], [false] = [] };
        // Two warm-up updates (one per way, not counted): the first runs compile the code paths.
        for (var i = -2; i < updates * 2; i++)
        {
            var reuse = (i & 1) == 0;
            engine.ReuseSharedSegments = reuse;
            var word = "zqxreopen" + (i + 2).ToString(CultureInfo.InvariantCulture);
            var document = Synthetic(-1_000_000 - i - 2, word);
            keys.Add(document.Key);
            clock.Restart();
            engine.Update([document], []);
            var updated = clock.Elapsed;
            var found = engine.Search(new SearchQuery(word, PageSize: 1)).Total;
            var visible = clock.Elapsed;
            if (found != 1)
            {
                Console.Error.WriteLine($"error: the synthetic document {word} was found {found} times after its update, not once");
                return 1;
            }

            var last = engine.LastReopen!;
            if (i < 0)
            {
                continue;
            }

            runs[reuse].Add((updated.TotalMilliseconds, last.Load.TotalMilliseconds, visible.TotalMilliseconds, last.SharedDocs, last.MaxDoc));
        }

        engine.ReuseSharedSegments = true;
        engine.Update([], keys);

        Console.WriteLine();
        Console.WriteLine("| reopen | updates | update ms p50 | p99 | of which arrays ms p50 | visible in search ms p50 | p99 | docs copied p50 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (reuse, label) in new[] { (true, "shared segments copied"), (false, "every segment read (baseline)") })
        {
            var r = runs[reuse];
            Console.WriteLine($"| {label} | {r.Count} | {Pct(r.Select(x => x.Update), 50):F0} | {Pct(r.Select(x => x.Update), 99):F0} | "
                + $"{Pct(r.Select(x => x.Load), 50):F0} | {Pct(r.Select(x => x.Visible), 50):F0} | {Pct(r.Select(x => x.Visible), 99):F0} | "
                + $"{Pct(r.Select(x => (double)x.Shared), 50):N0} of {r[^1].MaxDoc:N0} |");
        }

        var ratio = Pct(runs[false].Select(x => x.Visible), 50) / Pct(runs[true].Select(x => x.Visible), 50);
        Console.WriteLine($"Visible in search, median: {ratio:F1}× faster with the shared segments copied.");
        return 0;
    }

    private static SearchDocument Synthetic(int id, string word) => new()
    {
        Type = SearchDocType.Project,
        Id = id,
        Slug = "synthetic-reopen-" + word,
        Name = "SYNTHETIC " + word,
        Title = new Passerelle.Core.Common.LocalizedText { En = "SYNTHETIC benchmark project " + word },
        Programme = "SYNTHETIC",
    };

    private static double Pct(IEnumerable<double> values, int percentile) => ScaleRun.Percentile([.. values.Order()], percentile / 100.0);
}
