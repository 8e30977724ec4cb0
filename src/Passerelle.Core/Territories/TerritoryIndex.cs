using System.Threading.Channels;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Common;
using Passerelle.Core.Data;

namespace Passerelle.Core.Territories;

public sealed record ProgrammeArea(int ProgrammeId, string Slug, string Code, string Period, LocalizedText Name,
    IReadOnlyList<ProgrammeAreaEntry> Units, Programmes.ProgrammeKind Kind = Programmes.ProgrammeKind.CrossBorder);

public sealed record ProgrammeAreaEntry(string ListedCode, string NutsVersion, IReadOnlyList<string> Nuts2021Codes, string Role);

/// <summary>The territory index was asked for before its first build finished.</summary>
public sealed class TerritoryIndexNotReadyException()
    : NotReadyException(ServiceStatus.TerritoryIndex, ErrorCode, "The maps and the territory index are being prepared.")
{
    public new const string ErrorCode = "territories_not_ready";
}

/// <summary>What the territory index can answer with: nothing yet, no territories at all, or the territories.</summary>
public enum TerritoryAvailability
{
    /// <summary>The first build after a start has not finished: maps and the finder come in a few seconds.</summary>
    Preparing = 0,

    /// <summary>Built, but the database has no territories (not imported): maps and the finder are unavailable until an administrator adds them.</summary>
    Missing = 1,

    /// <summary>Built, with the territories.</summary>
    Available = 2,
}

/// <summary>
/// What the portal and the API say when the database has no territories (<see cref="TerritoryAvailability.Missing"/>):
/// what is missing and how an administrator adds it. Plain words, no server path: visitors read it too.
/// </summary>
public static class TerritoriesMissing
{
    /// <summary>The API's error code (503), beside <see cref="TerritoryIndexNotReadyException.ErrorCode"/> for "being prepared".</summary>
    public const string ErrorCode = "territories_missing";

    public const string Summary = "The territories (NUTS regions and municipalities) are not loaded, so maps and the eligibility finder are unavailable.";

    /// <summary>How to add them; a restart adds them only where the web host imports territories at start.</summary>
    public static string HowToAdd(bool importOnStart) =>
        "An administrator adds them by putting the publishers' geodata files (NUTS regions, municipalities and their populations) " +
        "in the folder set by Territories:DataPath and " +
        (importOnStart ? "restarting the site, or by running the command \"Passerelle.Web import-territories\"" : "running the command \"Passerelle.Web import-territories\"") +
        " (see the README, \"Territories\").";

    public static string Message(bool importOnStart) => $"{Summary} {HowToAdd(importOnStart)}";
}

