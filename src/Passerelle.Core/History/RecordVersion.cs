using Passerelle.Core.Sources;

namespace Passerelle.Core.History;

/// <summary>
/// One version of a programme, grouping, project, organisation or source: which <see cref="ChangeSet"/> made the
/// record's <c>Version</c> this number. The write session adds one for each record a committed session changed (the
/// record itself, its sourced values, or its links: participations and their values, themes, members, aliases, area
/// units), so "what changed since version N" is the revisions of the change sets of the versions after N. Version 1
/// of a record created before versions were kept has no row. Append-only, like revisions.
/// </summary>
public sealed class RecordVersion
{
    /// <summary>Programme, Grouping, Project, Organisation or Source.</summary>
    public SubjectType SubjectType { get; set; }

    public int SubjectId { get; set; }

    /// <summary>The record's version after <see cref="ChangeSetId"/>.</summary>
    public int Version { get; set; }

    public long ChangeSetId { get; set; }
}
