namespace Passerelle.Core.Organisations;

public enum LegalStatus
{
    Unknown = 0,
    Public = 1,
    Private = 2,
    Other = 3,
}

public sealed class Organisation
{
    public int Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }

    /// <summary>ISO 3166-1 alpha-2; null when no source gives it.</summary>
    public string? Country { get; set; }

    public string? City { get; set; }
    public LegalStatus LegalStatus { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? Website { get; set; }
    public List<OrganisationAlias> Aliases { get; set; } = [];
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

/// <summary>Another name under which a source names the organisation (e.g. "MEL" for Métropole Européenne de Lille).</summary>
public sealed class OrganisationAlias
{
    public int Id { get; set; }
    public int OrganisationId { get; set; }
    public required string Name { get; set; }
    public int? SourceId { get; set; }
}
