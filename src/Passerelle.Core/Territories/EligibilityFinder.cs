using System.Text.RegularExpressions;

using Passerelle.Core.Common;

namespace Passerelle.Core.Territories;

public sealed record UnitView(string Code, string Name, TerritoryKind Kind, string CountryCode, string? ParentCode)
{
    /// <summary>The unit's names in other languages a source gives (the Belgian municipalities' French and Dutch names), by language.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Names { get; init; }
}

public sealed record CoveringProgramme(string Slug, string Code, string Period, LocalizedText Name, string Role, string ListedUnit, string NutsVersion)
{
    /// <summary>Cross-border, transnational or network: a network's area is whole countries, which a map does not draw.</summary>
    public Programmes.ProgrammeKind Kind { get; init; }
}

/// <summary>A grouping whose territory contains the place.</summary>
public sealed record CoveringGrouping(string Slug, LocalizedText Name);

/// <param name="Units">The units that contain the place, the country first.</param>
/// <param name="Groupings">The slugs of the groupings whose territory contains it (kept for API clients; see <see cref="CoveringGroupings"/>).</param>
public sealed record EligibilityResult(IReadOnlyList<UnitView> Units, IReadOnlyList<CoveringProgramme> Programmes, IReadOnlyList<string> Groupings)
{
    /// <summary>The groupings with their names.</summary>
    public IReadOnlyList<CoveringGrouping> CoveringGroupings { get; init; } = [];

    /// <summary>Where the place is: the point asked about, or a point inside the unit asked for by code or name.</summary>
    public double? Latitude { get; init; }

    /// <inheritdoc cref="Latitude"/>
    public double? Longitude { get; init; }
}

public enum EligibilityError
{
    None,
    LatitudeOutOfRange,
    LongitudeOutOfRange,
    MalformedCode,
    UnknownCode,
}

/// <summary>
/// Which territory units contain a place and which programmes cover it. A programme's area lists units of any NUTS
/// level (as its source gives them), so a place is covered when one of its units or their parents is listed.
/// </summary>
public sealed partial class EligibilityFinder(TerritoryIndex index)
{
    [GeneratedRegex("^[A-Z]{2}[A-Z0-9]{0,3}$")]
    private static partial Regex NutsCode();

    [GeneratedRegex("^(FR|BE)[0-9AB]{5}$")]
    private static partial Regex LauCode();


    /// <summary>Whether the finder can answer: being prepared, missing (no territories in the database), or available.</summary>
    public TerritoryAvailability Availability => index.Availability;

    public static EligibilityError ValidatePoint(double latitude, double longitude) =>
        latitude is < -90 or > 90 || double.IsNaN(latitude) ? EligibilityError.LatitudeOutOfRange
        : longitude is < -180 or > 180 || double.IsNaN(longitude) ? EligibilityError.LongitudeOutOfRange
        : EligibilityError.None;

    public async Task<(EligibilityResult? Result, EligibilityError Error)> ByPointAsync(double latitude, double longitude, CancellationToken ct)
    {
        if (ValidatePoint(latitude, longitude) is var error and not EligibilityError.None)
        {
            return (null, error);
        }

        var snapshot = await index.GetAsync(ct);
        var units = snapshot.Locator.Locate(latitude, longitude);
        return (Resolve(snapshot, units.Select(u => u.Code)) with { Latitude = latitude, Longitude = longitude }, EligibilityError.None);
    }

    public async Task<(EligibilityResult? Result, EligibilityError Error)> ByCodeAsync(string code, bool municipality, CancellationToken ct)
    {
        var normalised = code.Trim().ToUpperInvariant();
        if (!(municipality ? LauCode() : NutsCode()).IsMatch(normalised))
        {
            return (null, EligibilityError.MalformedCode);
        }

        var snapshot = await index.GetAsync(ct);
        if (!snapshot.Units.TryGetValue(normalised, out var unit) || (unit.Kind == TerritoryKind.Municipality) != municipality)
        {
            return (null, EligibilityError.UnknownCode);
        }

        var chain = new List<string>();
        for (var current = unit; current is not null; current = current.ParentCode is { } p ? snapshot.Units.GetValueOrDefault(p) : null)
        {
            chain.Add(current.Code);
        }

        chain.Reverse();
        var point = snapshot.PointOf(unit.Code);
        return (Resolve(snapshot, chain) with { Latitude = point?.Latitude, Longitude = point?.Longitude }, EligibilityError.None);
    }

    /// <summary>Units by name in any language a source gives (<see cref="PlaceDirectory"/>), best first.</summary>
    public async Task<IReadOnlyList<PlaceMatch>> FindPlacesAsync(string query, int limit, CancellationToken ct) =>
        (await index.GetAsync(ct)).Places.Search(query, limit);

    /// <summary>The unit's name in a language: the name a source gives in it, else its own (language null: not known).</summary>
    public async Task<(string Name, string? Language)> NameInAsync(TerritoryUnit unit, string language, CancellationToken ct) =>
        (await index.GetAsync(ct)).Places.NameIn(unit, language);

    /// <summary>The unit of a code, or null.</summary>
    public async Task<TerritoryUnit?> UnitAsync(string code, CancellationToken ct) =>
        (await index.GetAsync(ct)).Units.GetValueOrDefault(code);

    private static EligibilityResult Resolve(TerritoryIndex.Snapshot snapshot, IEnumerable<string> codes)
    {
        var units = codes.Select(c => snapshot.Units[c]).ToList();
        var unitCodes = units.Select(u => u.Code).ToHashSet(StringComparer.Ordinal);
        var programmes = new List<CoveringProgramme>();
        foreach (var area in snapshot.ProgrammeAreas)
        {
            var entry = area.Units.FirstOrDefault(e => e.Nuts2021Codes.Any(unitCodes.Contains));
            if (entry is not null)
            {
                programmes.Add(new CoveringProgramme(area.Slug, area.Code, area.Period, area.Name, entry.Role, entry.ListedCode, entry.NutsVersion) { Kind = area.Kind });
            }
        }

        var groupings = units.Where(u => u.Kind == TerritoryKind.Municipality)
            .SelectMany(u => snapshot.GroupingsByUnit.GetValueOrDefault(u.Code) ?? []).Distinct().ToList();
        return new EligibilityResult(
            units.Select(u => View(snapshot, u)).ToList(),
            programmes.OrderBy(p => p.Code).ThenBy(p => p.Period).ToList(),
            groupings)
        {
            CoveringGroupings = groupings.Select(g => new CoveringGrouping(g, snapshot.GroupingNames.GetValueOrDefault(g) ?? LocalizedText.Empty)).ToList(),
        };
    }

    /// <summary>A unit for the API and the pages, with its names in other languages when a source gives them.</summary>
    public static UnitView View(TerritoryIndex.Snapshot snapshot, TerritoryUnit unit)
    {
        var names = snapshot.Places.NamesOf(unit.Code);
        return new UnitView(unit.Code, unit.Name, unit.Kind, unit.CountryCode, unit.ParentCode)
        {
            Names = names.Count == 0 ? null : names.Values.OrderBy(n => n.Language, StringComparer.Ordinal).ToDictionary(n => n.Language, n => n.Name, StringComparer.Ordinal),
        };
    }
}
