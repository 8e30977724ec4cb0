using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.OpenData;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Core.Territories;

namespace Passerelle.Core.Exports;

/// <summary>One project of the list export: the list route's fields, flattened, with the lead partner's location.</summary>
public sealed record ProjectExportRow(
    string Slug,
    string Acronym,
    string? TitleEn,
    string? TitleFr,
    string? TitleNl,
    string? TitleDe,
    string ProgrammeCode,
    string? ProgrammeSlug,
    string? Period,
    string? StartDate,
    string? EndDate,
    decimal? TotalBudget,
    decimal? EuContribution,
    decimal? StatedEuRate,
    string? KeepEuId,
    string? Website,
    string? LeadSlug,
    string? LeadName,
    string? LeadCountry,
    string? LeadCity,
    double? LeadLatitude,
    double? LeadLongitude,
    List<string> Themes);

public sealed record OrganisationExportRow(
    string Slug,
    string Name,
    string? Country,
    string? City,
    LegalStatus LegalStatus,
    double? Latitude,
    double? Longitude,
    string? Website,
    int ProjectCount);

/// <summary>A row with where it is drawn: at its coordinates, or approximately at its municipality (see <see cref="OrganisationLocator"/>).</summary>
public sealed record Located<T>(T Row, PlaceLocation? Location);

