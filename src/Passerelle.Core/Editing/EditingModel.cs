using Passerelle.Core.History;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Editing;

/// <summary>A record the back office edits: a programme, grouping, project, organisation or source, by id.</summary>
/// <param name="Type">Programme, Grouping, Project, Organisation or Source.</param>
/// <param name="Id">The record's id.</param>
public sealed record RecordRef(SubjectType Type, int Id)
{
    public static RecordRef Programme(int id) => new(SubjectType.Programme, id);

    public static RecordRef Grouping(int id) => new(SubjectType.Grouping, id);

    public static RecordRef Project(int id) => new(SubjectType.Project, id);

    public static RecordRef Organisation(int id) => new(SubjectType.Organisation, id);

    public static RecordRef Source(int id) => new(SubjectType.Source, id);

    public override string ToString() => $"{Type.ToString().ToLowerInvariant()} {Id}";
}

/// <summary>
/// Where a value comes from, as the editor chooses it: every fact-bearing value is written with one (ADR 14).
/// </summary>
public abstract record SourceChoice
{
    private protected SourceChoice()
    {
    }

    /// <summary>A source already in the registry.</summary>
    public static SourceChoice Existing(int sourceId) => new ExistingSource(sourceId);

    /// <summary>
    /// A document: a title, and its address and date where it has them. The same title, address and date entered again
    /// are the same source (its key is derived from them), so a document is not recorded twice.
    /// </summary>
    public static SourceChoice Document(string title, string? url = null, string? date = null, string? licence = null) =>
        new DocumentSource(title, url, date, licence);

    /// <summary>
    /// "Stated by" an organisation (its secretariat told the editor, on <paramref name="date"/>, default today): recorded
    /// as a source whose <see cref="Source.StatedByOrganisationId"/> is the organisation. One source per organisation
    /// and day.
    /// </summary>
    public static SourceChoice StatedBy(int organisationId, string? date = null) => new StatementSource(organisationId, date);
}

/// <summary>A source already in the registry, by id (not a deleted one).</summary>
public sealed record ExistingSource(int SourceId) : SourceChoice;

/// <summary>A document source: title (required), absolute http(s) address, date as the document shows it (yyyy, yyyy-mm or yyyy-mm-dd), licence.</summary>
public sealed record DocumentSource(string Title, string? Url, string? Date, string? Licence) : SourceChoice;

/// <summary>A statement by an organisation of the registry on a date (yyyy, yyyy-mm or yyyy-mm-dd; null: today, UTC).</summary>
public sealed record StatementSource(int OrganisationId, string? Date) : SourceChoice;

/// <summary>What an edit does to one sourced value of a field.</summary>
public enum ValueAction
{
    /// <summary>
    /// The source says the field's value is <see cref="ValueEdit.Value"/>: it becomes the value shown first, the values
    /// this source gave before for the field are retracted, and the other sources' values stay, one rank lower.
    /// </summary>
    Replace = 1,

    /// <summary>A conflicting value, added after the current ones: what is shown first does not change.</summary>
    AddBeside = 2,

    /// <summary>The current value <see cref="ValueEdit.FactId"/> becomes the one shown first.</summary>
    MakeFirst = 3,

    /// <summary>The current value <see cref="ValueEdit.FactId"/> is withdrawn (kept in the history, no longer shown).</summary>
    Retract = 4,
}

/// <summary>
/// One change to a sourced value of a field (<see cref="Fields"/>: "total_budget_eur", "title.fr"). Replace and add
/// beside need <see cref="Value"/> and <see cref="Source"/>; make first and retract need <see cref="FactId"/> (the id
/// of a current value, as <see cref="EditorFact.Id"/> gives it).
/// </summary>
public sealed record ValueEdit
{
    /// <summary>The field's stored name, e.g. "title.fr" or "budget_eur".</summary>
    public required string Field { get; init; }

    public ValueAction Action { get; init; } = ValueAction.Replace;

    public string? Value { get; init; }

    public SourceChoice? Source { get; init; }

