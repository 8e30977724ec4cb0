using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Groupings;
using Passerelle.Core.History;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;
using Passerelle.Core.Territories;

namespace Passerelle.Core.Editing;

/// <summary>A record in a back-office list: drafts and (when asked) deleted ones included.</summary>
/// <param name="Record">Type and id.</param>
/// <param name="Slug">Its slug (a source's key).</param>
/// <param name="Title">Its name, acronym or title, in English when it has one.</param>
/// <param name="IsPublished">Shown on the portal, in search, exports and the public API.</param>
/// <param name="DeletedAt">When it was deleted (UTC), or null.</param>
/// <param name="Version">Its current version.</param>
/// <param name="CanEdit">Whether the access may change it.</param>
public sealed record EditorListItem(RecordRef Record, string Slug, string Title, bool IsPublished, DateTime? DeletedAt, int Version, bool CanEdit);

/// <summary>Which records a back-office list shows.</summary>
/// <param name="Text">Part of the slug or title, case-insensitive.</param>
/// <param name="Deleted">false: existing records only (the default); true: deleted ones only; null: both.</param>
/// <param name="Published">Only published (true) or only drafts (false); null: both.</param>
/// <param name="ProgrammeId">Projects of this programme only.</param>
public sealed record EditorListFilter(string? Text = null, bool? Deleted = false, bool? Published = null, int? ProgrammeId = null);

/// <summary>An organisation as a picker offers it (a grouping member's link): enough to tell namesakes apart.</summary>
/// <param name="Id">What <see cref="MemberEdit.OrganisationId"/> takes.</param>
/// <param name="Slug">Its slug (the portal's address).</param>
/// <param name="Name">Its name.</param>
/// <param name="Country">Its country, when a source gives it.</param>
/// <param name="City">Its city, when a source gives it.</param>
/// <param name="IsPublished">false for a draft: it can be linked, the portal links it once it is published.</param>
/// <param name="IsDeleted">Deleted: not offered, and a new link to it is refused (<see cref="RuleCodes.OrganisationDeleted"/>).</param>
public sealed record OrganisationChoice(int Id, string Slug, string Name, string? Country, string? City, bool IsPublished, bool IsDeleted);

/// <summary>
/// A record as the back office edits it: the entity with its links loaded (read-only: change it through
/// <see cref="RecordEditor"/>), its current sourced values with their ids, and whether the access may change it.
/// </summary>
/// <typeparam name="T">Programme, Grouping, Project, Organisation or Source.</typeparam>
/// <param name="Record">The entity (not tracked). Its <c>Version</c> is the one to send with an edit.</param>
/// <param name="CanEdit">Whether the access may change it (values, attributes, links).</param>
/// <param name="CanManage">Whether the access may delete, restore, publish or unpublish it.</param>
/// <param name="Facts">Its current sourced values, by field then display order.</param>
/// <param name="ParticipationFacts">For a project: each participation's values, by participation id.</param>
public sealed record EditorRecord<T>(
    T Record,
    bool CanEdit,
    bool CanManage,
    IReadOnlyList<EditorFact> Facts,
    IReadOnlyDictionary<int, IReadOnlyList<EditorFact>> ParticipationFacts)
{
    /// <summary>The current values of one field, shown first first.</summary>
    public IReadOnlyList<EditorFact> this[string field] => Facts.Where(f => f.Field == field).ToList();
}

/// <summary>
/// The back office's read side: lists and records including drafts and deleted ones, limited to what the access may
/// see (administrators and viewers: everything, viewers read-only; editors: their scope), the versions and changes of
/// a record, and the sources to offer in the source picker (the last one used first).
/// </summary>
public sealed class EditorQueries(PasserelleDbContext db)
{
    private readonly EditScope _scope = new(db);

    /// <summary>Whether <paramref name="access"/> may change the record's values, attributes and links.</summary>
    public Task<bool> CanEditAsync(Access access, RecordRef record, CancellationToken ct = default) => _scope.CanEditAsync(access, record, ct);