/// <summary>
/// The list exports: every published project or organisation matching the list route's filters, streamed from the
/// database (AsAsyncEnumerable) to the writer, so memory does not grow with the row count.
/// </summary>
public sealed class ListExports(PasserelleDbContext db, TimeProvider clock, OrganisationLocator locator)
{
    public IReadOnlyList<ExportColumn<ProjectExportRow>> ProjectColumns()
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return
        [
            new("Slug", r => r.Slug),
            new("Acronym", r => r.Acronym),
            new("Title (EN)", r => r.TitleEn, "titleEn"),
            new("Title (FR)", r => r.TitleFr, "titleFr"),
            new("Title (NL)", r => r.TitleNl, "titleNl"),
            new("Title (DE)", r => r.TitleDe, "titleDe"),
            new("Programme code", r => r.ProgrammeCode),
            new("Programme", r => r.ProgrammeSlug, "programmeSlug"),
            new("Period", r => r.Period),
            new("Start date", r => r.StartDate),
            new("End date", r => r.EndDate),
            new("Status", r => Project.StatusOn(r.StartDate, r.EndDate, today) is var s && s == ProjectStatus.Unknown ? null : s.ToString()),
            new("Total budget (EUR)", r => ExportRates.Normalise(r.TotalBudget), "totalBudgetEur"),
            new("EU contribution (EUR)", r => ExportRates.Normalise(r.EuContribution), "euContributionEur"),
            new("EU co-financing rate (%)", r => ExportRates.Percent(r.StatedEuRate, r.TotalBudget, r.EuContribution), "euRatePercent"),
            new("Lead partner", r => r.LeadName),
            new("Lead partner slug", r => r.LeadSlug),
            new("Lead partner country", r => r.LeadCountry),
            new("Themes", r => r.Themes.Count == 0 ? null : string.Join("; ", r.Themes)),
            new("keep.eu id", r => r.KeepEuId, "keepEuId"),
            new("Website", r => r.Website),
        ];
    }

    public static IReadOnlyList<ExportColumn<OrganisationExportRow>> OrganisationColumns { get; } =
    [
        new("Slug", r => r.Slug),
        new("Name", r => r.Name),
        new("Country", r => r.Country),
        new("City", r => r.City),
        new("Legal status", r => r.LegalStatus == LegalStatus.Unknown ? null : r.LegalStatus.ToString().ToLowerInvariant()),
        new("Latitude", r => r.Latitude),
        new("Longitude", r => r.Longitude),
        new("Website", r => r.Website),
        new("Projects", r => r.ProjectCount, "projectCount"),
    ];

    /// <summary>
    /// The columns of a GeoJSON export: the table's, then how the feature is placed: <c>locationPrecision</c> "exact"
    /// (coordinates) or "municipality" (only the municipality is known: the point is inside it, not the address),
    /// <c>locationApproximate</c>, and <c>locationMunicipality</c>, the municipality's code.
    /// </summary>
    public static IReadOnlyList<ExportColumn<Located<T>>> WithLocation<T>(IReadOnlyList<ExportColumn<T>> columns) =>
    [
        .. columns.Select(c => new ExportColumn<Located<T>>(c.Header, r => c.Value(r.Row), c.JsonKey)),
        new("Location precision", r => r.Location is null ? null : r.Location.Precision == LocationPrecision.Exact ? "exact" : "municipality", "locationPrecision"),
        new("Location approximate", r => r.Location?.IsApproximate, "locationApproximate"),
        new("Location municipality", r => r.Location?.MunicipalityCode, "locationMunicipality"),
    ];

    /// <summary>Where a located row's feature goes.</summary>
    public static GeoPosition? Position<T>(Located<T> row) => ExportRunner.Position(row.Location?.Latitude, row.Location?.Longitude);

    /// <summary>Projects are placed where their lead partner is (the only location the registry holds for a project).</summary>
    public async IAsyncEnumerable<Located<ProjectExportRow>> LocatedProjects(ProjectFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var row in Projects(filter, ct))
        {
            yield return new(row, locator.Locate(row.LeadLatitude, row.LeadLongitude, row.LeadCity, row.LeadCountry));
        }
    }

    public async IAsyncEnumerable<Located<OrganisationExportRow>> LocatedOrganisations(string? country, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var row in Organisations(country, ct))
        {
            yield return new(row, locator.Locate(row.Latitude, row.Longitude, row.City, row.Country));
        }
    }

    /// <summary>
    /// The projects <see cref="ProjectQueries.ListAsync"/> lists with the same filter, in its order (acronym, id). Two
    /// queries in one snapshot (<see cref="ExportSnapshot"/>), merged as they stream: the projects with their lead
    /// partner, and the theme links of the same projects in the same order. At 2 M projects on SQLite (ADR 32,
    /// "The project and organisation lists"): 47–53 s with a subquery per lead field and the themes as a collection of
    /// each row, 26 s with one lead join, 15 s with the themes as their own stream.
    /// </summary>
    public async IAsyncEnumerable<ProjectExportRow> Projects(ProjectFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var snapshot = await ExportSnapshot.BeginAsync(db, readers: 2, ct);
        var projects = ProjectRows(snapshot.Reader(0), await ProjectQueries.FilteredAsync(snapshot.Reader(0), filter, ct)).AsAsyncEnumerable();
        var links =
            from p in await ProjectQueries.FilteredAsync(snapshot.Reader(1), filter, ct)
            from t in p.Themes
            orderby p.Acronym, p.Id, t.Slug
            select new { p.Id, t.Slug };
        await using var themes = links.AsAsyncEnumerable().GetAsyncEnumerator(ct);
        var theme = await themes.MoveNextAsync() ? themes.Current : null;
        await foreach (var (id, row) in projects.WithCancellation(ct))
        {
            // The links come in the projects' own order, so a project's are next or it has none.
            while (theme is not null && theme.Id == id)
            {
                row.Themes.Add(theme.Slug);
                theme = await themes.MoveNextAsync() ? themes.Current : null;
            }

            yield return row;
        }
    }

    /// <summary>
    /// The rows of <paramref name="projects"/> in list order, their themes left empty. The lead partner is one join on the
    /// lowest id among the project's published leads (as in the list of operations and the keep.eu table when a project
    /// names two), not a subquery per lead field.
    /// </summary>
    private static IQueryable<(int Id, ProjectExportRow Row)> ProjectRows(PasserelleDbContext db, IQueryable<Project> projects) =>
        from p in projects
        join l in db.Organisations on p.Participations
            .Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished)
            .Min(x => (int?)x.OrganisationId) equals (int?)l.Id into leads
        from l in leads.DefaultIfEmpty()
        orderby p.Acronym, p.Id
        select ValueTuple.Create(p.Id, new ProjectExportRow(
            p.Slug, p.Acronym, p.Title.En, p.Title.Fr, p.Title.Nl, p.Title.De,
            p.ProgrammeCode,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Slug : null,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Period : null,
            p.StartDate, p.EndDate, p.TotalBudget, p.EuContribution, p.StatedEuRate, p.KeepEuId, p.Website,
            l != null ? l.Slug : null, l != null ? l.Name : null, l != null ? l.Country : null, l != null ? l.City : null,
            l != null ? l.Latitude : null, l != null ? l.Longitude : null,
            new List<string>()));

    /// <summary>
    /// Rows the GeoJSON export leaves out (no coordinates, no municipality), counted before streaming so the count can go
    /// in a header: the rows without coordinates are counted in the database, grouped by their city and country, and
    /// each group placed at most once (a few hundred distinct cities, not a row each).
    /// </summary>
    public async Task<int> CountProjectsWithoutLocationAsync(ProjectFilter filter, CancellationToken ct)
    {
        var filtered = await ProjectQueries.FilteredAsync(db, filter, ct);
        var withoutCoordinates = await filtered.CountAsync(p => !p.Participations.Any(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished
            && x.Organisation.Latitude != null && x.Organisation.Longitude != null
            && x.Organisation.Latitude >= -90 && x.Organisation.Latitude <= 90
            && x.Organisation.Longitude >= -180 && x.Organisation.Longitude <= 180), ct);
        var projects = filtered.Select(p => p.Id);
        var byCity = await db.Participations.AsNoTracking()
            .Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished && projects.Contains(x.ProjectId)
                && x.Organisation.City != null && x.Organisation.Country != null
                && (x.Organisation.Latitude == null || x.Organisation.Longitude == null
                    || x.Organisation.Latitude < -90 || x.Organisation.Latitude > 90 || x.Organisation.Longitude < -180 || x.Organisation.Longitude > 180))
            .GroupBy(x => new { x.Organisation.City, x.Organisation.Country })
            .Select(g => new { g.Key.City, g.Key.Country, Count = g.Select(x => x.ProjectId).Distinct().Count() })
            .ToListAsync(ct);
        return Math.Max(0, withoutCoordinates - byCity.Where(g => locator.Locate(null, null, g.City, g.Country) is not null).Sum(g => g.Count));
    }

    /// <summary>
    /// The organisations the list route shows with the same filter, in its order (name, id), each with the number of its
    /// published projects. Flat queries in one snapshot (<see cref="ExportSnapshot"/>), not a count per row: at 2 M
    /// projects and 757,000 organisations the count per row (each participation's project read for its flag, at random
    /// in the projects table) took 88 s. The database counts each organisation's participations through the
    /// organisation index (with a country, only that country's organisations), and lists the participations of the
    /// projects not published (through the projects' covering index: usually none, a few drafts), which are taken off;
    /// the counts go into an array indexed by id (an int per organisation, 3 MB at that size). Then the organisations
    /// are read and sorted by the database. Reading every participation's pair of ids here instead, 6 M rows at 2 M
    /// projects, cost 3–5 s of this process's time for any filter, against 0.4 s for the database to count them.
    /// </summary>
    public async IAsyncEnumerable<OrganisationExportRow> Organisations(string? country, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var snapshot = await ExportSnapshot.BeginAsync(db, readers: 1, ct);
        var parameters = country is null ? [] : new[] { new KeyValuePair<string, object>("@country", country) };
        var counts = new List<int>();
        var participations = country is null ? ParticipationCountsSql : ParticipationCountsOfCountrySql;
        await foreach (var (organisation, count) in snapshot.ReadAsync(0, participations, parameters, r => (r.GetInt32(0), r.GetInt64(1)), ct))
        {
            while (counts.Count <= organisation)
            {
                counts.Add(0);
            }

            counts[organisation] = (int)count;
        }

        await foreach (var organisation in snapshot.ReadAsync(0, UnpublishedParticipationsSql, [], r => r.GetInt32(0), ct))
        {
            // Only an organisation counted above can be listed; another's count is not read.
            if (organisation < counts.Count && counts[organisation] > 0)
            {
                counts[organisation]--;
            }
        }

        var rows = snapshot.ReadAsync(0, country is null ? OrganisationsSql : OrganisationsOfCountrySql, parameters, r => OrganisationRow(r, counts), ct);
        await foreach (var row in rows)
        {
            yield return row;
        }
    }

    /// <summary>A row of the organisations' query (id first, then the columns of the list), with its id's count.</summary>
    internal static OrganisationExportRow OrganisationRow(System.Data.Common.DbDataReader r, List<int> counts)
    {
        var id = r.GetInt32(0);
        return new OrganisationExportRow(
            r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
            Enum.Parse<LegalStatus>(r.GetString(5)),
            r.IsDBNull(6) ? null : r.GetDouble(6), r.IsDBNull(7) ? null : r.GetDouble(7), r.IsDBNull(8) ? null : r.GetString(8),
            id < counts.Count ? counts[id] : 0);
    }

    private const string ParticipationCountsSql =
        "SELECT \"OrganisationId\", COUNT(*) FROM \"Participations\" GROUP BY \"OrganisationId\"";

    private const string ParticipationCountsOfCountrySql =
        "SELECT p.\"OrganisationId\", COUNT(*) FROM \"Organisations\" o JOIN \"Participations\" p ON p.\"OrganisationId\" = o.\"Id\" " +
        "WHERE o.\"IsPublished\" AND o.\"Country\" = @country GROUP BY p.\"OrganisationId\"";

    /// <summary>
    /// One row per participation in a project not published. IN, not a join: SQLite then reads the few unpublished
    /// projects first and seeks their participations (0.14 s at 2 M), where the join read all 6 M participations (1.5 s).
    /// </summary>
    private const string UnpublishedParticipationsSql =
        "SELECT \"OrganisationId\" FROM \"Participations\" WHERE \"ProjectId\" IN (SELECT \"Id\" FROM \"Projects\" WHERE NOT \"IsPublished\")";

    // MATERIALIZED: the rows are read in the table's order and sorted, not fetched one by one in the name index's order
    // (SQLite: 0.8 s against 4.2 s for 757,000 organisations, the lookups being random reads of the table).
    private const string OrganisationsSelect =
        "WITH o AS MATERIALIZED (SELECT \"Id\", \"Slug\", \"Name\", \"Country\", \"City\", \"LegalStatus\", \"Latitude\", \"Longitude\", \"Website\" " +
        "FROM \"Organisations\" WHERE \"IsPublished\"";

    internal const string OrganisationsSql = OrganisationsSelect + ") SELECT * FROM o ORDER BY \"Name\", \"Id\"";

    internal const string OrganisationsOfCountrySql = OrganisationsSelect + " AND \"Country\" = @country) SELECT * FROM o ORDER BY \"Name\", \"Id\"";

    public async Task<int> CountOrganisationsWithoutLocationAsync(string? country, CancellationToken ct)
    {
        var byCity = await FilterOrganisations(country).Where(o => o.Latitude == null || o.Longitude == null
                || o.Latitude < -90 || o.Latitude > 90 || o.Longitude < -180 || o.Longitude > 180)
            .GroupBy(o => new { o.City, o.Country })
            .Select(g => new { g.Key.City, g.Key.Country, Count = g.Count() })
            .ToListAsync(ct);
        return byCity.Where(g => locator.Locate(null, null, g.City, g.Country) is null).Sum(g => g.Count);
    }

    private IQueryable<Organisation> FilterOrganisations(string? country)
    {
        var query = db.Organisations.AsNoTracking().Where(o => o.IsPublished);
        return country is null ? query : query.Where(o => o.Country == country);
    }
}
