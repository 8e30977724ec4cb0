using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Organisations;

public sealed record OrganisationListItem(string Slug, string Name, string? Country, string? City, LegalStatus LegalStatus, int ProjectCount);

public sealed record OrganisationAliasView(string Name, SourceRef? Source);

public sealed record OrganisationParticipationView(
    string ProjectSlug,
    string ProjectAcronym,
    LocalizedText ProjectTitle,
    string ProgrammeCode,
    string? ProgrammeSlug,
    LocalizedText? ProgrammeName,
    string? ProgrammePeriod,
    ParticipationRole Role,
    string? RoleLabel,
    string? NameInSource,
    FactSheet Facts);

public sealed record OrganisationDetails(
    OrganisationListItem Summary,
    string? Website,
    double? Latitude,
    double? Longitude,
    IReadOnlyList<OrganisationAliasView> Aliases,
    IReadOnlyList<OrganisationParticipationView> Participations,
    IReadOnlyList<string> MemberOf,
    FactSheet Facts);

/// <summary>The number of published organisations, as the registry was when it was counted (see <see cref="RegistryCache{T}"/>).</summary>
public sealed record PublishedOrganisationCount(int Count);

/// <summary>The whole list's anchors (<see cref="ListAnchors"/>), as the registry was when they were read.</summary>
public sealed record OrganisationListAnchors(ListAnchors Anchors);

