using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
        var files = new TerritoryFiles(territoryOptions, paths.ResolveSharedDataPath(), http, logger);
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
        var factsPath = paths.ResolveFactsPath();
        if (factsPath is null)
        {
            logger.LogWarning("The shared facts folder was not found; the default data is loaded without the sourced project facts");
        }

        var data = DefaultDataLoader.Load(paths.ResolveDefaultDataPath(), factsPath);
        return await seeder.SeedAsync(data, ct);
    }

    /// <summary>The web host's start: SQLite migrates by default (one-command start); PostgreSQL only when told to.</summary>
    public async Task InitializeOnStartAsync(CancellationToken ct = default)
    {
        var migrate = options.MigrateOnStart ?? options.Provider == DatabaseProvider.Sqlite;
        if (migrate)
        {
            await MigrateAsync(ct);
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

public static class DatabaseInitializerExtensions
{
    public static IServiceCollection AddPasserelleDefaultData(this IServiceCollection services, DataPathOptions paths, TerritoryDataOptions territories)
    {
        services.AddSingleton(paths);
        services.AddSingleton(territories);
        services.AddHttpClient();
        services.AddSingleton<TerritoryIndex>();
        services.AddSingleton<EligibilityFinder>();
        services.AddScoped<TerritoryImporter>();
        services.AddScoped<TerritoryQueries>();
        services.AddScoped<DefaultDataSeeder>();
        services.AddScoped<DatabaseInitializer>();
        return services;
    }
}
