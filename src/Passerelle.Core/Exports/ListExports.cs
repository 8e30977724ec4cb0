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
        await foreach (var row in Organisations(country).WithCancellation(ct))
        {
            yield return new(row, locator.Locate(row.Latitude, row.Longitude, row.City, row.Country));
        }
    }

    /// <summary>The projects <see cref="ProjectQueries.ListAsync"/> lists with the same filter, in its order.</summary>
    public async IAsyncEnumerable<ProjectExportRow> Projects(ProjectFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var rows = (await ProjectQueries.FilteredAsync(db, filter, ct)).OrderBy(p => p.Acronym).ThenBy(p => p.Id).Select(p => new ProjectExportRow(
            p.Slug, p.Acronym, p.Title.En, p.Title.Fr, p.Title.Nl, p.Title.De,
            p.ProgrammeCode,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Slug : null,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Period : null,
            p.StartDate, p.EndDate, p.TotalBudget, p.EuContribution, p.StatedEuRate, p.KeepEuId, p.Website,
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Slug).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Name).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Country).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.City).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Latitude).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).Select(x => x.Organisation.Longitude).FirstOrDefault(),
            p.Themes.OrderBy(t => t.Slug).Select(t => t.Slug).ToList()));
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return row;
        }
    }

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

    public IAsyncEnumerable<OrganisationExportRow> Organisations(string? country) =>
        FilterOrganisations(country).OrderBy(o => o.Name).ThenBy(o => o.Id).Select(o => new OrganisationExportRow(
            o.Slug, o.Name, o.Country, o.City, o.LegalStatus, o.Latitude, o.Longitude, o.Website,
            db.Participations.Count(p => p.OrganisationId == o.Id && p.Project.IsPublished)))
        .AsAsyncEnumerable();

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
