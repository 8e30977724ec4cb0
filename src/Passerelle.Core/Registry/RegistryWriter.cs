using Microsoft.EntityFrameworkCore;
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

        var transaction = await db.Database.BeginTransactionAsync(ct);
        var session = new WriteSession(db, transaction, actor, options, clock, logger);
        db.ActiveWriteSession = session;
        return session;
    }
}
