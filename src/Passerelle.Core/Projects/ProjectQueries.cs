using System.Linq.Expressions;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Organisations;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Projects;

public sealed record ProgrammeRef(string? Slug, string Code, string? Period, LocalizedText? Name);

public sealed record ThemeRef(string Slug, LocalizedText Label);

public sealed record OrganisationRef(string Slug, string Name, string? Country);

public sealed record ProjectListItem(
    string Slug,
    string Acronym,
    LocalizedText Title,
    LocalizedText Summary,
    ProgrammeRef Programme,
    string? StartDate,
    string? EndDate,
    decimal? TotalBudget,
    decimal? EuContribution,
    ProjectStatus Status,
    IReadOnlyList<ThemeRef> Themes,
    OrganisationRef? LeadPartner);

public sealed record ParticipationView(
    OrganisationRef Organisation,
    ParticipationRole Role,
    string? RoleLabel,
    string? NameInSource,
    decimal? Budget,
    decimal? EuContribution,
    FactSheet Facts);

public sealed record ProjectDetails(
    ProjectListItem Summary,
    string? Priority,
    string? SpecificObjective,
    string? InterventionField,
    string? ProjectType,
    string? Portfolio,
    decimal? StatedEuRate,
    decimal? EuRate,
    bool EuRateComputed,
    string? Website,
    string? KeepEuId,
    IReadOnlyList<ParticipationView> Participations,
    FactSheet Facts)
{
    public string? KeepEuUrl => KeepEuId is null ? null : $"https://keep.eu/projects/{KeepEuId}/";
}

/// <summary>The number of published projects, as the registry was when it was counted (see <see cref="RegistryCache{T}"/>).</summary>
public sealed record PublishedProjectCount(int Count);

/// <summary>
/// The first <see cref="PageRequest.MaxSize"/> projects of the whole list (the home page's), as the registry was when
/// they were read (see <see cref="RegistryCache{T}"/>); <see cref="ProjectListItem.Status"/> is set as of each read.
/// </summary>
public sealed record FirstPublishedProjects(IReadOnlyList<ProjectListItem> Items);

/// <summary>The whole list's anchors (<see cref="ListAnchors"/>), as the registry was when they were read.</summary>
public sealed record ProjectListAnchors(ListAnchors Anchors);

public sealed record ProjectFilter(string? Programme = null, string? Theme = null, string? Organisation = null);

