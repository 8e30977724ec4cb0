using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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

        var sqlite = db.Database.IsSqlite();
        if (sqlite)
        {
            await StatementJournalsInMemoryAsync(db, ct);
        }

        IDbContextTransaction transaction;
        try
        {
            transaction = await db.Database.BeginTransactionAsync(ct);
        }
        catch
        {
            if (sqlite)
            {
                await StatementJournalsBackAsync(db, logger);
            }

            throw;
        }

        var session = new WriteSession(db, transaction, actor, options, clock, logger);
        db.ActiveWriteSession = session;
        return session;
    }

    /// <summary>
    /// SQLite: the session's connection keeps its statement journals in memory (<c>temp_store = MEMORY</c>) until
    /// <see cref="StatementJournalsBackAsync"/> (ADR 30, "statement journals in memory"). Inside a transaction SQLite
    /// journals the pages each statement changes, so that a failing statement can be undone alone; once that journal
    /// has passed 64 KiB it lives in a file under /var/tmp for the rest of the transaction, and every later statement
    /// writes each page it touches there, one system call a page. An import of 100 k projects made about 300,000 such
    /// writes and spent a quarter of its time in the kernel. The setting must be made before the transaction begins
    /// (SQLite reads it then), on the connection the transaction will use: so the connection is opened here and held
    /// until the session ends. It is put back afterwards because it also keeps in memory the temporary tables that
    /// large sorts use, which an export of 2 M projects must be able to spill to disk.
    /// </summary>
    internal static async Task StatementJournalsInMemoryAsync(PasserelleDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA temp_store = MEMORY", ct);
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }
    }

    /// <summary>The connection back to SQLite's default temporary storage, and closed (its open by the session undone).</summary>
    internal static async Task StatementJournalsBackAsync(PasserelleDbContext db, ILogger logger)
    {
        try
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA temp_store = DEFAULT");
        }
        catch (System.Data.Common.DbException e)
        {
            // The connection is broken (the failure being unwound): the pool does not reuse a broken connection.
            logger.LogDebug("Resetting temp_store after the write session: {Message}", e.Message);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
