using System.Diagnostics;
using System.Globalization;
using System.Numerics;

using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;

using Passerelle.Core.Search;

namespace Passerelle.Bench;

/// <summary>
/// `facet-count &lt;index folder&gt; [--queries queries.json]`: the collecting side of search alone, over an index on disk
/// (one built by gen-search --index over gen.py's SYNTHETIC data). (1) Counting every dimension for match sets of 1 %,
/// 10 %, 50 % and 100 % of the documents: one array per dimension (the counting before issue 17), the packed record
/// of all values per document (now), and per-value bitsets ANDed with the match set and popcounted. (2) Filters
/// during matching: for each search of queries.json with two filters, Lucene's matching with no filter against
/// matching restricted to the documents failing at most one filter (hits walked and time). Medians of 5 runs.
/// </summary>
public static class FacetCountBenchmark
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || !System.IO.Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("error: facet-count <index folder> [--queries queries.json]");
            return 2;
        }

        using var directory = FSDirectory.Open(args[0]);
        // The index's segments name the product's codec: Lucene must know it before reading them.
        SearchCodec.Register();
        using var reader = DirectoryReader.Open(directory);
        var table = new FacetTable(reader);
        var maxDoc = table.MaxDoc;
        Console.WriteLine($"facet-count: {maxDoc:N0} docs in {args[0]}, {table.DimBase[^1]} facet values in {table.Dims.Length} dimensions, "
            + $"{table.PackedOffsets[maxDoc] / (double)maxDoc:F1} values per doc; load average {Machine.LoadAverage()}");
        Console.WriteLine("| match set | docs | per-dimension arrays ms | packed record ms | ratio | per-value bitsets ms | ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var random = new Random(17);
        foreach (var share in new[] { 0.01, 0.10, 0.50, 1.0 })
        {
            var docs = Enumerable.Range(0, maxDoc).Where(_ => random.NextDouble() < share).ToArray();
            var matchBits = new long[(maxDoc + 63) >> 6];
            foreach (var d in docs)
            {
                matchBits[d >> 6] |= 1L << d;
            }

            var valueBits = new List<long[]>();
            for (var dim = 0; dim < table.Dims.Length; dim++)
            {
                var bitsets = new FacetBitsets(table);
                for (var ord = 0; ord < table.Dims[dim].Values.Length; ord++)
                {
                    valueBits.Add(bitsets.Of(dim, ord));
                }
            }

            var arrays = Median(() => CountArrays(table, docs));
            var packed = Median(() => CountPacked(table, docs));
            var bits = Median(() => CountBits(valueBits, matchBits));
            Check(CountArrays(table, docs), CountPacked(table, docs), CountBits(valueBits, matchBits));
            Console.WriteLine($"| {share:P0} | {docs.Length:N0} | {arrays:F2} | {packed:F2} | {arrays / packed:F2} | {bits:F2} | {arrays / bits:F2} |");
        }

        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var queriesPath = Option("--queries") ?? GenQuery.FindDefault();
        if (queriesPath is null)
        {
            return 0;
        }

        var searcher = new IndexSearcher(reader);
        var filterBits = new FacetBitsets(table);
        long walkedAll = 0, walkedFiltered = 0;
        var plain = new List<double>();
        var filtered = new List<double>();
        foreach (var query in GenQuery.Load(queriesPath).Where(q => q.Filters.Count >= 2))
        {
            var search = query.ToSearchQuery();
            var rewritten = searcher.Rewrite(QueryBuilder.Build(search.Text, reader).Query);
            using var plan = FilterPlan.Create(table, filterBits, search.Filters);
            var candidates = plan.AtMostOneFailure(filterBits.Words)!;
            var all = new TotalHitCountCollector();
            var some = new TotalHitCountCollector();
            plain.Add(Median(() => searcher.Search(rewritten, new TotalHitCountCollector())));
            filtered.Add(Median(() => searcher.Search(rewritten, new GlobalBitsFilter(candidates), new TotalHitCountCollector())));
            searcher.Search(rewritten, all);
            searcher.Search(rewritten, new GlobalBitsFilter(candidates), some);
            walkedAll += all.TotalHits;
            walkedFiltered += some.TotalHits;
        }

        Console.WriteLine($"searches with 2 filters ({plain.Count}): hits reaching the collector {walkedAll:N0} unfiltered, {walkedFiltered:N0} filtered "
            + $"({walkedFiltered / (double)Math.Max(1, walkedAll):P1}); Lucene matching mean {plain.Average():F2} ms unfiltered, {filtered.Average():F2} ms filtered");
        return 0;
    }

    private static double Median(Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        return times[2];
    }

    private static void Check(int[] a, int[] b, int[] c)
    {
        if (!a.SequenceEqual(b) || !a.SequenceEqual(c))
        {
            throw new InvalidOperationException("The three ways of counting disagree.");
        }
    }

    // As FacetCollector counted before issue 17: each dimension's own array.
    private static int[] CountArrays(FacetTable table, int[] docs)
    {
        var counts = new int[table.DimBase[^1]];
        foreach (var doc in docs)
        {
            for (var d = 0; d < table.Dims.Length; d++)
            {
                var dim = table.Dims[d];
                var dimBase = table.DimBase[d];
                if (dim.Single is { } single)
                {
                    if (single[doc] >= 0)
                    {
                        counts[dimBase + single[doc]]++;
                    }

                    continue;
                }

                for (var i = dim.Offsets![doc]; i < dim.Offsets[doc + 1]; i++)
                {
                    counts[dimBase + dim.Multi![i]]++;
                }
            }
        }

        return counts;
    }

    private static int[] CountPacked(FacetTable table, int[] docs)
    {
        var counts = new int[table.DimBase[^1]];
        var offsets = table.PackedOffsets;
        var packed = table.Packed16!;
        foreach (var doc in docs)
        {
            var end = offsets[doc + 1];
            for (var i = offsets[doc]; i < end; i++)
            {
                counts[packed[i]]++;
            }
        }

        return counts;
    }

    private static int[] CountBits(List<long[]> valueBits, long[] match)
    {
        var counts = new int[valueBits.Count];
        for (var v = 0; v < valueBits.Count; v++)
        {
            var bits = valueBits[v];
            var n = 0;
            for (var w = 0; w < match.Length; w++)
            {
                n += BitOperations.PopCount((ulong)(bits[w] & match[w]));
            }

            counts[v] = n;
        }

        return counts;
    }
}
