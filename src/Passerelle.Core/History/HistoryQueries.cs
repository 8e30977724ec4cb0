using System.Globalization;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Core.History;

/// <summary>
/// A record's history as the back office shows it (ADR 0013): its versions (the change sets that touched it, newest
/// first, paged), what each changed from what to what with which source, what the record showed at any version, and
/// two versions compared field by field. Everything is read by the record's (SubjectType, SubjectId), which the
/// revisions table indexes, so the cost follows the record's own history, never the size of the registry. A project's
/// history includes the values of its partners (recorded against each participation) and its partner links (recorded
/// against the project).
/// </summary>
public sealed class HistoryQueries(PasserelleDbContext db)
{
    /// <summary>Changes listed per version on a page; a version that changed more (a programme's whole area) says how many.</summary>
    public const int MaxChangesListed = 200;

    /// <summary>The kinds of record with a history page, by the name their addresses use.</summary>
    public static readonly IReadOnlyDictionary<string, SubjectType> Types = new Dictionary<string, SubjectType>(StringComparer.Ordinal)
    {
        ["programme"] = SubjectType.Programme,
        ["grouping"] = SubjectType.Grouping,
        ["project"] = SubjectType.Project,
        ["organisation"] = SubjectType.Organisation,
        ["source"] = SubjectType.Source,
    };

    /// <summary>"project" → Project; null for anything else.</summary>
    public static SubjectType? ParseType(string? name) => name is not null && Types.TryGetValue(name, out var type) ? type : null;

    /// <summary>Project → "project".</summary>
    public static string TypeName(SubjectType type) => type.ToString().ToLowerInvariant();

    /// <summary>The record, or null when there is no such record (or its kind has no history page).</summary>
    public async Task<HistorySubject?> SubjectAsync(SubjectType type, int id, CancellationToken ct = default) => type switch
    {
        SubjectType.Programme => await db.Programmes.AsNoTracking().Where(p => p.Id == id).Select(p => new { p.Slug, p.Name, p.Period }).FirstOrDefaultAsync(ct)
            is { } p ? new HistorySubject(type, id, $"{p.Name.Best() ?? p.Slug} ({p.Period})", p.Slug) : null,
        SubjectType.Grouping => await db.Groupings.AsNoTracking().Where(g => g.Id == id).Select(g => new { g.Slug, g.Name }).FirstOrDefaultAsync(ct)
            is { } g ? new HistorySubject(type, id, g.Name.Best() ?? g.Slug, g.Slug) : null,
        SubjectType.Project => await db.Projects.AsNoTracking().Where(p => p.Id == id).Select(p => new { p.Slug, p.Acronym }).FirstOrDefaultAsync(ct)
            is { } x ? new HistorySubject(type, id, x.Acronym, x.Slug) : null,
        SubjectType.Organisation => await db.Organisations.AsNoTracking().Where(o => o.Id == id).Select(o => new { o.Slug, o.Name }).FirstOrDefaultAsync(ct)
            is { } o ? new HistorySubject(type, id, o.Name, o.Slug) : null,
        SubjectType.Source => await db.Sources.AsNoTracking().Where(s => s.Id == id).Select(s => new { s.Title }).FirstOrDefaultAsync(ct)
            is { } s ? new HistorySubject(type, id, s.Title, null) : null,
        _ => null,
    };

