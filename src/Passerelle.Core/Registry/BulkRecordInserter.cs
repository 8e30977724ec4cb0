using System.Data.Common;
using System.Globalization;
using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

using Passerelle.Core.Data;

namespace Passerelle.Core.Registry;

/// <summary>
/// Inserts new rows of one entity type with prepared commands in the session's transaction (a generated key written
/// back into the entities), the columns and value conversions taken from the EF model (so a new column needs nothing here).
/// The same two forms as the facts (ADR 30): SQLite, one prepared single-row <c>INSERT … RETURNING "Id"</c> per record;
/// PostgreSQL, the ids reserved from the table's identity sequence in one query, then many rows per statement.
/// Only for what <see cref="WriteSession"/> writes itself: it records the revisions and feed entries EF's path would.
/// </summary>
internal static class BulkRecordInserter
{
    private const int PostgresRowsPerStatement = 200;

    private sealed record Column(string Name, IProperty Property, RelationalTypeMapping Mapping);

    public static async Task InsertAsync(PasserelleDbContext db, IEntityType type, IReadOnlyList<object> entities, CancellationToken ct)
    {
        if (entities.Count == 0)
        {
            return;
        }

        var sqlite = db.Database.IsSqlite();
        var table = type.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, type.GetSchema());
        // A generated integer key is read back (or reserved) and set on the entity; a key of the record's own values
        // (record versions) is inserted as any column.
        var key = type.FindPrimaryKey()!.Properties is [var single] && single.ValueGenerated != ValueGenerated.Never
            && (single.ClrType == typeof(int) || single.ClrType == typeof(long)) ? single : null;
        if (type.GetFlattenedProperties().Any(p => p.IsShadowProperty()))
        {
            throw new InvalidOperationException($"{type.DisplayName()} has shadow properties: it cannot be inserted in bulk");
        }

        var columns = type.GetFlattenedProperties()
            .Where(p => !sqlite || p != key)
            .Select(p => new Column(p.GetColumnName(store) ?? p.GetColumnName(), p, (RelationalTypeMapping)p.GetTypeMapping()))
            .OrderBy(c => c.Property == key ? 0 : 1)
            .ToList();
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var ids = new long[entities.Count];
        if (!sqlite && key is not null)
        {
            await using var reserve = connection.CreateCommand();
            reserve.Transaction = transaction;
            reserve.CommandText = $"SELECT nextval(pg_get_serial_sequence('\"{table}\"', '{key!.GetColumnName(store) ?? key.Name}')) FROM generate_series(1, {entities.Count.ToString(CultureInfo.InvariantCulture)})";
            await using var reader = await reserve.ExecuteReaderAsync(ct);
            var i = 0;
            while (await reader.ReadAsync(ct))
            {
                ids[i++] = reader.GetInt64(0);
            }
        }

        var rowsPerStatement = sqlite ? 1 : PostgresRowsPerStatement;
        DbCommand? prepared = null;
        try
        {
            var done = 0;
            foreach (var chunk in entities.Chunk(rowsPerStatement))
            {
                var command = prepared;
                if (command is null || chunk.Length != rowsPerStatement)
                {
                    command = connection.CreateCommand();
                    command.Transaction = transaction;
                    var text = new StringBuilder("INSERT INTO \"").Append(table).Append("\" (").AppendJoin(", ", columns.Select(c => $"\"{c.Name}\"")).Append(") VALUES ");
                    for (var row = 0; row < chunk.Length; row++)
                    {
                        text.Append(row == 0 ? "(" : ", (");
                        for (var column = 0; column < columns.Count; column++)
                        {
                            var name = $"@b{row}_{column}";
                            // The model's mapping types the parameter (a null says nothing of its type; PostgreSQL prepares from the types).
                            command.Parameters.Add(columns[column].Mapping.CreateParameter(command, name, null, columns[column].Property.IsNullable));
                            text.Append(column == 0 ? "" : ", ").Append(name);
                        }

                        text.Append(')');
                    }

                    command.CommandText = text.Append(sqlite && key is not null ? $" RETURNING \"{key.GetColumnName(store) ?? key.Name}\"" : "").ToString();
                    if (chunk.Length == rowsPerStatement)
                    {
                        await command.PrepareAsync(ct);
                        prepared = command;
                    }
                }

                for (var row = 0; row < chunk.Length; row++)
                {
                    var entity = chunk[row];
                    for (var column = 0; column < columns.Count; column++)
                    {
                        var c = columns[column];
                        var value = c.Property == key ? Convert.ChangeType(ids[done + row], key.ClrType, CultureInfo.InvariantCulture) : c.Property.GetGetter().GetClrValueUsingContainingEntity(entity);
                        if (value is not null && c.Mapping.Converter is { } converter)
                        {
                            value = converter.ConvertToProvider(value);
                        }

                        command.Parameters[(row * columns.Count) + column].Value = value ?? DBNull.Value;
                    }
                }

                if (key is null)
                {
                    await command.ExecuteNonQueryAsync(ct);
                    done += chunk.Length;
                    if (!ReferenceEquals(command, prepared))
                    {
                        await command.DisposeAsync();
                    }

                    continue;
                }

                if (sqlite)
                {
                    ids[done] = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
                }
                else
                {
                    await command.ExecuteNonQueryAsync(ct);
                }

                for (var row = 0; row < chunk.Length; row++)
                {
                    key.PropertyInfo!.SetValue(chunk[row], Convert.ChangeType(ids[done + row], key.ClrType, CultureInfo.InvariantCulture));
                }

                done += chunk.Length;
                if (!ReferenceEquals(command, prepared))
                {
                    await command.DisposeAsync();
                }
            }
        }
        finally
        {
            if (prepared is not null)
            {
                await prepared.DisposeAsync();
            }
        }
    }
}
