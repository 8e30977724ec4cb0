using System.Diagnostics;
using System.Globalization;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.Imports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;

namespace Passerelle.Bench;

/// <summary>
/// Full export throughput (keep.eu-style project table as CSV and XLSX) over a temporary SQLite database filled with
/// SYNTHETIC projects (a deterministic generator; never part of the default data), and import throughput of the same
/// table. Baseline, measured in the same run: enumerating the same query's rows without writing them. Medians of 3 runs.
/// Usage: Passerelle.Bench export [projects] [--rows 100000] [--import-rows 20000]
/// </summary>
public static class ExportBenchmark
{
    private const int Runs = 3;
    private const string ProgrammeSlug = "synthetic-2014-2020";

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = Option(args, "--rows", 100_000);
        var importRows = Option(args, "--import-rows", 20_000);
        var folder = Directory.CreateTempSubdirectory("passerelle-bench-export-").FullName;
        try
        {
            Console.WriteLine($"# export/import benchmark, SYNTHETIC data ({rows:N0} projects, {rows / 10:N0} organisations, one lead partner each); medians of {Runs} runs");
            Console.WriteLine($"# {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, SQLite file in {Path.GetTempPath()}");
            var empty = Path.Combine(folder, "empty.db");
            await CreateAsync(empty);

            // Close the pooled connection so the file is complete on disk before it is copied.
            SqliteConnection.ClearAllPools();
            var full = Path.Combine(folder, "full.db");
            File.Copy(empty, full);
            var fill = Stopwatch.StartNew();
            await FillAsync(full, rows);
            Console.WriteLine($"# generated and inserted in {fill.Elapsed.TotalSeconds:F1} s");

            await using (var db = Open(full))
            {
                // The SQL of the measured query, to check its shape (one pass, no subquery per row).
                Console.WriteLine("# keep.eu projects query:");
                Console.WriteLine("#   " + new KeepTables(db).ProjectsQuery().ToQueryString().ReplaceLineEndings("\n#   "));
            }

            var baseline = await MeasureAsync(full, async db =>
            {
                long count = 0;
                await foreach (var _ in new KeepTables(db).Projects())
                {
                    count++;
                }

                return (count, 0L);
            });
            var csv = await MeasureAsync(full, async db =>
            {
                var sink = new CountingStream(hash: false);
                var result = await new CsvExportWriter().WriteAsync(sink, KeepTables.ProjectColumns, new KeepTables(db).Projects());
                return (result.RowsWritten, sink.Length);
            });
            var xlsx = await MeasureAsync(full, async db =>
            {
                var sink = new CountingStream(hash: false);
                var result = await new XlsxExportWriter().WriteAsync(sink, KeepTables.ProjectColumns, new KeepTables(db).Projects());
                return (result.RowsWritten, sink.Length);
            });

            Console.WriteLine($"{"measure",-34} {"median s",9} {"rows/s",11} {"MB/s",8} {"MB out",8} {"peak WS MB",11} {"× baseline",11}");
            Print("enumerate rows, no writing (baseline)", baseline, baseline);
            Print("keep.eu projects CSV", csv, baseline);
            Print("keep.eu projects XLSX", xlsx, baseline);

            // Import: the keep.eu-style CSV of the first importRows projects into a fresh database (programme only).
            var file = Path.Combine(folder, "projects.csv");
            await using (var db = Open(full))
            await using (var output = File.Create(file))
            {
                await new CsvExportWriter().WriteAsync(output, KeepTables.ProjectColumns, Limit(new KeepTables(db).Projects(), importRows));
            }

            var imports = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var target = Path.Combine(folder, $"import-{run}.db");
                File.Copy(empty, target, overwrite: true);
                await using var db = Open(target);
                var watch = Stopwatch.StartNew();
                var report = await new KeepImporter(db, new Passerelle.Core.Registry.RegistryWriter(db, new Passerelle.Core.Registry.RegistryWriterOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Passerelle.Core.Registry.RegistryWriter>.Instance), TimeProvider.System).ImportAsync(ImportTable.Projects, file, new ImportSourceOptions("synthetic benchmark data"));
                imports.Add(watch.Elapsed.TotalSeconds);
                if (!report.Succeeded || report.Created != importRows)
                {
                    Console.Error.WriteLine(report.Format());
                    return 1;
                }
            }

            imports.Sort();
            var bytes = new FileInfo(file).Length;
            Console.WriteLine($"{"import keep.eu projects CSV",-34} {imports[1],9:F2} {importRows / imports[1],11:N0} {bytes / imports[1] / 1e6,8:F1} {bytes / 1e6,8:F1}   ({importRows:N0} projects, created; {imports[1] / csv.Seconds * rows / importRows,5:F1}× the per-row time of the CSV export)");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Measure(double Seconds, long Rows, long Bytes, long PeakWorkingSet);

