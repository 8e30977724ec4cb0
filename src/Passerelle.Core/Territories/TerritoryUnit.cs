namespace Passerelle.Core.Territories;

public enum TerritoryKind
{
    Nuts0 = 0,
    Nuts1 = 1,
    Nuts2 = 2,
    Nuts3 = 3,
    Municipality = 4,
}

/// <summary>A NUTS region or a municipality (LAU), with its outline kept as WKB (NetTopologySuite reads it back).</summary>
public sealed class TerritoryUnit
{
    /// <summary>The NUTS code ("FRE11") or the country-prefixed LAU code ("FR59350", "BE34022").</summary>
    public required string Code { get; set; }

    public TerritoryKind Kind { get; set; }
    public required string Name { get; set; }

    /// <summary>The name in the local language where it differs (NUTS_NAME; the Dutch name of a Belgian municipality).</summary>
    public string? NameLocal { get; set; }

    public required string CountryCode { get; set; }
    public string? ParentCode { get; set; }

    /// <summary>"NUTS 2021" for regions; the classification year for municipalities.</summary>
    public required string Version { get; set; }

    public long? Population { get; set; }
    public string? PopulationReference { get; set; }
    public double? AreaKm2 { get; set; }
    public byte[]? Geometry { get; set; }
    public int? SourceId { get; set; }
}

/// <summary>
/// A unit's name in one language, as a publisher's file gives it: the French and Dutch names of the Belgian
/// municipalities, provinces, arrondissements and regions (Statbel's REFNIS names in bmesuere/belgium-topojson). The
/// unit's <see cref="TerritoryUnit.Name"/> stays the name in its own language; these are what a visitor may call it, so
/// the place search finds "Moeskroen" and a French page says "Courtrai". Only names a source gives, each with it.
/// </summary>
public sealed class TerritoryName
{
    public int Id { get; set; }
    public required string UnitCode { get; set; }

    /// <summary>The language's two-letter code (fr, nl, de, en).</summary>
    public required string Language { get; set; }

    public required string Name { get; set; }
    public int? SourceId { get; set; }
}

/// <summary>One unit of a programme's area, as the source lists it (any NUTS level; a place is covered by a parent).</summary>
public sealed class ProgrammeAreaUnit
{
    public int Id { get; set; }
    public int ProgrammeId { get; set; }

    /// <summary>The code as the source (or its mapping) gives it, in <see cref="NutsVersion"/>.</summary>
    public required string NutsCode { get; set; }

    public required string NutsVersion { get; set; }

    /// <summary>The equivalent NUTS 2021 code(s), space-separated, used to match the 2021 geometries.</summary>
    public required string Nuts2021Codes { get; set; }

    public string? Name { get; set; }

    /// <summary>eligible, core or partner.</summary>
    public required string Role { get; set; }

    public int? SourceId { get; set; }
    public string? Note { get; set; }
}

/// <summary>A municipality of a grouping's territory, with the perimeters it belongs to.</summary>
public sealed class GroupingTerritoryUnit
{
    public int Id { get; set; }
    public int GroupingId { get; set; }
    public required string UnitCode { get; set; }
    public string? Name { get; set; }
    public required string Country { get; set; }

    /// <summary>Space-separated perimeter flags from the source list (e.g. "mel95 y2025").</summary>
    public string? Perimeters { get; set; }

    public int? SourceId { get; set; }
}
