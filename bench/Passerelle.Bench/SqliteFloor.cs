using System.Diagnostics;
using System.Globalization;

using Microsoft.Data.Sqlite;

namespace Passerelle.Bench;

/// <summary>
/// The baseline of `import` on SQLite: SQLite alone writing the rows an import wrote, into an empty file with the
/// same schema (the same tables, indexes and foreign keys, WAL, statement journals in memory as the write session
/// sets them), one `INSERT … SELECT` a table in one transaction. No parsing, checking, binding or statement per row:
/// what is left is the B-tree work of those rows and their indexes, the floor under any importer of this schema on
/// this machine. `import` reports its ratio to it, measured in the same run; `sqlite-floor &lt;passerelle.db&gt;` measures
/// it for a database imported earlier (e.g. `bench scale`'s 2 M).
/// </summary>
internal static class SqliteFloor
{
    /// <summary>The revisions that repeat a fact created in the same change set (its value, source and rank): the
    /// history model's share of the rows (ADR 30, "SQLite's floor").</summary>
    public const string AddedRevisions = "\"Action\" = 'Added'";

    public sealed record Table(string Name, long Rows, double Seconds);

    public sealed record Result(IReadOnlyList<Table> Tables, double Commit, double Wall, double Cpu)
    {
        public long Rows => Tables.Sum(t => t.Rows);
    }

    /// <summary>
    /// Copies every table of <paramref name="source"/> into a new file <paramref name="target"/> with the same
    /// schema. <paramref name="leaveOutOfRevisions"/>: a condition on the revisions' columns whose rows are not
    /// written (to measure a history model that does not store them). <paramref name="cacheMegabytes"/>: SQLite's
    /// page cache for the writing connection, when not its default (2 MB, as the write session has it).
    /// </summary>
    public static Result Measure(string source, string target, string? leaveOutOfRevisions = null, int? cacheMegabytes = null)
    {
        foreach (var suffix in (string[])["", "-wal", "-shm"])
        {
            File.Delete(target + suffix);
        }

        var schema = new List<(string Type, string Name, string Sql)>();
        using (var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            from.Open();
            using var read = from.CreateCommand();
            // Tables before indexes, each in creation order: the indexes exist while the rows are written, as in an import.
            read.CommandText = "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND type IN ('table', 'index') ORDER BY type = 'index', rowid";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                schema.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
        db.Open();
        Execute(db, "PRAGMA journal_mode = WAL");
        foreach (var (_, _, sql) in schema)
        {
            Execute(db, sql);
        }

        Execute(db, $"ATTACH DATABASE '{source.Replace("'", "''", StringComparison.Ordinal)}' AS src");
        Execute(db, "PRAGMA foreign_keys = ON");
        Execute(db, "PRAGMA temp_store = MEMORY");
        if (cacheMegabytes is { } mb)
        {
            // Negative: kibibytes rather than pages. SQLite's default is 2 MB, which the write session keeps.
            Execute(db, $"PRAGMA cache_size = -{mb * 1024}");
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var tables = new List<Table>();
        Execute(db, "BEGIN");
        // Checked at the commit, so that the tables can be copied in any order; every check is still made.
        Execute(db, "PRAGMA defer_foreign_keys = ON");
        foreach (var (_, name, _) in schema.Where(s => s.Type == "table"))
        {
            var where = name == "Revisions" && leaveOutOfRevisions is not null ? $" WHERE NOT ({leaveOutOfRevisions})" : "";
            // LIMIT -1 (no limit) keeps SQLite from its transfer optimisation (`INSERT INTO t SELECT * FROM u` of the same
            // shape copies records and index entries as they are, checking nothing): the rows are inserted one by one,
            // each into its indexes, as an importer's are.
            var watch = Stopwatch.StartNew();
            var rows = Execute(db, $"INSERT INTO main.\"{name}\" SELECT * FROM src.\"{name}\"{where} LIMIT -1");
            tables.Add(new Table(name, rows, watch.Elapsed.TotalSeconds));
        }

        var commit = Stopwatch.StartNew();
        Execute(db, "COMMIT");
        var commitSeconds = commit.Elapsed.TotalSeconds;
        var wallSeconds = wall.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        Execute(db, "DETACH DATABASE src");
        return new Result(tables, commitSeconds, wallSeconds, cpu);
    }

    /// <summary>Prints a measured floor: the tables with most time, the whole, and the import's ratio to it.</summary>
    public static void Report(string title, Result floor, double importWall, double importCpu, long projects)
    {
        Console.WriteLine($"# {title}");
        Console.WriteLine($"{"",12}{"table",-22} {"rows",12} {"s",8}");
        foreach (var t in floor.Tables.Where(t => t.Rows > 0).OrderByDescending(t => t.Seconds).Take(8))
        {
            Console.WriteLine($"{"",12}{t.Name,-22} {t.Rows,12:N0} {t.Seconds,8:F2}");
        }

        Console.WriteLine($"{"",12}{"(commit)",-22} {"",12} {floor.Commit,8:F2}");
        var ratio = importWall > 0 ? $"; the import: {importWall / floor.Wall:F2}× its wall, {importCpu / floor.Cpu:F2}× its CPU" : "";
        Console.WriteLine($"{"",12}all: {floor.Rows:N0} rows, {floor.Wall:F1} s wall, {floor.Cpu:F1} s CPU; {projects / floor.Wall:N0} projects/s; " +
            $"1,000,000 projects at this rate: {1_000_000.0 / projects * floor.Wall:F0} s{ratio}");
    }

    private static int Execute(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        return command.ExecuteNonQuery();
    }
}

/// <summary>`sqlite-floor &lt;passerelle.db&gt;`: <see cref="SqliteFloor"/> for a database imported earlier (its copy is written next to it, then deleted).</summary>
internal static class SqliteFloorCommand
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("error: usage: sqlite-floor <passerelle.db> [--without-added] [--cache-mb n]");
            return 2;
        }

        var source = Path.GetFullPath(args[0]);
        var withoutAdded = args.Contains("--without-added");
        var cache = Array.IndexOf(args, "--cache-mb") is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : (int?)null;
        var copy = source + ".floor-" + Environment.ProcessId;
        long projects;
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            db.Open();
            using var count = db.CreateCommand();
            count.CommandText = "SELECT count(*) FROM \"Projects\"";
            projects = (long)count.ExecuteScalar()!;
        }

        Console.WriteLine($"# sqlite-floor: {source} ({new FileInfo(source).Length / 1e6:N0} MB, {projects:N0} projects)");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        try
        {
            var title = "SQLite alone writing the same rows into an empty file of the same schema (INSERT … SELECT a table, one transaction)" +
                (withoutAdded ? ", without the revisions that repeat a created fact (Action Added: the history model's share)" : "") +
                (cache is { } mb ? $", with a page cache of {mb} MB (SQLite's default: 2 MB)" : "");
            SqliteFloor.Report(title, SqliteFloor.Measure(source, copy, withoutAdded ? SqliteFloor.AddedRevisions : null, cache), 0, 0, projects);
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in (string[])["", "-wal", "-shm"])
            {
                File.Delete(copy + suffix);
            }
        }
    }
}