    private static void Print(string name, Measure m, Measure baseline) =>
        Console.WriteLine($"{name,-34} {m.Seconds,9:F3} {m.Rows / m.Seconds,11:N0} {m.Bytes / m.Seconds / 1e6,8:F1} {m.Bytes / 1e6,8:F1} {m.PeakWorkingSet / 1e6,11:F0} {m.Seconds / baseline.Seconds,11:F2}");

    private static async Task<Measure> MeasureAsync(string file, Func<PasserelleDbContext, Task<(long Rows, long Bytes)>> action)
    {
        var results = new List<Measure>();
        for (var run = 0; run < Runs; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await using var db = Open(file);
            using var sampler = new PeakSampler();
            var watch = Stopwatch.StartNew();
            var (rows, bytes) = await action(db);
            var seconds = watch.Elapsed.TotalSeconds;
            results.Add(new Measure(seconds, rows, bytes, sampler.Stop()));
        }

        return results.OrderBy(r => r.Seconds).ElementAt(Runs / 2);
    }

    private static async IAsyncEnumerable<T> Limit<T>(IAsyncEnumerable<T> rows, int count)
    {
        var n = 0;
        await foreach (var row in rows)
        {
            if (n++ == count)
            {
                yield break;
            }

            yield return row;
        }
    }

    private static SqliteDbContext Open(string file) =>
        new(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={file}").Options);

    private static async Task CreateAsync(string file)
    {
        await using var db = Open(file);
        await db.Database.MigrateAsync();
        db.Programmes.Add(new Programme
        {
            Slug = ProgrammeSlug,
            Code = "SYN",
            Period = "2014-2020",
            Kind = ProgrammeKind.CrossBorder,
            Funds = ["ERDF"],
            Name = new LocalizedText { En = "Synthetic benchmark programme (not real data)" },
        });
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// SYNTHETIC rows from a deterministic generator (same input, same rows): project i is "SYN-000i", led by
    /// organisation i mod (rows/10). Inserted in batches of 10,000 with a cleared change tracker.
    /// </summary>
    private static async Task FillAsync(string file, int rows)
    {
        await using var db = Open(file);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var programmeId = await db.Programmes.Where(p => p.Slug == ProgrammeSlug).Select(p => p.Id).SingleAsync();
        var organisationCount = Math.Max(rows / 10, 1);
        var organisationIds = new int[organisationCount];
        for (var start = 0; start < organisationCount; start += 10_000)
        {
            var batch = Enumerable.Range(start, Math.Min(10_000, organisationCount - start)).Select(i => new Organisation
            {
                Slug = $"synthetic-organisation-{i:D6}",
                Name = $"Synthetic organisation {i:D6}",
                Country = (i % 4) switch { 0 => "FR", 1 => "BE", 2 => "NL", _ => "DE" },
                City = $"Town {i % 997}",
                LegalStatus = (LegalStatus)(1 + (i % 2)),
                Latitude = 49 + (i % 300) / 100.0,
                Longitude = 2 + (i % 400) / 100.0,
            }).ToList();
            db.Organisations.AddRange(batch);
            await db.SaveChangesAsync();
            for (var k = 0; k < batch.Count; k++)
            {
                organisationIds[start + k] = batch[k].Id;
            }

            db.ChangeTracker.Clear();
        }

        var day0 = new DateOnly(2015, 1, 1);
        for (var start = 0; start < rows; start += 10_000)
        {
            var batch = Enumerable.Range(start, Math.Min(10_000, rows - start)).Select(i =>
            {
                var total = 50_000m + (i * 7919 % 5_000_000);
                return new Project
                {
                    Slug = $"syn-{i:D6}",
                    Acronym = $"SYN-{i:D6}",
                    ProgrammeCode = "SYN",
                    ProgrammeId = programmeId,
                    Title = new LocalizedText { En = $"Synthetic cross-border project number {i}", Fr = $"Projet transfrontalier synthétique numéro {i}" },
                    Summary = new LocalizedText { En = $"Synthetic description {i}: cooperation between partners on both sides of the border, with \"quotes\", commas, and accents: é, ü, ø." },
                    SpecificObjective = $"Synthetic specific objective {i % 12}",
                    StartDate = day0.AddDays(i % 2000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    EndDate = day0.AddDays((i % 2000) + 1000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    TotalBudget = total,
                    EuContribution = i % 3 == 0 ? null : Math.Round(total * 0.6m, 2),
                    KeepEuId = i % 5 == 0 ? (20_000 + i).ToString(CultureInfo.InvariantCulture) : null,
                    Website = $"https://example.org/synthetic/{i}",
                    Participations = [new Participation { OrganisationId = organisationIds[i % organisationCount], Role = ParticipationRole.LeadPartner }],
                };
            }).ToList();
            db.Projects.AddRange(batch);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
