using Passerelle.Core.Common;

namespace Passerelle.Core.Editions;

/// <summary>A field an edition published: its machine key (the JSON key of the list of operations' column) and its header.</summary>
public sealed record EditionColumn(string Key, string Header);

/// <summary>One edition, without its operations.</summary>
/// <param name="Number">1, 2, 3... per programme.</param>
/// <param name="PublishedAt">UTC.</param>
/// <param name="PublishedBy">The publisher's name as it was then.</param>
/// <param name="OperationCount">How many operations it lists.</param>
/// <param name="ContentHash">SHA-256 of what it lists: equal hashes, equal lists.</param>
public sealed record EditionInfo(int Number, DateTime PublishedAt, string PublishedBy, int OperationCount, string ContentHash);

/// <summary>The programme whose editions these are.</summary>
public sealed record EditionProgramme(int Id, string Slug, string Code, string Period, LocalizedText Name);

/// <summary>
/// Whether a programme's list of operations is due: its last edition, the longest interval the regulation allows
/// between two (<see cref="EditionSchedule"/>), the date by which the next is due and whether that date has passed.
/// A programme without any edition is neither due nor overdue here: nothing says where else it publishes its list.
/// </summary>
public sealed record EditionStatus(DateTime? LastPublishedAt, int IntervalMonths, DateTime? DueBy, bool IsOverdue);

/// <summary>A programme's editions, newest first, and whether the next is overdue.</summary>
public sealed record ProgrammeEditions(EditionProgramme Programme, EditionStatus Status, IReadOnlyList<EditionInfo> Editions);

/// <summary>One operation as an edition published it: its stable code and its fields (key to a string or a number; absent when not known).</summary>
public sealed record EditionOperationRow(string Code, IReadOnlyDictionary<string, object?> Fields)
{
    /// <summary>The operation's acronym, its name in the list.</summary>
    public string? Acronym => Fields.GetValueOrDefault(EditionService.AcronymKey) as string;
}

/// <summary>A field whose value changed between two editions; null is "not known" (absent).</summary>
public sealed record FieldChange(string Key, string Header, object? Old, object? New);

/// <summary>An operation listed by both editions with different fields.</summary>
public sealed record OperationChange(string Code, string? Acronym, IReadOnlyList<FieldChange> Fields);

/// <summary>What changed from one edition to another: operations added, removed, and changed (with each changed field).</summary>
public sealed record EditionDiff(
    EditionInfo From,
    EditionInfo To,
    IReadOnlyList<EditionOperationRow> Added,
    IReadOnlyList<EditionOperationRow> Removed,
    IReadOnlyList<OperationChange> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;
}

/// <summary>The rule codes of publishing an edition (besides access and existence).</summary>
public static class EditionRules
{
    /// <summary>A draft or deleted programme: its list would be published under an address nobody can open.</summary>
    public const string ProgrammeNotPublished = "programme_not_published";
}

/// <summary>
/// How often a list of operations must be published. Art. 49(3) of Regulation (EU) 2021/1060 (2021-2027): "at least
/// every four months". For programmes of 2014-2020 and before, Art. 115(2) of Regulation (EU) No 1303/2013 asked for an
/// update "at least every six months"; the warning follows the rule of the programme's own period.
/// </summary>
public static class EditionSchedule
{
    public const int CurrentIntervalMonths = 4;
    public const int Period2014IntervalMonths = 6;

    /// <summary>Months allowed between two editions for a programme of <paramref name="period"/> ("2014-2020").</summary>
    public static int IntervalMonths(string? period) =>
        period is { Length: >= 9 } && int.TryParse(period.AsSpan(period.Length - 4), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var end) && end <= 2020
            ? Period2014IntervalMonths
            : CurrentIntervalMonths;

    /// <summary>The status on <paramref name="now"/> of a programme of <paramref name="period"/> whose last edition was published at <paramref name="last"/>.</summary>
    public static EditionStatus Status(string? period, DateTime? last, DateTimeOffset now)
    {
        var months = IntervalMonths(period);
        if (last is not { } at)
        {
            return new EditionStatus(null, months, null, false);
        }

        var utc = DateTime.SpecifyKind(at, DateTimeKind.Utc);
        var due = utc.AddMonths(months);
        return new EditionStatus(utc, months, due, now.UtcDateTime > due);
    }
}
