using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.OpenData;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Exports;

/// <summary>
/// Column names of the keep.eu-style project and partner tables. keep.eu's search export (Excel) has a project sheet
/// and a partner sheet joined on the project acronym (data/default/notes/projects.md, "Real data layouts"); these
/// tables follow that shape, with the programme added to the partner table because an acronym is only unique within a
/// programme. The importer reads the same columns, so an export imports back unchanged.
/// </summary>
public static class KeepColumns
{
    public const string Programme = "Programme";
    public const string Acronym = "Acronym";
    public const string TitleEn = "Title (EN)";
    public const string OriginalLanguage = "Original language";
    public const string TitleOriginal = "Title (original language)";
    public const string DescriptionEn = "Description (EN)";
    public const string DescriptionOriginal = "Description (original language)";
    public const string SpecificObjective = "Specific objective";
    public const string StartDate = "Start date";
    public const string EndDate = "End date";
    public const string TotalBudget = "Total budget (EUR)";
    public const string EuFunding = "EU funding (ERDF, EUR)";
    public const string CoFinancingRate = "Co-financing rate (%)";
    public const string LeadPartner = "Lead partner";
    public const string KeepEuId = "keep.eu id";
    public const string Website = "Website";

    public const string ProjectAcronym = "Project acronym";
    public const string PartnerName = "Partner name";
    public const string Role = "Role";
    public const string LegalStatus = "Legal status";
    public const string City = "City";
    public const string Country = "Country";
    public const string Nuts3 = "NUTS 3";
    public const string PartnerBudget = "Partner budget (EUR)";
    public const string PartnerErdf = "Partner ERDF (EUR)";

    public static readonly IReadOnlyList<string> Projects =
    [
        Programme, Acronym, TitleEn, OriginalLanguage, TitleOriginal, DescriptionEn, DescriptionOriginal, SpecificObjective,
        StartDate, EndDate, TotalBudget, EuFunding, CoFinancingRate, LeadPartner, KeepEuId, Website,
    ];

    public static readonly IReadOnlyList<string> Partners =
    [
        Programme, ProjectAcronym, PartnerName, Role, LegalStatus, City, Country, Nuts3, PartnerBudget, PartnerErdf,
    ];

    /// <summary>The languages a title or description may have besides English (the cooperation area's languages).</summary>
    public static readonly IReadOnlyList<string> OriginalLanguages = ["fr", "nl", "de"];

    public static string RoleText(ParticipationRole role) => role switch
    {
        ParticipationRole.LeadPartner => "lead partner",
        ParticipationRole.AssociatedPartner => "associated partner",
        _ => "partner",
    };

    public static string? LegalStatusText(LegalStatus status) =>
        status == Organisations.LegalStatus.Unknown ? null : status.ToString().ToLowerInvariant();
}

public sealed record KeepProjectRow(
    string Programme,
    string Acronym,
    LocalizedText Title,
    LocalizedText Summary,
    string? SpecificObjective,
    string? StartDate,
    string? EndDate,
    decimal? TotalBudget,
    decimal? EuContribution,
    decimal? StatedEuRate,
    string? LeadPartner,
    string? KeepEuId,
    string? Website,
    int ProjectId = 0)
{
    /// <summary>
    /// The project's original language besides English: the first of fr, nl, de in which a title or description is
    /// known. One language per row, as keep.eu gives one "original language" text; other translations stay in the portal.
    /// </summary>
    public string? OriginalLanguage => KeepColumns.OriginalLanguages.FirstOrDefault(l => Title[l] is not null || Summary[l] is not null);
}

public sealed record KeepPartnerRow(
    string Programme,
    string ProjectAcronym,
    string PartnerName,
    ParticipationRole Role,
    LegalStatus LegalStatus,
    string? City,
    string? Country,
    decimal? Budget,
    decimal? EuContribution,
    int ProjectId = 0);

