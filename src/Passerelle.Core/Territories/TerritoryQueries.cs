using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Territories;

public sealed record TerritoryDetails(
    string Code, string Name, string? NameLocal, TerritoryKind Kind, string CountryCode, string Version,
    UnitView? Parent, IReadOnlyList<UnitView> Ancestors, int ChildCount, long? Population, string? PopulationReference,
    double? AreaKm2, SourceRef? Source);

public sealed record ProfileSplit(string Key, string Label, int Count, double AreaKm2, long Population);

/// <summary>A grouping's territory computed from its municipalities' data, for one perimeter of the member list.</summary>
public sealed record TerritoryProfile(
    string Perimeter, string Description, int Count, double AreaKm2, long Population,
    IReadOnlyList<ProfileSplit> ByCountry, IReadOnlyList<ProfileSplit> ByRegion, IReadOnlyList<string> MissingUnits);

public sealed record ProgrammeAreaUnitView(string ListedCode, string NutsVersion, string? Name, IReadOnlyList<string> Nuts2021Codes, string Role, string? Note, SourceRef? Source);

public sealed class TerritoryQueries(PasserelleDbContext db, TerritoryIndex index)
{
    public static readonly (string Flag, string Description)[] Perimeters =
    [
        ("mel95", "MEL of 95 communes (since 14 March 2020) and the Belgian arrondissements the sources name"),
        ("mel90", "MEL of 90 communes (2017 to 2020) and the same Belgian municipalities"),
        ("y2025", "as in 2025, after two Flemish mergers"),
    ];


    /// <summary>Whether maps can be drawn: being prepared, missing (no territories in the database), or available.</summary>
    public TerritoryAvailability Availability => index.Availability;

    public async Task<TerritoryDetails?> GetAsync(string code, CancellationToken ct = default)
    {
        var snapshot = await index.GetAsync(ct);
        if (!snapshot.Units.TryGetValue(code, out var unit))
        {
            return null;
        }

        var ancestors = new List<UnitView>();
        for (var p = unit.ParentCode; p is not null && snapshot.Units.TryGetValue(p, out var parent); p = parent.ParentCode)
        {
            ancestors.Insert(0, View(parent));
        }

        var source = unit.SourceId is null ? null : await db.Sources.AsNoTracking().Where(s => s.Id == unit.SourceId)
            .Select(s => new SourceRef(s.Key, s.Title, s.Url, s.SourceDate)).SingleOrDefaultAsync(ct);
        return new TerritoryDetails(unit.Code, unit.Name, unit.NameLocal, unit.Kind, unit.CountryCode, unit.Version,
            ancestors.LastOrDefault(), ancestors, snapshot.Units.Values.Count(u => u.ParentCode == unit.Code),
            unit.Population, unit.PopulationReference, unit.AreaKm2, source);
    }

    public async Task<IReadOnlyList<UnitView>> ListAsync(TerritoryKind? kind, string? country, string? parent, CancellationToken ct = default)
    {
        var snapshot = await index.GetAsync(ct);
        return snapshot.Units.Values
            .Where(u => (kind is null || u.Kind == kind) && (country is null || u.CountryCode == country) && (parent is null || u.ParentCode == parent))
            .OrderBy(u => u.Code, StringComparer.Ordinal)
            .Select(u => EligibilityFinder.View(snapshot, u))
            .ToList();
    }

    /// <summary>One unit's outline as a GeoJSON Feature, simplified for the zoom level.</summary>
    public async Task<string?> GeometryAsync(string code, int zoom, CancellationToken ct = default)
    {
        var snapshot = await index.GetAsync(ct);
        if (snapshot.Locator.Find(code) is null)
        {
            return null;
        }

        return snapshot.GeoJson.GetOrAdd($"unit:{code}:{zoom}", _ => FeatureCollection(snapshot, [code], zoom, single: true));
    }

    public async Task<string?> ProgrammeAreaGeoJsonAsync(string slug, int zoom, CancellationToken ct = default)
    {
        var snapshot = await index.GetAsync(ct);
        var area = snapshot.ProgrammeAreas.FirstOrDefault(a => a.Slug == slug);
        if (area is null)
        {
            return null;
        }

        var codes = area.Units.SelectMany(u => u.Nuts2021Codes).Distinct().ToList();
        return snapshot.GeoJson.GetOrAdd($"programme:{slug}:{zoom}", _ => FeatureCollection(snapshot, codes, zoom, single: false));
    }

    public async Task<string?> GroupingTerritoryGeoJsonAsync(string slug, int zoom, CancellationToken ct = default)
    {
        var codes = await db.GroupingTerritoryUnits.AsNoTracking()
            .Where(t => db.Groupings.Any(g => g.Id == t.GroupingId && g.Slug == slug && g.IsPublished))
            .Select(t => t.UnitCode).ToListAsync(ct);
        if (codes.Count == 0)
        {
            return await db.Groupings.AnyAsync(g => g.Slug == slug && g.IsPublished, ct) ? EmptyCollection : null;
        }

        var snapshot = await index.GetAsync(ct);
        return snapshot.GeoJson.GetOrAdd($"grouping:{slug}:{zoom}", _ => FeatureCollection(snapshot, codes, zoom, single: false));
    }