    /// <summary>
    /// A page of the record's versions, newest first: <paramref name="pageSize"/> versions older than the change set
    /// <paramref name="before"/> (or newer than <paramref name="after"/>; neither: the newest). Keyset paging: a page
    /// costs the same at the thousandth version as at the first.
    /// </summary>
    public async Task<VersionPage?> VersionsAsync(SubjectType type, int id, long? before = null, long? after = null, int pageSize = 20, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var subject = await SubjectAsync(type, id, ct);
        if (subject is null)
        {
            return null;
        }

        var scope = await ScopeAsync(type, id, ct);
        var changeSets = scope.Revisions(db).Select(r => r.ChangeSetId).Distinct();
        var ids = after is { } newerThan && before is null
            ? [.. (await changeSets.Where(c => c > newerThan).OrderBy(c => c).Take(pageSize).ToListAsync(ct)).AsEnumerable().Reverse()]
            : await changeSets.Where(c => before == null || c < before).OrderByDescending(c => c).Take(pageSize).ToListAsync(ct);
        var total = await changeSets.CountAsync(ct);
        if (ids.Count == 0)
        {
            return new VersionPage(subject, [], total, null, null);
        }

        // The newest version of the page is number (versions up to it); the others follow down from there.
        var top = ids[0];
        var number = await changeSets.CountAsync(c => c <= top, ct);
        var infos = await InfosAsync(ids, ct);
        var revisions = await scope.Revisions(db).Where(r => ids.Contains(r.ChangeSetId)).OrderBy(r => r.Id).Select(RevisionRow.Projection).ToListAsync(ct);
        var sources = await SourcesAsync(revisions.Where(r => r.SourceId is not null).Select(r => r.SourceId!.Value), ct);

        var versions = new List<RecordVersionEntry>(ids.Count);
        var byChangeSet = revisions.ToLookup(r => r.ChangeSetId);
        foreach (var changeSet in ids)
        {
            var rows = byChangeSet[changeSet].ToList();
            var changes = rows.Take(MaxChangesListed).Select(r => Change(scope, r, sources)).ToList();
            var c = infos[changeSet];
            versions.Add(new RecordVersionEntry(new VersionInfo(changeSet, number--, c.At, c.ActorKind, c.Actor, c.Detail), changes, rows.Count));
        }

        var (oldest, newest) = (ids[^1], ids[0]);
        var older = await changeSets.AnyAsync(c => c < oldest, ct) ? oldest : (long?)null;
        var newer = await changeSets.AnyAsync(c => c > newest, ct) ? newest : (long?)null;
        return new VersionPage(subject, versions, total, older, newer);
    }

    /// <summary>Who made a version of the record and when; null when <paramref name="changeSetId"/> did not touch the record.</summary>
    public async Task<VersionInfo?> VersionAsync(SubjectType type, int id, long changeSetId, CancellationToken ct = default)
    {
        var scope = await ScopeAsync(type, id, ct);
        return await VersionAsync(scope, changeSetId, ct);
    }

    /// <summary>The record's newest version; null for a record without history.</summary>
    public async Task<VersionInfo?> LatestAsync(SubjectType type, int id, CancellationToken ct = default)
    {
        var scope = await ScopeAsync(type, id, ct);
        var latest = await scope.Revisions(db).MaxAsync(r => (long?)r.ChangeSetId, ct);
        return latest is null ? null : await VersionAsync(scope, latest.Value, ct);
    }

    /// <summary>
    /// What the record showed after the version <paramref name="changeSetId"/>: every field with its values in display
    /// order and their sources, every attribute and every list of links the history records. Null when there is no
    /// such record or version.
    /// </summary>
    public async Task<RecordState?> StateAsync(SubjectType type, int id, long changeSetId, CancellationToken ct = default)
    {
        var subject = await SubjectAsync(type, id, ct);
        if (subject is null)
        {
            return null;
        }

        var scope = await ScopeAsync(type, id, ct);
        var version = await VersionAsync(scope, changeSetId, ct);
        if (version is null)
        {
            return null;
        }

        var states = await StatesAsync(scope, [changeSetId], ct);
        return new RecordState(subject, version, states[changeSetId]);
    }

    /// <summary>Two versions of the record, field by field (values at each, and whether they differ); null when either is not a version of it.</summary>
    public async Task<VersionDiff?> DiffAsync(SubjectType type, int id, long from, long to, CancellationToken ct = default)
    {
        var subject = await SubjectAsync(type, id, ct);
        if (subject is null)
        {
            return null;
        }

        var scope = await ScopeAsync(type, id, ct);
        var (a, b) = (await VersionAsync(scope, from, ct), await VersionAsync(scope, to, ct));
        if (a is null || b is null)
        {
            return null;
        }

        var states = await StatesAsync(scope, [from, to], ct);
        return new VersionDiff(subject, a, b, Compare(states[from], states[to]));
    }

    /// <summary>Field by field, in the order of the first state then the fields only the second has.</summary>
    public static IReadOnlyList<FieldDiff> Compare(IReadOnlyList<StateField> from, IReadOnlyList<StateField> to)
    {
        var right = to.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var result = new List<FieldDiff>();
        foreach (var field in HistoryOrder(from.Concat(to.Where(f => !from.Any(x => x.Key == f.Key)))))
        {
            var a = from.FirstOrDefault(f => f.Key == field.Key)?.Values ?? [];
            var b = right.TryGetValue(field.Key, out var r) ? r.Values : [];
            result.Add(new FieldDiff(field.Key, field.Field, field.Label, field.Partner, field.Kind, a, b, !a.SequenceEqual(b)));
        }

        return result;
    }

