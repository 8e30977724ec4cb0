using System.Globalization;

using Passerelle.Core.Search;

namespace Passerelle.Bench;

/// <summary>
/// `gen-profile &lt;gen.py output dir&gt; [--index folder] [--rounds 3] [--cold] [--lucene-scorers]`: where a search's time goes over gen.py's
/// SYNTHETIC data and queries.json (SearchEngine.Profile): parse and rewrite, Lucene matching alone, collecting and
/// counting facets (match-and-count less match-only), the page with snippets, the facet lists; mean ms per search by
/// query class and by number of filters. One client; sections timed with Stopwatch in the same call.
/// </summary>
public static class GenProfileBenchmark
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("error: gen-profile <gen.py output dir> [--index folder] [--rounds 3] [--cold] [--lucene-scorers] [--queries q.json]");
            return 2;
        }

        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var dir = args[0];
        if (GenQuery.Locate(Option("--queries")) is not { } queriesPath)
        {
            return 2;
        }

        var queries = GenQuery.Load(queriesPath);
        var rounds = int.Parse(Option("--rounds") ?? "3", CultureInfo.InvariantCulture);
        using var engine = new SearchEngine(Option("--index"));
        if (engine.DocumentCount == 0)
        {
            engine.Rebuild(GenData.SearchDocuments(dir));
        }

        engine.CacheQueries = !args.Contains("--cold");
        // --lucene-scorers: words matched and scored through Lucene's scorers (the baseline of ScoredMatches).
        engine.ScoreTermAtATime = !args.Contains("--lucene-scorers");
        foreach (var q in queries)
        {
            engine.Profile(q.ToSearchQuery());
        }

        var rows = new List<(GenQuery Query, SearchProfile Profile)>();
        for (var r = 0; r < rounds; r++)
        {
            rows.AddRange(queries.Select(q => (q, engine.Profile(q.ToSearchQuery()))));
        }

        Console.WriteLine($"gen-profile: {engine.DocumentCount:N0} docs, {rows.Count} searches, query cache {(engine.CacheQueries ? "on" : "off (cold)")}, "
            + $"scoring {(engine.ScoreTermAtATime ? "term at a time" : "Lucene's scorers")}, "
            + $"load average {Machine.LoadAverage()}; mean ms per search");
        Console.WriteLine("| group | n | mean hits | parse | match only | collect+count | stored fields | snippets | facet lists | total |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in rows.GroupBy(r => r.Query.Class).Concat(rows.GroupBy(r => r.Query.Filters.Count + " filters")).Append(rows.GroupBy(_ => "all").Single()))
        {
            double Mean(Func<SearchProfile, TimeSpan> f) => group.Average(r => f(r.Profile).TotalMilliseconds);
            var matchOnly = Mean(p => p.MatchOnly);
            var collect = Mean(p => p.MatchAndCount) - matchOnly;
            Console.WriteLine($"| {group.Key} | {group.Count()} | {group.Average(r => r.Profile.Total):F0} | {Mean(p => p.Parse):F2} | {matchOnly:F2} | {collect:F2} | "
                + $"{Mean(p => p.StoredFields):F2} | {Mean(p => p.Snippets):F2} | {Mean(p => p.FacetLists):F2} | "
                + $"{Mean(p => p.Parse + p.MatchAndCount + p.StoredFields + p.Snippets + p.FacetLists):F2} |");
        }

        return 0;
    }
}
