using System.Globalization;
using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

using Npgsql;

using Passerelle.Core.Data;

using SQLitePCL;

namespace Passerelle.Core.Registry;

/// <summary>
/// Inserts new rows of one entity type in the session's transaction (a generated key written back into the entities),
/// the columns and value conversions taken from the EF model (so a new column needs nothing here). SQLite: one
/// prepared single-row <c>INSERT … RETURNING "Id"</c> per record (in process, the fastest form; ADR 30), stepped through
/// SQLite's own API (ADR 41). PostgreSQL: the ids reserved from the table's identity sequence in one query, then one
/// binary <c>COPY</c> of all the rows (ADR 41: no statement to parse or plan per row, and no text to convert on either
/// side).
/// Only for what <see cref="WriteSession"/> writes itself: it records the revisions and feed entries EF's path would.
/// </summary>
internal static class BulkRecordInserter
{
    private sealed record Column(string Name, IProperty Property, RelationalTypeMapping Mapping);

    /// <param name="readKeys">
    /// Whether the entities need their generated keys (false for rows nothing refers to in the session, e.g. revisions:
    /// PostgreSQL then reserves none and lets the column's identity give them).
    /// </param>
    public static async Task InsertAsync(PasserelleDbContext db, IEntityType type, IReadOnlyList<object> entities, CancellationToken ct, bool readKeys = true)
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

