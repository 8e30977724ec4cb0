using System.Diagnostics;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

using Npgsql;

using Passerelle.Core.Data.ChangeFeed;

namespace Passerelle.Core.Data.Backup;

/// <summary>A backup or restore that cannot run: missing tool, missing file, tool failure. The message says why.</summary>
public sealed class BackupException(string message) : Exception(message);

/// <summary>
/// Backs up and restores the whole database with the provider's own tools: SQLite's online backup API (a consistent
/// copy while the portal runs), PostgreSQL's pg_dump custom format and pg_restore. See ADR 6.
/// </summary>
public sealed class DatabaseBackup(PasserelleDbContext db, DatabaseOptions options, ILogger<DatabaseBackup> logger)
{
    public async Task BackupAsync(string file, CancellationToken ct = default)
    {
        file = Path.GetFullPath(file);
        if (Path.GetDirectoryName(file) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        if (options.Provider == DatabaseProvider.Postgres)
        {
            await RunPgToolAsync("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", file], ct);
        }
        else
        {
            // Written next to the target, then moved: a failed backup never leaves a half-written file under its name.
            var partial = file + ".partial";
            File.Delete(partial);
            await using (var source = new SqliteConnection(db.Database.GetConnectionString()))
            await using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
            {
                await source.OpenAsync(ct);
                await target.OpenAsync(ct);
                source.BackupDatabase(target);
            }

            File.Move(partial, file, overwrite: true);
        }

        logger.LogInformation("Backed up the {Provider} database to {File}", options.Provider, file);
    }

    /// <summary>
    /// Replaces the database's content with the backup's, then appends a change-feed entry telling every running
    /// instance to reload everything, numbered after anything they may have seen before the restore.
    /// </summary>
    public async Task RestoreAsync(string file, CancellationToken ct = default)
    {
        file = Path.GetFullPath(file);
        if (!File.Exists(file))
        {
            throw new BackupException($"Backup file not found: {file}");
        }

        var feedEnd = await FeedEndAsync(ct);
        if (options.Provider == DatabaseProvider.Postgres)
        {
            // One transaction: a failing restore leaves the database as it was. --clean --if-exists drops each object
            // of the backup before recreating it, so restoring over a live database needs no manual drop.
            await RunPgToolAsync("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", file], ct);
            NpgsqlConnection.ClearAllPools();
        }
        else
        {
            await using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            await using (var target = new SqliteConnection(db.Database.GetConnectionString()))
            {
                await source.OpenAsync(ct);
                await target.OpenAsync(ct);
                source.BackupDatabase(target);
            }

            SqliteConnection.ClearAllPools();
        }

        try
        {
            await MarkRestoredAsync(Math.Max(feedEnd, await FeedEndAsync(ct)) + 1, ct);
        }
        catch (System.Data.Common.DbException e)
        {
            logger.LogWarning(e, "The restored database has no change feed yet: run `migrate`, then restart the web instances");
        }

        logger.LogInformation("Restored the {Provider} database from {File}", options.Provider, file);
    }

    private async Task<long> FeedEndAsync(CancellationToken ct)
    {
        try
        {
            return await db.ChangeFeed.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        }
        catch (System.Data.Common.DbException)
        {
            // Restoring into an empty database (a new server) or from a backup older than the change feed.
            return 0;
        }
    }

    private async Task MarkRestoredAsync(long id, CancellationToken ct)
    {
        // The restored feed ends where it ended at backup time, below Ids the instances have already seen: the entry
        // gets an explicit Id above them (and PostgreSQL's identity is moved past it) so every listener reads it.
        var entry = ChangeEntry.Everything(DateTime.UtcNow);
        entry.Id = id;
        db.ChangeFeed.Add(entry);
        await db.SaveChangesAsync(ct);
        if (options.Provider == DatabaseProvider.Postgres)
        {
            await db.Database.ExecuteSqlRawAsync(
                "SELECT setval(pg_get_serial_sequence('\"ChangeFeed\"', 'Id'), (SELECT max(\"Id\") FROM \"ChangeFeed\"))", ct);
        }
    }

    private async Task RunPgToolAsync(string tool, string[] arguments, CancellationToken ct)
    {
        var path = FindPgTool(tool);
        var connection = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
        var start = new ProcessStartInfo(path) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The connection goes through PG* variables, never the command line: a password there is visible to `ps`.
        var environment = start.Environment;
        environment["PGHOST"] = connection.Host;
        environment["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["PGDATABASE"] = connection.Database;
        SetOrRemove(environment, "PGUSER", connection.Username);
        SetOrRemove(environment, "PGPASSWORD", connection.Password);
        environment["PGSSLMODE"] = connection.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        if (tool == "pg_restore")
        {
            start.ArgumentList.Add("--dbname");
            start.ArgumentList.Add(connection.Database!);
        }

        using var process = Process.Start(start) ?? throw new BackupException($"Could not start {path}");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var errors = (await stderr).Trim();
        _ = await stdout;
        if (process.ExitCode != 0)
        {
            throw new BackupException($"{tool} failed (exit code {process.ExitCode}): {errors}");
        }
    }

    private static void SetOrRemove(IDictionary<string, string?> environment, string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            environment.Remove(name);
        }
        else
        {
            environment[name] = value;
        }
    }

    /// <summary>The newest server version's binary under /usr/lib/postgresql (Debian), else the one on PATH.</summary>
    public static string FindPgTool(string tool)
    {
        // The newest first: pg_dump refuses servers newer than itself, and Debian's /usr/bin wrapper needs a local
        // cluster configuration to choose a version.
        var versioned = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin", tool))
            : [];
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, tool));
        return versioned.Concat(onPath).FirstOrDefault(File.Exists)
            ?? throw new BackupException(
                $"{tool} was not found in /usr/lib/postgresql/*/bin nor on PATH. Install the PostgreSQL client tools " +
                $"(Debian: apt-get install postgresql-client) in a version at least that of the server.");
    }
}
