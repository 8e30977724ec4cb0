using Passerelle.Core.Sources;

namespace Passerelle.Core.History;

/// <summary>What one revision did.</summary>
public enum RevisionAction
{
    /// <summary>A record was created (<see cref="Revision.NewValue"/>: its slug or code).</summary>
    Created = 1,

    /// <summary>A source's value was added to a field (<see cref="Revision.OldValue"/>: the value shown before, when this one is now shown first).</summary>
    Added = 2,

    /// <summary>A source's value of a field changed (old → new), e.g. a corrected figure in a new edition of the default data.</summary>
    Changed = 3,

    /// <summary>A source's value was withdrawn: the fact is kept, marked retracted, and no longer shown.</summary>
    Retracted = 4,

    /// <summary>A value was moved in the display order of its field (<see cref="Revision.OldRank"/> → <see cref="Revision.NewRank"/>).</summary>
    Reranked = 5,

    /// <summary>An editorial attribute without a source (a programme's kind, a project's programme) was set.</summary>
    Set = 6,

    /// <summary>A link was made: a partner to a project, an alias, a member, a theme, a unit of a programme's area.</summary>
    Linked = 7,

    /// <summary>A link was removed.</summary>
    Unlinked = 8,

    /// <summary>A record was removed (territorial units that a new edition of the publisher's file no longer has).</summary>
    Deleted = 9,
}

/// <summary>
/// One change to one field of one record, in a <see cref="ChangeSet"/>: the history the back office shows and the
/// audit trail of every writer (ADR 0010). Append-only: nothing ever updates or deletes a revision.
/// </summary>
public sealed class Revision
{
    public long Id { get; set; }
    public long ChangeSetId { get; set; }
    public SubjectType SubjectType { get; set; }

    /// <summary>The record's id; 0 for records keyed by a code (<see cref="SubjectKey"/>).</summary>
    public int SubjectId { get; set; }

    /// <summary>The record's code where it has no numeric id (a territorial unit's NUTS or LAU code).</summary>
    public string? SubjectKey { get; set; }

    /// <summary>The field ("total_budget_eur", "title.fr"), or the link or attribute ("participation", "alias", "kind").</summary>
    public required string Field { get; set; }

    public RevisionAction Action { get; set; }
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }

    /// <summary>The source of the value written or withdrawn; null for editorial attributes.</summary>
    public int? SourceId { get; set; }

    /// <summary>The fact written, changed or withdrawn.</summary>
    public long? FactId { get; set; }

    public int? OldRank { get; set; }
    public int? NewRank { get; set; }
}
