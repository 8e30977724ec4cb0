using System.Diagnostics;
using System.Globalization;

using NetTopologySuite.Geometries;

using Passerelle.Core.Territories;

namespace Passerelle.Bench;

/// <summary>
/// Locates N deterministic random points in Europe's bounding box (lon -25..45, lat 34..72) to NUTS 3 with
/// <see cref="TerritoryLocator"/>, single-threaded and in parallel, median of 5 runs; baseline = a naive loop over all
/// NUTS 3 polygons with Geometry.Covers, timed on a small sample and extrapolated.
/// </summary>
internal static class LocateBenchmark
{
    private const int Runs = 5;
    private const int BaselineSample = 2000;

    public static int Run(string[] args)
    {
        int count = 1_000_000;
        string? data = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--data" && i + 1 < args.Length)
            {
                data = args[++i];
            }
            else if (!int.TryParse(args[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out count) || count <= 0)
            {
                Console.Error.WriteLine($"locate: '{args[i]}' is not a positive count");
                return 2;
            }
        }

        data ??= FindSharedData();
        if (data is null)
        {
            Console.Error.WriteLine("locate: no shared/data folder found above the current or program directory; use --data");
            return 2;
        }

        var load = Stopwatch.StartNew();
        var nuts = NutsGeoJsonReader.Read(Path.Combine(data, "nuts", NutsGeoJsonReader.DefaultFileName));
        Console.WriteLine($"read {nuts.Count} NUTS units in {load.ElapsedMilliseconds} ms");
        load.Restart();
        var locator = new TerritoryLocator(nuts);
        Console.WriteLine($"built locator in {load.ElapsedMilliseconds} ms");

        var random = new Random(20211);
        var lats = new double[count];
        var lons = new double[count];
        for (int i = 0; i < count; i++)
        {
            lons[i] = -25 + (random.NextDouble() * 70);
            lats[i] = 34 + (random.NextDouble() * 38);
        }

        var results = new TerritoryUnit?[count];
        Console.WriteLine($"{count:N0} points, {Environment.ProcessorCount} logical cores, median of {Runs} runs");

        double single = Median(() =>
        {
            for (int i = 0; i < count; i++)
            {
                results[i] = locator.LocateNuts3(lats[i], lons[i]);
            }
        });
        int found = results.Count(r => r is not null);
        Report("locator, 1 thread", count, single);

        // One contiguous range per worker: per-item delegates would dominate a microsecond-scale operation.
        double parallel = Median(() =>
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, count, Math.Max(1, count / (Environment.ProcessorCount * 4))),
                range =>
                {
                    for (int i = range.Item1; i < range.Item2; i++)
                    {
                        results[i] = locator.LocateNuts3(lats[i], lons[i]);
                    }
                }));
        Report($"locator, Parallel.ForEach over ranges ({Environment.ProcessorCount} cores)", count, parallel);
        Console.WriteLine($"  {found:N0} of {count:N0} points ({100.0 * found / count:F1} %) are in a NUTS 3 region");

        // Baseline: what the code would do without an index.
        var nuts3 = nuts.Where(u => u.Kind == TerritoryKind.Nuts3).Select(u => (u.Unit, u.Geometry)).ToArray();
        var factory = nuts3[0].Geometry.Factory;
        int sample = Math.Min(BaselineSample, count);
        int mismatches = 0;
        double naive = Median(() =>
        {
            mismatches = 0;
            for (int i = 0; i < sample; i++)
            {
                var point = factory.CreatePoint(new Coordinate(lons[i], lats[i]));
                TerritoryUnit? hit = null;
                foreach (var (unit, geometry) in nuts3)
                {
                    if (geometry.Covers(point))
                    {
                        hit = unit;
                        break;
                    }
                }

                if (hit?.Code != results[i]?.Code)
                {
                    mismatches++;
                }
            }
        }) * count / sample;
        Report($"baseline: loop over {nuts3.Length} polygons with Covers ({sample:N0} points, extrapolated)", count, naive);
        Console.WriteLine($"  baseline disagrees on {mismatches} of {sample} points (boundary ties only expected)");
        Console.WriteLine($"ratio baseline / locator: {naive / single:F0}x single-threaded, {naive / parallel:F0}x parallel");
        return 0;
    }

    private static void Report(string what, int count, double seconds) =>
        Console.WriteLine($"{what}: {seconds:F3} s, {count / seconds:N0} points/s");

    private static double Median(Action action)
    {
        var times = new double[Runs];
        for (int r = 0; r < Runs; r++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[r] = watch.Elapsed.TotalSeconds;
        }

        Array.Sort(times);
        return times[Runs / 2];
    }

    private static string? FindSharedData()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
