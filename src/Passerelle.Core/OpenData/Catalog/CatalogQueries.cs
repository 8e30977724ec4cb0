using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Sources;
using Passerelle.Core.Statistics;
using Passerelle.Core.Territories;

namespace Passerelle.Core.OpenData.Catalog;

/// <summary>
/// Describes the registry's open data as it is now: which datasets, in which formats at which addresses, covering
/// which countries, regions and years, and when the registry first and last recorded a change to them. Every date and
/// area is read from the registry (the records, their history), never assumed: what the registry does not hold is left
/// out of the description. Computed by SQL aggregates, again only when the change feed or the history has moved.
/// </summary>
public sealed class CatalogQueries(RegistryRead registry, RegistryCache<DataCatalog> cache)
{
    /// <summary>Themes of the EU data-theme authority table: every dataset is about regions; the lists of operations are also the public sector's.</summary>
    private static readonly string[] Regions = ["REGI"];

    private static readonly string[] RegionsAndGovernment = ["REGI", "GOVE"];

    private static readonly DistributionFormat[] ListFormats = [DistributionFormat.Csv, DistributionFormat.Xlsx, DistributionFormat.Json, DistributionFormat.GeoJson];

    private static readonly DistributionFormat[] TableFormats = [DistributionFormat.Csv, DistributionFormat.Xlsx];

    /// <summary>The catalogue, or the previous one while the new one is computed (see <see cref="RegistryCache{T}"/>).</summary>
    public async Task<DataCatalog> GetAsync(CancellationToken ct = default) => (await cache.GetAsync(registry, ct)).Value;

