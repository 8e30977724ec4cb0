namespace Passerelle.Core.Sources;

/// <summary>Where a fact comes from: a public page or file, with the date the source itself shows.</summary>
public sealed class Source
{
    public int Id { get; set; }

    /// <summary>Stable key within the default data (e.g. "seed", "E3", or a hash of the address).</summary>
    public required string Key { get; set; }

    public required string Title { get; set; }
    public string? Url { get; set; }

    /// <summary>The date the source shows, as it shows it ("2017", "2021-05-07"); null when the page is undated.</summary>
    public string? SourceDate { get; set; }

    /// <summary>When the fact was read from the source.</summary>
    public DateOnly? RetrievedOn { get; set; }

    public string? Licence { get; set; }

    /// <summary>
    /// For a statement by an organisation ("stated by the Eurometropole's secretariat"), that organisation: the source
    /// is the organisation itself, on <see cref="SourceDate"/>, rather than a document (ADR 14).
    /// </summary>
    public int? StatedByOrganisationId { get; set; }

    /// <summary>When the source was deleted (UTC): no longer offered for new values. A source that values cite cannot be deleted.</summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>Optimistic concurrency, as on the other records: one more per committed write session that changed the source.</summary>
    public int Version { get; set; } = 1;
}
