using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;

namespace Passerelle.Core.Data;

/// <summary>
/// Refuses, before anything opens it for writing, a SQLite file named by ConnectionStrings:Passerelle that is not a
/// SQLite database or not a Passerelle one: migrating would otherwise fail half-way on the first, and add Passerelle's
/// tables to someone else's database on the second. A missing or empty file is a new database and passes.
/// Runs as the first hosted service of the web host, and before every command.
/// </summary>
public sealed class DatabaseFileCheck(DatabaseProvider provider, string connectionString) : IHostedService
{
    /// <summary>The 16 bytes every SQLite 3 database file starts with.</summary>
    public static ReadOnlySpan<byte> SqliteHeader => "SQLite format 3\0"u8;

    /// <exception cref="DatabaseNotReadyException">The file is not a SQLite database, or not a Passerelle one.</exception>
    public void Check()
    {
        if (provider != DatabaseProvider.Sqlite)
        {
            return;
        }

        if (ExistingFile(connectionString) is not { } file)
        {
            return;
        }

        if (!HasSqliteHeader(file))
        {
            throw new DatabaseNotReadyException(
                $"{file} (ConnectionStrings:Passerelle) is not a SQLite database. Point ConnectionStrings:Passerelle at the " +
                "Passerelle database file, or at a path where no file exists yet to create a new one.");
        }

        List<string> tables;
        try
        {
            // Read-only and not pooled: this look changes nothing, and leaves no connection behind.
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = file,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
                DefaultTimeout = 5,
            }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name";
            using var reader = command.ExecuteReader();
            tables = [];
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26)
        {
            // SQLITE_CORRUPT, SQLITE_NOTADB
            throw new DatabaseNotReadyException($"{file} (ConnectionStrings:Passerelle) is damaged or not a SQLite database: {e.Message}", e);
        }

        if (tables.Count > 0 && !tables.Contains("__EFMigrationsHistory", StringComparer.Ordinal))
        {
            throw new DatabaseNotReadyException(
                $"{file} (ConnectionStrings:Passerelle) is a SQLite database but not a Passerelle one: it has tables " +
                $"({string.Join(", ", tables.Take(5))}{(tables.Count > 5 ? ", ..." : "")}) and no migrations history. " +
                "Point ConnectionStrings:Passerelle at the Passerelle database file, or at a path where no file exists yet.");
        }
    }

    /// <summary>
    /// The full path of the SQLite file <paramref name="connectionString"/> names when it exists and is not empty; null
    /// for a memory database or a new one (no file, or an empty file, which EF creates as a new database).
    /// </summary>
    public static string? ExistingFile(string? connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:")
        {
            return null;
        }

        var file = Path.GetFullPath(builder.DataSource);
        return new FileInfo(file) is { Exists: true, Length: > 0 } ? file : null;
    }

    public static bool HasSqliteHeader(string file)
    {
        Span<byte> header = stackalloc byte[16];
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.SequenceEqual(SqliteHeader);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Check();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