/// <summary>Reads projects for the portal and the API: published records only, projected into read models.</summary>
public sealed class ProjectQueries(
    PasserelleDbContext db,
    TimeProvider clock,
    RegistryCache<PublishedProjectCount> counts,
    RegistryCache<FirstPublishedProjects> first,
    RegistryCache<ProjectListAnchors> anchors,
    RegistryRead registry)
{
    // The list's order, (acronym, id), as its index has it (ProjectConfiguration): the pages and the kept first page.
    private static readonly Expression<Func<Project, string>> ListKey = p => p.Acronym;
    private static readonly Expression<Func<Project, int>> ListId = p => p.Id;

    public async Task<Paged<ProjectListItem>> ListAsync(ProjectFilter filter, PageRequest page, CancellationToken ct = default)
    {
        var query = await FilteredAsync(db, filter, ct);
        var unfiltered = filter is { Programme: null, Theme: null, Organisation: null };
        // Counting 2 million rows costs more than reading a page: the whole list's count is kept until the registry moves.
        var total = unfiltered
            ? (await counts.GetAsync(registry, ct)).Value.Count
            : filter is { Programme: null, Theme: null, Organisation: { } organisation }
                ? await CountOfOrganisationAsync(organisation, ct)
                : await query.CountAsync(ct);

        // Keyset paging on (acronym, id): a page after a cursor is an index range, as cheap at the end as at the start; a
        // page of the whole list asked by number starts from its anchor, while the anchors are the registry's current ones.
        var anchored = unfiltered && page.Cursor is null && page.Skip >= ListAnchors.DefaultEvery
            && await anchors.GetAsync(registry, ct) is { IsCurrent: true } current
            ? current.Value.Anchors
            : null;
        var rows = await Keyset.PageAsync(db, query, ListKey, ListId, ProjectRows, r => (r.Acronym, r.Id), total, page, ct, anchored);
        var today = Today;
        return rows.Select(r => ToItem(r, today));
    }

    /// <summary>
    /// The published projects <paramref name="filter"/> keeps, unordered: the list's, and the exports' (<c>ListExports</c>).
    /// A programme is named by its code (all its periods, and projects linked to no programme record) or by one
    /// published period's slug; an organisation must be published (a draft's name is not public).
    /// </summary>
    internal static async Task<IQueryable<Project>> FilteredAsync(PasserelleDbContext db, ProjectFilter filter, CancellationToken ct)
    {
        var query = db.Projects.AsNoTracking().Where(p => p.IsPublished);
        // The filters name a record by its slug: the record's id is read first, so that each filter is an index search
        // (SQLite's multi-index OR, PostgreSQL's bitmap OR; the participations or themes by their key) rather than a
        // join tested on every project. As joins, a programme page read all projects twice (its count and
        // its page): 57 ms of database time at 100 k projects for a programme of 23, about 20 times that at 2 M.
        if (filter.Programme is { } programme)
        {
            // A value is a period's slug or projects' code, hardly ever both: the OR of the two is written only when
            // both match. With one equality a page is a range of the (programme, acronym, id) index read in its order;
            // with the OR, both databases read all the programme's projects and sorted them, a cost that grows with the
            // programme: at 2 M, PostgreSQL read 1,698 rows of 4.5 kB for the programme page's first 100, 7.5 ms against
            // 4.0 ms (docs/benchmarks.md). Whether projects carry the value as their code is read with the period's id,
            // in the same statement.
            var period = await db.Programmes.Where(p => p.Slug == programme && p.IsPublished)
                .Select(p => new { p.Id, Coded = db.Projects.Any(x => x.ProgrammeCode == programme) })
                .SingleOrDefaultAsync(ct);
            query = period switch
            {
                null => query.Where(p => p.ProgrammeCode == programme),
                { Coded: true } => query.Where(p => p.ProgrammeCode == programme || p.ProgrammeId == period.Id),
                _ => query.Where(p => p.ProgrammeId == period.Id),
            };
        }

        if (filter.Theme is { } theme)
        {
            var themeId = await db.Themes.Where(t => t.Slug == theme).Select(t => (int?)t.Id).SingleOrDefaultAsync(ct);
            if (themeId is { } id)
            {
                // The join table itself (ProjectConfiguration), as an IN list: the navigation's Any() is a correlated
                // EXISTS, tested on every project.
                var tagged = db.Set<Dictionary<string, object>>("ProjectThemes")
                    .Where(x => EF.Property<int>(x, "ThemesId") == id).Select(x => EF.Property<int>(x, "ProjectId"));
                query = query.Where(p => tagged.Contains(p.Id));
            }
            else
            {
                query = query.Where(p => false);
            }
        }

        if (filter.Organisation is { } organisation)
        {
            var organisationId = await db.Organisations.Where(o => o.Slug == organisation && o.IsPublished)
                .Select(o => (int?)o.Id).SingleOrDefaultAsync(ct);
            query = organisationId is { } id
                ? query.Where(p => db.Participations.Where(x => x.OrganisationId == id).Select(x => x.ProjectId).Contains(p.Id))
                : query.Where(p => false);
        }

        return query;
    }

    /// <summary>
    /// How many published projects an organisation takes part in, from its participations' covering index alone
    /// (<see cref="Unpublished"/>, ADR 31): counted through the projects, each of them was read for its published flag,
    /// 4,162 rows of 2 M for the busiest organisation, half of its list's 40–47 ms. A project has one participation per
    /// organisation (a unique index), so participations are projects. The organisation is found by its unique slug
    /// first, in the same statement.
    /// </summary>
    private async Task<int> CountOfOrganisationAsync(string slug, CancellationToken ct)
    {
        var participations = await Unpublished.InPublishedProjectsAsync(db, ct);
        return await participations.CountAsync(x => x.Organisation.Slug == slug && x.Organisation.IsPublished, ct);
    }

    /// <summary>
    /// The first <see cref="PageRequest.MaxSize"/> projects of the whole list, in its order, read once per registry
    /// position: the home page shows them on every visit, and reading them (a correlated lead and themes per row) cost
    /// a third of that page at 100 k projects (issue 17). A status depends on today, so it is set here, not kept.
    /// </summary>
    public async Task<IReadOnlyList<ProjectListItem>> FirstAsync(CancellationToken ct = default)
    {
        var today = Today;
        return [.. (await first.GetAsync(registry, ct)).Value.Items
            .Select(p => p with { Status = Project.StatusOn(p.StartDate, p.EndDate, today) })];
    }

    /// <summary>The first page of the whole list, kept by the cache (registered in <see cref="CoreServiceCollectionExtensions"/>).</summary>
    internal static async Task<FirstPublishedProjects> ReadFirstAsync(PasserelleDbContext db, CancellationToken ct)
    {
        var rows = await ProjectRows(db.Projects.AsNoTracking().Where(p => p.IsPublished)
            .OrderBy(ListKey).ThenBy(ListId).Take(PageRequest.MaxSize)).ToListAsync(ct);
        // The status is replaced at each read (FirstAsync): any date will do here.
        return new([.. rows.Select(r => ToItem(r, DateOnly.MinValue))]);
    }

    /// <summary>The whole list's anchors, kept by the cache (registered in <see cref="CoreServiceCollectionExtensions"/>).</summary>
    internal static async Task<ProjectListAnchors> ReadAnchorsAsync(PasserelleDbContext db, CancellationToken ct) =>
        new(await Keyset.AnchorsAsync(db.Projects.AsNoTracking().Where(p => p.IsPublished), ListKey, ListId, ListAnchors.DefaultEvery, ct));

    /// <summary>The whole list's count, kept by the cache (registered in <see cref="CoreServiceCollectionExtensions"/>).</summary>
    internal static async Task<PublishedProjectCount> CountPublishedAsync(PasserelleDbContext db, CancellationToken ct) =>
        new(await db.Projects.CountAsync(p => p.IsPublished, ct));

    public async Task<ProjectDetails?> GetAsync(string slug, CancellationToken ct = default)
    {
        var row = await ProjectRows(db.Projects.AsNoTracking().Where(p => p.IsPublished && p.Slug == slug)).SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        // A partner whose organisation is a draft or deleted is not shown: its name, country and place are not public.
        var participations = await db.Participations.AsNoTracking().Where(p => p.ProjectId == row.Id && p.Organisation.IsPublished)
            .OrderBy(p => p.Role).ThenBy(p => p.Organisation.Name)
            .Select(p => new
            {
                p.Id,
                p.Organisation.Slug,
                p.Organisation.Name,
                p.Organisation.Country,
                p.Role,
                p.RoleLabel,
                p.NameInSource,
                p.Budget,
                p.EuContribution,
            })
            .ToListAsync(ct);
        var participationFacts = await FactQueries.ForSubjectsAsync(db, SubjectType.Participation, participations.Select(p => p.Id).ToList(), ct);
        var facts = await FactQueries.ForSubjectAsync(db, SubjectType.Project, row.Id, ct);
        var entity = new Project
        {
            Slug = row.Slug,
            Acronym = row.Acronym,
            ProgrammeCode = row.ProgrammeCode,
            TotalBudget = row.TotalBudget,
            EuContribution = row.EuContribution,
            StatedEuRate = row.StatedEuRate,
        };
        var rate = entity.EuRate();
        return new ProjectDetails(
            ToItem(row, Today), row.Priority, row.SpecificObjective, row.InterventionField, row.ProjectType, row.Portfolio,
            row.StatedEuRate, rate?.Rate, rate?.Computed ?? false, row.Website, row.KeepEuId,
            participations.Select(p => new ParticipationView(
                new OrganisationRef(p.Slug, p.Name, p.Country), p.Role, p.RoleLabel, p.NameInSource, p.Budget, p.EuContribution,
                participationFacts.GetValueOrDefault(p.Id) ?? FactSheet.Empty)).ToList(),
            facts);
    }

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private static ProjectListItem ToItem(ProjectRow r, DateOnly today) => new(
        r.Slug, r.Acronym, r.Title, r.Summary,
        new ProgrammeRef(r.ProgrammeSlug, r.ProgrammeCode, r.ProgrammePeriod, r.ProgrammeName),
        r.StartDate, r.EndDate, r.TotalBudget, r.EuContribution,
        Project.StatusOn(r.StartDate, r.EndDate, today),
        r.Themes, r.LeadSlug is null ? null : new OrganisationRef(r.LeadSlug, r.LeadName!, r.LeadCountry));

    private static IQueryable<ProjectRow> ProjectRows(IQueryable<Project> query) => query.Select(p => new ProjectRow
    {
        Id = p.Id,
        Slug = p.Slug,
        Acronym = p.Acronym,
        Title = p.Title,
        Summary = p.Summary,
        ProgrammeCode = p.ProgrammeCode,
        // A draft or deleted programme is known by its code only, like a programme whose period is not known.
        ProgrammeSlug = p.Programme != null && p.Programme.IsPublished ? p.Programme.Slug : null,
        ProgrammePeriod = p.Programme != null && p.Programme.IsPublished ? p.Programme.Period : null,
        ProgrammeName = p.Programme != null && p.Programme.IsPublished ? p.Programme.Name : null,
        StartDate = p.StartDate,
        EndDate = p.EndDate,
        TotalBudget = p.TotalBudget,
        EuContribution = p.EuContribution,
        Themes = p.Themes.OrderBy(t => t.Slug).Select(t => new ThemeRef(t.Slug, t.Label)).ToList(),
        LeadSlug = p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Slug).FirstOrDefault(),
        LeadName = p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Name).FirstOrDefault(),
        LeadCountry = p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Country).FirstOrDefault(),
        // The detail page's fields come in the same query, so a detail is one round trip for the project itself.
        Priority = p.Priority,
        SpecificObjective = p.SpecificObjective,
        InterventionField = p.InterventionField,
        ProjectType = p.ProjectType,
        Portfolio = p.Portfolio,
        StatedEuRate = p.StatedEuRate,
        Website = p.Website,
        KeepEuId = p.KeepEuId,
    });

    private sealed class ProjectRow
    {
        public int Id { get; init; }
        public required string Slug { get; init; }
        public required string Acronym { get; init; }
        public required LocalizedText Title { get; init; }
        public required LocalizedText Summary { get; init; }
        public required string ProgrammeCode { get; init; }
        public string? ProgrammeSlug { get; init; }
        public string? ProgrammePeriod { get; init; }
        public LocalizedText? ProgrammeName { get; init; }
        public string? StartDate { get; init; }
        public string? EndDate { get; init; }
        public decimal? TotalBudget { get; init; }
        public decimal? EuContribution { get; init; }
        public required List<ThemeRef> Themes { get; init; }
        public string? LeadSlug { get; init; }
        public string? LeadName { get; init; }
        public string? LeadCountry { get; init; }
        public string? Priority { get; init; }
        public string? SpecificObjective { get; init; }
        public string? InterventionField { get; init; }
        public string? ProjectType { get; init; }
        public string? Portfolio { get; init; }
        public decimal? StatedEuRate { get; init; }
        public string? Website { get; init; }
        public string? KeepEuId { get; init; }
    }
}
