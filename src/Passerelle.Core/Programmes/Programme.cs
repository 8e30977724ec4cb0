using Passerelle.Core.Common;

namespace Passerelle.Core.Programmes;

public enum ProgrammeKind
{
    CrossBorder = 1,
    Transnational = 2,
    Interregional = 3,
    Network = 4,
}

/// <summary>A cooperation programme in one programming period (Interreg FWV 2014-2020 and 2021-2027 are two records).</summary>
public sealed class Programme
{
    public int Id { get; set; }
    public required string Slug { get; set; }

    /// <summary>Short code shared by the periods of one programme, e.g. "FWV", "NWE", "2SEAS", "ESPON".</summary>
    public required string Code { get; set; }

    public LocalizedText Name { get; set; } = LocalizedText.Empty;
    public LocalizedText Description { get; set; } = LocalizedText.Empty;
    public ProgrammeKind Kind { get; set; }

    /// <summary>Programming period, e.g. "2014-2020".</summary>
    public required string Period { get; set; }

    /// <summary>The Commission's CCI number, where a source gives it.</summary>
    public string? Cci { get; set; }

    public List<string> Funds { get; set; } = [];

    /// <summary>ISO 3166-1 alpha-2 codes (EL and UK as Eurostat writes them).</summary>
    public List<string> Countries { get; set; } = [];

    public string? ManagingAuthority { get; set; }
    public string? Website { get; set; }
    public decimal? TotalBudget { get; set; }
    public decimal? EuContribution { get; set; }

    /// <summary>Why the programme's area is empty or partial, where it is.</summary>
    public string? AreaNote { get; set; }

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
