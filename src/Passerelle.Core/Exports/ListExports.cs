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

    /// <summary>
    /// Where the GeoJSON export of <paramref name="filter"/>'s projects stands before its first byte: which projects it
    /// places and how many it leaves out (for the header that counts them). A project is placed where its lead partner
    /// is (the only location the registry holds for a project): the lowest id among its published leads, as in
    /// <see cref="Projects"/>. Every lead participation is read once with its organisation's coordinates and city (one
    /// flat query, not a subquery per project), each city placed once (<see cref="OrganisationLocator"/>), and the
    /// placed projects kept as an array indexed by project id. At 2 M SYNTHETIC projects, the count alone had taken 35 s
    /// (a correlated subquery per project), and the body read all 2 M rows to write the few placed (ADR 32).
    /// </summary>
    public async Task<ProjectPlacement> PlaceProjectsAsync(ProjectFilter filter, CancellationToken ct)
    {
        var leads = new int[1024];
        var placed = new bool[1024];
        var cities = new Dictionary<(string City, string Country), bool>();
        var parameters = new[] { new KeyValuePair<string, object>("@lead", nameof(ParticipationRole.LeadPartner)) };
        var rows = FlatQuery.ReadAsync(db, LeadsSql, parameters, r => (
            Project: r.GetInt32(0), Organisation: r.GetInt32(1), Latitude: r.IsDBNull(2) ? (double?)null : r.GetDouble(2),
            Longitude: r.IsDBNull(3) ? (double?)null : r.GetDouble(3), City: r.IsDBNull(4) ? null : r.GetString(4), Country: r.IsDBNull(5) ? null : r.GetString(5)), ct);
        await foreach (var lead in rows)
        {
            if (lead.Project >= leads.Length)
            {
                var size = Math.Max(lead.Project + 1, leads.Length * 2);
                Array.Resize(ref leads, size);
                Array.Resize(ref placed, size);
            }

            // Ids start at 1: 0 is "no lead read yet".
            if (leads[lead.Project] != 0 && leads[lead.Project] < lead.Organisation)
            {
                continue;
            }

            leads[lead.Project] = lead.Organisation;
            placed[lead.Project] = Placed(cities, lead.Latitude, lead.Longitude, lead.City, lead.Country);
        }

        var filtered = await ProjectQueries.FilteredAsync(db, filter, ct);
        var located = new List<int>();
        for (var id = 0; id < placed.Length && located.Count <= ListedPlacementsLimit; id++)
        {
            if (placed[id])
            {
                located.Add(id);
            }
        }

        if (located.Count <= ListedPlacementsLimit)
        {
            // Few placed: the database keeps those the filter keeps, and the body reads only them.
            var kept = await filtered.Where(p => EF.Parameter(located).Contains(p.Id)).Select(p => p.Id).ToListAsync(ct);
            return new ProjectPlacement(filter, await filtered.CountAsync(ct) - kept.Count, kept, placed);
        }

        // Many placed: the filter's ids are read once to count, and the body reads every row, writing the placed.
        var (all, inFilter) = (0, 0);
        await foreach (var id in filtered.Select(p => p.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            all++;
            if (id < placed.Length && placed[id])
            {
                inFilter++;
            }
        }

        return new ProjectPlacement(filter, all - inFilter, null, placed);
    }

    /// <summary>
    /// Whether <see cref="OrganisationLocator.Locate"/> places these values, each city and country looked up once in
    /// <paramref name="cities"/> (a few thousand distinct cities among hundreds of thousands of rows).
    /// </summary>
    private bool Placed(Dictionary<(string City, string Country), bool> cities, double? latitude, double? longitude, string? city, string? country)
    {
        if (locator.Locate(latitude, longitude, null, null) is not null)
        {
            return true;
        }

        if (city is null || country is null)
        {
            return false;
        }

        if (!cities.TryGetValue((city, country), out var found))
        {
            cities[(city, country)] = found = locator.Locate(null, null, city, country) is not null;
        }

        return found;
    }

    /// <summary>
    /// Up to this many placed projects, the GeoJSON export's body asks the database for them by id (one array parameter);
    /// beyond, it reads the filter's rows and skips the others. Internal for the tests, which take both ways.
    /// </summary>
    internal int ListedPlacementsLimit { get; set; } = 50_000;

    /// <summary>Every lead participation of a published organisation, with what places it.</summary>
    private const string LeadsSql =
        "SELECT pa.\"ProjectId\", pa.\"OrganisationId\", o.\"Latitude\", o.\"Longitude\", o.\"City\", o.\"Country\" " +
        "FROM \"Participations\" pa JOIN \"Organisations\" o ON o.\"Id\" = pa.\"OrganisationId\" " +
        "WHERE pa.\"Role\" = @lead AND o.\"IsPublished\"";

    /// <summary>The rows of the GeoJSON export <paramref name="placement"/> describes, in list order, each with its location.</summary>
    public async IAsyncEnumerable<Located<ProjectExportRow>> LocatedProjects(ProjectPlacement placement, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        if (placement.Kept is { Count: 0 })
        {
            yield break;
        }

        await foreach (var (id, row) in ProjectRowsAsync(placement.Filter, placement.Kept, ct))
        {
            if (placement.IsPlaced(id))
            {
                yield return new(row, locator.Locate(row.LeadLatitude, row.LeadLongitude, row.LeadCity, row.LeadCountry));
            }
        }
    }

    /// <summary>
    /// Where the GeoJSON export of the organisations (of <paramref name="country"/>, or all) stands before its first
    /// byte: which it places, at their coordinates or their municipality, and how many it leaves out. One flat read of
    /// the published organisations' coordinates and cities, each city placed once. At 2 M SYNTHETIC projects (757,000
    /// organisations, two placed) the export took 3.1–3.7 s: the count grouped every organisation without coordinates,
    /// then the body read and placed them all to write two.
    /// </summary>
    public async Task<OrganisationPlacement> PlaceOrganisationsAsync(string? country, CancellationToken ct)
    {
        var cities = new Dictionary<(string City, string Country), bool>();
        var parameters = country is null ? [] : new[] { new KeyValuePair<string, object>("@country", country) };
        var (all, placedCount) = (0, 0);
        var placed = new List<int>();
        var rows = FlatQuery.ReadAsync(db, country is null ? PlacesSql : PlacesOfCountrySql, parameters, r => (
            Id: r.GetInt32(0), Latitude: r.IsDBNull(1) ? (double?)null : r.GetDouble(1), Longitude: r.IsDBNull(2) ? (double?)null : r.GetDouble(2),
            City: r.IsDBNull(3) ? null : r.GetString(3), Country: r.IsDBNull(4) ? null : r.GetString(4)), ct);
        await foreach (var o in rows)
        {
            all++;
            if (Placed(cities, o.Latitude, o.Longitude, o.City, o.Country))
            {
                placedCount++;
                if (placed.Count <= ListedPlacementsLimit)
                {
                    placed.Add(o.Id);
                }
            }
        }

        return new OrganisationPlacement(country, all - placedCount, placed.Count <= ListedPlacementsLimit ? placed : null);
    }

    private const string PlacesSql =
        "SELECT \"Id\", \"Latitude\", \"Longitude\", \"City\", \"Country\" FROM \"Organisations\" WHERE \"IsPublished\"";

    private const string PlacesOfCountrySql = PlacesSql + " AND \"Country\" = @country";

    /// <summary>The rows of the GeoJSON export <paramref name="placement"/> describes, in list order, each with its location.</summary>
    public async IAsyncEnumerable<Located<OrganisationExportRow>> LocatedOrganisations(
        OrganisationPlacement placement, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var rows = placement.Kept is { } kept ? PlacedOrganisations(kept, ct) : Organisations(placement.Country, ct);
        await foreach (var row in rows)
        {
            if (locator.Locate(row.Latitude, row.Longitude, row.City, row.Country) is { } location)
            {
                yield return new(row, location);
            }
        }
    }

    /// <summary>
    /// The organisations of <paramref name="ids"/> (published, placed: a few), in list order, with their published
    /// projects counted as <see cref="Organisations"/> counts them (participation rows in published projects).
    /// </summary>
    private async IAsyncEnumerable<OrganisationExportRow> PlacedOrganisations(IReadOnlyList<int> ids, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            yield break;
        }

        await using var snapshot = await ExportSnapshot.BeginAsync(db, readers: 1, ct);
        var reader = snapshot.Reader(0);
        var counts = await reader.Participations.Where(x => EF.Parameter(ids).Contains(x.OrganisationId) && x.Project.IsPublished)
            .GroupBy(x => x.OrganisationId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var rows = reader.Organisations.AsNoTracking().Where(o => o.IsPublished && EF.Parameter(ids).Contains(o.Id))
            .OrderBy(o => o.Name).ThenBy(o => o.Id)
            .Select(o => new { o.Id, o.Slug, o.Name, o.Country, o.City, o.LegalStatus, o.Latitude, o.Longitude, o.Website })
            .AsAsyncEnumerable();
        await foreach (var o in rows.WithCancellation(ct))
        {
            yield return new OrganisationExportRow(o.Slug, o.Name, o.Country, o.City, o.LegalStatus, o.Latitude, o.Longitude, o.Website, counts.GetValueOrDefault(o.Id));
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
        await foreach (var (_, row) in ProjectRowsAsync(filter, null, ct))
        {
            yield return row;
        }
    }

    /// <summary>As <see cref="Projects"/>, with each row's id; only the projects of <paramref name="only"/> when given.</summary>
    private async IAsyncEnumerable<(int Id, ProjectExportRow Row)> ProjectRowsAsync(
        ProjectFilter filter, IReadOnlyList<int>? only, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var snapshot = await ExportSnapshot.BeginAsync(db, readers: 2, ct);
        var projects = ProjectRows(snapshot.Reader(0), Only(await ProjectQueries.FilteredAsync(snapshot.Reader(0), filter, ct), only)).AsAsyncEnumerable();
        var links =
            from p in Only(await ProjectQueries.FilteredAsync(snapshot.Reader(1), filter, ct), only)
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

            yield return (id, row);
        }
    }

    // One array parameter (json_each on SQLite, = ANY on PostgreSQL), not a parameter per id: EF 10's default would
    // pass thousands of parameters, beyond SQLite's limit.
    private static IQueryable<Project> Only(IQueryable<Project> projects, IReadOnlyList<int>? only) =>
        only is null ? projects : projects.Where(p => EF.Parameter(only).Contains(p.Id));

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
}