    /// <summary>Whether <paramref name="access"/> may delete, restore, publish or unpublish the record.</summary>
    public Task<bool> CanManageAsync(Access access, RecordRef record, CancellationToken ct = default) => _scope.CanManageAsync(access, record, ct);

    /// <summary>
    /// Whether <paramref name="access"/> may create a record of <paramref name="type"/> (a project: in
    /// <paramref name="programmeId"/>).
    /// </summary>
    public static bool CanCreate(Access access, SubjectType type, int? programmeId = null) => EditScope.CanCreate(access, type, programmeId);

    /// <summary>
    /// One page of the records of <paramref name="type"/> the access may see, ordered by slug (sources: newest first).
    /// Editors see those of their scope (a source: the ones they created, and every source in the picker's queries).
    /// </summary>
    public async Task<Paged<EditorListItem>> ListAsync(Access access, SubjectType type, EditorListFilter filter, PageRequest page, CancellationToken ct = default)
    {
        var everything = access.Role != AccessRole.Editor;
        var programmes = access.ProgrammeIds.ToList();
        var groupings = access.GroupingIds.ToList();
        var text = filter.Text?.Trim().ToLowerInvariant();
        IQueryable<Row> rows;
        switch (type)
        {
            case SubjectType.Programme:
                var p = db.Programmes.AsNoTracking();
                p = everything ? p : p.Where(x => programmes.Contains(x.Id));
                p = filter.Deleted is { } pd ? p.Where(x => (x.DeletedAt != null) == pd) : p;
                p = filter.Published is { } pp ? p.Where(x => x.IsPublished == pp) : p;
                rows = p.Select(x => new Row { Id = x.Id, Slug = x.Slug, Title = x.Name.En ?? x.Name.Fr ?? x.Name.Nl ?? x.Name.De ?? x.Code, IsPublished = x.IsPublished, DeletedAt = x.DeletedAt, Version = x.Version });
                break;
            case SubjectType.Grouping:
                var g = db.Groupings.AsNoTracking();
                g = everything ? g : g.Where(x => groupings.Contains(x.Id));
                g = filter.Deleted is { } gd ? g.Where(x => (x.DeletedAt != null) == gd) : g;
                g = filter.Published is { } gp ? g.Where(x => x.IsPublished == gp) : g;
                rows = g.Select(x => new Row { Id = x.Id, Slug = x.Slug, Title = x.Name.En ?? x.Name.Fr ?? x.Name.Nl ?? x.Name.De ?? x.Slug, IsPublished = x.IsPublished, DeletedAt = x.DeletedAt, Version = x.Version });
                break;
            case SubjectType.Project:
                var j = db.Projects.AsNoTracking();
                j = everything ? j : j.Where(x => x.ProgrammeId != null && programmes.Contains(x.ProgrammeId.Value));
                j = filter.ProgrammeId is { } programme ? j.Where(x => x.ProgrammeId == programme) : j;
                j = filter.Deleted is { } jd ? j.Where(x => (x.DeletedAt != null) == jd) : j;
                j = filter.Published is { } jp ? j.Where(x => x.IsPublished == jp) : j;
                rows = j.Select(x => new Row { Id = x.Id, Slug = x.Slug, Title = x.Acronym, IsPublished = x.IsPublished, DeletedAt = x.DeletedAt, Version = x.Version });
                break;
            case SubjectType.Organisation:
                var o = db.Organisations.AsNoTracking();
                if (!everything)
                {
                    var created = _scope.CreatedBy(access, SubjectType.Organisation);
                    o = o.Where(x => db.Participations.Any(y => y.OrganisationId == x.Id && y.Project.ProgrammeId != null && programmes.Contains(y.Project.ProgrammeId.Value))
                                     || db.GroupingMembers.Any(m => m.OrganisationId == x.Id && groupings.Contains(m.GroupingId))
                                     || created.Contains(x.Id));
                }

                o = filter.Deleted is { } od ? o.Where(x => (x.DeletedAt != null) == od) : o;
                o = filter.Published is { } op ? o.Where(x => x.IsPublished == op) : o;
                rows = o.Select(x => new Row { Id = x.Id, Slug = x.Slug, Title = x.Name, IsPublished = x.IsPublished, DeletedAt = x.DeletedAt, Version = x.Version });
                break;
            case SubjectType.Source:
                var s = db.Sources.AsNoTracking();
                if (!everything)
                {
                    var created = _scope.CreatedBy(access, SubjectType.Source);
                    s = s.Where(x => created.Contains(x.Id));
                }

                s = filter.Deleted is { } sd ? s.Where(x => (x.DeletedAt != null) == sd) : s;
                rows = s.Select(x => new Row { Id = x.Id, Slug = x.Key, Title = x.Title, IsPublished = true, DeletedAt = x.DeletedAt, Version = x.Version });
                break;
            default:
                throw new ArgumentException($"{type} records are not edited in the back office", nameof(type));
        }

        if (!string.IsNullOrEmpty(text))
        {
            rows = rows.Where(r => r.Slug.ToLower().Contains(text) || r.Title.ToLower().Contains(text));
        }

        var total = await rows.CountAsync(ct);
        var ordered = type == SubjectType.Source ? rows.OrderByDescending(r => r.Id) : rows.OrderBy(r => r.Slug);
        var items = await ordered.Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        var list = new List<EditorListItem>(items.Count);
        foreach (var r in items)
        {
            var record = new RecordRef(type, r.Id);
            list.Add(new EditorListItem(record, r.Slug, r.Title, r.IsPublished, r.DeletedAt, r.Version, await _scope.CanEditAsync(access, record, ct)));
        }

        return new Paged<EditorListItem>(list, page.Page, page.PageSize, total);
    }