    internal static async Task<DataCatalog> ComputeAsync(PasserelleDbContext db, CancellationToken ct)
    {
        var byType = await db.Revisions.AsNoTracking()
            .Join(db.ChangeSets, r => r.ChangeSetId, c => c.Id, (r, c) => new { r.SubjectType, c.At })
            .GroupBy(x => x.SubjectType)
            .Select(g => new { Type = g.Key, First = g.Min(x => x.At), Last = g.Max(x => x.At) })
            .ToListAsync(ct);
        (DateTime? First, DateTime? Last) Span(params SubjectType[] types)
        {
            var rows = byType.Where(r => types.Contains(r.Type)).ToList();
            return rows.Count == 0 ? (null, null) : (rows.Min(r => r.First), rows.Max(r => r.Last));
        }

        var programmes = await db.Programmes.AsNoTracking().Where(p => p.IsPublished).OrderBy(p => p.Code).ThenBy(p => p.Period)
            .Select(p => new { p.Id, p.Slug, p.Name, p.Period, p.Countries })
            .ToListAsync(ct);
        var programmeIds = programmes.Select(p => p.Id).ToList();

        // One pass over the published projects, grouped by programme and by the length of their dates: a partial date
        // ("2021", "2021-03", "2021-03-05") is compared with others of its length by its text (ISO order), so each group's
        // first start and last end are the candidates, at most three per programme, whatever the number of projects;
        // Earliest and Latest then compare the candidates by the days they cover, which their text order does not do.
        var dated = await db.Projects.AsNoTracking().Where(p => p.IsPublished)
            .GroupBy(p => new { p.ProgrammeId, StartLength = p.StartDate!.Length, EndLength = p.EndDate!.Length })
            .Select(g => new { g.Key.ProgrammeId, FirstStart = g.Min(p => p.StartDate), LastEnd = g.Max(p => p.EndDate) })
            .ToListAsync(ct);
        if (dated.Any(d => d.FirstStart is { } start && !PartialDate.IsValid(start) || d.LastEnd is { } end && !PartialDate.IsValid(end)))
        {
            // A value that is not a partial date (the write path refuses them) could hide a valid one of its length:
            // then every distinct date is read, as before.
            dated = await db.Projects.AsNoTracking().Where(p => p.IsPublished)
                .Select(p => new { p.ProgrammeId, FirstStart = p.StartDate, LastEnd = p.EndDate }).Distinct().ToListAsync(ct);
        }

        var starts = dated.Where(d => d.FirstStart is not null).Select(d => (d.ProgrammeId, Date: d.FirstStart!)).ToList();
        var ends = dated.Where(d => d.LastEnd is not null).Select(d => (d.ProgrammeId, Date: d.LastEnd!)).ToList();
        var startsByProgramme = starts.ToLookup(s => s.ProgrammeId, s => s.Date);
        var endsByProgramme = ends.ToLookup(e => e.ProgrammeId, e => e.Date);
        var programmesWithProjects = dated.Where(d => d.ProgrammeId is not null).Select(d => d.ProgrammeId!.Value).ToHashSet();
        programmesWithProjects.IntersectWith(programmeIds);
        var organisationCountries = await db.Organisations.AsNoTracking()
            .Where(o => o.IsPublished && o.Country != null).Select(o => o.Country!).Distinct().ToListAsync(ct);

        // A programme's list changes with its projects and with the programme record itself (its name, its fund).
        var changesByProgramme = await (
                from r in db.Revisions
                where r.SubjectType == SubjectType.Project
                join p in db.Projects on r.SubjectId equals p.Id
                join c in db.ChangeSets on r.ChangeSetId equals c.Id
                where p.ProgrammeId != null
                group c.At by p.ProgrammeId!.Value into g
                select new { Programme = g.Key, First = g.Min(), Last = g.Max() })
            .ToListAsync(ct);
        changesByProgramme.AddRange(await (
                from r in db.Revisions
                where r.SubjectType == SubjectType.Programme
                join c in db.ChangeSets on r.ChangeSetId equals c.Id
                group c.At by r.SubjectId into g
                select new { Programme = g.Key, First = g.Min(), Last = g.Max() })
            .ToListAsync(ct));

        var areas = (await db.ProgrammeAreaUnits.AsNoTracking().Where(a => programmeIds.Contains(a.ProgrammeId))
            .Select(a => new { a.ProgrammeId, a.Nuts2021Codes }).ToListAsync(ct)).ToLookup(a => a.ProgrammeId, a => a.Nuts2021Codes);
        var territoryCountries = await db.TerritoryUnits.AsNoTracking().Where(u => u.Kind == TerritoryKind.Nuts0)
            .Select(u => u.CountryCode).Distinct().ToListAsync(ct);
        var hasTerritories = territoryCountries.Count > 0 || await db.TerritoryUnits.AnyAsync(ct);

        var datasets = new List<CatalogDataset>();
        var projectSpan = Span(SubjectType.Project, SubjectType.Participation);
        var countriesOfProjects = programmes.Where(p => programmesWithProjects.Contains(p.Id)).SelectMany(p => p.Countries).Distinct().Order(StringComparer.Ordinal).ToList();
        datasets.Add(new CatalogDataset(
            "projects", new CatalogText("catalog.projects.title"), new CatalogText("catalog.projects.description"), Regions,
            countriesOfProjects, [], Earliest(starts.Select(s => s.Date)), Latest(ends.Select(e => e.Date)),
            projectSpan.First, projectSpan.Last, "/projects", [], DatasetTerms.Registry,
            [
                .. ListFormats.Select(f => Distribution("projects", "catalog.projects.file", f, $"/api/v1/projects/export.{Extension(f)}")),
                .. TableFormats.Select(f => Distribution("keep-projects", "catalog.keep_projects.file", f, $"/api/v1/exports/keep/projects.{Extension(f)}")),
                .. TableFormats.Select(f => Distribution("keep-partners", "catalog.keep_partners.file", f, $"/api/v1/exports/keep/partners.{Extension(f)}")),
            ]));

        var organisationSpan = Span(SubjectType.Organisation);
        datasets.Add(new CatalogDataset(
            "organisations", new CatalogText("catalog.organisations.title"), new CatalogText("catalog.organisations.description"), Regions,
            organisationCountries.Order(StringComparer.Ordinal).ToList(), [], null, null, organisationSpan.First, organisationSpan.Last,
            "/organisations", [], DatasetTerms.Registry,
            [.. ListFormats.Select(f => Distribution("organisations", "catalog.organisations.file", f, $"/api/v1/organisations/export.{Extension(f)}"))]));

        var changesOf = changesByProgramme.ToLookup(c => c.Programme);
        foreach (var programme in programmes)
        {
            var changes = changesOf[programme.Id].ToList();
            var id = "operations-" + programme.Slug;
            datasets.Add(new CatalogDataset(
                id,
                new CatalogText("catalog.operations.title", programme.Name, programme.Period),
                new CatalogText("catalog.operations.description", programme.Name, programme.Period),
                RegionsAndGovernment,
                programme.Countries.Distinct().Order(StringComparer.Ordinal).ToList(),
                areas[programme.Id]
                    .SelectMany(codes => codes.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Distinct().Order(StringComparer.Ordinal).ToList(),
                Earliest(startsByProgramme[programme.Id]),
                Latest(endsByProgramme[programme.Id]),
                changes.Count == 0 ? null : changes.Min(c => c.First),
                changes.Count == 0 ? null : changes.Max(c => c.Last),
                "/programmes/" + programme.Slug, Legislation(programme.Period), DatasetTerms.Registry,
                [
                    .. TableFormats.Select(f => Distribution(id, "catalog.operations.file", f, $"/api/v1/exports/operations.{Extension(f)}?programme={programme.Slug}")),
                    // The same list in the format the Commission's Kohesio validator checks (ADR 28).
                    new CatalogDistribution(id + "-kohesio", new CatalogText("catalog.operations.kohesio"), DistributionFormat.Csv,
                        $"/api/v1/exports/kohesio.csv?programme={programme.Slug}", true),
                ]));
        }

        if (hasTerritories)
        {
            var territorySpan = Span(SubjectType.Territory);
            var withArea = programmes.Where(p => areas.Contains(p.Id)).ToList();
            datasets.Add(new CatalogDataset(
                "territories", new CatalogText("catalog.territories.title"), new CatalogText("catalog.territories.description"), Regions,
                territoryCountries.Order(StringComparer.Ordinal).ToList(), [], null, null, territorySpan.First, territorySpan.Last,
                "/eligibility", [], DatasetTerms.Boundaries,
                [
                    new CatalogDistribution("territories-json", new CatalogText("catalog.territories.list"), DistributionFormat.Json, "/api/v1/territories/", false),
                    .. withArea.Select(p => new CatalogDistribution(
                        "territories-area-" + p.Slug, new CatalogText("catalog.territories.area", p.Name, p.Period), DistributionFormat.GeoJson,
                        $"/api/v1/programmes/{p.Slug}/area.geojson", true)),
                ]));
        }

        datasets.Add(new CatalogDataset(
            "statistics", new CatalogText("catalog.statistics.title"), new CatalogText("catalog.statistics.description"), Regions,
            countriesOfProjects, [], Earliest(starts.Select(s => s.Date)), Latest(ends.Select(e => e.Date)),
            projectSpan.First, projectSpan.Last, "/statistics", [], DatasetTerms.Registry,
            [
                new CatalogDistribution("statistics-json", new CatalogText("catalog.statistics.all"), DistributionFormat.Json, "/api/v1/statistics", true),
                .. StatisticsCharts.All.SelectMany(chart => TableFormats.Select(f => new CatalogDistribution(
                    $"statistics-{chart}-{Extension(f)}", new CatalogText("catalog.statistics.chart", new CatalogText("stats.chart." + chart.Replace('-', '_')), f.Label()), f,
                    $"/api/v1/statistics/{chart}.{Extension(f)}", true))),
            ]));

        var all = Span(Enum.GetValues<SubjectType>());
        return new DataCatalog(all.First, all.Last, datasets);
    }

    /// <summary>
    /// The regulation that requires a programme's list of operations: Art. 49(3) of Regulation (EU) 2021/1060 for
    /// 2021-2027, Art. 115(2) of Regulation (EU) No 1303/2013 for 2014-2020; none for another or an unknown period.
    /// </summary>
    internal static IReadOnlyList<string> Legislation(string period) => period switch
    {
        "2021-2027" => [CatalogGraph.CommonProvisionsRegulation],
        "2014-2020" => [CatalogGraph.CommonProvisionsRegulation2013],
        _ => [],
    };

    private static CatalogDistribution Distribution(string dataset, string titleKey, DistributionFormat format, string path) =>
        new($"{dataset}-{Extension(format)}", new CatalogText(titleKey, format.Label()), format, path, true);

    private static string Extension(DistributionFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>The partial date that starts first; null when there is none.</summary>
    internal static string? Earliest(IEnumerable<string> dates) =>
        dates.Where(PartialDate.IsValid).OrderBy(d => PartialDate.Earliest(d)).ThenBy(d => d.Length).FirstOrDefault();

    /// <summary>The partial date that ends last ("2021" runs to 31 December, "2021-03" to 31 March); null when there is none.</summary>
    internal static string? Latest(IEnumerable<string> dates) =>
        dates.Where(PartialDate.IsValid).OrderByDescending(LastDay).ThenBy(d => d.Length).FirstOrDefault();

    private static DateOnly LastDay(string date)
    {
        var first = PartialDate.Earliest(date)!.Value;
        return date.Length switch
        {
            4 => new DateOnly(first.Year, 12, 31),
            7 => first.AddMonths(1).AddDays(-1),
            _ => first,
        };
    }
}
