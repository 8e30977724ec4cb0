using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

using Npgsql;

using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.Imports;
using Passerelle.Core.Registry;

namespace Passerelle.Bench;

/// <summary>
/// Import throughput of a Kohesio CSV (e.g. from gen-to-kohesio: SYNTHETIC data) into an empty, migrated database,
/// through the product's importer and write path (the same interceptors as the host): projects/s, wall, CPU, peak
/// working set, and where the database time goes (commands by kind, summed). One run: an import of a large file is
/// minutes, not a micro-benchmark. On SQLite, the baseline of the same run: SQLite alone writing the rows the import
/// wrote (<see cref="SqliteFloor"/>), and the import's ratio to it.
/// Usage: Passerelle.Bench import &lt;kohesio.csv&gt; [--postgres &lt;connection string of a server; a database is created and dropped&gt;] [--tracked] [--cache-mb n] [--skip-baseline]
/// </summary>
public static class ImportBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("error: usage: import <kohesio.csv> [--postgres <connection string>] [--tracked] [--cache-mb n] [--skip-baseline]");
            return 2;
        }

        var file = Path.GetFullPath(args[0]);
        var postgres = Array.IndexOf(args, "--postgres") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        // --tracked: new records through EF's change tracker (the path before the bulk inserts), for a baseline in the same run.
        var tracked = args.Contains("--tracked");
        // --cache-mb: the write session's SQLite page cache (RegistryWriterOptions.SqliteCacheMegabytes; 2 is SQLite's default).
        var writerOptions = new RegistryWriterOptions();
        if (Array.IndexOf(args, "--cache-mb") is var c and >= 0 && c + 1 < args.Length)
        {
            writerOptions.SqliteCacheMegabytes = int.Parse(args[c + 1], CultureInfo.InvariantCulture);
        }

        // --skip-baseline: no SQLite baseline after the import (at 2 M it takes about as long as a third of the import).
        var baseline = !args.Contains("--skip-baseline");
        var folder = Directory.CreateTempSubdirectory("passerelle-bench-import-").FullName;
        var database = "passerelle_bench_" + Guid.NewGuid().ToString("N")[..12];
        var timing = new CommandTiming();
        try
        {
            Func<PasserelleDbContext> open;
            if (postgres is null)
            {
                var path = Path.Combine(folder, "import.db");
                // The web host's options (AddPasserelleData), so that the import runs the statements it runs there.
                var options = new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={path}", q => q.UseParameterizedCollectionMode(DataServiceCollectionExtensions.ListsOfValues))
                    .AddInterceptors(new WritePathGuard(), new ChangeFeedInterceptor(), timing).Options;
                open = () => new SqliteDbContext(options);
            }
            else
            {
                await using (var admin = new NpgsqlConnection(postgres))
                {
                    await admin.OpenAsync();
                    await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
                    await create.ExecuteNonQueryAsync();
                }

                var target = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
                var options = new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(target, n => n.UseParameterizedCollectionMode(DataServiceCollectionExtensions.ListsOfValues))
                    .AddInterceptors(new WritePathGuard(), new ChangeFeedInterceptor(), timing).Options;
                open = () => new PostgresDbContext(options);
            }

            await using (var db = open())
            {
                await db.Database.MigrateAsync();
            }

            timing.Reset();
            Console.WriteLine($"# import kohesio benchmark: {Path.GetFileName(file)} ({new FileInfo(file).Length / 1e6:F0} MB) into an empty {(postgres is null ? $"SQLite file (write session's page cache {writerOptions.SqliteCacheMegabytes} MB)" : "PostgreSQL database")}{(tracked ? ", new records through EF's change tracker (--tracked)" : "")}; garbage collection {(GCSettings.IsServerGC ? "server" : "workstation")}, {GCSettings.LatencyMode} (DOTNET_gcConcurrent=0 reads Batch)");
            Console.WriteLine($"# {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            GC.Collect();
            var allocated0 = GC.GetTotalAllocatedBytes();
            var pause0 = GC.GetTotalPauseDuration();
            int[] collections0 = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            using var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            using var sampler = new PeakSampler();
            var watch = Stopwatch.StartNew();
            ImportReport report;
            var firstReading = (Wall: 0.0, Cpu: 0.0);
            await using (var db = open())
            {
                var writer = new RegistryWriter(db, writerOptions, TimeProvider.System, NullLogger<RegistryWriter>.Instance);
                var importer = new KohesioImporter(db, writer, TimeProvider.System)
                {
                    // The two readings of the file (ADR 30): the first checks every row, the second writes.
                    AfterFirstReading = _ =>
                    {
                        process.Refresh();
                        firstReading = (watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu0).TotalSeconds);
                        return Task.CompletedTask;
                    },
                };
                report = await importer.ImportAsync(file, new KohesioImportOptions(SourceTitle: "synthetic benchmark data", UnlistedCci: true, TrackedCreate: tracked));
            }

            var wall = watch.Elapsed.TotalSeconds;
            var peak = sampler.Stop();
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            if (!report.Succeeded)
            {
                Console.Error.Write(report.Format());
                return 1;
            }

            await using (var db = open())
            {
                Console.WriteLine($"# written: {await db.Projects.CountAsync():N0} projects, {await db.Organisations.CountAsync():N0} organisations, {await db.Participations.CountAsync():N0} participations, {await db.Facts.CountAsync():N0} facts, {await db.Revisions.CountAsync():N0} revisions, {await db.ChangeFeed.CountAsync():N0} feed entries");
            }

            Console.WriteLine($"{"projects",10} {"wall s",8} {"projects/s",11} {"CPU s",7} {"peak WS MB",11}");
            Console.WriteLine($"{report.Created,10:N0} {wall,8:F1} {report.Created / wall,11:N0} {cpu,7:F1} {peak / 1e6,11:F0}");
            Console.WriteLine($"# garbage collection: {(GC.GetTotalAllocatedBytes() - allocated0) / 1e9:F1} GB allocated, " +
                $"{GC.CollectionCount(0) - collections0[0]:N0}/{GC.CollectionCount(1) - collections0[1]:N0}/{GC.CollectionCount(2) - collections0[2]:N0} collections of generations 0/1/2, " +
                $"{(GC.GetTotalPauseDuration() - pause0).TotalSeconds:F1} s paused");
            Console.WriteLine($"# the first reading (every row checked): {firstReading.Wall:F1} s wall, {firstReading.Cpu:F1} s CPU; the second (checked again and written) and the commit: {wall - firstReading.Wall:F1} s wall, {cpu - firstReading.Cpu:F1} s CPU");
            Console.WriteLine($"# database commands (wall inside ExecuteReader/NonQuery/Scalar, by the statement's first words): {timing.Total.TotalSeconds:F1} s");
            foreach (var (kind, (count, time)) in timing.ByKind.OrderByDescending(k => k.Value.Time).Take(15))
            {
                Console.WriteLine($"#   {time.TotalSeconds,7:F2} s {count,10:N0}× {kind}");
            }

            if (postgres is null && baseline)
            {
                // The baseline, in the same run: SQLite alone writing the same rows (what no importer of this schema can beat).
                SqliteConnection.ClearAllPools();
                var imported = Path.Combine(folder, "import.db");
                var copy = Path.Combine(folder, "floor.db");
                var cache = writerOptions.SqliteCacheMegabytes;
                SqliteFloor.Report($"baseline: SQLite alone writing the same rows into an empty file of the same schema (INSERT … SELECT a table, one transaction, the write session's {cache} MB page cache)",
                    SqliteFloor.Measure(imported, copy, cacheMegabytes: cache), wall, cpu, report.Created);
                SqliteFloor.Report("the same without the revisions that repeat a created fact (Action Added: the history model's share)",
                    SqliteFloor.Measure(imported, copy, SqliteFloor.AddedRevisions, cache), wall, cpu, report.Created);
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            if (postgres is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(postgres);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>Sums the time of every database command by its kind (e.g. "INSERT INTO Facts").</summary>
    private sealed class CommandTiming : DbCommandInterceptor
    {
        private readonly Dictionary<string, (long Count, TimeSpan Time)> _byKind = new(StringComparer.Ordinal);

        public IReadOnlyDictionary<string, (long Count, TimeSpan Time)> ByKind => _byKind;

        public TimeSpan Total => _byKind.Values.Aggregate(TimeSpan.Zero, (sum, k) => sum + k.Time);

        public void Reset() => _byKind.Clear();

        public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result) => Add(command, eventData, result);

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Add(command, eventData, result));

        public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result) => Add(command, eventData, result);

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Add(command, eventData, result));

        public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result) => Add(command, eventData, result);

        public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Add(command, eventData, result));

        private T Add<T>(DbCommand command, CommandExecutedEventData data, T result)
        {
            var text = command.CommandText.TrimStart();
            var words = text.Split((char[])[' ', '\n', '\r', '('], 4, StringSplitOptions.RemoveEmptyEntries);
            var kind = string.Join(' ', words.Take(3)).Replace("\"", "", StringComparison.Ordinal);
            if (kind.StartsWith("SELECT", StringComparison.Ordinal))
            {
                var from = text.IndexOf("FROM ", StringComparison.Ordinal);
                kind = "SELECT … " + (from < 0 ? "" : text[from..].Split((char[])[' ', '\n', '\r'], 3)[1].Replace("\"", "", StringComparison.Ordinal));
            }

            var (count, time) = _byKind.GetValueOrDefault(kind);
            _byKind[kind] = (count + 1, time + data.Duration);
            return result;
        }
    }
}
