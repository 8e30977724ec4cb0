using Npgsql;

using Passerelle.Core.Data;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>
/// <see cref="PasserelleApp"/> on the real PostgreSQL server named by <c>PASSERELLE_TEST_POSTGRES</c>: a fresh database
/// per fixture (<c>passerelle_test_&lt;guid&gt;</c>), created before the host starts and dropped with FORCE after.
/// </summary>
public class PostgresApp : PasserelleApp
{
    public PostgresApp()
    {
        DatabaseName = $"passerelle_test_{Guid.NewGuid():N}";
        ConnectionStringValue = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString) { Database = DatabaseName }.ToString();
    }

    public string DatabaseName { get; }

    private string ConnectionStringValue { get; }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string ConnectionString => ConnectionStringValue;

    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _template;
    private static string? _templateIndex;

    /// <summary>
    /// Like the SQLite fixture, each database is a copy of one built once per run (migrated, seeded, territories
    /// imported): PostgreSQL copies a template database in a fraction of a second.
    /// </summary>
    protected override async Task PrepareDatabaseAsync()
    {
        if (!UseTemplate)
        {
            await TestPostgres.CreateDatabaseAsync(DatabaseName);
            return;
        }

        await CreateFromTemplateAsync(DatabaseName);
        CopyTemplateIndex(_templateIndex);
    }

    /// <summary>
    /// Creates the database <paramref name="databaseName"/> as a copy of the run's template (migrated, seeded, territories
    /// imported), built the first time it is asked for. The caller drops it.
    /// </summary>
    public static async Task CreateFromTemplateAsync(string databaseName)
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_template is null)
            {
                var builder = new TemplateBuilder();
                await builder.InitializeAsync();
                await builder.Services.WaitUntilRegistryValuesKeptAsync();
                await builder.StopAsync();
                _templateIndex = builder.SearchIndexFolder;
                _template = builder.DatabaseName;
                var template = _template;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => TestPostgres.DropDatabaseAsync(template).GetAwaiter().GetResult();
            }

            await TestPostgres.CreateDatabaseAsync(databaseName, _template);
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private sealed class TemplateBuilder : PostgresApp
    {
        protected override bool UseTemplate => false;

        protected override bool IndexOnDisk => true;

        protected override bool KeepsFolder => true;

        /// <summary>Stops the host and closes its connections but keeps the database: it is the run's template.</summary>
        public async Task StopAsync()
        {
            await base.DisposeCoreAsync();
            NpgsqlConnection.ClearAllPools();
        }
    }

    private ValueTask DisposeCoreAsync() => base.DisposeAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // Pooled connections of this host would keep the database busy; FORCE ends any that remain.
        NpgsqlConnection.ClearAllPools();
        await TestPostgres.DropDatabaseAsync(DatabaseName);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The PostgreSQL server the tests run on; the tests fail (never skip) without it.</summary>
public static class TestPostgres
{
    public const string Variable = "PASSERELLE_TEST_POSTGRES";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL integration tests cannot run. Run ./scripts/test.sh, which starts a " +
                $"throwaway PostgreSQL cluster and sets it, or set {Variable}=\"Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres\" " +
                "to a server where that role may create databases.");

    public static async Task CreateDatabaseAsync(string name, string template = "template0")
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE \"{template}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task DropDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