        // SQLite gives the key (RETURNING); PostgreSQL's rows carry the reserved one, or leave it to the identity.
        var keyColumn = key is not null && !sqlite && readKeys;
        var columns = type.GetFlattenedProperties()
            .Where(p => p != key || keyColumn)
            .Select(p => new Column(p.GetColumnName(store) ?? p.GetColumnName(), p, (RelationalTypeMapping)p.GetTypeMapping()))
            .OrderBy(c => c.Property == key ? 0 : 1)
            .ToList();
        if (sqlite)
        {
            InsertSqlite(db, table, columns, readKeys ? key : null, key?.GetColumnName(store) ?? key?.Name, entities);
        }
        else
        {
            await CopyAsync(db, table, columns, keyColumn ? key : null, key?.GetColumnName(store) ?? key?.Name, entities, ct);
        }
    }

    /// <summary>
    /// One prepared single-row statement stepped through SQLite's own API on the connection's handle, each value bound
    /// by its position: Microsoft.Data.Sqlite's command looks each parameter up by name (linear in the statement's
    /// parameters) and opens a data reader per execution, which cost more than SQLite's own insert for these rows (ADR
    /// 41). Each value is an integer, a real or text once the model's converters have run, or a date written as the
    /// provider writes it; a column of another type is refused before any row is written.
    /// </summary>
    private static void InsertSqlite(PasserelleDbContext db, string table, List<Column> columns, IProperty? key, string? keyName, IReadOnlyList<object> entities)
    {
        if (columns.FirstOrDefault(c => !RawBindable(ProviderType(c))) is { } other)
        {
            throw new InvalidOperationException($"{table}.{other.Name} is a {ProviderType(other).Name}: it cannot be inserted in bulk on SQLite");
        }

        var handle = ((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection()).Handle!;
        var sql = new StringBuilder("INSERT INTO \"").Append(table).Append("\" (").AppendJoin(", ", columns.Select(c => $"\"{c.Name}\""))
            .Append(") VALUES (").AppendJoin(", ", columns.Select((_, i) => "?" + (i + 1).ToString(CultureInfo.InvariantCulture))).Append(')')
            .Append(key is not null ? $" RETURNING \"{keyName}\"" : "").ToString();
        Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var statement));
        using (statement)
        {
            foreach (var entity in entities)
            {
                for (var column = 0; column < columns.Count; column++)
                {
                    var index = column + 1;
                    Check(handle, ProviderValue(columns[column], entity) switch
                    {
                        null => raw.sqlite3_bind_null(statement, index),
                        string text => raw.sqlite3_bind_text(statement, index, text),
                        bool flag => raw.sqlite3_bind_int64(statement, index, flag ? 1 : 0),
                        // Microsoft.Data.Sqlite's text for a date (its SqliteValueBinder), which EF's SQLite provider reads back.
                        DateTime date => raw.sqlite3_bind_text(statement, index, date.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture)),
                        double real => raw.sqlite3_bind_double(statement, index, real),
                        float real => raw.sqlite3_bind_double(statement, index, real),
                        var number => raw.sqlite3_bind_int64(statement, index, Convert.ToInt64(number, CultureInfo.InvariantCulture)),
                    });
                }

                var step = raw.sqlite3_step(statement);
                if (key is not null)
                {
                    if (step != raw.SQLITE_ROW)
                    {
                        Check(handle, step);
                    }

                    key.PropertyInfo!.SetValue(entity, Convert.ChangeType(raw.sqlite3_column_int64(statement, 0), key.ClrType, CultureInfo.InvariantCulture));
                    step = raw.sqlite3_step(statement);
                }

                if (step != raw.SQLITE_DONE)
                {
                    Check(handle, step);
                }

                raw.sqlite3_reset(statement);
            }
        }
    }

    /// <summary>The type a column's value has once the model's converter has made it the provider's.</summary>
    private static Type ProviderType(Column column)
    {
        var type = column.Mapping.Converter?.ProviderClrType ?? column.Property.ClrType;
        return Nullable.GetUnderlyingType(type) ?? type;
    }

    private static bool RawBindable(Type type) =>
        type == typeof(string) || type == typeof(bool) || type == typeof(DateTime) || type == typeof(double) || type == typeof(float)
        || type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte);

    /// <summary>A failed SQLite call as Microsoft.Data.Sqlite reports one (its code and SQLite's message), so callers see one kind.</summary>
    private static void Check(sqlite3 handle, int code)
    {
        if (code is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            throw new Microsoft.Data.Sqlite.SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), code, raw.sqlite3_extended_errcode(handle));
        }
    }

    /// <summary>
    /// One binary <c>COPY … FROM STDIN</c> of the rows, in the session's transaction (a failure rolls it back with the
    /// rest). Each value is written as its column's type (the mapping's store type without its facets), since a binary
    /// row carries no types of its own. With a key, the ids are reserved first and written in the rows: a COPY returns none.
    /// </summary>
    private static async Task CopyAsync(PasserelleDbContext db, string table, List<Column> columns, IProperty? key, string? keyName, IReadOnlyList<object> entities, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (key is not null)
        {
            await using var reserve = connection.CreateCommand();
            reserve.Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
            reserve.CommandText = $"SELECT nextval(pg_get_serial_sequence('\"{table}\"', '{keyName}')) FROM generate_series(1, {entities.Count.ToString(CultureInfo.InvariantCulture)})";
            await using var reader = await reserve.ExecuteReaderAsync(ct);
            var i = 0;
            while (await reader.ReadAsync(ct))
            {
                key.PropertyInfo!.SetValue(entities[i++], Convert.ChangeType(reader.GetInt64(0), key.ClrType, CultureInfo.InvariantCulture));
            }
        }

        var types = columns.Select(c => c.Mapping.StoreTypeNameBase).ToArray();
        var copy = new StringBuilder("COPY \"").Append(table).Append("\" (").AppendJoin(", ", columns.Select(c => $"\"{c.Name}\"")).Append(") FROM STDIN (FORMAT BINARY)");
        await using var importer = await connection.BeginBinaryImportAsync(copy.ToString(), ct);
        foreach (var entity in entities)
        {
            await importer.StartRowAsync(ct);
            for (var column = 0; column < columns.Count; column++)
            {
                if (ProviderValue(columns[column], entity) is { } value)
                {
                    await importer.WriteAsync(value, types[column], ct);
                }
                else
                {
                    await importer.WriteNullAsync(ct);
                }
            }
        }

        await importer.CompleteAsync(ct);
    }

    private static object? ProviderValue(Column column, object entity)
    {
        var value = column.Property.GetGetter().GetClrValueUsingContainingEntity(entity);
        return value is not null && column.Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
    }
}
