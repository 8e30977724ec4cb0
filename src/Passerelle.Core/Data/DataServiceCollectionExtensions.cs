using System.Text.RegularExpressions;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

using Npgsql;

using Passerelle.Core.Data.ChangeFeed;

namespace Passerelle.Core.Data;

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "Passerelle";
    public const string DefaultSqliteFile = "data/local/passerelle.db";

    // Stateless (its per-save state lives on the context), so one instance serves every context.
    private static readonly ChangeFeedInterceptor FeedInterceptor = new();
    private static readonly Registry.WritePathGuard Guard = new();

    /// <summary>
    /// Registers <see cref="PasserelleDbContext"/> for the configured provider. A relative SQLite file is placed under
    /// <paramref name="contentRoot"/> and its folder created, so the first start needs no setup.
    /// </summary>
    public static IServiceCollection AddPasserelleData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton(options);
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        var backupFolder = configuration[Backup.BackupOptions.FolderKey];

        switch (options.Provider)
        {
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException(
                        "Database:Provider is Postgres but ConnectionStrings:Passerelle is not set.");
                }

                var postgres = PostgresConnectionString(connectionString);
                services.AddDbContext<PasserelleDbContext, PostgresDbContext>(o => o.UseNpgsql(postgres, n => n.UseParameterizedCollectionMode(ListsOfValues)).UseModel(CompiledModel(typeof(PostgresDbContext))).AddInterceptors(Guard, FeedInterceptor));
                services.AddSingleton(new WriteLock(DatabaseProvider.Postgres, connectionString));
                services.AddSingleton(new Backup.BackupOptions(ResolveFolder(backupFolder, contentRoot) ?? Path.Combine(contentRoot, "data", "local", "backups")));
                services.AddSingleton(new DatabaseFileCheck(DatabaseProvider.Postgres, connectionString));
                break;
            default:
                var sqlite = SqliteConnectionString(connectionString, contentRoot);
                services.AddDbContext<PasserelleDbContext, SqliteDbContext>(o => o.UseSqlite(sqlite, q => q.UseParameterizedCollectionMode(ListsOfValues)).UseModel(CompiledModel(typeof(SqliteDbContext))).AddInterceptors(Guard, FeedInterceptor));
                services.AddSingleton(new WriteLock(DatabaseProvider.Sqlite, sqlite));
                // Next to the database file by default: the same disk, and found where the operator looks for the database.
                var folder = Path.GetDirectoryName(new SqliteConnectionStringBuilder(sqlite).DataSource) is { Length: > 0 } databaseFolder
                    ? Path.Combine(databaseFolder, "backups")
                    : Path.Combine(contentRoot, "data", "local", "backups");
                services.AddSingleton(new Backup.BackupOptions(ResolveFolder(backupFolder, contentRoot) ?? folder));
                services.AddSingleton(new DatabaseFileCheck(DatabaseProvider.Sqlite, sqlite));
                break;
        }

        // Before every other hosted service (DatabaseStartupService migrates): refuse a file that is not a Passerelle database.
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseFileCheck>());
        services.AddScoped<Backup.DatabaseBackup>();
        services.AddSingleton(Registry.RegistryWriterOptions.From(configuration));
        services.AddScoped<Registry.RegistryWriter>();
        return services;
    }

    /// <summary>
    /// The model generated for a provider's context by `scripts/compiled-model.sh` (ADR 35): a start then loads the
    /// model instead of building it from the entity configurations, which took about half of a command's start.
    /// </summary>
    public static Microsoft.EntityFrameworkCore.Metadata.IModel CompiledModel(Type context) =>
        context == typeof(PostgresDbContext) ? CompiledModels.Postgres.PostgresDbContextModel.Instance
        : context == typeof(SqliteDbContext) ? CompiledModels.Sqlite.SqliteDbContextModel.Instance
        : throw new ArgumentException($"no compiled model for {context.Name}", nameof(context));

    private static string? ResolveFolder(string? configured, string contentRoot) =>
        string.IsNullOrWhiteSpace(configured) ? null : Path.GetFullPath(Path.Combine(contentRoot, configured));

    /// <summary>
    /// The settings of the application's PostgreSQL sessions (<see cref="PostgresConnectionString"/>, ADR 40): plans for
    /// short queries, without parallel workers and without JIT compilation.
    /// </summary>
    /// <summary>
    /// A list of values in a query (<c>ids.Contains(x.Id)</c>) is sent as one parameter: SQLite's <c>json_each</c>,
    /// PostgreSQL's <c>= ANY</c>. EF 10's default is one named parameter per value, and SQLite finds each name by
    /// walking the statement's list of names, when it prepares the statement and again when each value is bound: a
    /// list of 5,000 ids was about 25 million string comparisons, 6 % of a Kohesio import's time; a keep.eu import checks
    /// its ids 5,000 at a time, a record's history reads its facts 2,000 at a time (ADR 30, "One parameter for a list
    /// of ids").
    /// </summary>
    internal const ParameterTranslationMode ListsOfValues = ParameterTranslationMode.Parameter;

    public static readonly IReadOnlyList<(string Name, string Value)> SessionSettings = [("max_parallel_workers_per_gather", "0"), ("jit", "off")];

    /// <summary>
    /// The configured PostgreSQL connection string, with <see cref="SessionSettings"/> added to its <c>Options</c>, each
    /// unless the operator's <c>Options</c> set it already (ADR 40). The planner prices both as cheap, and on a 2-core
    /// server each costs more than a page's whole query: a parallel plan starts its workers, about 38 ms, for every
    /// query (at 2 M projects the busiest organisation's list 65–90 ms with two workers, 10 ms without); a plan whose
    /// estimate passes <c>jit_above_cost</c>, as a page with a correlated lead partner's name does, is compiled, 25–42 ms
    /// (a programme page's 100 projects 29–33 ms, 4 ms without).
    /// </summary>
    public static string PostgresConnectionString(string configured)
    {
        var builder = new NpgsqlConnectionStringBuilder(configured);
        var options = builder.Options ?? "";
        foreach (var (name, value) in SessionSettings)
        {
            // `-c name=value` or `--name=value`.
            if (!Regex.IsMatch(options, $@"(^|[\s-]){name}\s*=", RegexOptions.CultureInvariant))
            {
                options = options.Length == 0 ? $"-c {name}={value}" : $"{options} -c {name}={value}";
            }
        }

        builder.Options = options;
        return builder.ToString();
    }

    public static string SqliteConnectionString(string? configured, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(
            string.IsNullOrWhiteSpace(configured) ? $"Data Source={DefaultSqliteFile}" : configured);
        if (builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        }

        if (builder.DataSource != ":memory:" && Path.GetDirectoryName(builder.DataSource) is { Length: > 0 } folder)
        {
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (IOException e)
            {
                // "File exists" alone does not say which setting to fix.
                throw new IOException($"Cannot create the folder {folder} for the SQLite database (ConnectionStrings:Passerelle): {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new UnauthorizedAccessException($"Cannot create the folder {folder} for the SQLite database (ConnectionStrings:Passerelle): {e.Message}", e);
            }
        }

        builder.Pooling = true;
        return builder.ToString();
    }
}
