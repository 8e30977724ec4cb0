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
/// minutes, not a micro-benchmark.
/// Usage: Passerelle.Bench import &lt;kohesio.csv&gt; [--postgres &lt;connection string of a server; a database is created and dropped&gt;] [--tracked]
/// </summary>
public static class ImportBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("error: usage: import <kohesio.csv> [--postgres <connection string>]");
            return 2;
        }

        var file = Path.GetFullPath(args[0]);
        var postgres = Array.IndexOf(args, "--postgres") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        // --tracked: new records through EF's change tracker (the path before the bulk inserts), for a baseline in the same run.
        var tracked = args.Contains("--tracked");
        var folder = Directory.CreateTempSubdirectory("passerelle-bench-import-").FullName;
        var database = "passerelle_bench_" + Guid.NewGuid().ToString("N")[..12];
        var timing = new CommandTiming();
        try
        {
            Func<PasserelleDbContext> open;
            if (postgres is null)
            {
                var path = Path.Combine(folder, "import.db");
                var options = new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={path}")
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
                var options = new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(target)
                    .AddInterceptors(new WritePathGuard(), new ChangeFeedInterceptor(), timing).Options;
                open = () => new PostgresDbContext(options);
            }

            await using (var db = open())
            {
                await db.Database.MigrateAsync();
            }

            timing.Reset();
            Console.WriteLine($"# import kohesio benchmark: {Path.GetFileName(file)} ({new FileInfo(file).Length / 1e6:F0} MB) into an empty {(postgres is null ? "SQLite file" : "PostgreSQL database")}{(tracked ? ", new records through EF's change tracker (--tracked)" : "")}; garbage collection {(GCSettings.IsServerGC ? "server" : "workstation")}, {GCSettings.LatencyMode} (DOTNET_gcConcurrent=0 reads Batch)");
            Console.WriteLine($"# {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            using var sampler = new PeakSampler();
            var watch = Stopwatch.StartNew();
            ImportReport report;
            await using (var db = open())
            {
                var writer = new RegistryWriter(db, new RegistryWriterOptions(), TimeProvider.System, NullLogger<RegistryWriter>.Instance);
                report = await new KohesioImporter(db, writer, TimeProvider.System).ImportAsync(file, new KohesioImportOptions(SourceTitle: "synthetic benchmark data", UnlistedCci: true, TrackedCreate: tracked));
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
            Console.WriteLine($"# database commands (wall inside ExecuteReader/NonQuery/Scalar, by the statement's first words): {timing.Total.TotalSeconds:F1} s");
            foreach (var (kind, (count, time)) in timing.ByKind.OrderByDescending(k => k.Value.Time).Take(15))
            {
                Console.WriteLine($"#   {time.TotalSeconds,7:F2} s {count,10:N0}× {kind}");
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
