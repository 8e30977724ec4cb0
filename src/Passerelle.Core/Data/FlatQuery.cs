using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Passerelle.Core.Data;

/// <summary>
/// Plain SQL read by column position, for the reads of millions of flat rows (the merge-join exports, ADR 32; the search
/// index's rebuild, ADR 7): there EF's materialiser cost more CPU than the database's own work. The SQL must be the same
/// on SQLite and PostgreSQL (quoted identifiers, a boolean column as a condition), and each caller's tests compare its
/// rows with an EF query's on both, so a renamed column fails there, not in production.
/// </summary>
internal static class FlatQuery
{
    /// <summary>
    /// Streams the rows of <paramref name="sql"/> on <paramref name="context"/>'s connection, in its transaction if it has
    /// one. <paramref name="timeoutSeconds"/>: how long the database may take to send a row, 0 for no limit; by default
    /// the connection's (Npgsql's 30 s).
    /// </summary>
    public static async IAsyncEnumerable<T> ReadAsync<T>(
        PasserelleDbContext context, string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, Func<DbDataReader, T> read,
        [EnumeratorCancellation] CancellationToken ct, int? timeoutSeconds = null)
    {
        // EF counts opens: a connection its caller opened (an export's snapshot) stays open after this read.
        await context.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = context.Database.GetDbConnection().CreateCommand();
            command.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = sql;
            if (timeoutSeconds is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            await using var rows = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
            while (await rows.ReadAsync(ct))
            {
                yield return read(rows);
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The first row of <paramref name="sql"/>, or <paramref name="none"/> when it has none; the rest are not read.</summary>
    public static async Task<T> FirstAsync<T>(
        PasserelleDbContext context, string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, Func<DbDataReader, T> read,
        T none, CancellationToken ct)
    {
        await foreach (var row in ReadAsync(context, sql, parameters, read, ct))
        {
            return row;
        }

        return none;
    }

    /// <summary>The rows of <paramref name="sql"/> appended to <paramref name="into"/>.</summary>
    public static async Task AddToAsync<T>(
        List<T> into, PasserelleDbContext context, string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, Func<DbDataReader, T> read,
        CancellationToken ct)
    {
        await foreach (var row in ReadAsync(context, sql, parameters, read, ct))
        {
            into.Add(row);
        }
    }
}
