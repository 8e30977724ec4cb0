using Passerelle.Core.Sources;

namespace Passerelle.Core.History;

/// <summary>A record whose history is shown: a programme, grouping, project, organisation or source.</summary>
/// <param name="Type">Programme, Grouping, Project, Organisation or Source.</param>
/// <param name="Id">The record's id.</param>
/// <param name="Title">What people call it (a project's acronym, a programme's English name and period).</param>
/// <param name="Slug">Its address on the portal (null for a source, which has no page).</param>
public sealed record HistorySubject(SubjectType Type, int Id, string Title, string? Slug);

/// <summary>The source of a value or a change.</summary>
public sealed record VersionSource(int Id, string Title, string? Url, string? Date);

/// <summary>What kind of thing of a record a field is.</summary>
public enum HistoryFieldKind
{
    /// <summary>The record itself (created, deleted).</summary>
    Record = 0,

    /// <summary>A sourced value of a field of the registry (<see cref="Registry.Fields"/>), with its rank.</summary>
    Value = 1,

    /// <summary>The note on a sourced value.</summary>
    Note = 2,

    /// <summary>An editorial attribute without a source (a programme's kind, a project's programme, its publication).</summary>
    Attribute = 3,

    /// <summary>A link: a partner, an alias, a member, a theme, a unit of an area or a territory.</summary>
    Link = 4,
}

/// <summary>
/// One change of a version, as the history page shows it: which field (by its label in the registry), what was done,
/// from what to what, with which source, and how the value moved in the order of its field.
/// </summary>
/// <param name="Field">The stored field ("total_budget_eur", "title.fr", "participation", "kind").</param>
/// <param name="Label">The field's English label (the registry's; "Title (fr)" for a field in a language).</param>
/// <param name="Partner">For a value of one of a project's partners: that partner (the organisation's name); null otherwise.</param>
/// <param name="Kind">Value, note, attribute, link or the record itself.</param>
/// <param name="Action">What the change did.</param>
/// <param name="OldValue">
/// Before: the value shown before (an added value now shown first), the withdrawn value, the attribute's previous value,
/// the link removed.
/// </param>
/// <param name="NewValue">After: the value added or moved, the attribute's new value, the link made.</param>
/// <param name="Source">The source of the value or link; null for attributes.</param>
/// <param name="OldRank">A moved value's place before (0: shown first).</param>
/// <param name="NewRank">Its place after; an added value's place.</param>
public sealed record VersionChange(
    string Field,
    string Label,
    string? Partner,
    HistoryFieldKind Kind,
    RevisionAction Action,
    string? OldValue,
    string? NewValue,
    VersionSource? Source,
    int? OldRank,
    int? NewRank);

/// <summary>Who made a version and when.</summary>
/// <param name="ChangeSetId">The change set that made it: the version's identity in addresses and in a restore.</param>
/// <param name="Number">1 for the record's first version (its creation), then one more per change set that touched it.</param>
/// <param name="At">UTC.</param>
/// <param name="ActorKind">A person, a command or the system.</param>
/// <param name="Actor">The person's name or the command.</param>
/// <param name="Detail">The command's file, a restore's origin.</param>
public sealed record VersionInfo(long ChangeSetId, int Number, DateTime At, ActorKind ActorKind, string Actor, string? Detail);

/// <summary>One version of a record: who, when, and its changes (the first <see cref="HistoryQueries.MaxChangesListed"/>).</summary>
/// <param name="ChangeCount">How many changes the version made to the record; more than <see cref="Changes"/> holds when it was cut.</param>
public sealed record RecordVersionEntry(VersionInfo Info, IReadOnlyList<VersionChange> Changes, int ChangeCount);

/// <summary>A page of a record's versions, newest first.</summary>
/// <param name="Versions">The versions of the page.</param>
/// <param name="TotalVersions">How many versions the record has.</param>
/// <param name="Older">The cursor of the next (older) page: pass it as <c>before</c>; null on the last page.</param>
/// <param name="Newer">The cursor of the previous (newer) page: pass it as <c>after</c>; null on the first page.</param>
public sealed record VersionPage(HistorySubject Subject, IReadOnlyList<RecordVersionEntry> Versions, int TotalVersions, long? Older, long? Newer);

/// <summary>A value a field shows at a version, in display order (the first is the one shown first), with its source.</summary>
public sealed record StateValue(string Value, VersionSource? Source, string? Note);

/// <summary>
/// One field of a record at a version: its sourced values in display order, an attribute's value, or the list of
/// links of one kind.
/// </summary>
/// <param name="Key">Unique within the record: the field, prefixed by the partner's participation for a partner's value.</param>
/// <param name="ParticipationId">For a partner's value: the participation it is recorded against.</param>
/// <param name="Values">Its values; empty when it had none (an attribute without a value).</param>
public sealed record StateField(string Key, string Field, string Label, string? Partner, int? ParticipationId, HistoryFieldKind Kind, IReadOnlyList<StateValue> Values);

/// <summary>What a record showed after a version: every field the history knows, with its values and their sources.</summary>
public sealed record RecordState(HistorySubject Subject, VersionInfo Version, IReadOnlyList<StateField> Fields)
{
    public StateField? this[string key] => Fields.FirstOrDefault(f => f.Key == key);
}

/// <summary>One field compared between two versions.</summary>
/// <param name="From">Its values at the first version (empty: none).</param>
/// <param name="To">Its values at the second version.</param>
/// <param name="Changed">Whether the values, their order, sources or notes differ.</param>
public sealed record FieldDiff(string Key, string Field, string Label, string? Partner, HistoryFieldKind Kind,
    IReadOnlyList<StateValue> From, IReadOnlyList<StateValue> To, bool Changed);

/// <summary>Two versions of a record, field by field.</summary>
public sealed record VersionDiff(HistorySubject Subject, VersionInfo From, VersionInfo To, IReadOnlyList<FieldDiff> Fields);
