// Benchmarks for Passerelle: `dotnet run -c Release --project bench/Passerelle.Bench -- <name> [options]`.
// Each benchmark prints medians and the ratio to a baseline measured in the same run.
// Add a benchmark: write a static class with `Run(string[] args)` returning an exit code, and add it to the table.
using Passerelle.Bench;

var benchmarks = new Dictionary<string, (string Usage, Func<string[], int> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["locate"] = ("locate [count=1000000] [--data <shared/data folder>]: NUTS 3 point location", LocateBenchmark.Run),
    ["http"] = ("http [baseUrl] [requests] [path ...]: warm latency of routes on a running server", a => HttpLatencyBenchmark.RunAsync(a).GetAwaiter().GetResult()),
    ["export"] = ("export [projects] [--rows 100000] [--import-rows 20000]: synthetic export and import throughput", a => ExportBenchmark.RunAsync(a).GetAwaiter().GetResult()),
    ["export-scale"] = ("export-scale <passerelle.db | --postgres \"connection string\"> [--runs 3] [--skip-old] [--only operations|keep|kohesio|lists|organisations]: full exports of an existing database in process (query alone, query + writer; ADR 32)", a => ExportScaleBenchmark.RunAsync(a).GetAwaiter().GetResult()),
    ["export-parts"] = ("export-parts <passerelle.db (a copy: each run edits one project or programme)> [--runs 5] [--parts <folder>] [--export operations|keep-projects|keep-partners|kohesio] [--edit project|programme]: the list of operations (a keep.eu table, the Kohesio CSV) kept in parts, the first write after one edit against one pass from the database (ADR 39)", a => ExportPartsBenchmark.RunAsync(a).GetAwaiter().GetResult()),
    ["import"] = ("import <kohesio.csv> [--postgres <server connection string>] [--tracked] [--cache-mb n] [--skip-baseline]: import kohesio throughput into an empty SQLite file or PostgreSQL database, against SQLite alone writing the same rows", a => ImportBenchmark.RunAsync(a).GetAwaiter().GetResult()),
    ["formats"] = ("formats [rows=100000]: CSV/XLSX writers and readers, ours against CsvHelper and the Open XML SDK (ADR 0028)", FormatsBenchmark.Run),
    ["search"] = ("search [projects=100000] [--threads n]: synthetic faceted search latency against a plain match count", SearchBenchmark.Run),
    ["sqlite-floor"] = ("sqlite-floor <passerelle.db> [--without-added] [--cache-mb n]: SQLite alone writing the rows of an imported database into an empty file of the same schema; without the revisions that repeat a created fact; with a larger page cache (import's baseline, for a database imported earlier)", SqliteFloorCommand.Run),
    ["gen-to-kohesio"] = ("gen-to-kohesio <gen.py folder> <out.csv>: ../shared/bench/gen.py's SYNTHETIC data as a Kohesio CSV for import kohesio --unlisted-cci", GenToKohesio.Run),
    ["scale"] = ("scale [projects=100000] [--postgres] [--skip-pg] [--searches 960] [--repeat 2] [--work DIR] [--record] [--smoke]: issue 17 end to end over HTTP (gen.py data imported, real web host) against PostgreSQL FTS", a => ScaleBenchmark.RunAsync(a).GetAwaiter().GetResult()),
    ["gen-search"] = ("gen-search <gen.py output dir> [--queries q.json] [--clients 1] [--rounds 2] [--cold] [--index <folder>] [--partners] [--totals out.csv] [--compare pg.csv] [--scoring terms|lucene|both]: the 240 searches of ../shared/bench/queries.json in process over gen.py's SYNTHETIC data", GenSearchBenchmark.Run),
    ["gen-profile"] = ("gen-profile <gen.py output dir> [--index <folder>] [--rounds 3] [--cold] [--lucene-scorers]: where a search's time goes (parse, match, count, page, facet lists) over gen.py's SYNTHETIC data", GenProfileBenchmark.Run),
    ["facet-count"] = ("facet-count <index folder> [--queries q.json]: facet counting (per-dimension arrays, packed record, per-value bitsets) and filters during matching, over a gen-search index", FacetCountBenchmark.Run),
    ["index-build"] = ("index-build <passerelle.db> [--index <folder>] [--builds 1] [--page 2000] [--skip-read] [--segments n]: the search index's build from a SQLite database copy and a restart on it, in process (issue 17)", IndexBuildBenchmark.Run),
    ["open"] = ("open <index folder> [--runs 5]: a restart's opening of a large index and its first search, facet arrays read back from the table file against every array read from the index", OpenBenchmark.Run),
    ["reopen"] = ("reopen <index folder (a copy: it is written to)> [--updates 20]: a change made visible in search on a large index (commit and reopen), shared segments' arrays copied against every segment read again", ReopenBenchmark.Run),
    ["statistics"] = ("statistics [projects=100000] [--index <folder>] [--split-at n]: statistics aggregation over synthetic documents in memory or an existing index, against matching through Lucene's scorers; --split-at: from how many matches a second core is borrowed", StatisticsBenchmark.Run),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.WriteLine("usage: Passerelle.Bench <benchmark> [options]");
    foreach (var (_, (usage, _)) in benchmarks)
    {
        Console.WriteLine($"  {usage}");
    }

    return args.Length == 0 ? 1 : 2;
}

return benchmark.Run(args[1..]);