/// <summary>
/// What <see cref="ListExports.PlaceProjectsAsync"/> found for a GeoJSON export: the filter's projects it leaves out
/// (no lead partner placed), and the placed ones: listed by id when few (<see cref="Kept"/>), else marked in an array
/// indexed by project id.
/// </summary>
public sealed class ProjectPlacement
{
    private readonly bool[] _placed;

    internal ProjectPlacement(ProjectFilter filter, int withoutLocation, IReadOnlyList<int>? kept, bool[] placed)
    {
        Filter = filter;
        WithoutLocation = withoutLocation;
        Kept = kept;
        _placed = placed;
    }

    public ProjectFilter Filter { get; }

    /// <summary>The filter's projects the export leaves out: their lead partner (if any) has no coordinates and no municipality.</summary>
    public int WithoutLocation { get; }

    /// <summary>The placed projects the filter keeps, when few enough to be asked for by id; null when they are read among all the filter's rows.</summary>
    internal IReadOnlyList<int>? Kept { get; }

    internal bool IsPlaced(int project) => project < _placed.Length && _placed[project];
}

/// <summary>
/// What <see cref="ListExports.PlaceOrganisationsAsync"/> found for a GeoJSON export: the organisations it leaves out,
/// and the placed ones by id when few (<see cref="Kept"/>); else the body reads the country's list and places each row.
/// </summary>
public sealed class OrganisationPlacement
{
    internal OrganisationPlacement(string? country, int withoutLocation, IReadOnlyList<int>? kept)
    {
        Country = country;
        WithoutLocation = withoutLocation;
        Kept = kept;
    }

    public string? Country { get; }

    /// <summary>The organisations the export leaves out: no coordinates, and no city naming exactly one municipality.</summary>
    public int WithoutLocation { get; }

    internal IReadOnlyList<int>? Kept { get; }
}
