using System.Diagnostics;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

using Npgsql;

using Passerelle.Core.Data.ChangeFeed;

namespace Passerelle.Core.Data.Backup;

/// <summary>Why a backup or restore could not run.</summary>
public enum BackupError
{
    /// <summary>A PostgreSQL tool failed, or is missing.</summary>
    Tool,

    /// <summary>The backup file does not exist.</summary>
    FileNotFound,

    /// <summary>The file is not a backup this installation can restore: empty, another format, damaged, not Passerelle's, newer.</summary>
    InvalidFile,
}

/// <summary>A backup or restore that cannot run: missing tool, missing file, tool failure, invalid file. The message says why.</summary>
public sealed class BackupException(string message, BackupError error = BackupError.Tool) : Exception(message)
{
    public BackupError Error { get; } = error;
}

/// <summary>Where <c>restore</c> keeps a backup of the database it replaces (<c>Backup:Folder</c>).</summary>
public sealed record BackupOptions(string Folder)
{
    public const string FolderKey = "Backup:Folder";
}

/// <summary>What a restore did.</summary>
/// <param name="PreviousBackup">The backup of the replaced database; null when there was none to keep (a new database).</param>
/// <param name="MigrationsApplied">Migrations applied after restoring a backup older than this build.</param>
public sealed record RestoreResult(string? PreviousBackup, int MigrationsApplied);