public sealed class OrganisationQueries(
    PasserelleDbContext db,
    RegistryCache<PublishedOrganisationCount> counts,
    RegistryCache<OrganisationListAnchors> anchors,
    RegistryRead registry)
{
    public async Task<Paged<OrganisationListItem>> ListAsync(string? country, PageRequest page, CancellationToken ct = default)
    {
        var query = db.Organisations.AsNoTracking().Where(o => o.IsPublished);
        if (country is not null)
        {
            query = query.Where(o => o.Country == country);
        }

        // Counting the whole list costs more than reading a page at Kohesio's size: kept until the registry moves.
        var total = country is null
            ? (await counts.GetAsync(registry, ct)).Value.Count
            : await query.CountAsync(ct);

        // Keyset paging on (name, id), as for projects: a page after a cursor is an index range, a page of the whole list
        // asked by number starts from its anchor.
        var anchored = country is null && page.Cursor is null && page.Skip >= ListAnchors.DefaultEvery
            && await anchors.GetAsync(registry, ct) is { IsCurrent: true } current
            ? current.Value.Anchors
            : null;
        var participations = await Unpublished.InPublishedProjectsAsync(db, ct);
        var rows = await Keyset.PageAsync(db, query, o => o.Name, o => o.Id, q => Keyed(q, participations), r => (r.Item.Name, r.Id), total, page, ct, anchored);
        return rows.Select(r => r.Item);
    }

    /// <summary>The whole list's count, kept by the cache (registered in <see cref="CoreServiceCollectionExtensions"/>).</summary>
    internal static async Task<PublishedOrganisationCount> CountPublishedAsync(PasserelleDbContext db, CancellationToken ct) =>
        new(await db.Organisations.CountAsync(o => o.IsPublished, ct));

    /// <summary>The whole list's anchors, kept by the cache (registered in <see cref="CoreServiceCollectionExtensions"/>).</summary>
    internal static async Task<OrganisationListAnchors> ReadAnchorsAsync(PasserelleDbContext db, CancellationToken ct) =>
        new(await Keyset.AnchorsAsync(db.Organisations.AsNoTracking().Where(o => o.IsPublished), o => o.Name, o => o.Id, ListAnchors.DefaultEvery, ct));

    private sealed record KeyedItem(int Id, OrganisationListItem Item);

    private static IQueryable<KeyedItem> Keyed(IQueryable<Organisation> query, IQueryable<Participation> participations) => query.Select(o => new KeyedItem(o.Id,
        new OrganisationListItem(o.Slug, o.Name, o.Country, o.City, o.LegalStatus, participations.Count(p => p.OrganisationId == o.Id))));

    /// <summary>
    /// The participations an organisation's record carries, its first by project acronym; all of them are its project
    /// list (<see cref="ProjectFilter.Organisation"/>), which pages. At 2 M SYNTHETIC projects one organisation takes
    /// part in 4,162: its page listed them all, 1.9 MB of HTML in 0.5 s, and the API's record was 2.7 MB.
    /// </summary>
    public const int ParticipationLimit = 100;

    /// <summary>A published organisation's name, or null.</summary>
    public Task<string?> NameAsync(string slug, CancellationToken ct = default) =>
        db.Organisations.AsNoTracking().Where(o => o.IsPublished && o.Slug == slug).Select(o => o.Name).SingleOrDefaultAsync(ct);

    public async Task<OrganisationDetails?> GetAsync(string slug, CancellationToken ct = default)
    {
        // The published projects' participations (ADR 31): an organisation in thousands of projects has them counted
        // and its first hundred read without each project's published flag.
        var inPublished = await Unpublished.InPublishedProjectsAsync(db, ct);
        var summary = await Items(db.Organisations.AsNoTracking().Where(o => o.IsPublished && o.Slug == slug), inPublished).SingleOrDefaultAsync(ct);
        if (summary is null)
        {
            return null;
        }

        var o = await db.Organisations.AsNoTracking().Where(x => x.Slug == slug)
            .Select(x => new { x.Id, x.Website, x.Latitude, x.Longitude }).SingleAsync(ct);
        var aliases = await (
            from a in db.OrganisationAliases.AsNoTracking()
            where a.OrganisationId == o.Id
            join s in db.Sources on a.SourceId equals s.Id into sources
            from s in sources.DefaultIfEmpty()
            orderby a.Name
            select new OrganisationAliasView(a.Name, s == null ? null : new SourceRef(s.Key, s.Title, s.Url, s.SourceDate)))
            .ToListAsync(ct);
        // The first hundred chosen by their projects' acronyms from the participations' organisation index alone, then
        // read in full: read in one statement, each of the 4,162 participations of the busiest organisation at 2 M had
        // its row read from the table (4,025 pages, 11 of the statement's 27 ms on PostgreSQL) for the hundred shown.
        var first = await inPublished
            .Where(p => p.OrganisationId == o.Id)
            .OrderBy(p => p.Project.Acronym).ThenBy(p => p.ProjectId)
            .Take(ParticipationLimit)
            .Select(p => p.ProjectId)
            .ToListAsync(ct);
        var order = first.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var participations = (await db.Participations.AsNoTracking()
            .Where(p => p.OrganisationId == o.Id && first.Contains(p.ProjectId))
            .Select(p => new
            {
                p.Id,
                p.ProjectId,
                p.Project.Slug,
                p.Project.Acronym,
                p.Project.Title,
                p.Project.ProgrammeCode,
                p.Role,
                p.RoleLabel,
                p.NameInSource,
                ProgrammeSlug = p.Project.Programme == null ? null : p.Project.Programme.Slug,
                ProgrammeName = p.Project.Programme == null ? null : p.Project.Programme.Name,
                ProgrammePeriod = p.Project.Programme == null ? null : p.Project.Programme.Period,
            })
            .ToListAsync(ct))
            .OrderBy(p => order[p.ProjectId])
            .ToList();
        var participationFacts = await FactQueries.ForSubjectsAsync(db, SubjectType.Participation, participations.Select(p => p.Id).ToList(), ct);
        var memberOf = await db.GroupingMembers.AsNoTracking().Where(m => m.OrganisationId == o.Id)
            .Join(db.Groupings.Where(g => g.IsPublished), m => m.GroupingId, g => g.Id, (m, g) => g.Slug).Distinct().ToListAsync(ct);
        var facts = await FactQueries.ForSubjectAsync(db, SubjectType.Organisation, o.Id, ct);
        return new OrganisationDetails(summary, o.Website, o.Latitude, o.Longitude, aliases,
            participations.Select(p => new OrganisationParticipationView(p.Slug, p.Acronym, p.Title, p.ProgrammeCode, p.ProgrammeSlug, p.ProgrammeName, p.ProgrammePeriod, p.Role,
                p.RoleLabel, p.NameInSource, participationFacts.GetValueOrDefault(p.Id) ?? FactSheet.Empty)).ToList(),
            memberOf, facts);
    }

    private static IQueryable<OrganisationListItem> Items(IQueryable<Organisation> query, IQueryable<Participation> participations) => query.Select(o => new OrganisationListItem(
        o.Slug, o.Name, o.Country, o.City, o.LegalStatus, participations.Count(p => p.OrganisationId == o.Id)));
}
