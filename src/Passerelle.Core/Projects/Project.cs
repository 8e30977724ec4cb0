using Passerelle.Core.Common;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Themes;

namespace Passerelle.Core.Projects;

public enum ProjectStatus
{
    Unknown = 0,
    Planned = 1,
    Ongoing = 2,
    Closed = 3,
}

public sealed class Project
{
    public int Id { get; set; }
    public required string Slug { get; set; }
    public required string Acronym { get; set; }
    public LocalizedText Title { get; set; } = LocalizedText.Empty;
    public LocalizedText Summary { get; set; } = LocalizedText.Empty;

    /// <summary>The programme's code ("FWV"), known even when the period, and so the programme record, is not.</summary>
    public required string ProgrammeCode { get; set; }

    public int? ProgrammeId { get; set; }
    public Programme? Programme { get; set; }

    public string? Priority { get; set; }
    public string? SpecificObjective { get; set; }
    public string? InterventionField { get; set; }
    public string? ProjectType { get; set; }
    public string? Portfolio { get; set; }

    /// <summary>ISO partial dates (see <see cref="PartialDate"/>); null when no source gives them.</summary>
    public string? StartDate { get; set; }
    public string? EndDate { get; set; }

    /// <summary>Total eligible budget in EUR; null when unknown, never zero for "unknown".</summary>
    public decimal? TotalBudget { get; set; }

    /// <summary>EU (ERDF) contribution in EUR; null when unknown.</summary>
    public decimal? EuContribution { get; set; }

    /// <summary>A co-financing rate a source states (0.5 = 50 %), as opposed to one computed from two amounts.</summary>
    public decimal? StatedEuRate { get; set; }

    public string? Website { get; set; }
    public string? KeepEuId { get; set; }

    public List<Participation> Participations { get; set; } = [];
    public List<Theme> Themes { get; set; } = [];
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

    /// <summary>Status derived from the dates on a given day: unknown without an end date.</summary>
    public static ProjectStatus StatusOn(string? start, string? end, DateOnly today)
    {
        if (PartialDate.Earliest(start) is { } s && s > today)
        {
            return ProjectStatus.Planned;
        }

        if (PartialDate.Earliest(end) is not { } e)
        {
            return ProjectStatus.Unknown;
        }

        // A month-precision end date ("2021-03") runs to the end of that month.
        var lastDay = end!.Length switch
        {
            4 => new DateOnly(e.Year, 12, 31),
            7 => e.AddMonths(1).AddDays(-1),
            _ => e,
        };
        return lastDay < today ? ProjectStatus.Closed : ProjectStatus.Ongoing;
    }

    /// <summary>
    /// The EU co-financing rate: the stated one, else EU contribution over total budget when both are known
    /// (Art. 49(3) CPR lists the Union co-financing rate among the fields to publish).
    /// </summary>
    public (decimal Rate, bool Computed)? EuRate() =>
        StatedEuRate is { } stated ? (stated, false)
        : TotalBudget is > 0 && EuContribution is { } eu ? (Math.Round(eu / TotalBudget.Value, 4), true)
        : null;
}

public enum ParticipationRole
{
    LeadPartner = 1,
    Partner = 2,
    AssociatedPartner = 3,
}

public sealed class Participation
{
    public int Id { get; set; }
    public int ProjectId { get; set; }
    public Project Project { get; set; } = null!;
    public int OrganisationId { get; set; }
    public Organisation Organisation { get; set; } = null!;
    public ParticipationRole Role { get; set; }

    /// <summary>The role as the source words it ("operational partner", "associated actor").</summary>
    public string? RoleLabel { get; set; }

    /// <summary>The name under which the source lists the organisation in this project.</summary>
    public string? NameInSource { get; set; }

    public decimal? Budget { get; set; }
    public decimal? EuContribution { get; set; }
}