    // ------------------------------------------------------------------ internals

    /// <summary>The states of the record after each of <paramref name="changeSets"/>, from one read of its history.</summary>
    internal async Task<Dictionary<long, IReadOnlyList<StateField>>> StatesAsync(HistoryScope scope, IReadOnlyCollection<long> changeSets, CancellationToken ct)
    {
        // The whole history of the record (attributes and notes at a version are read from the first change after it).
        var rows = await scope.Revisions(db).OrderBy(r => r.ChangeSetId).ThenBy(r => r.Id).Select(RevisionRow.Projection).ToListAsync(ct);
        var factIds = rows.Where(r => r.FactId is not null).Select(r => r.FactId!.Value).Distinct().ToList();
        var notes = new Dictionary<long, string?>();
        foreach (var chunk in factIds.Chunk(2_000))
        {
            foreach (var f in await db.Facts.AsNoTracking().Where(f => chunk.Contains(f.Id)).Select(f => new { f.Id, f.Note }).ToListAsync(ct))
            {
                notes[f.Id] = f.Note;
            }
        }

        var initial = await db.ChangeSets.AsNoTracking()
            .Where(c => c.ActorKind == ActorKind.System && c.Actor == HistoryMigrationActor).Select(c => c.Id).ToListAsync(ct);
        var replay = new VersionReplay(rows, notes, initial.ToHashSet());
        var sources = await SourcesAsync(rows.Where(r => r.SourceId is not null).Select(r => r.SourceId!.Value), ct);
        return changeSets.Distinct().ToDictionary(c => c, c => (IReadOnlyList<StateField>)replay.StateAt(c, scope, sources));
    }

    /// <summary>The actor of the change set the History migration wrote for a database that held records before history began.</summary>
    internal const string HistoryMigrationActor = "migration History";

    internal async Task<HistoryScope> ScopeAsync(SubjectType type, int id, CancellationToken ct)
    {
        if (type != SubjectType.Project)
        {
            return new HistoryScope(type, id, new Dictionary<int, string>());
        }

        // A project's partners' values are recorded against each participation (its budget share, its role).
        var partners = await db.Participations.AsNoTracking().Where(x => x.ProjectId == id)
            .Select(x => new { x.Id, x.Organisation.Name }).ToListAsync(ct);
        return new HistoryScope(type, id, partners.ToDictionary(x => x.Id, x => x.Name));
    }

    private async Task<VersionInfo?> VersionAsync(HistoryScope scope, long changeSetId, CancellationToken ct)
    {
        var changeSets = scope.Revisions(db).Select(r => r.ChangeSetId).Distinct();
        if (!await changeSets.AnyAsync(c => c == changeSetId, ct))
        {
            return null;
        }

        var number = await changeSets.CountAsync(c => c <= changeSetId, ct);
        var c = (await InfosAsync([changeSetId], ct))[changeSetId];
        return new VersionInfo(changeSetId, number, c.At, c.ActorKind, c.Actor, c.Detail);
    }

    private async Task<Dictionary<long, ChangeSet>> InfosAsync(List<long> ids, CancellationToken ct) =>
        await db.ChangeSets.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);

    internal async Task<Dictionary<int, VersionSource>> SourcesAsync(IEnumerable<int> ids, CancellationToken ct)
    {
        var result = new Dictionary<int, VersionSource>();
        foreach (var chunk in ids.Distinct().Chunk(2_000))
        {
            foreach (var s in await db.Sources.AsNoTracking().Where(s => chunk.Contains(s.Id)).Select(s => new { s.Id, s.Title, s.Url, s.SourceDate }).ToListAsync(ct))
            {
                result[s.Id] = new VersionSource(s.Id, s.Title, s.Url, s.SourceDate);
            }
        }

        return result;
    }

    private static VersionChange Change(HistoryScope scope, RevisionRow r, Dictionary<int, VersionSource> sources) => new(
        r.Field,
        HistoryLabels.Label(r.SubjectType, r.Field),
        scope.Partner(r),
        HistoryLabels.Kind(r.SubjectType, r.Field, r.FactId),
        r.Action,
        r.OldValue,
        r.NewValue,
        r.SourceId is { } s && sources.TryGetValue(s, out var source) ? source : null,
        r.OldRank,
        r.NewRank);

    /// <summary>The record's own fields first (values in the registry's order, then attributes, then links), then each partner's.</summary>
    internal static IEnumerable<StateField> HistoryOrder(IEnumerable<StateField> fields) =>
        fields.OrderBy(f => f.Partner is not null)
            .ThenBy(f => f.Partner, StringComparer.Ordinal)
            .ThenBy(f => f.Kind)
            .ThenBy(f => HistoryLabels.RegistryOrder(f.Field))
            .ThenBy(f => f.Field, StringComparer.Ordinal);
}