    /// <summary>The municipalities a grouping's territory map draws (those of its list with an outline), counted by country.</summary>
    public async Task<IReadOnlyList<(string Country, int Count)>> GroupingMapCountsAsync(string slug, CancellationToken ct = default)
    {
        var codes = await db.GroupingTerritoryUnits.AsNoTracking()
            .Where(t => db.Groupings.Any(g => g.Id == t.GroupingId && g.Slug == slug && g.IsPublished))
            .Select(t => t.UnitCode).ToListAsync(ct);
        var snapshot = await index.GetAsync(ct);
        return codes.Distinct().Select(c => snapshot.Locator.Find(c)?.Unit).OfType<TerritoryUnit>()
            .GroupBy(u => u.CountryCode).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count())).ToList();
    }

    public async Task<IReadOnlyList<ProgrammeAreaUnitView>> ProgrammeAreaAsync(string programmeSlug, CancellationToken ct = default)
    {
        var rows = await (
            from a in db.ProgrammeAreaUnits.AsNoTracking()
            where db.Programmes.Any(p => p.Id == a.ProgrammeId && p.Slug == programmeSlug && p.IsPublished)
            join s in db.Sources on a.SourceId equals s.Id into sources
            from s in sources.DefaultIfEmpty()
            orderby a.NutsCode
            select new { a.NutsCode, a.NutsVersion, a.Name, a.Nuts2021Codes, a.Role, a.Note, Source = s == null ? null : new SourceRef(s.Key, s.Title, s.Url, s.SourceDate) })
            .ToListAsync(ct);
        return rows.Select(a => new ProgrammeAreaUnitView(a.NutsCode, a.NutsVersion, a.Name,
            a.Nuts2021Codes.Split(' ', StringSplitOptions.RemoveEmptyEntries), a.Role, a.Note, a.Source)).ToList();
    }

    /// <summary>The grouping's territory computed from its municipalities, for each perimeter of the member list.</summary>
    public async Task<IReadOnlyList<TerritoryProfile>> ProfilesAsync(string groupingSlug, CancellationToken ct = default)
    {
        var members = await db.GroupingTerritoryUnits.AsNoTracking()
            .Where(t => db.Groupings.Any(g => g.Id == t.GroupingId && g.Slug == groupingSlug && g.IsPublished))
            .Select(t => new { t.UnitCode, t.Country, t.Perimeters }).ToListAsync(ct);
        if (members.Count == 0)
        {
            return [];
        }

        var snapshot = await index.GetAsync(ct);
        var profiles = new List<TerritoryProfile>();
        foreach (var (flag, description) in Perimeters)
        {
            var codes = members.Where(m => (m.Perimeters ?? "").Split(' ').Contains(flag)).Select(m => m.UnitCode).ToList();
            var units = codes.Select(c => snapshot.Units.GetValueOrDefault(c)).OfType<TerritoryUnit>().ToList();
            var missing = codes.Where(c => !snapshot.Units.ContainsKey(c)).ToList();
            static ProfileSplit Split(string key, string label, IEnumerable<TerritoryUnit> group)
            {
                var list = group.ToList();
                return new ProfileSplit(key, label, list.Count, list.Sum(u => u.AreaKm2 ?? 0), list.Sum(u => u.Population ?? 0));
            }

            profiles.Add(new TerritoryProfile(flag, description, codes.Count,
                units.Sum(u => u.AreaKm2 ?? 0), units.Sum(u => u.Population ?? 0),
                units.GroupBy(u => u.CountryCode).OrderBy(g => g.Key).Select(g => Split(g.Key, g.Key, g)).ToList(),
                units.GroupBy(u => u.ParentCode ?? "?").OrderBy(g => g.Key)
                    .Select(g => Split(g.Key, snapshot.Units.GetValueOrDefault(g.Key)?.Name ?? g.Key, g)).ToList(),
                missing));
        }

        return profiles;
    }

    /// <summary>The municipality one of whose names (in any language a source gives) is the city, when exactly one has it.</summary>
    public async Task<(string Code, string Name)?> MunicipalityNamedAsync(string? city, string? country, CancellationToken ct = default)
    {
        if (city is null || country is null)
        {
            return null;
        }

        var snapshot = await index.GetAsync(ct);
        return snapshot.Places.MunicipalityNamed(city, country) is { } unit ? (unit.Code, unit.Name) : null;
    }

    private const string EmptyCollection = "{\"type\":\"FeatureCollection\",\"features\":[]}";

    private static UnitView View(TerritoryUnit u) => new(u.Code, u.Name, u.Kind, u.CountryCode, u.ParentCode);

    private static string FeatureCollection(TerritoryIndex.Snapshot snapshot, IReadOnlyList<string> codes, int zoom, bool single)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            if (!single)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "FeatureCollection");
                writer.WriteStartArray("features");
            }

            foreach (var code in codes)
            {
                if (snapshot.Locator.Find(code) is not { } territory)
                {
                    continue;
                }

                writer.WriteStartObject();
                writer.WriteString("type", "Feature");
                writer.WriteString("id", code);
                writer.WritePropertyName("geometry");
                writer.WriteRawValue(GeometrySimplifier.ToGeoJson(territory.Geometry, zoom), skipInputValidation: true);
                writer.WriteStartObject("properties");
                writer.WriteString("code", code);
                writer.WriteString("name", territory.Unit.Name);
                writer.WriteString("kind", territory.Unit.Kind.ToString());
                writer.WriteString("country", territory.Unit.CountryCode);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            if (!single)
            {
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