/// <summary>The keep.eu-style project and partner tables (CSV, XLSX), streamed from the database.</summary>
public sealed class KeepTables(PasserelleDbContext db)
{
    public static IReadOnlyList<ExportColumn<KeepProjectRow>> ProjectColumns { get; } =
    [
        new(KeepColumns.Programme, r => r.Programme),
        new(KeepColumns.Acronym, r => r.Acronym),
        new(KeepColumns.TitleEn, r => r.Title.En),
        new(KeepColumns.OriginalLanguage, r => r.OriginalLanguage),
        new(KeepColumns.TitleOriginal, r => r.OriginalLanguage is { } l ? r.Title[l] : null),
        new(KeepColumns.DescriptionEn, r => r.Summary.En),
        new(KeepColumns.DescriptionOriginal, r => r.OriginalLanguage is { } l ? r.Summary[l] : null),
        new(KeepColumns.SpecificObjective, r => r.SpecificObjective),
        new(KeepColumns.StartDate, r => r.StartDate),
        new(KeepColumns.EndDate, r => r.EndDate),
        new(KeepColumns.TotalBudget, r => ExportRates.Normalise(r.TotalBudget)),
        new(KeepColumns.EuFunding, r => ExportRates.Normalise(r.EuContribution)),
        new(KeepColumns.CoFinancingRate, r => ExportRates.Percent(r.StatedEuRate, r.TotalBudget, r.EuContribution)),
        new(KeepColumns.LeadPartner, r => r.LeadPartner),
        new(KeepColumns.KeepEuId, r => r.KeepEuId),
        new(KeepColumns.Website, r => r.Website),
    ];

    public static IReadOnlyList<ExportColumn<KeepPartnerRow>> PartnerColumns { get; } =
    [
        new(KeepColumns.Programme, r => r.Programme),
        new(KeepColumns.ProjectAcronym, r => r.ProjectAcronym),
        new(KeepColumns.PartnerName, r => r.PartnerName),
        new(KeepColumns.Role, r => KeepColumns.RoleText(r.Role)),
        new(KeepColumns.LegalStatus, r => KeepColumns.LegalStatusText(r.LegalStatus)),
        new(KeepColumns.City, r => r.City),
        new(KeepColumns.Country, r => r.Country),
        // Territories (NUTS 2021) are not linked to organisations yet: the column is kept, empty, for keep.eu's layout.
        new(KeepColumns.Nuts3, _ => null),
        new(KeepColumns.PartnerBudget, r => ExportRates.Normalise(r.Budget)),
        new(KeepColumns.PartnerErdf, r => ExportRates.Normalise(r.EuContribution)),
    ];

    /// <summary>
    /// Projects ordered by programme then acronym. The programme is its slug, or its code when the period is unknown.
    /// The lead partner comes from one LEFT JOIN on the lead participations (grouped once, the lowest organisation id
    /// when a project names two leads), not from a subquery per row.
    /// </summary>
    public IAsyncEnumerable<KeepProjectRow> Projects(string? programme = null) => ProjectsQuery(programme).AsAsyncEnumerable();

    /// <summary>The whole project table as CSV, from its parts and the database (<see cref="ExportParts"/>, ADR 39).</summary>
    public Task<ExportResult> WriteFullProjectsCsvAsync(ExportParts parts, Stream body, CancellationToken ct) =>
        parts.WriteAsync(db, PartedProjects, body, ct);

    /// <summary>The whole partner table as CSV, from its parts and the database (<see cref="ExportParts"/>, ADR 39).</summary>
    public Task<ExportResult> WriteFullPartnersCsvAsync(ExportParts parts, Stream body, CancellationToken ct) =>
        parts.WriteAsync(db, PartedPartners, body, ct);

    // Both tables are in the order of their programme column first, the list of operations' key; groupings and themes
    // are in neither.
    private static readonly PartedExport<KeepProjectRow> PartedProjects = PartedExport<KeepProjectRow>.Csv(
        "keep-projects", ProjectColumns, r => r.Programme, r => r.ProjectId,
        (snapshot, key, _) => new KeepTables(snapshot.Reader(0)).ProjectsQuery(key: key).AsAsyncEnumerable(), readers: 1);

    private static readonly PartedExport<KeepPartnerRow> PartedPartners = PartedExport<KeepPartnerRow>.Csv(
        "keep-partners", PartnerColumns, r => r.Programme, r => r.ProjectId,
        (snapshot, key, _) => new KeepTables(snapshot.Reader(0)).Partners(key: key), readers: 1);

