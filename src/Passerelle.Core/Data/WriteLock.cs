using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Microsoft.Data.Sqlite;

using Npgsql;

namespace Passerelle.Core.Data;

/// <summary>Another bulk writer holds the <see cref="WriteLock"/>. The message says which and since when.</summary>
public sealed class WriteLockedException(string message, string? holder) : Exception(message)
{
    /// <summary>What holds the lock, e.g. "import; pid 1234, since 12:03:04 UTC"; null when it could not be read.</summary>
    public string? Holder { get; } = holder;
}

/// <summary>
/// An exclusive lock across processes for the bulk writers (imports, restore, seeding, territory import), so that two of
/// them never interleave and the second one is told at once ("another import is running") instead of waiting on the
/// database's own locks. The web host does not take it to serve, nor for its ordinary writes. ADR 0011.
/// <list type="bullet">
/// <item>SQLite: <c>&lt;database file&gt;.lock</c>, opened exclusively (an advisory <c>flock</c> on Linux, a sharing lock on
/// Windows). The operating system releases it when the process ends in any way, kill -9 included. What holds it is
/// written to <c>&lt;database file&gt;.lock-holder</c>: the lock file itself cannot be read while it is held.</item>
/// <item>PostgreSQL: <c>pg_try_advisory_lock</c> on a connection of its own, kept open while held; the server releases
/// it when that session ends. What holds it is the session's <c>application_name</c>.</item>
/// </list>
/// </summary>
public sealed class WriteLock
{
    /// <summary>How long <see cref="AcquireAsync"/> retries a held lock before it gives up: a bulk writer takes minutes,
    /// so waiting longer would only delay the answer.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    // "Pass" and "WrLk": one fixed key per database (advisory locks are scoped to the current database).
    private const long AdvisoryKey = (0x50617373L << 32) | 0x57724C6BL;
    private const string ApplicationNamePrefix = "Passerelle ";

    private readonly DatabaseProvider _provider;
    private readonly string _connectionString;

    public WriteLock(DatabaseProvider provider, string connectionString)
    {
        _provider = provider;
        _connectionString = connectionString;
        if (provider == DatabaseProvider.Sqlite)
        {
            LockFile = SqliteLockFile(connectionString);
        }
    }

    /// <summary>The SQLite lock file (null for PostgreSQL).</summary>
    public string? LockFile { get; }

    /// <summary>
    /// Takes the lock for <paramref name="purpose"/> ("import", "restore", "seed", ...), retrying for at most
    /// <see cref="Patience"/>; dispose the handle to release it.
    /// </summary>
    /// <exception cref="WriteLockedException">Another process (or another handle in this one) holds it.</exception>
    public Task<WriteLockHandle> AcquireAsync(string purpose, CancellationToken ct = default) => AcquireAsync(purpose, Patience, ct);

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="patience"/> for another holder to finish: the web host's start
    /// waits for another instance's seeding rather than failing (after which the data is current and it writes nothing).
    /// </summary>
    public async Task<WriteLockHandle> AcquireAsync(string purpose, TimeSpan patience, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        if (purpose.Contains(';', StringComparison.Ordinal))
        {
            throw new ArgumentException("The purpose is a word or two, without ';'.", nameof(purpose));
        }

        // Re-entrant within one instance: a command that holds the lock (import) and then runs the start-up's seeding
        // must not wait for itself. Other instances and processes are still excluded.
        await _gate.WaitAsync(ct);
        try
        {
            if (_held is { } outer)
            {
                _depth++;
                return new WriteLockHandle(() => ReleaseAsync(outer));
            }

            var since = DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            var handle = await (_provider == DatabaseProvider.Postgres
                ? AcquirePostgresAsync($"{purpose}; pid {Environment.ProcessId}, since {since} UTC, on {Environment.MachineName}", patience, ct)
                : AcquireSqliteAsync($"{purpose}; pid {Environment.ProcessId}, since {since} UTC", patience, ct));
            _held = handle;
            _depth = 1;
            return new WriteLockHandle(() => ReleaseAsync(handle));
        }
        finally
        {
            _gate.Release();
        }
    }

    private readonly SemaphoreSlim _gate = new(1, 1);
    private WriteLockHandle? _held;
    private int _depth;