/// <summary>
/// The territories in memory for point location: built from the database (a few thousand outlines, about a second) in
/// the background after the host has started (<see cref="TerritoryIndexService"/>), shared by every request, rebuilt
/// in the background when the territories change while the previous snapshot keeps serving. A request never builds
/// it: before the first build completes <see cref="GetAsync"/> throws <see cref="TerritoryIndexNotReadyException"/>.
/// It holds nothing that differs between instances behind a load balancer: each builds the same index from the same
/// database.
/// </summary>
public sealed class TerritoryIndex(IServiceScopeFactory scopes, ServiceStatus status, ILogger<TerritoryIndex> logger)
    : Data.ChangeFeed.IChangeFeedSubscriber
{
    /// <summary>Programme areas and grouping territories hang on programmes and groupings; an import writes an "all" entry.</summary>
    public Task OnChangesAsync(IReadOnlyList<Data.ChangeFeed.ChangeEntry> changes, CancellationToken cancellationToken)
    {
        if (changes.Any(c => c.IsAll || c.EntityType is "Programme" or "Grouping"))
        {
            Invalidate();
        }

        return Task.CompletedTask;
    }

    // At most one pending request: any number of invalidations during a build ask for one more build after it.
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile Snapshot? _snapshot;
    private int _builds;

    public sealed record Snapshot(
        TerritoryLocator Locator,
        IReadOnlyDictionary<string, TerritoryUnit> Units,
        IReadOnlyList<ProgrammeArea> ProgrammeAreas,
        IReadOnlyDictionary<string, List<string>> GroupingsByUnit)
    {
        /// <summary>Simplified GeoJSON per layer and zoom, valid as long as this snapshot.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, string> GeoJson { get; } = new(StringComparer.Ordinal);

        /// <summary>Every unit's names, for the place search and for names in the page's language.</summary>
        public PlaceDirectory Places { get; init; } = new([], []);

        /// <summary>The published groupings' names by slug (those with a territory), to say in words which cover a place.</summary>
        public IReadOnlyDictionary<string, LocalizedText> GroupingNames { get; init; } = new Dictionary<string, LocalizedText>();

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (double Latitude, double Longitude)?> _points = new(StringComparer.Ordinal);

        /// <summary>
        /// A point inside the unit (NetTopologySuite's interior point: on the outline's widest part, never outside it as
        /// a centroid of a crescent would be), where a map puts a unit's marker; null for an unknown code.
        /// </summary>
        public (double Latitude, double Longitude)? PointOf(string code) =>
            _points.GetOrAdd(code, c => Locator.Find(c) is { Geometry: { IsEmpty: false } geometry }
                ? (geometry.InteriorPoint.Y, geometry.InteriorPoint.X)
                : null);

        /// <summary>Whether any territory unit is in the database. None (territories not imported) is a valid, built state.</summary>
        public bool HasUnits => Units.Count > 0;
    }

    /// <summary>Whether a snapshot has been built: once true it stays true (a rebuild swaps snapshots).</summary>
    public bool IsReady => _snapshot is not null;

    /// <summary>Whether maps and the finder can answer: <see cref="TerritoryAvailability.Missing"/> once built without territories.</summary>
    public TerritoryAvailability Availability => _snapshot switch
    {
        null => TerritoryAvailability.Preparing,
        { HasUnits: false } => TerritoryAvailability.Missing,
        _ => TerritoryAvailability.Available,
    };

    /// <summary>The snapshot requests use, or null before the first build.</summary>
    public Snapshot? Current => _snapshot;

    /// <summary>Builds completed by this instance.</summary>
    public int Builds => Volatile.Read(ref _builds);

    /// <summary>Asks for a rebuild in the background; the current snapshot serves until the new one is ready.</summary>
    public void Invalidate() => _requests.Writer.TryWrite(true);

    /// <summary>The current snapshot; never builds.</summary>
    /// <exception cref="TerritoryIndexNotReadyException">The first build has not completed.</exception>
    public Task<Snapshot> GetAsync(CancellationToken ct = default) =>
        _snapshot is { } ready ? Task.FromResult(ready) : throw new TerritoryIndexNotReadyException();

    /// <summary>
    /// Builds the index, then rebuilds it on every invalidation until stopped. A failed build is retried when asked
    /// again or after a delay; until a first build succeeds it throws (the caller retries and reports Failed).
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (true)
        {
            // Whatever was asked before this build starts is covered by it.
            while (_requests.Reader.TryRead(out _))
            {
            }

            try
            {
                await RebuildAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException && _snapshot is not null)
            {
                // The previous snapshot keeps serving; try again on the next change or in a minute.
                logger.LogError(e, "Rebuilding the territory index failed; the previous one keeps serving");
                status.Set(ServiceStatus.TerritoryIndex, ComponentState.Ready, $"serving the previous territory index: rebuilding it failed ({e.GetType().Name}, see the log)");
                using var retry = CancellationTokenSource.CreateLinkedTokenSource(ct);
                retry.CancelAfter(TimeSpan.FromMinutes(1));
                try
                {
                    await _requests.Reader.WaitToReadAsync(retry.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                }

                continue;
            }

            await _requests.Reader.WaitToReadAsync(ct);
        }
    }

    /// <summary>Builds a snapshot from the database now and swaps it in.</summary>
    public async Task<Snapshot> RebuildAsync(CancellationToken ct = default)
    {
        if (_snapshot is null)
        {
            status.Set(ServiceStatus.TerritoryIndex, ComponentState.Starting, "building the territory index from the database");
        }

        // On a low-priority thread: a start builds it while the first requests are served (about a second of CPU for
        // Europe's outlines), and a rebuild while every request is; they take the cores first (ADR 36).
        var snapshot = await LowPriority.RunAsync("territory index", () => Build(ct));
        _snapshot = snapshot;
        Interlocked.Increment(ref _builds);
        status.Set(ServiceStatus.TerritoryIndex, ComponentState.Ready,
            snapshot.HasUnits ? $"{snapshot.Units.Count:N0} territory units" : "no territory units in the database (territories not imported)");
        if (snapshot.HasUnits && status.Get(ServiceStatus.Territories) is { State: ComponentState.Degraded })
        {
            // Imported since the start reported them missing (`import-territories` run beside this instance; the
            // change feed asked for this rebuild): /healthz stops saying they are missing.
            status.Set(ServiceStatus.Territories, ComponentState.Ready, gatesReadiness: false);
        }

        logger.LogInformation("Territory index built: {Count} units", snapshot.Units.Count);
        return snapshot;
    }

    /// <summary>Synchronous, so that all of it runs on the low-priority thread (an await would resume elsewhere).</summary>
    private Snapshot Build(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
        ct.ThrowIfCancellationRequested();
        var units = db.TerritoryUnits.AsNoTracking().ToList();
        var imported = units.Where(u => u.Geometry is not null)
            .Select(u => new ImportedTerritory(u, GeometrySimplifier.FromWkb(u.Geometry!)))
            .ToList();
        foreach (var unit in units)
        {
            unit.Geometry = null; // the locator keeps the parsed outlines; the bytes are not needed twice
        }

        ct.ThrowIfCancellationRequested();

        var programmes = db.Programmes.AsNoTracking().Where(p => p.IsPublished)
            .Select(p => new { p.Id, p.Slug, p.Code, p.Period, p.Name, p.Kind }).ToList();
        var areaRows = db.ProgrammeAreaUnits.AsNoTracking().ToList();
        var areas = programmes.Select(p => new ProgrammeArea(p.Id, p.Slug, p.Code, p.Period, p.Name,
            areaRows.Where(a => a.ProgrammeId == p.Id)
                .Select(a => new ProgrammeAreaEntry(a.NutsCode, a.NutsVersion, a.Nuts2021Codes.Split(' ', StringSplitOptions.RemoveEmptyEntries), a.Role))
                .ToList(), p.Kind)).ToList();
        var groupings = db.GroupingTerritoryUnits.AsNoTracking()
            .Join(db.Groupings.Where(g => g.IsPublished), t => t.GroupingId, g => g.Id, (t, g) => new { t.UnitCode, g.Slug })
            .ToList();
        var slugs = groupings.Select(g => g.Slug).Distinct().ToList();
        var groupingNames = db.Groupings.AsNoTracking().Where(g => g.IsPublished && slugs.Contains(g.Slug))
            .Select(g => new { g.Slug, g.Name }).ToList();
        var names = db.TerritoryNames.AsNoTracking().ToList();
        return new Snapshot(
            new TerritoryLocator(imported),
            units.ToDictionary(u => u.Code, StringComparer.Ordinal),
            areas,
            groupings.GroupBy(g => g.UnitCode).ToDictionary(g => g.Key, g => g.Select(x => x.Slug).Distinct().ToList(), StringComparer.Ordinal))
        {
            Places = new PlaceDirectory(units, names),
            GroupingNames = groupingNames.ToDictionary(g => g.Slug, g => g.Name, StringComparer.Ordinal),
        };
    }
}

/// <summary>Builds the territory index once the host has started, then rebuilds it whenever it is invalidated.</summary>
public sealed class TerritoryIndexService(
    TerritoryIndex index, IServiceScopeFactory scopes, ServiceStatus status, StartupGate gate, IHostApplicationLifetime lifetime, TimeProvider clock,
    ILogger<TerritoryIndexService> logger)
    : BackgroundStart(ServiceStatus.TerritoryIndex, status, gate, lifetime, clock, logger)
{
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        // First the territories themselves, when the database has none (the first start on SQLite): the index is then
        // built from them. Without the geodata this only reports "degraded"; it never stops the host.
        Status.Set(Component, ComponentState.Starting, "importing the territories");
        await using (var scope = scopes.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Data.DatabaseInitializer>().EnsureTerritoriesAsync(stoppingToken);
        }

        await index.RunAsync(stoppingToken);
    }
}

public static class TerritoryIndexServiceCollectionExtensions
{
    /// <summary>The territory index's background build (web host only: commands do not start hosted services).</summary>
    public static IServiceCollection AddPasserelleTerritoryIndex(this IServiceCollection services)
    {
        services.TryAddStartupGate();
        services.AddHostedService<TerritoryIndexService>();
        return services;
    }
}