    // A class with init properties, not a positional record: EF translates filters and ordering on its members.
    private sealed class Row
    {
        public int Id { get; init; }
        public required string Slug { get; init; }
        public required string Title { get; init; }
        public bool IsPublished { get; init; }
        public DateTime? DeletedAt { get; init; }
        public int Version { get; init; }
    }

    /// <summary>A programme with its area units, or null when there is none.</summary>
    /// <exception cref="AccessDeniedException">An editor asking for a programme outside their scope.</exception>
    public async Task<EditorRecord<Programme>?> GetProgrammeAsync(Access access, int id, CancellationToken ct = default)
    {
        var p = await db.Programmes.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        return p is null ? null : await RecordAsync(access, RecordRef.Programme(id), p, ct);
    }

    /// <summary>The units of a programme's area.</summary>
    public async Task<IReadOnlyList<ProgrammeAreaUnit>> AreaUnitsAsync(int programmeId, CancellationToken ct = default) =>
        await db.ProgrammeAreaUnits.AsNoTracking().Where(a => a.ProgrammeId == programmeId).OrderBy(a => a.NutsCode).ToListAsync(ct);

    /// <summary>A grouping with its members, or null when there is none.</summary>
    /// <exception cref="AccessDeniedException">An editor asking for a grouping outside their scope.</exception>
    public async Task<EditorRecord<Grouping>?> GetGroupingAsync(Access access, int id, CancellationToken ct = default)
    {
        var g = await db.Groupings.AsNoTracking().Include(x => x.Members.OrderBy(m => m.Order)).SingleOrDefaultAsync(x => x.Id == id, ct);
        return g is null ? null : await RecordAsync(access, RecordRef.Grouping(id), g, ct);
    }

    /// <summary>The units of a grouping's territory.</summary>
    public async Task<IReadOnlyList<GroupingTerritoryUnit>> TerritoryUnitsAsync(int groupingId, CancellationToken ct = default) =>
        await db.GroupingTerritoryUnits.AsNoTracking().Where(t => t.GroupingId == groupingId).OrderBy(t => t.UnitCode).ToListAsync(ct);