    /// <summary>A note on the value (at most 2,000 characters), e.g. where in the document it is.</summary>
    public string? Note { get; init; }

    public long? FactId { get; init; }

    public static ValueEdit Replace(string field, string value, SourceChoice source, string? note = null) =>
        new() { Field = field, Action = ValueAction.Replace, Value = value, Source = source, Note = note };

    public static ValueEdit Replace(FieldDefinition field, string value, SourceChoice source, string? note = null) => Replace(field.Name, value, source, note);

    public static ValueEdit AddBeside(string field, string value, SourceChoice source, string? note = null) =>
        new() { Field = field, Action = ValueAction.AddBeside, Value = value, Source = source, Note = note };

    public static ValueEdit AddBeside(FieldDefinition field, string value, SourceChoice source, string? note = null) => AddBeside(field.Name, value, source, note);

    public static ValueEdit MakeFirst(string field, long factId) => new() { Field = field, Action = ValueAction.MakeFirst, FactId = factId };

    public static ValueEdit MakeFirst(FieldDefinition field, long factId) => MakeFirst(field.Name, factId);

    public static ValueEdit Retract(string field, long factId) => new() { Field = field, Action = ValueAction.Retract, FactId = factId };

    public static ValueEdit Retract(FieldDefinition field, long factId) => Retract(field.Name, factId);
}

/// <summary>What a committed edit did.</summary>
/// <param name="Record">The record (for a creation, its new id).</param>
/// <param name="Slug">The record's slug (a source's key).</param>
/// <param name="Version">The record's version now: the one to send with the next edit.</param>
/// <param name="ChangeSetId">The change set that recorded the edit; null when nothing changed (nothing was written).</param>
public record EditResult(RecordRef Record, string Slug, int Version, long? ChangeSetId)
{
    /// <summary>Whether anything was written.</summary>
    public bool Changed => ChangeSetId is not null;
}

/// <summary>What a restore of an earlier version did (<see cref="RecordEditor.RestoreVersionAsync"/>).</summary>
/// <param name="ChangeSetId">The new version's change set; null when the record already showed that version.</param>
/// <param name="NotRestored">
/// The labels of what differs from that version but was not put back: links (partners, members, aliases, themes, area
/// and territory units), the published state, fields the registry no longer has. The hosts list them.
/// </param>
public sealed record VersionRestoreResult(RecordRef Record, string Slug, int Version, long? ChangeSetId, IReadOnlyList<string> NotRestored)
    : EditResult(Record, Slug, Version, ChangeSetId);

/// <summary>One change of a record's history: a revision with its change set (who, when) and source.</summary>
/// <param name="ChangeSetId">The change set (one save).</param>
/// <param name="At">When (UTC).</param>
/// <param name="ActorKind">A user, a command or the system.</param>
/// <param name="Actor">The user's name or the command.</param>
/// <param name="Version">The record's version that change set made, when it is known (null for changes before versions were kept).</param>
/// <param name="Subject">The record changed: the record itself, or for a project one of its participations.</param>
/// <param name="Field">The field, link or attribute ("total_budget_eur", "participation", "is_published").</param>
/// <param name="Action">What was done.</param>
/// <param name="OldValue">The value before (for an added value now shown first, the value shown before).</param>
/// <param name="NewValue">The value after.</param>
/// <param name="SourceId">The source of the value, if any.</param>
/// <param name="SourceTitle">That source's title.</param>
public sealed record RecordChange(
    long ChangeSetId,
    DateTime At,
    ActorKind ActorKind,
    string Actor,
    int? Version,
    RecordRef Subject,
    string Field,
    RevisionAction Action,
    string? OldValue,
    string? NewValue,
    int? SourceId,
    string? SourceTitle);

/// <summary>One version of a record: the change set that made it.</summary>
public sealed record RecordVersionInfo(int Version, long ChangeSetId, DateTime At, ActorKind ActorKind, string Actor, string? Detail);

