using System.Globalization;
using System.Runtime.CompilerServices;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Accounts;

/// <summary>What the audit log lists: one kind of audit entry, or the registry's changes.</summary>
/// <param name="Kind">An <see cref="AuditKind"/> name ("SignIn"), <see cref="AuditTrail.ChangeKind"/>, or null for everything.</param>
/// <param name="Actor">Part of the actor's name (any case).</param>
/// <param name="From">The first day (UTC), inclusive.</param>
/// <param name="To">The last day (UTC), inclusive.</param>
/// <param name="Text">Part of the actor, subject, detail or address (any case).</param>
public sealed record AuditFilter(string? Kind = null, string? Actor = null, DateOnly? From = null, DateOnly? To = null, string? Text = null);

/// <summary>A record a change set changed, for a link to its history.</summary>
public sealed record AuditRecordRef(SubjectType Type, int Id);

/// <summary>
/// One line of the audit log: an audit entry (a sign-in, an import...) or a change set of the registry (who changed
/// how many values, and which records).
/// </summary>
/// <param name="Kind">The <see cref="AuditKind"/> name, or <see cref="AuditTrail.ChangeKind"/>.</param>
/// <param name="ActorKind">For a change: a person, a command or the system.</param>
/// <param name="Id">The entry's or the change set's id.</param>
/// <param name="Revisions">For a change: how many values, records and links it changed.</param>
/// <param name="Records">For a change: some of the records it changed (those with a history page).</param>
/// <param name="MoreRecords">For a change: it changed more records than <see cref="Records"/> lists.</param>
public sealed record AuditRow(
    DateTime At,
    string Kind,
    string? Actor,
    ActorKind? ActorKind,
    string? Subject,
    string? Detail,
    string? Address,
    long Id,
    int Revisions,
    IReadOnlyList<AuditRecordRef> Records,
    bool MoreRecords)
{
    public bool IsChange => Kind == AuditTrail.ChangeKind;

    /// <summary>This row as the position after which the next page starts.</summary>
    public AuditCursor Cursor => new(At, IsChange, Id);
}

/// <summary>
/// A position in the audit log (time, then changes before entries of the same instant, then id, all descending):
/// the next page starts after it. Written in addresses as "ticks-c123" or "ticks-e45".
/// </summary>
public sealed record AuditCursor(DateTime At, bool Change, long Id)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{At.Ticks}-{(Change ? 'c' : 'e')}{Id}");

    public static AuditCursor? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Split('-') is not [var ticks, var rest] || rest.Length < 2 || rest[0] is not ('c' or 'e')
            || !long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t) || t < DateTime.MinValue.Ticks || t > DateTime.MaxValue.Ticks
            || !long.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }

        return new AuditCursor(new DateTime(t, DateTimeKind.Utc), rest[0] == 'c', id);
    }
}

/// <summary>A page of the audit log, newest first; <see cref="Next"/> continues it (null on the last page).</summary>
public sealed record AuditPage(IReadOnlyList<AuditRow> Rows, AuditCursor? Next);

/// <summary>
/// The audit log (ADR 0013): security events (<see cref="AuditEntry"/>: sign-ins, failed sign-ins, lockouts, token use,
/// imports, backups, restores, users) and the registry's changes (<see cref="ChangeSet"/>: who changed what, with
/// links to the records' histories) in one list ordered by time. Both tables only grow, for ever, so the list is paged
/// by keyset (the position of the last row seen) rather than by offset: a page costs the same in year ten as on day one,
/// and a row written meanwhile neither repeats nor hides one.
/// </summary>
public sealed class AuditTrail(PasserelleDbContext db)
{
    /// <summary>The kind of the rows that are change sets of the registry.</summary>
    public const string ChangeKind = "Change";

    /// <summary>Records listed per change.</summary>
    public const int RecordsListed = 5;

    /// <summary>Every kind a filter may name: changes, then each kind of entry.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [ChangeKind, .. Enum.GetNames<AuditKind>()];

    /// <summary>Whether <paramref name="kind"/> is one of <see cref="Kinds"/> (or empty: every kind).</summary>
    public static bool IsKind(string? kind) => string.IsNullOrEmpty(kind) || Kinds.Contains(kind, StringComparer.Ordinal);

    /// <summary>The rows after <paramref name="after"/> (the newest without it), at most <paramref name="size"/>.</summary>
    /// <exception cref="ArgumentException">The filter names an unknown kind.</exception>
    public async Task<AuditPage> PageAsync(AuditFilter filter, AuditCursor? after = null, int size = 50, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!IsKind(filter.Kind))
        {
            throw new ArgumentException($"'{filter.Kind}' is not a kind of the audit log ({string.Join(", ", Kinds)})", nameof(filter));
        }

        var entries = filter.Kind != ChangeKind
            ? await Entries(filter, after).OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(size + 1).ToListAsync(ct)
            : [];
        var changes = filter.Kind is null or "" or ChangeKind
            ? await Changes(filter, after).OrderByDescending(c => c.At).ThenByDescending(c => c.Id).Take(size + 1).ToListAsync(ct)
            : [];

        var merged = entries.Select(e => (e.At, Change: false, e.Id, Entry: (AuditEntry?)e, ChangeSet: (ChangeSet?)null))
            .Concat(changes.Select(c => (c.At, Change: true, c.Id, Entry: (AuditEntry?)null, ChangeSet: (ChangeSet?)c)))
            .OrderByDescending(x => x.At).ThenByDescending(x => x.Change).ThenByDescending(x => x.Id)
            .ToList();
        var page = merged.Take(size).ToList();