    /// <summary>A project with its programme, themes and participations (with their organisations), or null.</summary>
    /// <exception cref="AccessDeniedException">An editor asking for a project outside their scope.</exception>
    public async Task<EditorRecord<Project>?> GetProjectAsync(Access access, int id, CancellationToken ct = default)
    {
        var p = await db.Projects.AsNoTracking()
            .Include(x => x.Programme)
            .Include(x => x.Themes)
            .Include(x => x.Participations).ThenInclude(x => x.Organisation)
            .AsSplitQuery()
            .SingleOrDefaultAsync(x => x.Id == id, ct);
        if (p is null)
        {
            return null;
        }

        var record = await RecordAsync(access, RecordRef.Project(id), p, ct);
        var participationFacts = await FactsAsync(SubjectType.Participation, p.Participations.Select(x => x.Id).ToList(), ct);
        return record with { ParticipationFacts = participationFacts };
    }

    /// <summary>An organisation with its aliases, or null.</summary>
    /// <exception cref="AccessDeniedException">An editor asking for an organisation outside their scope.</exception>
    public async Task<EditorRecord<Organisation>?> GetOrganisationAsync(Access access, int id, CancellationToken ct = default)
    {
        var o = await db.Organisations.AsNoTracking().Include(x => x.Aliases).SingleOrDefaultAsync(x => x.Id == id, ct);
        return o is null ? null : await RecordAsync(access, RecordRef.Organisation(id), o, ct);
    }

    /// <summary>A source, or null. Every editor may read every source (they cite them); they change those they created.</summary>
    public async Task<EditorRecord<Source>?> GetSourceAsync(Access access, int id, CancellationToken ct = default)
    {
        var s = await db.Sources.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null)
        {
            return null;
        }