/// <summary>A source as the back office shows and offers it.</summary>
public sealed record SourceSummary(
    int Id,
    string Key,
    string Title,
    string? Url,
    string? SourceDate,
    string? Licence,
    int? StatedByOrganisationId,
    bool IsDeleted);

/// <summary>A current (not retracted) sourced value, with its id for make-first and retract.</summary>
public sealed record EditorFact(long Id, string Field, string Value, int Rank, string? Note, SourceSummary Source);

/// <summary>
/// A rule a value or a record breaks. <see cref="Code"/> is stable (the hosts translate by it and the API returns it);
/// <see cref="Message"/> is English. <see cref="Field"/> names what to show it next to: a field ("end_date",
/// "title.fr"), an attribute ("code", "slug"), a link ("partner.12.budget_eur", "member.3.country", "area_unit.BE21"),
/// or "source.title", "source.url" for the source of a value, prefixed by the value's field ("erdf_eur.source.url").
/// </summary>
public sealed record RuleViolation(string Field, string Code, string Message);

/// <summary>The stable codes of <see cref="RuleViolation"/>.</summary>
public static class RuleCodes
{
    public const string Required = "required";
    public const string EndBeforeStart = "end_before_start";
    public const string EuAboveTotal = "eu_above_total";
    public const string NegativeAmount = "negative_amount";
    public const string RateOutOfRange = "rate_out_of_range";
    public const string InvalidCountry = "invalid_country";
    public const string InvalidNuts = "invalid_nuts";
    public const string InvalidTerritoryUnit = "invalid_territory_unit";
    public const string InvalidUrl = "invalid_url";
    public const string InvalidDate = "invalid_date";
    public const string InvalidNumber = "invalid_number";
    public const string InvalidText = "invalid_text";
    public const string TooLong = "too_long";
    public const string InvalidValue = "invalid_value";
    public const string LeadPartnerCount = "lead_partner_count";
    public const string UnknownField = "unknown_field";
    public const string UnknownValue = "unknown_value";
    public const string UnknownSource = "unknown_source";
    public const string UnknownRecord = "unknown_record";
    public const string UnknownTheme = "unknown_theme";
    public const string InvalidSlug = "invalid_slug";
    public const string SlugTaken = "slug_taken";
    public const string Duplicate = "duplicate";
    public const string Deleted = "deleted";

    /// <summary>A grouping member linked to an organisation that is deleted (restore the organisation or choose another).</summary>
    public const string OrganisationDeleted = "organisation_deleted";
    public const string NotDeleted = "not_deleted";
    public const string SourceInUse = "source_in_use";
    public const string NotPublishable = "not_publishable";
    public const string NotInHistory = "not_in_history";
}

/// <summary>
/// An edit broke one or more rules; nothing was written. The hosts show each violation next to its field (the API:
/// 422 problem details with <c>errorCode</c> <c>rule_violation</c> and the list).
/// </summary>
public sealed class RuleViolationException(IReadOnlyList<RuleViolation> violations)
    : Exception(string.Join("; ", violations.Select(v => $"{v.Field}: {v.Message}")))
{
    public IReadOnlyList<RuleViolation> Violations { get; } = violations;
}

/// <summary>
/// The record changed since the version the editor loaded; nothing was written. The hosts answer 409 with
/// <see cref="CurrentVersion"/> and show <see cref="Changes"/> (what changed meanwhile, oldest first).
/// </summary>
public sealed class EditConflictException(RecordRef record, int expectedVersion, int currentVersion, IReadOnlyList<RecordChange> changes)
    : Exception($"{record} changed since version {expectedVersion}: it is at version {currentVersion}")
{
    public RecordRef Record { get; } = record;
    public int ExpectedVersion { get; } = expectedVersion;
    public int CurrentVersion { get; } = currentVersion;
    public IReadOnlyList<RecordChange> Changes { get; } = changes;
}

/// <summary>The record does not exist (the hosts answer 404). A deleted record still exists.</summary>
public sealed class RecordNotFoundException(RecordRef record) : Exception($"There is no {record}.")
{
    public RecordRef Record { get; } = record;
}
