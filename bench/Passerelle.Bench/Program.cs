// Benchmarks for Passerelle: `dotnet run -c Release --project bench/Passerelle.Bench -- <name> [options]`.
// Each benchmark prints medians and the ratio to a baseline measured in the same run.
// Add a benchmark: write a static class with `Run(string[] args)` returning an exit code, and add it to the table.
using Passerelle.Bench;

var benchmarks = new Dictionary<string, (string Usage, Func<string[], int> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["locate"] = ("locate [count=1000000] [--data <shared/data folder>]: NUTS 3 point location", LocateBenchmark.Run),
    ["http"] = ("http [baseUrl] [requests] [path ...]: warm latency of routes on a running server", a => HttpLatencyBenchmark.RunAsync(a).GetAwaiter().GetResult()),
    ["export"] = ("export [projects] [--rows 100000] [--import-rows 20000]: synthetic export and import throughput", a => ExportBenchmark.RunAsync(a).GetAwaiter().GetResult()),
    ["import"] = ("import <kohesio.csv> [--postgres <server connection string>]: import kohesio throughput into an empty SQLite file or PostgreSQL database", a => ImportBenchmark.RunAsync(a).GetAwaiter().GetResult()),
    ["formats"] = ("formats [rows=100000]: CSV/XLSX writers and readers, ours against CsvHelper and the Open XML SDK (ADR 0028)", FormatsBenchmark.Run),
    ["search"] = ("search [projects=100000] [--threads n]: synthetic faceted search latency against a plain match count", SearchBenchmark.Run),
    ["gen-to-kohesio"] = ("gen-to-kohesio <gen.py folder> <out.csv>: ../shared/bench/gen.py's SYNTHETIC data as a Kohesio CSV for import kohesio --unlisted-cci", GenToKohesio.Run),
    ["statistics"] = ("statistics [projects=100000]: synthetic statistics aggregation over the search index", StatisticsBenchmark.Run),
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