        var record = RecordRef.Source(id);
        return new EditorRecord<Source>(s, await _scope.CanEditAsync(access, record, ct), await _scope.CanManageAsync(access, record, ct), [],
            new Dictionary<int, IReadOnlyList<EditorFact>>());
    }

    private async Task<EditorRecord<T>> RecordAsync<T>(Access access, RecordRef record, T entity, CancellationToken ct)
    {
        var canEdit = await _scope.CanEditAsync(access, record, ct);
        if (!canEdit && access.Role == AccessRole.Editor)
        {
            throw EditScope.Denied(access, "see", record);
        }

        var facts = await FactsAsync(record.Type, [record.Id], ct);
        return new EditorRecord<T>(entity, canEdit, await _scope.CanManageAsync(access, record, ct), facts.GetValueOrDefault(record.Id) ?? [],
            new Dictionary<int, IReadOnlyList<EditorFact>>());
    }

    private async Task<Dictionary<int, IReadOnlyList<EditorFact>>> FactsAsync(SubjectType type, List<int> ids, CancellationToken ct)
    {
        var rows = await db.Facts.AsNoTracking()
            .Where(f => f.SubjectType == type && ids.Contains(f.SubjectId) && !f.Retracted)
            .Select(f => new
            {
                f.SubjectId,
                Fact = new EditorFact(f.Id, f.Field, f.Value, f.Rank, f.Note,
                    new SourceSummary(f.Source.Id, f.Source.Key, f.Source.Title, f.Source.Url, f.Source.SourceDate, f.Source.Licence,
                        f.Source.StatedByOrganisationId, f.Source.DeletedAt != null)),
            })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.SubjectId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<EditorFact>)g.Select(r => r.Fact).OrderBy(f => f.Field, StringComparer.Ordinal).ThenBy(f => f.Rank).ThenBy(f => f.Id).ToList());
    }

    /// <summary>The record's version now (the one an edit or a restore must send); null when there is no such record.</summary>
    public async Task<int?> CurrentVersionAsync(RecordRef record, CancellationToken ct = default) => record.Type switch
    {
        SubjectType.Programme => await db.Programmes.AsNoTracking().Where(x => x.Id == record.Id).Select(x => (int?)x.Version).SingleOrDefaultAsync(ct),
        SubjectType.Grouping => await db.Groupings.AsNoTracking().Where(x => x.Id == record.Id).Select(x => (int?)x.Version).SingleOrDefaultAsync(ct),
        SubjectType.Project => await db.Projects.AsNoTracking().Where(x => x.Id == record.Id).Select(x => (int?)x.Version).SingleOrDefaultAsync(ct),
        SubjectType.Organisation => await db.Organisations.AsNoTracking().Where(x => x.Id == record.Id).Select(x => (int?)x.Version).SingleOrDefaultAsync(ct),
        SubjectType.Source => await db.Sources.AsNoTracking().Where(x => x.Id == record.Id).Select(x => (int?)x.Version).SingleOrDefaultAsync(ct),
        _ => null,
    };

    /// <summary>
    /// The versions of a record, newest first: which change set made each (who, when). Version 1 of a record created
    /// before versions were kept is not listed.
    /// </summary>
    public async Task<IReadOnlyList<RecordVersionInfo>> VersionsAsync(RecordRef record, CancellationToken ct = default) =>
        await (from v in db.RecordVersions.AsNoTracking()
               where v.SubjectType == record.Type && v.SubjectId == record.Id
               join c in db.ChangeSets on v.ChangeSetId equals c.Id
               orderby v.Version descending
               select new RecordVersionInfo(v.Version, c.Id, c.At, c.ActorKind, c.Actor, c.Detail)).ToListAsync(ct);

    /// <summary>
    /// What changed in a record after its version <paramref name="version"/>, oldest first: the revisions of the change
    /// sets that made the later versions, on the record (for a project, on its participations too).
    /// </summary>
    public async Task<IReadOnlyList<RecordChange>> ChangesSinceAsync(RecordRef record, int version, CancellationToken ct = default)
    {
        var versions = await db.RecordVersions.AsNoTracking()
            .Where(v => v.SubjectType == record.Type && v.SubjectId == record.Id && v.Version > version)
            .Select(v => new { v.ChangeSetId, v.Version }).ToListAsync(ct);
        if (versions.Count == 0)
        {
            return [];
        }

        var changeSets = versions.Select(v => v.ChangeSetId).ToList();
        var versionOf = versions.ToDictionary(v => v.ChangeSetId, v => v.Version);
        var participations = record.Type == SubjectType.Project
            ? await db.Revisions.AsNoTracking()
                .Where(r => changeSets.Contains(r.ChangeSetId) && r.SubjectType == SubjectType.Participation)
                .Select(r => r.SubjectId).Distinct().ToListAsync(ct)
            : [];
        if (participations.Count > 0)
        {
            // Only this project's participations (a change set may have changed other projects' too).
            var own = await db.Participations.AsNoTracking().Where(x => x.ProjectId == record.Id && participations.Contains(x.Id)).Select(x => x.Id).ToListAsync(ct);
            participations = own;
        }

        var rows = await (
            from r in db.Revisions.AsNoTracking()
            where changeSets.Contains(r.ChangeSetId)
                  && ((r.SubjectType == record.Type && r.SubjectId == record.Id)
                      || (r.SubjectType == SubjectType.Participation && participations.Contains(r.SubjectId)))
            join c in db.ChangeSets on r.ChangeSetId equals c.Id
            join s in db.Sources on r.SourceId equals s.Id into sources
            from s in sources.DefaultIfEmpty()
            orderby r.Id
            select new { r, c.At, c.ActorKind, c.Actor, SourceTitle = s == null ? null : s.Title }).ToListAsync(ct);
        return rows.Select(x => new RecordChange(x.r.ChangeSetId, x.At, x.ActorKind, x.Actor, versionOf.GetValueOrDefault(x.r.ChangeSetId),
            new RecordRef(x.r.SubjectType, x.r.SubjectId), x.r.Field, x.r.Action, x.r.OldValue, x.r.NewValue, x.r.SourceId, x.SourceTitle)).ToList();
    }

    /// <summary>
    /// The source this user used last (the source picker offers it first): that of their most recent revision with a
    /// source, if it is not deleted.
    /// </summary>
    public async Task<SourceSummary?> LastSourceAsync(Access access, CancellationToken ct = default) =>
        (await RecentSourcesAsync(access, 1, ct)).FirstOrDefault();

    /// <summary>The sources this user used most recently, the last one first, at most <paramref name="count"/>, deleted ones left out.</summary>
    public async Task<IReadOnlyList<SourceSummary>> RecentSourcesAsync(Access access, int count = 10, CancellationToken ct = default)
    {
        // A user's recent change sets, then their revisions' sources: the change sets of one user are few, revisions many.
        var changeSets = await db.ChangeSets.AsNoTracking()
            .Where(c => c.ActorKind == ActorKind.User && c.Actor == access.Name)
            .OrderByDescending(c => c.Id).Take(200).Select(c => c.Id).ToListAsync(ct);
        if (changeSets.Count == 0)
        {
            return [];
        }

        var used = await db.Revisions.AsNoTracking()
            .Where(r => changeSets.Contains(r.ChangeSetId) && r.SourceId != null)
            .GroupBy(r => r.SourceId!.Value)
            .Select(g => new { SourceId = g.Key, Last = g.Max(r => r.Id) })
            .OrderByDescending(x => x.Last).Take(count * 2).ToListAsync(ct);
        var ids = used.Select(u => u.SourceId).ToList();
        var sources = await db.Sources.AsNoTracking().Where(s => ids.Contains(s.Id) && s.DeletedAt == null).ToDictionaryAsync(s => s.Id, ct);
        return used.Where(u => sources.ContainsKey(u.SourceId)).Take(count).Select(u => Summary(sources[u.SourceId])).ToList();
    }

    /// <summary>Sources whose title, address or key contains <paramref name="text"/> (case-insensitive), newest first, deleted ones left out.</summary>
    public async Task<IReadOnlyList<SourceSummary>> FindSourcesAsync(string? text, int count = 20, CancellationToken ct = default)
    {
        var query = db.Sources.AsNoTracking().Where(s => s.DeletedAt == null);
        if (!string.IsNullOrWhiteSpace(text))
        {
            var t = text.Trim().ToLowerInvariant();
            query = query.Where(s => s.Title.ToLower().Contains(t) || (s.Url != null && s.Url.ToLower().Contains(t)) || s.Key.ToLower().Contains(t));
        }

        return (await query.OrderByDescending(s => s.Id).Take(count).ToListAsync(ct)).Select(Summary).ToList();
    }

    /// <summary>
    /// Organisations to link to (a grouping's member): those whose name, or one of whose other names, contains
    /// <paramref name="text"/> (case-insensitive), names starting with it first, then by name; at most
    /// <paramref name="count"/>, deleted ones left out, drafts included (marked). Every organisation may be linked, as
    /// any may be a project's partner. The database does the matching and the limit: there may be hundreds of
    /// thousands of organisations.
    /// </summary>
    public async Task<IReadOnlyList<OrganisationChoice>> FindOrganisationsAsync(string? text, int count = 20, CancellationToken ct = default)
    {
        var t = text?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(t))
        {
            return [];
        }

        return await db.Organisations.AsNoTracking()
            .Where(o => o.DeletedAt == null && (o.Name.ToLower().Contains(t) || o.Aliases.Any(a => a.Name.ToLower().Contains(t))))
            .OrderBy(o => o.Name.ToLower().StartsWith(t) ? 0 : 1).ThenBy(o => o.Name).ThenBy(o => o.Id)
            .Take(count)
            .Select(o => new OrganisationChoice(o.Id, o.Slug, o.Name, o.Country, o.City, o.IsPublished, false))
            .ToListAsync(ct);
    }

    /// <summary>The organisations of <paramref name="ids"/> (a grouping's linked members), deleted ones included, by id.</summary>
    public async Task<IReadOnlyDictionary<int, OrganisationChoice>> OrganisationsAsync(IEnumerable<int> ids, CancellationToken ct = default)
    {
        var list = ids.Distinct().ToList();
        return list.Count == 0 ? new Dictionary<int, OrganisationChoice>() : await db.Organisations.AsNoTracking()
            .Where(o => list.Contains(o.Id))
            .Select(o => new OrganisationChoice(o.Id, o.Slug, o.Name, o.Country, o.City, o.IsPublished, o.DeletedAt != null))
            .ToDictionaryAsync(o => o.Id, ct);
    }

    internal static SourceSummary Summary(Source s) =>
        new(s.Id, s.Key, s.Title, s.Url, s.SourceDate, s.Licence, s.StatedByOrganisationId, s.DeletedAt is not null);
}