    private async ValueTask ReleaseAsync(WriteLockHandle handle)
    {
        await _gate.WaitAsync();
        try
        {
            if (--_depth == 0 && ReferenceEquals(_held, handle))
            {
                _held = null;
                await handle.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>"another import is running (pid 1234, since 12:03:04 UTC)", from a holder written as "purpose; details".</summary>
    private static WriteLockedException Locked(string? holder)
    {
        if (holder is null)
        {
            return new WriteLockedException(
                "another bulk write (import, restore, seeding or territory import) is running on this database; try again when it has finished",
                null);
        }

        var split = holder.IndexOf("; ", StringComparison.Ordinal);
        var what = split < 0 ? $"{holder} is running" : $"{holder[..split]} is running ({holder[(split + 2)..]})";
        return new WriteLockedException($"another {what}; try again when it has finished", holder);
    }

    private async Task<WriteLockHandle> AcquireSqliteAsync(string holder, TimeSpan patience, CancellationToken ct)
    {
        var file = LockFile!;
        var holderFile = file + "-holder";
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            FileStream? stream = null;
            try
            {
                stream = new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException e) when (IsSharingViolation(e))
            {
                if (clock.Elapsed + RetryInterval > patience)
                {
                    throw Locked(ReadHolderFile(holderFile));
                }

                await Task.Delay(RetryInterval, ct);
                continue;
            }

            try
            {
                // Best effort: a holder file that cannot be written only makes the refusal message less precise.
                File.WriteAllText(holderFile, holder + "\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }

            return new WriteLockHandle(async () =>
            {
                // The holder file first: once the lock is released, a new holder may write its own.
                try
                {
                    if (ReadHolderFile(holderFile) == holder)
                    {
                        File.Delete(holderFile);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }

                await stream.DisposeAsync();
            });
        }
    }

    // EWOULDBLOCK from flock on Linux and macOS (11, 35), ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows.
    private static bool IsSharingViolation(IOException e) =>
        e.GetType() == typeof(IOException) && (e.HResult is 11 or 35 || (e.HResult & 0xFFFF) is 32 or 33);

    private static string? ReadHolderFile(string holderFile)
    {
        try
        {
            var text = File.ReadAllText(holderFile).Trim();
            return text.Length > 0 ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The lock file for a SQLite database: next to its file, or in the temp folder for an in-memory one.</summary>
    public static string SqliteLockFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:")
        {
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(builder.DataSource)))[..16];
            return Path.Combine(Path.GetTempPath(), $"passerelle-{hash}.lock");
        }

        return Path.GetFullPath(builder.DataSource) + ".lock";
    }

    private async Task<WriteLockHandle> AcquirePostgresAsync(string holder, TimeSpan patience, CancellationToken ct)
    {
        // Not pooled: closing a pooled connection would keep the session, and with it the lock.
        var name = ApplicationNamePrefix + holder;
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString)
        {
            Pooling = false,
            ApplicationName = name.Length > 63 ? name[..63] : name,
        }.ToString());
        try
        {
            await connection.OpenAsync(ct);
            var clock = Stopwatch.StartNew();
            while (true)
            {
                await using (var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection))
                {
                    command.Parameters.AddWithValue("key", AdvisoryKey);
                    if ((bool)(await command.ExecuteScalarAsync(ct))!)
                    {
                        return new WriteLockHandle(() => connection.DisposeAsync());
                    }
                }

                if (clock.Elapsed + RetryInterval > patience)
                {
                    throw Locked(await PostgresHolderAsync(connection, ct));
                }

                await Task.Delay(RetryInterval, ct);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<string?> PostgresHolderAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        // A bigint advisory key shows in pg_locks as classid (high half), objid (low half), objsubid 1.
        await using var command = new NpgsqlCommand(
            """
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.classid::bigint = @high AND l.objid::bigint = @low
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            LIMIT 1
            """, connection);
        command.Parameters.AddWithValue("high", AdvisoryKey >> 32);
        command.Parameters.AddWithValue("low", AdvisoryKey & 0xFFFFFFFFL);
        var name = await command.ExecuteScalarAsync(ct) as string;
        return name is not null && name.StartsWith(ApplicationNamePrefix, StringComparison.Ordinal) && name.Length > ApplicationNamePrefix.Length
            ? name[ApplicationNamePrefix.Length..]
            : null;
    }
}

/// <summary>A held <see cref="WriteLock"/>; disposing it releases the lock.</summary>
public sealed class WriteLockHandle(Func<ValueTask> release) : IAsyncDisposable
{
    private Func<ValueTask>? _release = release;

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _release, null)?.Invoke() ?? ValueTask.CompletedTask;
}