    /// <param name="programme">A programme's code or a published period's slug (<see cref="Filter"/>).</param>
    /// <param name="key">The programme column's value exactly: a part of the table (<see cref="OfKey"/>).</param>
    public IQueryable<KeepProjectRow> ProjectsQuery(string? programme = null, string? key = null)
    {
        var leads = db.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished)
            .GroupBy(x => x.ProjectId)
            .Select(g => new { ProjectId = g.Key, OrganisationId = g.Min(x => x.OrganisationId) });
        return from p in OfKey(db, Filter(db, db.Projects.AsNoTracking().Where(p => p.IsPublished), programme), key)
               join l in leads on p.Id equals l.ProjectId into ls
               from l in ls.DefaultIfEmpty()
               join o in db.Organisations on l.OrganisationId equals o.Id into os
               from o in os.DefaultIfEmpty()
               orderby p.Programme != null && p.Programme!.IsPublished ? p.Programme!.Slug : p.ProgrammeCode, p.Acronym, p.Id
               select new KeepProjectRow(
                   p.Programme != null && p.Programme!.IsPublished ? p.Programme!.Slug : p.ProgrammeCode,
                   p.Acronym, p.Title, p.Summary, p.SpecificObjective, p.StartDate, p.EndDate,
                   p.TotalBudget, p.EuContribution, p.StatedEuRate,
                   o != null ? o.Name : null,
                   p.KeepEuId, p.Website, p.Id);
    }

    /// <summary>
    /// One row per participation: lead partner first, then partners, then associated partners, by name (partners with
    /// the same name in the order they were linked).
    /// </summary>
    /// <param name="programme">A programme's code or a published period's slug (<see cref="Filter"/>).</param>
    /// <param name="key">The programme column's value exactly: a part of the table (<see cref="OfKey"/>).</param>
    public IAsyncEnumerable<KeepPartnerRow> Partners(string? programme = null, string? key = null)
    {
        var participations = db.Participations.AsNoTracking().Where(x => x.Project.IsPublished && x.Organisation.IsPublished);
        if (programme is not null || key is not null)
        {
            participations = participations.Where(x => OfKey(db, Filter(db, db.Projects, programme), key).Select(p => p.Id).Contains(x.ProjectId));
        }

        return participations
            .OrderBy(x => x.Project.Programme != null && x.Project.Programme.IsPublished ? x.Project.Programme.Slug : x.Project.ProgrammeCode)
            .ThenBy(x => x.Project.Acronym).ThenBy(x => x.ProjectId)
            // Role is stored as text; order by meaning, not alphabetically.
            .ThenBy(x => x.Role == ParticipationRole.LeadPartner ? 0 : x.Role == ParticipationRole.Partner ? 1 : 2)
            .ThenBy(x => x.Organisation.Name).ThenBy(x => x.Id)
            .Select(x => new KeepPartnerRow(
                x.Project.Programme != null && x.Project.Programme.IsPublished ? x.Project.Programme.Slug : x.Project.ProgrammeCode,
                x.Project.Acronym, x.Organisation.Name, x.Role, x.Organisation.LegalStatus,
                x.Organisation.City, x.Organisation.Country, x.Budget, x.EuContribution, x.ProjectId))
            .AsAsyncEnumerable();
    }

    /// <summary>
    /// A programme's code (all its periods), or a published period's slug. The period is found by its slug's unique index
    /// in a subquery, so that each branch is an index search (ADR 31): through the project's join to its programme, the
    /// filter read every project to export one programme's.
    /// </summary>
    internal static IQueryable<Project> Filter(PasserelleDbContext db, IQueryable<Project> query, string? programme) =>
        programme is null ? query
        : query.Where(p => p.ProgrammeCode == programme || PeriodsBySlug(db, programme).Contains(p.ProgrammeId));

    /// <summary>
    /// The projects listed under <paramref name="key"/> exactly (a published programme's slug, else the project's code):
    /// <see cref="Filter"/>'s index searches, then the key itself, since a project whose code is the key but whose
    /// published programme has another slug is listed under that slug.
    /// </summary>
    internal static IQueryable<Project> OfKey(PasserelleDbContext db, IQueryable<Project> query, string? key) =>
        key is null ? query
        : Filter(db, query, key).Where(ListKey.Is(key));

    private static IQueryable<int?> PeriodsBySlug(PasserelleDbContext db, string slug) =>
        db.Programmes.Where(g => g.IsPublished && g.Slug == slug).Select(g => (int?)g.Id);
}
