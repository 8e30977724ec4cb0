using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Projects;

namespace Passerelle.Bench;

/// <summary>
/// The full exports in process over an existing database (issue 17, ADR 32): for each export, the query alone (rows
/// enumerated, nothing written) and the query with the writer into a counting sink, rows/s, MB/s (of the file the
/// export writes) and the peak working set of the run. The list of operations is measured on both paths in the same
/// run: the one-query EF projection (the baseline) and the merge join of two flat queries, and their CSV files are
/// compared by SHA-256; so is the Kohesio CSV (a merge join of three flat queries). Medians of --runs runs (the baseline projection runs once: it is the slow one).
/// Usage: Passerelle.Bench export-scale &lt;passerelle.db | --postgres "connection string"&gt; [--runs 3] [--skip-old] [--only operations|keep|kohesio|lists|organisations]
/// The database is only read; copy a shared one first.
/// </summary>
public static class ExportScaleBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var postgres = Value(args, "--postgres");
        var file = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && a != postgres);
        if (postgres is null && (file is null || !File.Exists(file)))
        {
            Console.Error.WriteLine("error: give a SQLite database file (a copy: it is opened read-write) or --postgres \"connection string\"");
            return 2;
        }

        var runs = int.Parse(Value(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        var skipOld = args.Contains("--skip-old");
        var only = Value(args, "--only");
        Func<PasserelleDbContext> open = postgres is not null
            ? () => new PostgresDbContext(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(postgres).Options)
            : () => new SqliteDbContext(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={file};Pooling=True").Options);

        await using (var db = open())
        {
            var projects = await db.Projects.CountAsync(p => p.IsPublished);
            var participations = await db.Participations.CountAsync();
            Console.WriteLine($"# export-scale: {(postgres is null ? "SQLite " + file : "PostgreSQL")}, {projects:N0} published projects, {participations:N0} participations");
        }

        Console.WriteLine($"# {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; medians of {runs} runs");
        Console.WriteLine($"{"measure",-46} {"median s",9} {"CPU s",7} {"rows/s",11} {"MB/s",8} {"MB/CPU s",9} {"MB out",8} {"peak WS MB",11}");

        var csv = new CsvExportWriter();
        if (only is null or "operations")
        {
            var bytes = 0L;
            var newHash = "";
            var newCsv = await MeasureAsync(open, runs, async db =>
            {
                var sink = new CountingStream(hash: false);
                var result = await csv.WriteAsync(sink, OperationsList.Columns, new OperationsList(db).Operations());
                bytes = sink.Length;
                return (result.RowsWritten, sink.Length);
            });
            var newQuery = await MeasureAsync(open, runs, async db => (await CountAsync(new OperationsList(db).Operations()), bytes));
            Print("operations: merged queries, no writing", newQuery);
            Print("operations.csv: merged queries + CSV", newCsv);
            if (!skipOld)
            {
                var oldQuery = await MeasureAsync(open, 1, async db => (await CountAsync(new OperationsList(db).OperationsByProjection()), bytes));
                var oldHash = "";
                var oldCsv = await MeasureAsync(open, 1, async db =>
                {
                    var sink = new CountingStream(hash: true);
                    var result = await csv.WriteAsync(sink, OperationsList.Columns, new OperationsList(db).OperationsByProjection());
                    oldHash = sink.Hash();
                    return (result.RowsWritten, sink.Length);
                });
                await using (var db = open())
                {
                    var sink = new CountingStream(hash: true);
                    await csv.WriteAsync(sink, OperationsList.Columns, new OperationsList(db).Operations());
                    newHash = sink.Hash();
                }

                Print("operations: EF projection (baseline), no writing", oldQuery);
                Print("operations.csv: EF projection + CSV (baseline)", oldCsv);
                Console.WriteLine($"# operations.csv: merged {newCsv.Seconds / oldCsv.Seconds:P0} of the baseline's time; SHA-256 {(oldHash == newHash ? "identical" : "DIFFERENT")} ({newHash[..16]}…)");
            }
        }

        if (only is null or "keep")
        {
            var projectBytes = 0L;
            var projectsCsv = await MeasureAsync(open, runs, async db =>
            {
                var sink = new CountingStream(hash: false);
                var result = await csv.WriteAsync(sink, KeepTables.ProjectColumns, new KeepTables(db).Projects());
                projectBytes = sink.Length;
                return (result.RowsWritten, sink.Length);
            });
            var projectsQuery = await MeasureAsync(open, runs, async db => (await CountAsync(new KeepTables(db).Projects()), projectBytes));
            Print("keep projects: query, no writing", projectsQuery);
            Print("keep projects.csv: query + CSV", projectsCsv);

            var partnerBytes = 0L;
            var partnersCsv = await MeasureAsync(open, runs, async db =>
            {
                var sink = new CountingStream(hash: false);
                var result = await csv.WriteAsync(sink, KeepTables.PartnerColumns, new KeepTables(db).Partners());
                partnerBytes = sink.Length;
                return (result.RowsWritten, sink.Length);
            });
            var partnersQuery = await MeasureAsync(open, runs, async db => (await CountAsync(new KeepTables(db).Partners()), partnerBytes));
            Print("keep partners: query, no writing", partnersQuery);
            Print("keep partners.csv: query + CSV", partnersCsv);
        }

        if (only is null or "kohesio")
        {
            var filter = new KohesioFilter();
            var kohesioBytes = 0L;
            var kohesioCsv = await MeasureAsync(open, runs, async db =>
            {
                var sink = new CountingStream(hash: false);
                var result = await new KohesioCsv(db).WriteAsync(sink, filter, complete: false, CancellationToken.None);
                kohesioBytes = sink.Length;
                return (result.RowsWritten, sink.Length);
            });
            var kohesioQuery = await MeasureAsync(open, runs, async db => (await CountAsync(new KohesioCsv(db).RowsAsync(filter)), kohesioBytes));
            Print("kohesio: merged queries + mapping, no writing", kohesioQuery);
            Print("kohesio.csv: merged + mapping + CSV", kohesioCsv);
            if (!skipOld)
            {
                var oldQuery = await MeasureAsync(open, 1, async db => (await CountAsync(new KohesioCsv(db) { ByProjection = true }.RowsAsync(filter)), kohesioBytes));
                var oldHash = "";
                var oldCsv = await MeasureAsync(open, 1, async db =>
                {
                    var sink = new CountingStream(hash: true);
                    var result = await new KohesioCsv(db) { ByProjection = true }.WriteAsync(sink, filter, complete: false, CancellationToken.None);
                    oldHash = sink.Hash();
                    return (result.RowsWritten, sink.Length);
                });
                string newHash;
                await using (var db = open())
                {
                    var sink = new CountingStream(hash: true);
                    await new KohesioCsv(db).WriteAsync(sink, filter, complete: false, CancellationToken.None);
                    newHash = sink.Hash();
                }

                Print("kohesio: EF projection (baseline), no writing", oldQuery);
                Print("kohesio.csv: EF projection + CSV (baseline)", oldCsv);
                Console.WriteLine($"# kohesio.csv: merged {kohesioCsv.CpuSeconds / oldCsv.CpuSeconds:P0} of the baseline's CPU time; SHA-256 {(oldHash == newHash ? "identical" : "DIFFERENT")} ({newHash[..16]}…)");
            }
        }

        if (only is null or "lists")
        {
            await ListsAsync(open, runs, skipOld, csv);
        }

        if (only is "organisations")
        {
            await OrganisationsAsync(open, runs, csv);
        }

        SqliteConnection.ClearAllPools();
        return 0;
    }

    /// <summary>
    /// The project and organisation lists (<c>/api/v1/projects/export.csv</c>, <c>/api/v1/organisations/export.csv</c>)
    /// against their previous queries, kept here as the baseline: a subquery per lead field, a count per organisation.
    /// </summary>
    private static async Task ListsAsync(Func<PasserelleDbContext> open, int runs, bool skipOld, CsvExportWriter csv)
    {
        // The CSV columns read no location: the locator is not needed.
        ListExports Exports(PasserelleDbContext db) => new(db, TimeProvider.System, null!);
        var projectColumns = Exports(open()).ProjectColumns();
        var hashes = new Dictionary<string, string>();
        Task<(long, long)> Write<T>(string name, IReadOnlyList<ExportColumn<T>> columns, IAsyncEnumerable<T> rows) =>
            WriteHashedAsync(csv, columns, rows, hash => hashes[name] = hash);

        var projects = await MeasureAsync(open, runs, db => Write("projects", projectColumns, Exports(db).Projects(new())));
        Print("projects.csv: query + CSV", projects);
        var organisations = await MeasureAsync(open, runs, db => Write("organisations", ListExports.OrganisationColumns, Exports(db).Organisations(null)));
        Print("organisations.csv: three queries + CSV", organisations);
        if (skipOld)
        {
            return;
        }

        var oldProjects = await MeasureAsync(open, 1, db => Write("old projects", projectColumns, OldProjects(db)));
        Print("projects.csv: a subquery per lead field (baseline)", oldProjects);
        var oldOrganisations = await MeasureAsync(open, 1, db => Write("old organisations", ListExports.OrganisationColumns, OldOrganisations(db)));
        Print("organisations.csv: a count per row (baseline)", oldOrganisations);
        Console.WriteLine($"# projects.csv: {oldProjects.Seconds / projects.Seconds:F1}× faster; SHA-256 {(hashes["projects"] == hashes["old projects"] ? "identical" : "DIFFERENT")}");
        Console.WriteLine($"# organisations.csv: {oldOrganisations.Seconds / organisations.Seconds:F1}× faster; SHA-256 {(hashes["organisations"] == hashes["old organisations"] ? "identical" : "DIFFERENT")}");
    }

    private static IAsyncEnumerable<ProjectExportRow> OldProjects(PasserelleDbContext db) =>
        db.Projects.AsNoTracking().Where(p => p.IsPublished).OrderBy(p => p.Acronym).ThenBy(p => p.Id).Select(p => new ProjectExportRow(
            p.Slug, p.Acronym, p.Title.En, p.Title.Fr, p.Title.Nl, p.Title.De,
            p.ProgrammeCode,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Slug : null,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Period : null,
            p.StartDate, p.EndDate, p.TotalBudget, p.EuContribution, p.StatedEuRate, p.KeepEuId, p.Website,
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Slug).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Name).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Country).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.City).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Latitude).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Longitude).FirstOrDefault(),
            p.Themes.OrderBy(t => t.Slug).Select(t => t.Slug).ToList())).AsAsyncEnumerable();

    /// <summary>
    /// The organisation list whole and for two countries (Italy's organisations are many in gen.py's data, Belgium's few)
    /// against the previous reading of the counts, kept here as the baseline: every participation's pair of ids and
    /// every published project's id read by this process (ADR 32, "The project and organisation lists").
    /// </summary>
    private static async Task OrganisationsAsync(Func<PasserelleDbContext> open, int runs, CsvExportWriter csv)
    {
        ListExports Exports(PasserelleDbContext db) => new(db, TimeProvider.System, null!);
        foreach (var country in new[] { null, "IT", "BE" })
        {
            var hashes = new List<string>();
            Task<(long, long)> Write(IAsyncEnumerable<OrganisationExportRow> rows) =>
                WriteHashedAsync(csv, ListExports.OrganisationColumns, rows, hashes.Add);

            var name = country ?? "all";
            var current = await MeasureAsync(open, runs, db => Write(Exports(db).Organisations(country)));
            Print($"organisations {name}: counted by the database", current);
            var baseline = await MeasureAsync(open, runs, db => Write(PairsOrganisations(db, country)));
            Print($"organisations {name}: every pair read (baseline)", baseline);
            Console.WriteLine($"# organisations {name}: {baseline.Seconds / current.Seconds:F1}× faster; SHA-256 {(hashes.Distinct().Count() == 1 ? "identical" : "DIFFERENT")}");
        }
    }

    /// <summary>Writes the rows as CSV into a counting sink; the rows and bytes written, the file's SHA-256 to <paramref name="hashed"/>.</summary>
    private static async Task<(long, long)> WriteHashedAsync<T>(
        CsvExportWriter csv, IReadOnlyList<ExportColumn<T>> columns, IAsyncEnumerable<T> rows, Action<string> hashed)
    {
        var sink = new CountingStream(hash: true);
        var result = await csv.WriteAsync(sink, columns, rows);
        hashed(sink.Hash());
        return (result.RowsWritten, sink.Length);
    }

    private static async IAsyncEnumerable<OrganisationExportRow> PairsOrganisations(PasserelleDbContext db, string? country)
    {
        var published = new List<ulong>();
        await foreach (var id in FlatQuery.ReadAsync(db, "SELECT \"Id\" FROM \"Projects\" WHERE \"IsPublished\"", [], r => r.GetInt32(0), default))
        {
            while (published.Count <= id >> 6)
            {
                published.Add(0);
            }

            published[id >> 6] |= 1UL << (id & 63);
        }

        var counts = new List<int>();
        await foreach (var (project, organisation) in FlatQuery.ReadAsync(db, "SELECT \"ProjectId\", \"OrganisationId\" FROM \"Participations\"", [], r => (r.GetInt32(0), r.GetInt32(1)), default))
        {
            if (project >> 6 < published.Count && (published[project >> 6] & (1UL << (project & 63))) != 0)
            {
                while (counts.Count <= organisation)
                {
                    counts.Add(0);
                }

                counts[organisation]++;
            }
        }

        // The organisations read as the product reads them.
        var sql = country is null ? ListExports.OrganisationsSql : ListExports.OrganisationsOfCountrySql;
        var parameters = country is null ? [] : new[] { new KeyValuePair<string, object>("@country", country) };
        await foreach (var row in FlatQuery.ReadAsync(db, sql, parameters, r => ListExports.OrganisationRow(r, counts), default))
        {
            yield return row;
        }
    }

    private static IAsyncEnumerable<OrganisationExportRow> OldOrganisations(PasserelleDbContext db) =>
        db.Organisations.AsNoTracking().Where(o => o.IsPublished).OrderBy(o => o.Name).ThenBy(o => o.Id).Select(o => new OrganisationExportRow(
            o.Slug, o.Name, o.Country, o.City, o.LegalStatus, o.Latitude, o.Longitude, o.Website,
            db.Participations.Count(p => p.OrganisationId == o.Id && p.Project.IsPublished))).AsAsyncEnumerable();

    internal sealed record Measure(double Seconds, double CpuSeconds, long Rows, long Bytes, long PeakWorkingSet);

    /// <summary>
    /// CPU seconds are the process's (user + system, every thread) during the run: on a machine shared with other work
    /// the wall time stretches, the CPU time much less, so MB per CPU second is the figure that compares across runs.
    /// </summary>
    internal static void Print(string name, Measure m) =>
        Console.WriteLine($"{name,-46} {m.Seconds,9:F2} {m.CpuSeconds,7:F2} {m.Rows / m.Seconds,11:N0} {m.Bytes / m.Seconds / 1e6,8:F1} {m.Bytes / m.CpuSeconds / 1e6,9:F1} {m.Bytes / 1e6,8:F1} {m.PeakWorkingSet / 1e6,11:F0}");

    private static async Task<long> CountAsync<T>(IAsyncEnumerable<T> rows)
    {
        long count = 0;
        await foreach (var _ in rows)
        {
            count++;
        }

        return count;
    }

    internal static async Task<Measure> MeasureAsync(Func<PasserelleDbContext> open, int runs, Func<PasserelleDbContext, Task<(long Rows, long Bytes)>> action)
    {
        var results = new List<Measure>();
        for (var run = 0; run < runs; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await using var db = open();
            using var process = Process.GetCurrentProcess();
            using var sampler = new PeakSampler();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var (rows, bytes) = await action(db);
            var seconds = watch.Elapsed.TotalSeconds;
            process.Refresh();
            var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            results.Add(new Measure(seconds, cpuSeconds, rows, bytes, sampler.Stop()));
        }

        return results.OrderBy(r => r.Seconds).ElementAt(runs / 2);
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
