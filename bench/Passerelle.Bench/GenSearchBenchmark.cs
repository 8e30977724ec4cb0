using System.Diagnostics;
using System.Globalization;
using System.Text;

using Passerelle.Core.Search;

namespace Passerelle.Bench;

/// <summary>
/// `gen-search &lt;gen.py output dir&gt;`: the search engine in process over the SYNTHETIC data of ../shared/bench/gen.py
/// and the 240 searches of its queries.json, the same searches PostgreSQL answers in bench.py. A search is a page of
/// 20 ranked hits with snippets, the exact total and every facet counted. Reports the index build (wall, CPU, peak
/// RSS), per query class p50/p90/p99, searches/s and CPU per search; writes every query's total to a CSV and, given
/// PostgreSQL's totals (bench/pg_totals.py), compares them query by query.
/// </summary>
public static class GenSearchBenchmark
{
    private const string Usage =
        "gen-search <gen.py output dir> [--queries queries.json] [--clients 1] [--rounds 2] [--cold] [--index <folder>] "
        + "[--partners] [--totals out.csv] [--compare pg_totals.csv] [--match-only] [--scoring terms|lucene|both]";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("error: " + Usage);
            return 2;
        }

        var dir = args[0];
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        if (GenQuery.Locate(Option("--queries")) is not { } queriesPath)
        {
            return 2;
        }

        var clients = int.Parse(Option("--clients") ?? "1", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option("--rounds") ?? "2", CultureInfo.InvariantCulture);
        var cold = args.Contains("--cold");
        var partners = args.Contains("--partners");
        var indexFolder = Option("--index");
        var totalsPath = Option("--totals") ?? Path.Combine(Path.GetTempPath(), $"gen-search-totals-{Path.GetFileName(Path.GetFullPath(dir).TrimEnd('/'))}.csv");
        var comparePath = Option("--compare");
        // The words alone, matched and counted by Lucene (SearchEngine.CountMatches: no filters, facets, ranking or
        // page, the query built and rewritten every time): the query side's own cost.
        var matchOnly = args.Contains("--match-only");
        var queries = GenQuery.Load(queriesPath);
        // How words are matched and scored: term at a time (the product's default, ScoredMatches), through Lucene's
        // scorers (the baseline), or both, alternated twice in this run (baseline first).
        var scoring = Option("--scoring") ?? "terms";
        if (scoring is not ("terms" or "lucene" or "both"))
        {
            Console.Error.WriteLine("error: --scoring is terms, lucene or both");
            return 2;
        }

        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"gen-search: SYNTHETIC data of {Path.GetFullPath(dir)}, {queries.Count} queries of {queriesPath}; "
            + $"{Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}; {clients} client(s), {rounds} round(s), "
            + $"query cache {(cold ? "OFF (cold)" : "on")}; partners searched: {(partners ? "yes (product shape)" : "no (PostgreSQL's text)")}");

        // Build, or reopen an index built before (--index with documents in it).
        using var sampler = new PeakSampler();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var engine = new SearchEngine(indexFolder);
        try
        {
            var reused = engine.DocumentCount > 0;
            if (!reused)
            {
                engine.Rebuild(GenData.SearchDocuments(dir, partners));
            }

            clock.Stop();
            process.Refresh();
            var buildCpu = process.TotalProcessorTime - cpu0;
            var peak = sampler.Stop();
            Console.WriteLine($"index {(reused ? "reopened" : "built")}: {engine.DocumentCount:N0} docs, {clock.Elapsed.TotalSeconds:F1} s wall, "
                + $"{buildCpu.TotalSeconds:F1} s CPU, peak RSS {peak / 1048576.0:F0} MB, "
                + $"{(indexFolder is null ? "in memory" : "on disk " + indexFolder + $" ({FolderBytes(indexFolder) / 1048576.0:F0} MB)")}, "
                + $"facet+sort arrays {engine.FacetMemoryBytes / 1048576.0:F0} MB");
            engine.SetLabels(GenData.Labels(dir));
            engine.CacheQueries = !cold;

            // Every query once (JIT, term dictionaries; not timed): its total, for the CSV and the comparison.
            var totals = new int[queries.Count];
            for (var i = 0; i < queries.Count; i++)
            {
                totals[i] = engine.Search(queries[i].ToSearchQuery()).Total;
            }

            WriteTotals(totalsPath, queries, totals);
            Console.WriteLine($"totals -> {totalsPath}");
            if (comparePath is not null)
            {
                Compare(comparePath, queries, totals);
            }

            var passes = scoring == "both" ? new[] { false, true, false, true } : [scoring == "terms"];
            foreach (var termAtATime in passes)
            {
                engine.ScoreTermAtATime = termAtATime;
                Console.WriteLine($"scoring: {(termAtATime ? "term at a time (ScoredMatches)" : "Lucene's scorers (baseline)")}");
                Measure(engine, queries, clients, rounds, process, matchOnly);
            }

            Console.WriteLine($"working set after: {Environment.WorkingSet / 1048576.0:F0} MB");
            return 0;
        }
        finally
        {
            engine.Dispose();
        }
    }

    private static void Measure(SearchEngine engine, IReadOnlyList<GenQuery> queries, int clients, int rounds, Process process, bool matchOnly)
    {
        // bench.py's single-client pass: every query `rounds` times, each round shuffled (same seed as bench.py).
        var random = new Random(7);
        var order = new List<int>();
        for (var r = 0; r < rounds; r++)
        {
            var round = Enumerable.Range(0, queries.Count).ToArray();
            random.Shuffle(round);
            order.AddRange(round);
        }

        var ms = new double[order.Count];
        var next = -1;
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, clients).Select(_ => new Thread(() =>
        {
            int k;
            while ((k = Interlocked.Increment(ref next)) < order.Count)
            {
                var start = Stopwatch.GetTimestamp();
                if (matchOnly)
                {
                    engine.CountMatches(queries[order[k]].Text);
                }
                else
                {
                    engine.Search(queries[order[k]].ToSearchQuery());
                }

                ms[k] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        clock.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;

        Console.WriteLine($"{order.Count} {(matchOnly ? "match counts (words only: CountMatches)" : "searches")}, {clients} client(s): {clock.Elapsed.TotalSeconds:F1} s wall, "
            + $"{order.Count / clock.Elapsed.TotalSeconds:F1} searches/s, {cpu.TotalMilliseconds / order.Count:F1} ms CPU per search "
            + $"(process CPU / searches), load average {Machine.LoadAverage()}");
        Console.WriteLine("| query class | n | p50 ms | p90 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var cls in GenQuery.Classes)
        {
            Row(cls, order.Select((q, i) => (q, i)).Where(x => queries[x.q].Class == cls).Select(x => ms[x.i]).ToList());
        }

        Row("**overall**", [.. ms]);
        // The searches that make the tail: each query's slowest time, the ten slowest.
        var slowest = order.Select((q, i) => (Query: queries[q], Ms: ms[i])).GroupBy(x => x.Query)
            .Select(g => (g.Key, Ms: g.Max(x => x.Ms))).OrderByDescending(x => x.Ms).Take(10);
        Console.WriteLine("slowest: " + string.Join("; ", slowest.Select(x =>
            string.Create(CultureInfo.InvariantCulture, $"{x.Key.Id} {x.Key.Class} '{x.Key.Text}'{(x.Key.Filters.Count > 0 ? " +" + x.Key.Filters.Count + " filters" : "")} {x.Ms:F1} ms"))));
    }

    private static void Row(string label, List<double> times)
    {
        if (times.Count == 0)
        {
            return;
        }

        times.Sort();
        Console.WriteLine($"| {label} | {times.Count} | {Percentile(times, 50):F1} | {Percentile(times, 90):F1} | {Percentile(times, 99):F1} | {times[^1]:F1} |");
    }

    /// <summary>Linear interpolation between ranks, as numpy.percentile (bench.py).</summary>
    private static double Percentile(List<double> sorted, double p)
    {
        var rank = p / 100 * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(sorted.Count - 1, low + 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    private static void WriteTotals(string path, IReadOnlyList<GenQuery> queries, int[] totals)
    {
        var csv = new StringBuilder("id,class,terms,filters,total\n");
        for (var i = 0; i < queries.Count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{queries[i].Id},{queries[i].Class},\"{string.Join(' ', queries[i].Terms)}\",{queries[i].FiltersText},{totals[i]}\n");
        }

        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>Our total beside PostgreSQL's (a CSV of id,...,total as bench/pg_totals.py writes), per query.</summary>
    private static void Compare(string path, IReadOnlyList<GenQuery> queries, int[] totals)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var totalAt = Array.IndexOf(header, "total");
        var pg = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => int.Parse(f[totalAt == -1 ? ^1 : totalAt], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var equal = 0;
        var within10 = 0;
        Console.WriteLine("| query | class | text | filters | ours | PostgreSQL | ratio |");
        Console.WriteLine("|---|---|---|---|---:|---:|---:|");
        for (var i = 0; i < queries.Count; i++)
        {
            if (!pg.TryGetValue(queries[i].Id, out var theirs))
            {
                continue;
            }

            equal += totals[i] == theirs ? 1 : 0;
            within10 += Math.Abs(totals[i] - theirs) <= theirs / 10.0 ? 1 : 0;
            if (totals[i] != theirs)
            {
                Console.WriteLine($"| {queries[i].Id} | {queries[i].Class} | {queries[i].Text.TrimEnd()}{(queries[i].Kind == "prefix" ? "…" : "")} | {queries[i].FiltersText} | {totals[i]} | {theirs} | {(theirs == 0 ? "-" : (totals[i] / (double)theirs).ToString("F2", CultureInfo.InvariantCulture))} |");
            }
        }

        Console.WriteLine($"totals equal to PostgreSQL's: {equal} of {pg.Count} (within 10 %: {within10}); the table lists the others");
    }

    private static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
}
