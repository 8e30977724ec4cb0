using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Common;
using Passerelle.Core.DefaultData;
using Passerelle.Core.History;
using Passerelle.Core.Territories;

namespace Passerelle.Core.Data;

/// <summary>
/// Migrates the database, loads the default data and imports the territories: at web start for SQLite (the
/// territories in the background), by deploy commands for PostgreSQL (ADR 0003, ADR 0010).
/// </summary>
public sealed class DatabaseInitializer(
    PasserelleDbContext db,
    DatabaseOptions options,
    DataPathOptions paths,
    DefaultDataSeeder seeder,
    TerritoryImporter territories,
    TerritoryDataOptions territoryOptions,
    ServiceStatus status,
    WriteLock writeLock,
    IHttpClientFactory http,
    ILogger<DatabaseInitializer> logger)
{
    // How long a start waits for another process's seeding or territory import (an import of a large file holds the
    // same lock): long enough for the default data, short enough that a stuck holder shows as a failed start.
    private static readonly TimeSpan StartupLockPatience = TimeSpan.FromMinutes(5);

    public bool SeedOnStart => options.SeedOnStart ?? options.Provider == DatabaseProvider.Sqlite;

    public bool ImportTerritoriesOnStart => territoryOptions.ImportsOnStart(options.Provider);

    public async Task<TerritoryImportResult> ImportTerritoriesAsync(Actor actor, CancellationToken ct = default)
    {
        var files = new TerritoryFiles(territoryOptions, paths.ResolveDefaultDataPath(), http, logger);
        // Every instance's territory index (this one's too) rebuilds from the import's change-feed entry.
        var result = await territories.ImportAsync(files, actor, ct);
        status.Set(ServiceStatus.Territories, ComponentState.Ready, gatesReadiness: false);
        return result;
    }

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await EnsureWalAsync(ct);
        var pending = await PendingMigrationsAsync(db, ct);
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migrations to {Provider}", pending.Count, options.Provider);
            await db.Database.MigrateAsync(ct);
        }
    }

    /// <summary>
    /// Puts an existing SQLite file in WAL mode when it is not. EF puts a database it creates in WAL mode, where readers
    /// never block a write's commit; a file made another way (by hand, or restored from a copy made in rollback-journal
    /// mode) stayed in that mode, and there a write's commit beside an open read fails with "database is locked" (the
    /// reader's lock outlasts the busy timeout; and Microsoft.Data.Sqlite does not retry a busy commit reported when the
    /// statement is reset, EF's INSERT … RETURNING, so concurrent requests' writes failed at once). The mode is kept in the file, so this changes it once. A file that cannot change (read-only, or held by another
    /// process) is left as it is, and said so.
    /// </summary>
    private async Task EnsureWalAsync(CancellationToken ct)
    {
        if (!db.Database.IsSqlite() || DatabaseFileCheck.ExistingFile(db.Database.GetConnectionString()) is null)
        {
            return;
        }

        var mode = await FlatQuery.FirstAsync(db, "PRAGMA journal_mode", [], r => r.GetString(0), "", ct);
        if (string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        try
        {
            var now = await FlatQuery.FirstAsync(db, "PRAGMA journal_mode = WAL", [], r => r.GetString(0), "", ct);
            logger.LogInformation("The SQLite database was in {Mode} journal mode; it is now in {Now} mode", mode, now);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            logger.LogWarning("The SQLite database is in {Mode} journal mode and could not be put in WAL mode ({Error}): concurrent writes may fail with \"database is locked\"", mode, e.Message);
        }
    }

    /// <summary>
    /// The migrations of this build the database has not applied, as EF's <c>GetPendingMigrationsAsync</c> lists them.
    /// On an existing SQLite file, where every web start migrates, read with plain SQL: EF's own reading first builds a
    /// model of its history table (conventions, a model finalised), a tenth of a second or more of a start's path to its
    /// first answer (ADR 36, "At 2 M, what the start's path still paid for"). A new database (no file, or an empty one)
    /// is EF's to create: opening a connection would create the file, and EF then takes it as existing and skips its
    /// creation, which is where SQLite databases are put in WAL mode.
    /// </summary>
    internal static async Task<List<string>> PendingMigrationsAsync(PasserelleDbContext db, CancellationToken ct = default)
    {
        if (!db.Database.IsSqlite() || DatabaseFileCheck.ExistingFile(db.Database.GetConnectionString()) is null)
        {
            return [.. await db.Database.GetPendingMigrationsAsync(ct)];
        }

        var history = await FlatQuery.FirstAsync(db,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'", [], r => r.GetInt64(0), 0L, ct);
        var applied = new List<string>();
        if (history > 0)
        {
            await FlatQuery.AddToAsync(applied, db, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"", [], r => r.GetString(0), ct);
        }

        var done = applied.ToHashSet(StringComparer.Ordinal);
        return [.. db.Database.GetMigrations().Where(m => !done.Contains(m))];
    }

    public string DefaultDataPath => paths.ResolveDefaultDataPath();

    public DefaultDataSet LoadDefaultData() => DefaultDataLoader.Load(paths.ResolveDefaultDataPath());

    public async Task<SeedResult> SeedAsync(Actor actor, CancellationToken ct = default)
    {
        var result = await seeder.SeedAsync(LoadDefaultData(), actor, ct);
        status.Set(ServiceStatus.DefaultData, ComponentState.Ready, gatesReadiness: false);
        return result;
    }

    /// <summary>
    /// The web host's start: SQLite migrates and seeds by default (one-command start); PostgreSQL only when told to,
    /// and otherwise refuses to start on a database with pending migrations rather than failing on the first request.
    /// Territories are imported afterwards, in the background, before the territory index is built (<see cref="TerritoryIndexService"/>).
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

        // The files' hash first: the data set is parsed only when it is not the one the database holds.
        var hash = DefaultDataLoader.Hash(DefaultDataPath);
        if (await seeder.IsCurrentAsync(hash, ct))
        {
            status.Set(ServiceStatus.DefaultData, ComponentState.Ready, gatesReadiness: false);
        }
        else if (SeedOnStart)
        {
            // Several instances starting at once on one database take turns; the later ones find the data current.
            await using (await writeLock.AcquireAsync("seed", StartupLockPatience, ct))
            {
                await seeder.SeedAsync(LoadDefaultData(), Actor.System("start-up", $"default data {DefaultDataPath} (sha256 {hash[..12].ToLowerInvariant()})"), ct);
            }

            status.Set(ServiceStatus.DefaultData, ComponentState.Ready, gatesReadiness: false);
        }
        else
        {
            var reason = "the default data is not loaded or not up to date: run `Passerelle.Web seed` (a deploy step, like `migrate`)";
            logger.LogWarning("Degraded: {Reason}", reason);
            status.Set(ServiceStatus.DefaultData, ComponentState.Degraded, reason, gatesReadiness: false);
        }
    }

    /// <summary>
    /// After start, in the background: imports the territories when the database has none and the host is told to
    /// (SQLite by default). Without the geodata (no folder, no network) the portal runs without maps, says so on
    /// /healthz and on the pages that need them, and the next start (or `import-territories`) completes it.
    /// </summary>
    public async Task EnsureTerritoriesAsync(CancellationToken ct = default)
    {
        if (await db.TerritoryUnits.AnyAsync(ct))
        {
            status.Set(ServiceStatus.Territories, ComponentState.Ready, gatesReadiness: false);
            if (ImportTerritoriesOnStart && !await db.TerritoryNames.AnyAsync(ct))
            {
                await CompleteOlderImportAsync(ct);
            }

            return;
        }

        if (!ImportTerritoriesOnStart)
        {
            Degraded("no territories in the database: run `Passerelle.Web import-territories` (a deploy step, like `migrate`)");
            return;
        }

        status.Set(ServiceStatus.Territories, ComponentState.Starting, "importing the territories", gatesReadiness: false);
        try
        {
            await using (await writeLock.AcquireAsync("territory import", StartupLockPatience, ct))
            {
                // Another instance may have imported them while this one waited for the lock.
                if (await db.TerritoryUnits.AnyAsync(ct))
                {
                    status.Set(ServiceStatus.Territories, ComponentState.Ready, gatesReadiness: false);
                    return;
                }

                await ImportTerritoriesAsync(Actor.System("start-up", "territory import"), ct);
            }
        }
        catch (TerritoryImportException e)
        {
            // The import's message says which file is missing or wrong and where to get it.
            Degraded($"territories not imported, so maps and the eligibility finder are off: {e.Message.TrimEnd('.')}. " +
                "Then restart, or run `import-territories`");
        }
    }

    /// <summary>
    /// Territories imported by a release that did not keep the names in other languages (before TerritoryNames): the
    /// same files are imported again (their hash includes the import's format), so the place search finds "Moeskroen".
    /// The maps work meanwhile and if it fails (the geodata gone since): a warning, not a degraded instance.
    /// </summary>
    private async Task CompleteOlderImportAsync(CancellationToken ct)
    {
        try
        {
            await using (await writeLock.AcquireAsync("territory import", StartupLockPatience, ct))
            {
                if (!await db.TerritoryNames.AnyAsync(ct))
                {
                    await ImportTerritoriesAsync(Actor.System("start-up", "territory import (names in other languages)"), ct);
                }
            }
        }
        catch (Exception e) when (e is TerritoryImportException or WriteLockedException)
        {
            logger.LogWarning("The territories were imported by an earlier release, without the names in other languages, and importing them again failed: {Reason}. " +
                "Maps work; the place search knows fewer names until `import-territories` runs.", e.Message);
        }
    }

    private void Degraded(string reason)
    {
        logger.LogWarning("Degraded: {Reason}", reason);
        status.Set(ServiceStatus.Territories, ComponentState.Degraded, reason, gatesReadiness: false);
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
        services.AddSingleton<OrganisationLocator>();
        services.AddScoped<TerritoryImporter>();
        services.AddScoped<TerritoryQueries>();
        services.AddScoped<PartnerMaps>();
        services.AddScoped<DefaultDataSeeder>();
        services.AddScoped<DatabaseInitializer>();
        // Registered before any other hosted service, so they all start on a migrated database.
        services.AddHostedService<DatabaseStartupService>();
        return services;
    }
}
