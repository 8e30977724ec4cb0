using Passerelle.Core.Common;

namespace Passerelle.Core.Groupings;

/// <summary>A cooperation grouping such as a European Grouping of Territorial Cooperation (Regulation (EC) 1082/2006).</summary>
public sealed class Grouping
{
    public int Id { get; set; }
    public required string Slug { get; set; }
    public LocalizedText Name { get; set; } = LocalizedText.Empty;
    public LocalizedText Description { get; set; } = LocalizedText.Empty;
    public required string LegalForm { get; set; }
    public int? YearFounded { get; set; }
    public string? FoundedOn { get; set; }
    public string? Website { get; set; }

    /// <summary>The seed page's figures; other sources' figures are in <see cref="Sources.Fact"/> rows.</summary>
    public int? MunicipalityCount { get; set; }
    public decimal? AreaKm2 { get; set; }
    public long? Population { get; set; }

    public List<GroupingMember> Members { get; set; } = [];
    public List<string> FieldsOfAction { get; set; } = [];
    public bool IsPublished { get; set; } = true;

    /// <summary>
    /// When the record was deleted (UTC); null while it exists. Deleting is soft and restorable; it unpublishes the
    /// record and a deleted record cannot be published, so the public queries' <c>IsPublished</c> filter hides it (ADR 14).
    /// </summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>
    /// Optimistic concurrency: 1 when created, then one more for each committed write session that changed the record,
    /// its sourced values or its links (the write session bumps it; see <see cref="History.RecordVersion"/>).
    /// </summary>
    public int Version { get; set; } = 1;
}

public sealed class GroupingMember
{
    public int Id { get; set; }
    public int GroupingId { get; set; }
    public required string Name { get; set; }
    public required string Country { get; set; }

    /// <summary>national, regional, provincial, intermunicipal, local.</summary>
    public required string Level { get; set; }

    public int? OrganisationId { get; set; }
    public int? SourceId { get; set; }
    public int Order { get; set; }
}
