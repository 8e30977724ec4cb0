using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Passerelle.Core.DefaultData;
using Passerelle.Core.Territories;

namespace Passerelle.Core.Data;

/// <summary>Migrates the database and loads the default data: at web start for SQLite, by command for PostgreSQL.</summary>
public sealed class DatabaseInitializer(
    PasserelleDbContext db,
    DatabaseOptions options,
    DataPathOptions paths,
    DefaultDataSeeder seeder,
    TerritoryImporter territories,
    TerritoryDataOptions territoryOptions,
    TerritoryIndex territoryIndex,
    IHttpClientFactory http,
    ILogger<DatabaseInitializer> logger)
{
    public async Task<TerritoryImportResult> ImportTerritoriesAsync(CancellationToken ct = default)
    {
        var files = new TerritoryFiles(territoryOptions, paths.ResolveDefaultDataPath(), http, logger);
        var result = await territories.ImportAsync(files, ct);
        territoryIndex.Invalidate();
        return result;
    }

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migrations to {Provider}", pending.Count, options.Provider);
            await db.Database.MigrateAsync(ct);
        }
    }

    public async Task<SeedResult> SeedAsync(CancellationToken ct = default)
    {
        var data = DefaultDataLoader.Load(paths.ResolveDefaultDataPath());
        return await seeder.SeedAsync(data, ct);
    }

    /// <summary>
    /// The web host's start: SQLite migrates by default (one-command start); PostgreSQL only when told to, and otherwise
    /// refuses to start on a database with pending migrations rather than failing on the first request.
    /// </summary>
    public async Task InitializeOnStartAsync(CancellationToken ct = default)
    {
        var migrate = options.MigrateOnStart ?? options.Provider == DatabaseProvider.Sqlite;
        if (migrate)
        {
            await MigrateAsync(ct);
        }
        else
        {
            List<string> pending;
            try
            {
                pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.InvalidCatalogName)
            {
                throw new DatabaseNotReadyException(
                    $"The PostgreSQL database named in ConnectionStrings:Passerelle does not exist ({e.MessageText}). " +
                    "Create it (see README, \"Run on PostgreSQL\"), then run `Passerelle.Web migrate`.", e);
            }

            if (pending.Count > 0)
            {
                throw new DatabaseNotReadyException(
                    $"The {options.Provider} database has {pending.Count} pending migration(s) ({string.Join(", ", pending)}). " +
                    "Run `Passerelle.Web migrate` (in a checkout: `dotnet run --project src/Passerelle.Web -- migrate`) " +
                    "with the same configuration before starting the web host, or set Database:MigrateOnStart=true.");
            }
        }

        if (options.SeedOnStart && !await db.Programmes.AnyAsync(ct))
        {
            await SeedAsync(ct);
        }

        if (territoryOptions.ImportOnStart && !await db.TerritoryUnits.AnyAsync(ct))
        {
            try
            {
                await ImportTerritoriesAsync(ct);
            }
            catch (TerritoryImportException e)
            {
                // The portal still serves the registry; maps and the eligibility finder wait for a successful import.
                logger.LogError("Territories not imported: {Reason}. Run the import-territories command once the files are reachable.", e.Message);
            }
        }
    }
}

/// <summary>The database is missing or not migrated: the web host must not start.</summary>
public sealed class DatabaseNotReadyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Runs <see cref="DatabaseInitializer.InitializeOnStartAsync"/> when the web host starts, before it serves.</summary>
public sealed class DatabaseStartupService(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeOnStartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class DatabaseInitializerExtensions
{
    public static IServiceCollection AddPasserelleDefaultData(this IServiceCollection services, DataPathOptions paths, TerritoryDataOptions territories)
    {
        services.AddSingleton(paths);
        services.AddSingleton(territories);
        services.AddHttpClient();
        services.AddSingleton<TerritoryIndex>();
        services.AddSingleton<Data.ChangeFeed.IChangeFeedSubscriber>(sp => sp.GetRequiredService<TerritoryIndex>());
        services.AddSingleton<EligibilityFinder>();
        services.AddScoped<TerritoryImporter>();
        services.AddScoped<TerritoryQueries>();
        services.AddScoped<DefaultDataSeeder>();
        services.AddScoped<DatabaseInitializer>();
        // Registered before any other hosted service, so they all start on a migrated database.
        services.AddHostedService<DatabaseStartupService>();
        return services;
    }
}
