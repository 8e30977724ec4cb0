using System.Text.RegularExpressions;

using Passerelle.Core.Common;

namespace Passerelle.Core.Territories;

public sealed record UnitView(string Code, string Name, TerritoryKind Kind, string CountryCode, string? ParentCode);

public sealed record CoveringProgramme(string Slug, string Code, string Period, LocalizedText Name, string Role, string ListedUnit, string NutsVersion);

public sealed record EligibilityResult(IReadOnlyList<UnitView> Units, IReadOnlyList<CoveringProgramme> Programmes, IReadOnlyList<string> Groupings);

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
        return (Resolve(snapshot, units.Select(u => u.Code)), EligibilityError.None);
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
        return (Resolve(snapshot, chain), EligibilityError.None);
    }

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
                programmes.Add(new CoveringProgramme(area.Slug, area.Code, area.Period, area.Name, entry.Role, entry.ListedCode, entry.NutsVersion));
            }
        }

        var groupings = units.Where(u => u.Kind == TerritoryKind.Municipality)
            .SelectMany(u => snapshot.GroupingsByUnit.GetValueOrDefault(u.Code) ?? []).Distinct().ToList();
        return new EligibilityResult(
            units.Select(u => new UnitView(u.Code, u.Name, u.Kind, u.CountryCode, u.ParentCode)).ToList(),
            programmes.OrderBy(p => p.Code).ThenBy(p => p.Period).ToList(),
            groupings);
    }
}