        var changeIds = page.Where(x => x.Change).Select(x => x.Id).ToList();
        var details = await ChangeDetailsAsync(changeIds, ct);
        var rows = page.Select(x => x.Entry is { } e
                ? new AuditRow(Utc(e.At), e.Kind.ToString(), e.Actor, null, e.Subject, e.Detail, e.Address, e.Id, 0, [], false)
                : Row(x.ChangeSet!, details[x.Id]))
            .ToList();
        return new AuditPage(rows, merged.Count > size ? rows[^1].Cursor : null);
    }

    /// <summary>Every row the filter selects, newest first, read a page at a time (the CSV export).</summary>
    public async IAsyncEnumerable<AuditRow> AllAsync(AuditFilter filter, [EnumeratorCancellation] CancellationToken ct = default)
    {
        AuditCursor? after = null;
        do
        {
            var page = await PageAsync(filter, after, 500, ct);
            foreach (var row in page.Rows)
            {
                yield return row;
            }

            after = page.Next;
        }
        while (after is not null);
    }

    private IQueryable<AuditEntry> Entries(AuditFilter filter, AuditCursor? after)
    {
        var q = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrEmpty(filter.Kind))
        {
            var kind = Enum.Parse<AuditKind>(filter.Kind);
            q = q.Where(e => e.Kind == kind);
        }

        if (Lower(filter.Actor) is { } actor)
        {
            q = q.Where(e => e.Actor != null && e.Actor.ToLower().Contains(actor));
        }

        if (Start(filter.From) is { } from)
        {
            q = q.Where(e => e.At >= from);
        }

        if (Start(filter.To?.AddDays(1)) is { } to)
        {
            q = q.Where(e => e.At < to);
        }

        if (Lower(filter.Text) is { } text)
        {
            q = q.Where(e => (e.Actor != null && e.Actor.ToLower().Contains(text)) || (e.Subject != null && e.Subject.ToLower().Contains(text))
                || (e.Detail != null && e.Detail.ToLower().Contains(text)) || (e.Address != null && e.Address.ToLower().Contains(text)));
        }

        if (after is not null)
        {
            // Entries sort after changes of the same instant: after a change, every entry of that instant is still to come.
            var (at, change, id) = (after.At, after.Change, after.Id);
            q = q.Where(e => e.At < at || (e.At == at && (change || e.Id < id)));
        }

        return q;
    }

    private IQueryable<ChangeSet> Changes(AuditFilter filter, AuditCursor? after)
    {
        var q = db.ChangeSets.AsNoTracking();
        if (Lower(filter.Actor) is { } actor)
        {
            q = q.Where(c => c.Actor.ToLower().Contains(actor));
        }

        if (Start(filter.From) is { } from)
        {
            q = q.Where(c => c.At >= from);
        }

        if (Start(filter.To?.AddDays(1)) is { } to)
        {
            q = q.Where(c => c.At < to);
        }

        if (Lower(filter.Text) is { } text)
        {
            q = q.Where(c => c.Actor.ToLower().Contains(text) || (c.Detail != null && c.Detail.ToLower().Contains(text)));
        }

        if (after is not null)
        {
            var (at, change, id) = (after.At, after.Change, after.Id);
            q = q.Where(c => c.At < at || (c.At == at && change && c.Id < id));
        }

        return q;
    }

    /// <summary>For each change set: its revisions, and the first records it changed (a project for its partners' values).</summary>
    private async Task<Dictionary<long, (int Revisions, List<AuditRecordRef> Records, bool More)>> ChangeDetailsAsync(List<long> ids, CancellationToken ct)
    {
        var result = new Dictionary<long, (int, List<AuditRecordRef>, bool)>();
        if (ids.Count == 0)
        {
            return result;
        }

        var counts = await db.Revisions.AsNoTracking().Where(r => ids.Contains(r.ChangeSetId)).GroupBy(r => r.ChangeSetId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var samples = new Dictionary<long, List<(SubjectType Type, int Id)>>();
        foreach (var id in ids)
        {
            // A sample, not every subject: an import's change set names every project of the registry.
            samples[id] = [.. (await db.Revisions.AsNoTracking().Where(r => r.ChangeSetId == id && r.SubjectId != 0)
                .Select(r => new { r.SubjectType, r.SubjectId }).Take(200).ToListAsync(ct)).Select(r => (r.SubjectType, r.SubjectId))];
        }

        var participations = samples.Values.SelectMany(s => s).Where(s => s.Type == SubjectType.Participation).Select(s => s.Id).Distinct().ToList();
        var projects = participations.Count == 0 ? new Dictionary<int, int>() : await db.Participations.AsNoTracking().Where(x => participations.Contains(x.Id))
            .ToDictionaryAsync(x => x.Id, x => x.ProjectId, ct);
        foreach (var id in ids)
        {
            var records = samples[id]
                .Select(s => s.Type == SubjectType.Participation
                    ? projects.TryGetValue(s.Id, out var project) ? new AuditRecordRef(SubjectType.Project, project) : null
                    : HistoryQueries.Types.Values.Contains(s.Type) ? new AuditRecordRef(s.Type, s.Id) : null)
                .OfType<AuditRecordRef>()
                .Distinct()
                .ToList();
            var count = counts.GetValueOrDefault(id);
            result[id] = (count, [.. records.Take(RecordsListed)], records.Count > RecordsListed || (samples[id].Count == 200 && count > 200));
        }

        return result;
    }

    private static AuditRow Row(ChangeSet c, (int Revisions, List<AuditRecordRef> Records, bool More) d) =>
        new(Utc(c.At), ChangeKind, c.Actor, c.ActorKind, null, c.Detail, null, c.Id, d.Revisions, d.Records, d.More);

    private static DateTime Utc(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc);

    private static string? Lower(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().ToLowerInvariant();

    private static DateTime? Start(DateOnly? day) => day?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
}