/// <summary>The revisions that make a record's history: its own, and for a project those of its partners' participations.</summary>
internal sealed class HistoryScope(SubjectType type, int id, IReadOnlyDictionary<int, string> participations)
{
    public SubjectType Type { get; } = type;
    public int Id { get; } = id;

    /// <summary>A project's current participations: id → the organisation's name.</summary>
    public IReadOnlyDictionary<int, string> Participations { get; } = participations;

    public IQueryable<Revision> Revisions(PasserelleDbContext db)
    {
        var (type, id) = (Type, Id);
        if (Participations.Count == 0)
        {
            return db.Revisions.AsNoTracking().Where(r => r.SubjectType == type && r.SubjectId == id);
        }

        var ids = Participations.Keys.ToList();
        return db.Revisions.AsNoTracking().Where(r => (r.SubjectType == type && r.SubjectId == id)
            || (r.SubjectType == SubjectType.Participation && ids.Contains(r.SubjectId)));
    }

    /// <summary>The partner a participation's revision concerns; null for the record's own.</summary>
    public string? Partner(RevisionRow r) =>
        r.SubjectType == SubjectType.Participation
            ? Participations.TryGetValue(r.SubjectId, out var name) ? name : "#" + r.SubjectId.ToString(CultureInfo.InvariantCulture)
            : null;
}

/// <summary>The columns of a revision that the history reads.</summary>
internal sealed record RevisionRow(long Id, long ChangeSetId, SubjectType SubjectType, int SubjectId, string Field, RevisionAction Action,
    string? OldValue, string? NewValue, int? SourceId, long? FactId, int? OldRank, int? NewRank)
{
    public static readonly System.Linq.Expressions.Expression<Func<Revision, RevisionRow>> Projection = r =>
        new RevisionRow(r.Id, r.ChangeSetId, r.SubjectType, r.SubjectId, r.Field, r.Action, r.OldValue, r.NewValue, r.SourceId, r.FactId, r.OldRank, r.NewRank);
}

/// <summary>Labels and kinds of the fields revisions name.</summary>
public static class HistoryLabels
{
    /// <summary>The links the write session records against a record (ADR 0010), by their field.</summary>
    public static readonly IReadOnlySet<string> LinkFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "participation", "alias", "member", "area_unit", "territory_unit", "theme",
    };

    private const string NoteSuffix = "#note";

    private static readonly Lazy<Dictionary<string, int>> Order = new(() =>
    {
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in Fields.All)
        {
            order.TryAdd(f.Name, order.Count);
        }

        return order;
    });

    /// <summary>What kind of field a revision names.</summary>
    public static HistoryFieldKind Kind(SubjectType type, string field, long? factId = null) =>
        field == "record" ? HistoryFieldKind.Record
        : field.EndsWith(NoteSuffix, StringComparison.Ordinal) ? HistoryFieldKind.Note
        : factId is not null || Fields.Find(type, field) is not null ? HistoryFieldKind.Value
        : LinkFields.Contains(field) ? HistoryFieldKind.Link
        : HistoryFieldKind.Attribute;

    /// <summary>The English label: the registry's for a field ("Title (fr)" for one in a language), a readable name otherwise.</summary>
    public static string Label(SubjectType type, string field)
    {
        if (field.EndsWith(NoteSuffix, StringComparison.Ordinal))
        {
            return Label(type, field[..^NoteSuffix.Length]) + " (note)";
        }

        if (Fields.Find(type, field) is { } definition)
        {
            return definition.Language is null ? definition.Label : $"{definition.Label} ({definition.Language})";
        }

        return field switch
        {
            "record" => "Record",
            "participation" => "Partner",
            "alias" => "Alias",
            "member" => "Member",
            "area_unit" => "Unit of the area",
            "territory_unit" => "Unit of the territory",
            "theme" => "Theme",
            _ => Fields.Label(field),
        };
    }

    /// <summary>The field's place in the registry (values in the order pages show them); after every registered field otherwise.</summary>
    public static int RegistryOrder(string field) => Order.Value.TryGetValue(field, out var i) ? i : int.MaxValue;
}
