using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Microsoft.Data.Sqlite;

using Npgsql;

using Passerelle.Core.Data;
using Passerelle.Core.DefaultData;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>One table's content: its row count and a hash of its rows (in any order).</summary>
public sealed record TableState(long Rows, string Hash);

/// <summary>
/// A database of its own for tests that run the real executable on it (<c>PasserelleProcess</c>): a SQLite file in a
/// temporary folder, or a fresh <c>passerelle_test_&lt;guid&gt;</c> database on the test PostgreSQL server, dropped
/// with the object. Either empty (not even migrated) or a copy of the run's template (migrated, seeded, territories
/// imported).
/// </summary>
public sealed class ProcessDatabase : IAsyncDisposable
{
    private readonly string? _postgresName;

    private ProcessDatabase(DatabaseProvider provider, string connectionString, string folder, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Folder = folder;
        _postgresName = postgresName;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>A temporary folder of this database's own: the SQLite file, the download cache, import files.</summary>
    public string Folder { get; }

    public static async Task<ProcessDatabase> CreateAsync(DatabaseProvider provider, bool fromTemplate)
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-process-").FullName;
        if (provider == DatabaseProvider.Sqlite)
        {
            var file = Path.Combine(folder, "passerelle.db");
            if (fromTemplate)
            {
                File.Copy(await PasserelleApp.SqliteTemplateAsync(), file);
            }

            return new ProcessDatabase(provider, $"Data Source={file}", folder, null);
        }

        var name = $"passerelle_test_{Guid.NewGuid():N}";
        if (fromTemplate)
        {
            await PostgresApp.CreateFromTemplateAsync(name);
        }
        else
        {
            await TestPostgres.CreateDatabaseAsync(name);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString) { Database = name }.ToString();
        return new ProcessDatabase(provider, connectionString, folder, name);
    }

    /// <summary>
    /// The settings of a process on this database, and nothing of the network: the publishers' geodata from the shared
    /// folder, downloads pointed at a closed loopback port, downloads cached in this database's folder. The web host
    /// neither seeds nor imports territories at start unless a test says so.
    /// </summary>
    public Dictionary<string, string> Settings() => new()
    {
        ["Database:Provider"] = Provider.ToString(),
        ["ConnectionStrings:Passerelle"] = ConnectionString,
        ["Database:SeedOnStart"] = "false",
        ["Territories:ImportOnStart"] = "false",
        ["Territories:DataPath"] = DataPaths.FindSharedData() ?? throw new InvalidOperationException("No shared/data folder above the tests."),
        ["Territories:CachePath"] = Path.Combine(Folder, "cache"),
        ["Territories:NutsUrl"] = Unreachable + "nuts.geojson",
        ["Territories:BelgianMunicipalitiesUrl"] = Unreachable + "belgium.json",
        ["Territories:NordCommunesUrl"] = Unreachable + "communes-59-nord.geojson",
        ["Backup:Folder"] = Path.Combine(Folder, "backups"),
    };

    /// <summary>The discard port on loopback: nothing listens there, so a download fails at once without the network.</summary>
    public const string Unreachable = "http://127.0.0.1:9/";

    public WriteLock WriteLock => new(Provider, ConnectionString);

    private DbConnection Connect() => Provider == DatabaseProvider.Sqlite
        // Read-write (not Mode=ReadOnly): after a crash, the first connection rolls back what the dead writer left.
        ? new SqliteConnection(ConnectionString + ";Pooling=False")
        : new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());

    public async Task<long> CountAsync(string table) => Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM \"{table}\""), CultureInfo.InvariantCulture);

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = Connect();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    public async Task<List<string>> StringsAsync(string sql)
    {
        await using var connection = Connect();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>The slugs of a table's rows, in ordinal order (the same on both providers, whatever the collation).</summary>
    public async Task<List<string>> SlugsAsync(string table) =>
        [.. (await StringsAsync($"SELECT \"Slug\" FROM \"{table}\"")).Order(StringComparer.Ordinal)];

    /// <summary>Every table's row count and content hash: equal snapshots mean the same rows, not only as many.</summary>
    public async Task<SortedDictionary<string, TableState>> SnapshotAsync()
    {
        var tables = await StringsAsync(Provider == DatabaseProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
        var snapshot = new SortedDictionary<string, TableState>(StringComparer.Ordinal);
        await using var connection = Connect();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            var rows = new List<string>();
            var values = new object[reader.FieldCount];
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                reader.GetValues(values);
                rows.Add(string.Join('\u001f', values.Select(Text)));
            }

            rows.Sort(StringComparer.Ordinal);
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001e', rows))));
            snapshot[table] = new TableState(rows.Count, hash);
        }

        return snapshot;
    }

    private static string Text(object value) => value switch
    {
        DBNull => "\u2400",
        byte[] bytes => Convert.ToBase64String(bytes),
        string text => text,
        Array array => "[" + string.Join(',', array.Cast<object>().Select(Text)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Fails naming each table whose rows differ between the two snapshots.</summary>
    public static void AssertSame(IReadOnlyDictionary<string, TableState> expected, IReadOnlyDictionary<string, TableState> actual, string what)
    {
        var differences = expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal)
            .Where(t => !Equals(expected.GetValueOrDefault(t), actual.GetValueOrDefault(t)))
            .Select(t => $"{t}: {expected.GetValueOrDefault(t)?.Rows.ToString(CultureInfo.InvariantCulture) ?? "no table"} rows before, " +
                $"{actual.GetValueOrDefault(t)?.Rows.ToString(CultureInfo.InvariantCulture) ?? "no table"} after" +
                (expected.GetValueOrDefault(t)?.Rows == actual.GetValueOrDefault(t)?.Rows ? " (same count, other content)" : ""))
            .ToList();
        Assert.True(differences.Count == 0, $"{what}:\n{string.Join('\n', differences)}");
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await TestPostgres.DropDatabaseAsync(_postgresName);
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine is left in the temp folder rather than failing the run.
        }
    }
}
