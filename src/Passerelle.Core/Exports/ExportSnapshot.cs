using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

using Passerelle.Core.Data;

namespace Passerelle.Core.Exports;

/// <summary>
/// One read snapshot shared by the flat queries of a merge-join export (ADR 32): the list of operations and the Kohesio
/// CSV read two or three sorted streams that must see the same rows, or a record published between two of them would
/// leave rows matching nothing and stall the merge.
/// </summary>
/// <remarks>
/// SQLite runs every reader on the one connection inside one deferred transaction (a plain BEGIN takes no lock until
/// the first read, so writers go on while the file streams; Microsoft.Data.Sqlite's default BEGIN IMMEDIATE would hold
/// the write lock for the whole export). Npgsql allows one open reader per connection, so on PostgreSQL each further
/// reader is a second connection that imports the first one's snapshot (<c>pg_export_snapshot</c>, as
/// <c>pg_dump --jobs</c> does).
/// </remarks>
internal sealed partial class ExportSnapshot : IAsyncDisposable
{
    private readonly PasserelleDbContext db;
    private readonly IDbContextTransaction transaction;
    private readonly List<PasserelleDbContext> siblings = [];

    private ExportSnapshot(PasserelleDbContext db, IDbContextTransaction transaction, bool postgres)
    {
        this.db = db;
        this.transaction = transaction;
        IsPostgres = postgres;
    }

    public bool IsPostgres { get; }

    /// <summary>
    /// Opens the snapshot for <paramref name="readers"/> concurrent readers. The caller must not be in a transaction
    /// already (PostgreSQL could not share that one's snapshot with a second connection from here).
    /// </summary>
    public static async Task<ExportSnapshot> BeginAsync(PasserelleDbContext db, int readers, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("A merge-join export opens its own snapshot and cannot run inside a transaction.");
        }

        var postgres = db.Database.IsNpgsql();
        IDbContextTransaction transaction;
        if (postgres)
        {
            transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        }
        else
        {
            await db.Database.OpenConnectionAsync(ct);
            var sqlite = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
            transaction = await db.Database.UseTransactionAsync(sqlite, ct) ?? throw new InvalidOperationException("No transaction.");
        }

        var snapshot = new ExportSnapshot(db, transaction, postgres);
        try
        {
            if (postgres)
            {
                await WithWorkersAsync(db, ct);
            }

            if (postgres && readers > 1)
            {
                var id = await db.Database.SqlQueryRaw<string>("SELECT pg_export_snapshot() AS \"Value\"").SingleAsync(ct);
                if (!SnapshotId().IsMatch(id))
                {
                    throw new InvalidOperationException($"Unexpected snapshot id '{id}'.");
                }

                for (var i = 1; i < readers; i++)
                {
                    var sibling = new PostgresDbContext((DbContextOptions<PostgresDbContext>)db.GetService<IDbContextOptions>());
                    snapshot.siblings.Add(sibling);
                    await sibling.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                    // SET TRANSACTION SNAPSHOT takes no parameter; the id was checked above to be the server's own format.
#pragma warning disable EF1003
                    await sibling.Database.ExecuteSqlRawAsync("SET TRANSACTION SNAPSHOT '" + id + "'", ct);
#pragma warning restore EF1003
                    await WithWorkersAsync(sibling, ct);
                }
            }

            return snapshot;
        }
        catch
        {
            await snapshot.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// An export's reads, in the background and over whole tables, may use PostgreSQL's own default number of parallel
    /// workers for the transaction (the application's sessions otherwise plan without them, ADR 40): at 2 M projects the
    /// list of operations was written from the database at 31–40 MB/s with workers and 26–27 MB/s without.
    /// </summary>
    private static Task WithWorkersAsync(PasserelleDbContext context, CancellationToken ct) => context.Database.ExecuteSqlRawAsync(
        "SELECT set_config(name, boot_val, true) FROM pg_settings WHERE name = 'max_parallel_workers_per_gather'", ct);

    /// <summary>The context that reader <paramref name="index"/> (0 first) reads on: the caller's, or a sibling on PostgreSQL.</summary>
    public PasserelleDbContext Reader(int index) => index == 0 || !IsPostgres ? db : siblings[index - 1];

    /// <summary>
    /// Streams one query's rows read by column position, on reader <paramref name="reader"/>'s connection
    /// (<see cref="FlatQuery"/>), with no time limit: a full export's first row comes after the database has sorted all
    /// its rows (the list of operations' partners: 6 M at 2 M projects, 25–40 s on 2 cores without parallel workers,
    /// ADR 40), past the connection's 30 s, and the export stops with its request or the host instead.
    /// </summary>
    public IAsyncEnumerable<T> ReadAsync<T>(
        int reader, string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, Func<DbDataReader, T> read, CancellationToken ct) =>
        FlatQuery.ReadAsync(Reader(reader), sql, parameters, read, ct, timeoutSeconds: 0);

    public async ValueTask DisposeAsync()
    {
        foreach (var sibling in siblings)
        {
            await sibling.DisposeAsync();
        }

        // Read only: nothing to commit.
        await transaction.RollbackAsync(CancellationToken.None);
        await transaction.DisposeAsync();
        if (!IsPostgres)
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    [GeneratedRegex("^[0-9A-F-]+$")]
    private static partial Regex SnapshotId();
}
