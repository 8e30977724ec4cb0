namespace Passerelle.Core.Sources;

public enum SubjectType
{
    Programme = 1,
    Grouping = 2,
    Project = 3,
    Organisation = 4,
    Participation = 5,

    /// <summary>A source record itself (its title, address, date): the subject of history entries only.</summary>
    Source = 6,

    /// <summary>A theme of the taxonomy: the subject of history entries only.</summary>
    Theme = 7,

    /// <summary>A territorial unit (NUTS region, municipality), keyed by its code: the subject of history entries only.</summary>
    Territory = 8,
}

/// <summary>
/// One sourced value of one field of one record. A record's column holds the value used for sorting and filtering;
/// its facts say where that value comes from and keep every other value a source gives, so that disagreement between
/// sources is data, never silently resolved.
/// </summary>
public sealed class Fact
{
    public long Id { get; set; }
    public SubjectType SubjectType { get; set; }
    public int SubjectId { get; set; }

    /// <summary>The field, e.g. "total_budget_eur", "start_date", "title.fr", "municipality_count".</summary>
    public required string Field { get; set; }

    /// <summary>The value as the source gives it, in invariant form (ISO dates, dot decimals).</summary>
    public required string Value { get; set; }

    public int SourceId { get; set; }
    public Source Source { get; set; } = null!;

    /// <summary>Display order among the values of the same field: 0 comes first (the seed page's value when it gives one).</summary>
    public int Rank { get; set; }

    public string? Note { get; set; }

    /// <summary>
    /// Withdrawn: the source no longer gives this value (or an editor removed it). The fact stays, for the history and
    /// for whoever cited it; pages, exports and the column ignore it. Facts are never deleted (ADR 0010).
    /// </summary>
    public bool Retracted { get; set; }
}