/// <summary>
/// Backs up and restores the whole database with the provider's own tools: SQLite's online backup API (a consistent
/// copy while the portal runs), PostgreSQL's pg_dump custom format and pg_restore. See ADR 6.
/// </summary>
public sealed class DatabaseBackup(
    PasserelleDbContext db, DatabaseOptions options, BackupOptions backupOptions, WriteLock writeLock, TimeProvider clock, ILogger<DatabaseBackup> logger)
{
    /// <summary>How many times a SQLite copy (backup or restore) is tried while another write holds a database (see <see cref="CopyAsync"/>).</summary>
    private const int CopyAttempts = 50;

    /// <summary>Tables every Passerelle database has had since the first migration.</summary>
    private static readonly string[] PasserelleTables = ["__EFMigrationsHistory", "Projects", "Facts"];

    public async Task BackupAsync(string file, CancellationToken ct = default)
    {
        file = Path.GetFullPath(file);
        if (Path.GetDirectoryName(file) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        if (options.Provider == DatabaseProvider.Postgres)
        {
            await RunPgToolAsync("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", file], connect: true, ct);
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
                await CopyAsync(source, target, ct);
            }

            File.Move(partial, file, overwrite: true);
        }

        logger.LogInformation("Backed up the {Provider} database to {File}", options.Provider, file);
    }

    /// <summary>
    /// Replaces the database's content with the backup's. The file is checked first (present, not empty, the provider's
    /// format, intact, a Passerelle database, no migration this build does not know) and on any failure nothing has been
    /// opened for writing. Then, under the <see cref="WriteLock"/>, the current database is backed up to
    /// <see cref="BackupOptions.Folder"/>, the backup restored in one transaction, pending migrations applied (a backup
    /// older than this build), and a change-feed entry appended telling every running instance to reload everything,
    /// numbered after anything they may have seen before the restore.
    /// </summary>
    /// <exception cref="BackupException">The file is missing or invalid (nothing changed), or a tool failed.</exception>
    /// <exception cref="WriteLockedException">An import, restore or seeding is running.</exception>
    public async Task<RestoreResult> RestoreAsync(string file, CancellationToken ct = default)
    {
        file = Path.GetFullPath(file);
        if (!File.Exists(file))
        {
            throw new BackupException($"Backup file not found: {file}", BackupError.FileNotFound);
        }

        if (new FileInfo(file).Length == 0)
        {
            throw Invalid(file, "it is empty (0 bytes)");
        }

        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        var migrations = options.Provider == DatabaseProvider.Postgres
            ? await CheckPostgresBackupAsync(file, ct)
            : CheckSqliteBackup(file);
        var unknown = migrations.Where(m => !known.Contains(m)).ToList();
        if (unknown.Count > 0)
        {
            throw Invalid(file,
                $"it was made by a newer version of Passerelle (migrations this build does not know: {string.Join(", ", unknown)}); " +
                "restore it with that version or a later one");
        }

        await using var held = await writeLock.AcquireAsync("restore", ct);
        var previous = await BackupCurrentAsync(ct);
        var feedEnd = await FeedEndAsync(ct);
        if (options.Provider == DatabaseProvider.Postgres)
        {
            await RestorePostgresAsync(file, ct);
            NpgsqlConnection.ClearAllPools();
        }
        else
        {
            // The online backup API copies every page in one step, inside one write transaction on the live database:
            // running instances keep reading the old content until it commits, and a crash half-way rolls back.
            await using (var source = new SqliteConnection(ReadOnly(file)))
            await using (var target = new SqliteConnection(db.Database.GetConnectionString()))
            {
                await source.OpenAsync(ct);
                await target.OpenAsync(ct);
                await CopyAsync(source, target, ct);
            }

            SqliteConnection.ClearAllPools();
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("The backup is older than this build: applying {Count} migrations", pending.Count);
            await db.Database.MigrateAsync(ct);
        }

        await MarkRestoredAsync(Math.Max(feedEnd, await FeedEndAsync(ct)) + 1, ct);
        logger.LogInformation("Restored the {Provider} database from {File}", options.Provider, file);
        return new RestoreResult(previous, pending.Count);
    }

    /// <summary>
    /// Copies one SQLite database onto another with the online backup API. The running instances' own short writes (an
    /// edit, a registry value kept for the next start, ADR 37) do not take the write lock: when one holds a database at
    /// that moment, the API gives up at once (SQLITE_BUSY or SQLITE_LOCKED, before it has copied anything), and the copy
    /// is started again, every 100 ms, <see cref="CopyAttempts"/> times at most.
    /// </summary>
    private async Task CopyAsync(SqliteConnection source, SqliteConnection target, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                source.BackupDatabase(target);
                return;
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 && attempt < CopyAttempts)
            {
                logger.LogDebug("The database is busy with another write; copying again (attempt {Attempt})", attempt + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
        }
    }

    private static BackupException Invalid(string file, string reason) =>
        new($"{file} cannot be restored: {reason}. Nothing was changed.", BackupError.InvalidFile);

    /// <summary>
    /// A backup file opened read-only and immutable: SQLite then takes no lock and creates no -wal or -shm file next to
    /// it. A backup is written whole before it is restored, so nothing changes it while it is read.
    /// </summary>
    private static string ReadOnly(string file) =>
        new SqliteConnectionStringBuilder { DataSource = new Uri(file).AbsoluteUri + "?immutable=1", Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();

    /// <summary>Checks a SQLite backup without writing to it; returns its migration ids.</summary>
    private static List<string> CheckSqliteBackup(string file)
    {
        if (!DatabaseFileCheck.HasSqliteHeader(file))
        {
            throw Invalid(file, IsPostgresDump(file)
                ? "it is a PostgreSQL backup and this installation uses SQLite (Database:Provider)"
                : "it is not a SQLite database (it does not start with the SQLite header)");
        }

        try
        {
            using var connection = new SqliteConnection(ReadOnly(file));
            connection.Open();
            // The header's page count against the file's length: a copy cut short (a disk full, a transfer interrupted)
            // may still pass the integrity check when the missing pages were free ones.
            var pageSize = Scalar<long>(connection, "PRAGMA page_size");
            var pageCount = Scalar<long>(connection, "PRAGMA page_count");
            if (new FileInfo(file).Length < pageSize * pageCount)
            {
                throw Invalid(file, $"it is truncated ({new FileInfo(file).Length} bytes of the {pageSize * pageCount} its header gives)");
            }

            var integrity = Scalar<string>(connection, "PRAGMA integrity_check(1)");
            if (integrity != "ok")
            {
                throw Invalid(file, $"it fails SQLite's integrity check ({integrity})");
            }

            var tables = new HashSet<string>(StringComparer.Ordinal);
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            if (PasserelleTables.Where(t => !tables.Contains(t)).ToList() is { Count: > 0 } missing)
            {
                throw Invalid(file, $"it is not a Passerelle database (no {string.Join(", ", missing)} table)");
            }

            var migrations = new List<string>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    migrations.Add(reader.GetString(0));
                }
            }

            return migrations;
        }
        catch (SqliteException e)
        {
            throw Invalid(file, $"it is damaged or truncated ({e.Message})");
        }
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsPostgresDump(string file)
    {
        Span<byte> magic = stackalloc byte[5];
        using var stream = File.OpenRead(file);
        return stream.ReadAtLeast(magic, 5, throwOnEndOfStream: false) == 5 && magic.SequenceEqual("PGDMP"u8);
    }

    /// <summary>Checks a pg_dump custom-format backup with pg_restore, writing nowhere; returns its migration ids.</summary>
    private async Task<List<string>> CheckPostgresBackupAsync(string file, CancellationToken ct)
    {
        if (!IsPostgresDump(file))
        {
            throw Invalid(file, DatabaseFileCheck.HasSqliteHeader(file)
                ? "it is a SQLite backup and this installation uses PostgreSQL (Database:Provider)"
                : "it is not a PostgreSQL custom-format backup (it does not start with PGDMP)");
        }

        // The table of contents, then the whole archive read through (to nowhere): a truncated or damaged data block
        // fails here, not half-way through the restore.
        var list = await RunCheckAsync(file, ["--list", file], ct);
        _ = await RunCheckAsync(file, ["--file=/dev/null", file], ct);
        var tables = list.Split('\n')
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^\d+; \d+ \d+ TABLE \S+ (\S+) "))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value.Trim('"'))
            .ToHashSet(StringComparer.Ordinal);
        if (PasserelleTables.Where(t => !tables.Contains(t)).ToList() is { Count: > 0 } missing)
        {
            throw Invalid(file, $"it is not a Passerelle database (no {string.Join(", ", missing)} table)");
        }

        // The migrations history's rows, as the COPY block pg_restore writes for them.
        var data = await RunCheckAsync(file, ["--data-only", "--table=__EFMigrationsHistory", "--file=-", file], ct);
        var migrations = new List<string>();
        var inCopy = false;
        foreach (var line in data.Split('\n'))
        {
            if (line.StartsWith("COPY ", StringComparison.Ordinal) && line.Contains("__EFMigrationsHistory", StringComparison.Ordinal))
            {
                inCopy = true;
            }
            else if (inCopy && line == "\\.")
            {
                inCopy = false;
            }
            else if (inCopy && line.Length > 0)
            {
                migrations.Add(line.Split('\t')[0]);
            }
        }

        return migrations;
    }

    private async Task<string> RunCheckAsync(string file, string[] arguments, CancellationToken ct)
    {
        try
        {
            return await RunPgToolAsync("pg_restore", arguments, connect: false, ct);
        }
        catch (BackupException e) when (e.Error == BackupError.Tool && e.Message.StartsWith("pg_restore failed", StringComparison.Ordinal))
        {
            throw Invalid(file, $"pg_restore cannot read it ({e.Message["pg_restore failed ".Length..]})");
        }
    }

    /// <summary>
    /// Backs up the database about to be replaced to <see cref="BackupOptions.Folder"/>; null when there is nothing to
    /// keep (a SQLite file not created yet).
    /// </summary>
    private async Task<string?> BackupCurrentAsync(CancellationToken ct)
    {
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            var current = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            if (current == ":memory:" || !File.Exists(current) || new FileInfo(current).Length == 0)
            {
                return null;
            }
        }

        Directory.CreateDirectory(backupOptions.Folder);
        var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var target = Path.Combine(backupOptions.Folder, $"before-restore-{stamp}.backup");
        for (var n = 2; File.Exists(target); n++)
        {
            target = Path.Combine(backupOptions.Folder, $"before-restore-{stamp}-{n}.backup");
        }

        await BackupAsync(target, ct);
        return target;
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

    /// <summary>
    /// Replaces the whole schema with the backup's, in one transaction: the backup's SQL (pg_restore writing to its
    /// output, streamed) runs in psql after dropping and recreating the schema, with ON_ERROR_STOP and
    /// --single-transaction, so a failure anywhere changes nothing. Dropping the schema rather than each object of the
    /// backup (pg_restore --clean) matters for a backup older than this build: the tables later migrations created
    /// would otherwise stay, and the migrations that follow the restore would fail on them.
    /// </summary>
    private async Task RestorePostgresAsync(string file, CancellationToken ct)
    {
        using var restore = Process.Start(PgToolStart("pg_restore", ["--no-owner", "--no-privileges", "--file=-", file], redirectInput: false))
            ?? throw new BackupException("Could not start pg_restore");
        using var psql = Process.Start(PgToolStart("psql", ["--single-transaction", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-"], redirectInput: true))
            ?? throw new BackupException("Could not start psql");
        var restoreErrors = restore.StandardError.ReadToEndAsync(ct);
        var psqlErrors = psql.StandardError.ReadToEndAsync(ct);
        var psqlOutput = psql.StandardOutput.ReadToEndAsync(ct);
        try
        {
            await psql.StandardInput.WriteAsync("DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n".AsMemory(), ct);
            await psql.StandardInput.FlushAsync(ct);
            await restore.StandardOutput.BaseStream.CopyToAsync(psql.StandardInput.BaseStream, ct);
        }
        catch (IOException)
        {
            // psql stopped reading (it failed): its exit code and message below say why.
        }
        finally
        {
            psql.StandardInput.Close();
        }

        await Task.WhenAll(restore.WaitForExitAsync(ct), psql.WaitForExitAsync(ct));
        _ = await psqlOutput;
        if (restore.ExitCode != 0)
        {
            throw new BackupException($"pg_restore failed (exit code {restore.ExitCode}): {(await restoreErrors).Trim()}");
        }

        if (psql.ExitCode != 0)
        {
            throw new BackupException($"restoring with psql failed (exit code {psql.ExitCode}); nothing was changed: {(await psqlErrors).Trim()}");
        }
    }

    /// <summary>Runs a PostgreSQL tool; returns its standard output. <paramref name="connect"/>: pg_restore restores into the database.</summary>
    private async Task<string> RunPgToolAsync(string tool, string[] arguments, bool connect, CancellationToken ct)
    {
        var start = PgToolStart(tool, arguments, redirectInput: false);
        var connection = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
        var path = start.FileName;

        if (tool == "pg_restore" && connect)
        {
            start.ArgumentList.Add("--dbname");
            start.ArgumentList.Add(connection.Database!);
        }

        using var process = Process.Start(start) ?? throw new BackupException($"Could not start {path}");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var errors = (await stderr).Trim();
        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new BackupException($"{tool} failed (exit code {process.ExitCode}): {errors}");
        }

        return output;
    }

    /// <summary>How to start a PostgreSQL tool against the configured database (connection in PG* variables).</summary>
    private ProcessStartInfo PgToolStart(string tool, string[] arguments, bool redirectInput)
    {
        var path = FindPgTool(tool);
        var connection = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
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
        return start;
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
