using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Common;
using Passerelle.Core.Data;

namespace Passerelle.Core.Territories;

public sealed record ProgrammeArea(int ProgrammeId, string Slug, string Code, string Period, LocalizedText Name,
    IReadOnlyList<ProgrammeAreaEntry> Units);

public sealed record ProgrammeAreaEntry(string ListedCode, string NutsVersion, IReadOnlyList<string> Nuts2021Codes, string Role);

/// <summary>
/// The territories in memory for point location: built once from the database (a few thousand outlines, about a
/// second), shared by every request, rebuilt when the territories change. It holds nothing that differs between
/// instances behind a load balancer: each builds the same index from the same database.
/// </summary>
public sealed class TerritoryIndex(IServiceScopeFactory scopes) : Data.ChangeFeed.IChangeFeedSubscriber
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

    private readonly SemaphoreSlim _lock = new(1, 1);
    private Snapshot? _snapshot;

    public sealed record Snapshot(
        TerritoryLocator Locator,
        IReadOnlyDictionary<string, TerritoryUnit> Units,
        IReadOnlyList<ProgrammeArea> ProgrammeAreas,
        IReadOnlyDictionary<string, List<string>> GroupingsByUnit)
    {
        /// <summary>Simplified GeoJSON per layer and zoom, valid as long as this snapshot.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, string> GeoJson { get; } = new(StringComparer.Ordinal);
    }

    public void Invalidate() => _snapshot = null;

    public async Task<Snapshot> GetAsync(CancellationToken ct = default)
    {
        if (_snapshot is { } ready)
        {
            return ready;
        }

        await _lock.WaitAsync(ct);
        try
        {
            return _snapshot ??= await BuildAsync(ct);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<Snapshot> BuildAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
        var units = await db.TerritoryUnits.AsNoTracking().ToListAsync(ct);
        var imported = units.Where(u => u.Geometry is not null)
            .Select(u => new ImportedTerritory(u, GeometrySimplifier.FromWkb(u.Geometry!)))
            .ToList();
        foreach (var unit in units)
        {
            unit.Geometry = null; // the locator keeps the parsed outlines; the bytes are not needed twice
        }

        var programmes = await db.Programmes.AsNoTracking().Where(p => p.IsPublished)
            .Select(p => new { p.Id, p.Slug, p.Code, p.Period, p.Name }).ToListAsync(ct);
        var areaRows = await db.ProgrammeAreaUnits.AsNoTracking().ToListAsync(ct);
        var areas = programmes.Select(p => new ProgrammeArea(p.Id, p.Slug, p.Code, p.Period, p.Name,
            areaRows.Where(a => a.ProgrammeId == p.Id)
                .Select(a => new ProgrammeAreaEntry(a.NutsCode, a.NutsVersion, a.Nuts2021Codes.Split(' ', StringSplitOptions.RemoveEmptyEntries), a.Role))
                .ToList())).ToList();
        var groupings = await db.GroupingTerritoryUnits.AsNoTracking()
            .Join(db.Groupings, t => t.GroupingId, g => g.Id, (t, g) => new { t.UnitCode, g.Slug })
            .ToListAsync(ct);
        return new Snapshot(
            new TerritoryLocator(imported),
            units.ToDictionary(u => u.Code, StringComparer.Ordinal),
            areas,
            groupings.GroupBy(g => g.UnitCode).ToDictionary(g => g.Key, g => g.Select(x => x.Slug).Distinct().ToList(), StringComparer.Ordinal));
    }
}
