using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Data;
using Passerelle.Core.History;

namespace Passerelle.Core.Registry;

/// <summary>A value or a write the registry refuses; the message says which field and why.</summary>
public sealed class RegistryWriteException(string message) : Exception(message);

/// <summary>Settings of the write path.</summary>
public sealed class RegistryWriterOptions
{
    public const string Section = "Registry";

    /// <summary>
    /// Fault injection for the crash tests (kill -9 during a write): wait this long inside the transaction, just before
    /// it commits, after logging "pausing before commit". Zero (the default) in every real installation.
    /// </summary>
    public double PauseBeforeCommitSeconds { get; set; }

    /// <summary>
    /// SQLite: the page cache of a write session's connection, in megabytes (ADR 30, "a write session's page cache").
    /// SQLite's default is 2 MB; an import of millions of rows inserts into indexes in random order (a participation by
    /// its organisation, a project by its slug, acronym and date) and checks foreign keys against tables of millions of
    /// rows, and with 2 MB nearly every such insert reads its pages back through a system call. The cache fills only
    /// with the pages a session touches, so a back-office edit uses a few of them; the connection goes back to the
    /// size it had when the session ends.
    /// </summary>
    public int SqliteCacheMegabytes { get; set; } = DefaultSqliteCacheMegabytes;

    public const int DefaultSqliteCacheMegabytes = 256;

    /// <summary>The options of <paramref name="configuration"/>'s <see cref="Section"/>, checked: a start with a bad value stops with its name.</summary>
    public static RegistryWriterOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<RegistryWriterOptions>() ?? new RegistryWriterOptions();
        if (options.SqliteCacheMegabytes is < 2 or > 65_536)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(Section, typeof(RegistryWriterOptions),
                [$"{Section}:{nameof(SqliteCacheMegabytes)} is {options.SqliteCacheMegabytes}: it must be a number of megabytes from 2 (SQLite's default) to 65536."]);
        }

        return options;
    }
}

/// <summary>
/// The one write path of the registry (ADR 0010): the seeder, the imports, the territory import and (later) the back
/// office and the API write records and sourced values through a <see cref="WriteSession"/>, which keeps every other
/// sourced value and its rank, puts the value shown first in the record's column, records each change as an
/// append-only <see cref="Revision"/> of a <see cref="ChangeSet"/> naming who wrote it, and commits it all in one
/// transaction. A change that changes nothing writes nothing, not even a change set.
/// </summary>
public sealed class RegistryWriter(PasserelleDbContext db, RegistryWriterOptions options, TimeProvider clock, ILogger<RegistryWriter> logger)
{
    /// <summary>Opens a session (and its transaction) on behalf of <paramref name="actor"/>.</summary>
    public async Task<WriteSession> BeginAsync(Actor actor, CancellationToken ct = default)
    {
        if (db.ActiveWriteSession is not null)
        {
            throw new InvalidOperationException("A write session is already open on this DbContext.");
        }

        // SQLite only: the cache size the connection had, which the session puts back at its end.
        long? cacheBefore = db.Database.IsSqlite() ? await ConnectionForWritingAsync(db, options, ct) : null;

        IDbContextTransaction transaction;
        try
        {
            transaction = await db.Database.BeginTransactionAsync(ct);
        }
        catch
        {
            if (cacheBefore is { } size)
            {
                await ConnectionBackAsync(db, size, logger);
            }

            throw;
        }

        var session = new WriteSession(db, transaction, actor, options, clock, logger) { SqliteCacheBefore = cacheBefore };
        db.ActiveWriteSession = session;
        return session;
    }

    /// <summary>
    /// SQLite: the session's connection keeps its statement journals in memory (<c>temp_store = MEMORY</c>) and has a
    /// larger page cache (<see cref="RegistryWriterOptions.SqliteCacheMegabytes"/>) until <see cref="ConnectionBackAsync"/>;
    /// returns the cache size it had (ADR 30, "statement journals in memory", "a write session's page cache").
    /// Inside a transaction SQLite journals the pages each statement changes, so that a failing statement can be undone
    /// alone; once that journal has passed 64 KiB it lives in a file under /var/tmp for the rest of the transaction, and
    /// every later statement writes each page it touches there, one system call a page. An import of 100 k projects
    /// made about 300,000 such writes and spent a quarter of its time in the kernel. The setting must be made before
    /// the transaction begins (SQLite reads it then), on the connection the transaction will use: so the connection is
    /// opened here and held until the session ends. It is put back afterwards because it also keeps in memory the
    /// temporary tables that large sorts use, which an export of 2 M projects must be able to spill to disk; the cache
    /// is put back so that a pooled connection does not keep a session's pages.
    /// </summary>
    internal static async Task<long> ConnectionForWritingAsync(PasserelleDbContext db, RegistryWriterOptions options, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var read = db.Database.GetDbConnection().CreateCommand();
            read.CommandText = "PRAGMA cache_size";
            var before = Convert.ToInt64(await read.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            // A negative size is in kibibytes rather than pages.
            var kib = (long)options.SqliteCacheMegabytes * 1024;
            var settings = "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -" + kib.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await db.Database.ExecuteSqlRawAsync(settings, ct);
            return before;
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }
    }

    /// <summary>
    /// The connection back to SQLite's default temporary storage and to the page cache it had (<paramref name="cacheBefore"/>;
    /// SQLite frees the pages beyond it), and closed (its open by the session undone).
    /// </summary>
    internal static async Task ConnectionBackAsync(PasserelleDbContext db, long cacheBefore, ILogger logger)
    {
        try
        {
            // Numbers only: PRAGMA takes no parameters.
            var settings = "PRAGMA temp_store = DEFAULT; PRAGMA cache_size = " + cacheBefore.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await db.Database.ExecuteSqlRawAsync(settings);
        }
        catch (System.Data.Common.DbException e)
        {
            // The connection is broken (the failure being unwound): the pool does not reuse a broken connection.
            logger.LogDebug("Resetting the connection after the write session: {Message}", e.Message);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
