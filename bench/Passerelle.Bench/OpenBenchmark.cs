using System.Diagnostics;
using System.Globalization;

using Passerelle.Core.Search;

namespace Passerelle.Bench;

/// <summary>
/// `open &lt;index folder&gt; [--runs 5]`: what a restart costs the search engine (issue 17: the first search within 2 s of
/// a restart). Opens the index as a restart does and answers one search (every facet counted), alternately with the
/// facet and sort arrays read back from the table file saved beside the index (the product's path, ADR 7 "Restart")
/// and with the file set aside, so every array is read from the index's doc values (the baseline, every start before).
/// One warm-up of each way first (not counted); medians and the ratio; then the time to save the file. The index
/// itself is not changed; the file is written again by the baseline's stop and put back.
/// </summary>
public static class OpenBenchmark
{
    private const string Usage = "open <index folder> [--runs 5]";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("error: " + Usage);
            return 2;
        }

        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var runs = int.Parse(Option("--runs") ?? "5", CultureInfo.InvariantCulture);
        var folder = args[0];
        var file = Path.Combine(folder, TableFile.FileName);
        var aside = file + ".aside";

        // The file as the product leaves it: written by an engine's stop if the index has none yet.
        var clock = Stopwatch.StartNew();
        bool written;
        using (var first = new SearchEngine(folder))
        {
            clock.Restart();
            written = first.SaveTables();
        }

        var saveMs = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine($"open: {folder}; {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"- table file {new FileInfo(file).Length / 1e6:F0} MB" + (written ? $", written in {saveMs:F0} ms" : ", already up to date"));

        var times = new Dictionary<bool, List<(double Open, double Search, int FromFile, int MaxDoc)>> { [true] = [], [false] = [] };
        for (var i = -2; i < runs * 2; i++)
        {
            var withFile = (i & 1) == 0;
            if (!withFile)
            {
                File.Move(file, aside, overwrite: true);
            }

            try
            {
                clock.Restart();
                var engine = new SearchEngine(folder) { CacheQueries = false };
                var open = clock.Elapsed.TotalMilliseconds;
                var total = engine.Search(new SearchQuery(null, PageSize: 20)).Total;
                var search = clock.Elapsed.TotalMilliseconds - open;
                var (fromFile, maxDoc) = (engine.TableDocsFromFile, engine.Current.Reader.MaxDoc);
                engine.Dispose();
                if (total <= 0)
                {
                    Console.Error.WriteLine("error: the index answered no document");
                    return 1;
                }

                if (i >= 0)
                {
                    times[withFile].Add((open, search, fromFile, maxDoc));
                }
            }
            finally
            {
                if (!withFile)
                {
                    File.Move(aside, file, overwrite: true);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| open | runs | open ms p50 | min | max | first search ms p50 | documents' arrays from the file |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var withFile in new[] { true, false })
        {
            var t = times[withFile];
            var label = withFile ? "facet arrays from the table file" : "every array read from the index (baseline)";
            Console.WriteLine(FormattableString.Invariant(
                $"| {label} | {t.Count} | {Median(t.Select(x => x.Open)):F0} | {t.Min(x => x.Open):F0} | {t.Max(x => x.Open):F0} | {Median(t.Select(x => x.Search)):F0} | {t[0].FromFile:N0} of {t[0].MaxDoc:N0} |"));
        }

        var ratio = Median(times[false].Select(x => x.Open)) / Median(times[true].Select(x => x.Open));
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Opening, median: {ratio:F1}× faster with the table file."));
        return 0;
    }

    private static double Median(IEnumerable<double> values) => ScaleRun.Percentile([.. values.Order()], 0.5);
}
