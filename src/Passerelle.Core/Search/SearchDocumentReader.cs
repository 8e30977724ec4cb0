using System.Data.Common;
using System.Globalization;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Groupings;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;
using Passerelle.Core.Territories;

namespace Passerelle.Core.Search;

/// <summary>
/// Flattens published registry records into <see cref="SearchDocument"/>s; null ids read every record of a kind (whole
/// tables: programmes, groupings and territories, a few thousand at most). Projects and organisations, millions at
/// Kohesio's scale, are read for a rebuild in pages by id (<see cref="ProjectPagesAsync"/>), so memory holds a few
/// pages, never the tables.
/// </summary>
internal sealed class SearchDocumentReader(PasserelleDbContext db, DateOnly today)
{
    private Regions? _regions;

    /// <summary>
    /// NUTS 2 regions from the territories: an organisation's is that of the municipality named as its city (when one
    /// municipality of its country has that name), a project's those of its partners, a programme's those of its area.
    /// </summary>
    private sealed record Regions(
        Dictionary<(string Country, string Name), string> MunicipalityNuts3,
        List<string> Nuts2,
        Dictionary<int, List<string>> ProgrammeAreas)
    {
        public string? OfCity(string? country, string? city) =>
            country is null || city is null ? null
            : MunicipalityNuts3.TryGetValue((country, Slug.MatchKey(city)), out var nuts3) && nuts3.Length >= 4 ? nuts3[..4] : null;

        public List<string> OfArea(int programmeId) =>
            !ProgrammeAreas.TryGetValue(programmeId, out var codes) ? []
            : Nuts2.Where(n => codes.Any(c => n.StartsWith(c, StringComparison.Ordinal) || (c.Length > 4 && c.StartsWith(n, StringComparison.Ordinal)))).ToList();
    }

    private async Task<Regions> RegionsAsync(CancellationToken ct)
    {
        if (_regions is not null)
        {
            return _regions;
        }

        var units = await db.TerritoryUnits.AsNoTracking()
            .Where(u => u.Kind == Territories.TerritoryKind.Municipality || u.Kind == Territories.TerritoryKind.Nuts2)
            .Select(u => new { u.Code, u.Kind, u.Name, u.NameLocal, u.CountryCode, u.ParentCode }).ToListAsync(ct);
        var byName = new Dictionary<(string, string), string>();
        var ambiguous = new HashSet<(string, string)>();
        foreach (var m in units.Where(u => u.Kind == Territories.TerritoryKind.Municipality && u.ParentCode is not null))
        {
            foreach (var name in new[] { m.Name, m.NameLocal }.OfType<string>().Select(Slug.MatchKey).Distinct())
            {
                if (!byName.TryAdd((m.CountryCode, name), m.ParentCode!))
                {
                    ambiguous.Add((m.CountryCode, name));
                }
            }
        }

        foreach (var key in ambiguous)
        {
            byName.Remove(key);
        }

        var areas = (await db.ProgrammeAreaUnits.AsNoTracking().Select(a => new { a.ProgrammeId, a.Nuts2021Codes }).ToListAsync(ct))
            .GroupBy(a => a.ProgrammeId)
            .ToDictionary(g => g.Key, g => g.SelectMany(a => a.Nuts2021Codes.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToList());
        return _regions = new Regions(byName, units.Where(u => u.Kind == Territories.TerritoryKind.Nuts2).Select(u => u.Code).ToList(), areas);
    }

    public async Task<List<SearchDocument>> ProgrammesAsync(IReadOnlyCollection<int>? ids, CancellationToken ct)
    {
        if (ids is { Count: 0 })
        {
            return [];
        }

        var query = db.Programmes.AsNoTracking().Where(p => p.IsPublished);
        if (ids is not null)
        {
            query = query.Where(p => ids.Contains(p.Id));
        }

        var programmes = await query.ToListAsync(ct);
        var regions = await RegionsAsync(ct);
        return programmes.Select(p => new SearchDocument
        {
            Regions = regions.OfArea(p.Id),
            Type = SearchDocType.Programme,
            Id = p.Id,
            Slug = p.Slug,
            Name = p.Code,
            Title = p.Name,
            Summary = p.Description,
            Names = new[] { p.Cci, p.ManagingAuthority }.OfType<string>().ToList(),
            Subtitle = $"{p.Code} · {p.Period}",
            Programme = p.Code,
            Period = p.Period,
            Kind = KindValue(p.Kind),
            Countries = p.Countries,
            // The period's first year, so programmes sort by start date among projects.
            StartDate = p.Period.Length >= 4 && PartialDate.IsValid(p.Period[..4]) ? p.Period[..4] : null,
            Budget = p.TotalBudget,
        }).ToList();
    }

    /// <summary>Every published project, <paramref name="pageSize"/> at a time in order of id (keyset paging).</summary>
    public IAsyncEnumerable<List<SearchDocument>> ProjectPagesAsync(int pageSize, CancellationToken ct) =>
        PagesAsync(db.Projects.AsNoTracking().Where(p => p.IsPublished).Select(p => p.Id), (page, token) => ProjectsAsync(IdRange.Of(page), token), pageSize, ct);

    /// <summary>Every published organisation, <paramref name="pageSize"/> at a time in order of id (keyset paging).</summary>
    public IAsyncEnumerable<List<SearchDocument>> OrganisationPagesAsync(int pageSize, CancellationToken ct) =>
        PagesAsync(db.Organisations.AsNoTracking().Where(o => o.IsPublished).Select(o => o.Id), (page, token) => OrganisationsCoreAsync(null, IdRange.Of(page), token), pageSize, ct);

    private static async IAsyncEnumerable<List<SearchDocument>> PagesAsync(
        IQueryable<int> ids, Func<IReadOnlyList<int>, CancellationToken, Task<List<SearchDocument>>> read, int pageSize,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var last = int.MinValue;
        while (true)
        {
            var after = last;
            var page = await ids.Where(id => id > after).OrderBy(id => id).Take(pageSize).ToListAsync(ct);
            if (page.Count == 0)
            {
                yield break;
            }

            last = page[^1];
            var documents = await read(page, ct);
            // In order of id: the input order is the index's tie-break among equal scores.
            documents.Sort((a, b) => a.Id.CompareTo(b.Id));
            yield return documents;
        }
    }

    /// <summary>
    /// The ids a page of a rebuild covers: every published id from the first to the last of the page is in it (keyset
    /// paging), so the page's records are read by that range, an index range scan, rather than by a list of 2,000 ids.
    /// </summary>
    private sealed record IdRange(int First, int Last)
    {
        public static IdRange Of(IReadOnlyList<int> page) => new(page[0], page[^1]);
    }

    public Task<List<SearchDocument>> ProjectsAsync(IReadOnlyCollection<int>? ids, CancellationToken ct) =>
        ids is { Count: 0 } ? Task.FromResult(new List<SearchDocument>()) : ProjectsCoreAsync(ids, null, ct);

    private Task<List<SearchDocument>> ProjectsAsync(IdRange range, CancellationToken ct) => ProjectsCoreAsync(null, range, ct);

    // The columns a project's document needs, read without the entity graph: a rebuild reads millions of projects, and
    // materialising each one's programme, themes and partner organisations as entities (Include) was most of the
    // reading time. Programmes and themes are few and read once per reader.
    private sealed record ProjectRow(
        int Id, string Slug, string Acronym, LocalizedText Title, LocalizedText Summary, string ProgrammeCode, int? ProgrammeId,
        string? StartDate, string? EndDate, decimal? TotalBudget, decimal? EuContribution);

    private sealed record PartnerRow(
        int Id, int ProjectId, int OrganisationId, ParticipationRole Role, string? NameInSource, string Name, string? Country, string? City);

    private sealed record ProgrammeRow(int Id, bool IsPublished, LocalizedText Name, string Period, ProgrammeKind Kind);

    private sealed record ThemeRow(int Id, string Slug, LocalizedText Label);

    private Dictionary<int, ProgrammeRow>? _programmes;
    private Dictionary<int, ThemeRow>? _themes;

    private async Task<List<SearchDocument>> ProjectsCoreAsync(IReadOnlyCollection<int>? ids, IdRange? range, CancellationToken ct)
    {
        // Plain SQL read by column position (FlatQuery): at 2 M projects EF's materialiser was about a third of the
        // rebuild's reading (ADR 7, "the rebuild's reading"). The rows are those of the EF queries they replaced, which
        // SearchRebuildPagesTests compare on both databases.
        var projects = new List<ProjectRow>();
        var partners = new List<PartnerRow>();
        var themeLinks = new List<(int ProjectId, int ThemeId)>();
        var amounts = new List<AmountFact>();
        foreach (var (condition, parameters) in Selections(ids, range))
        {
            await FlatQuery.AddToAsync(projects, db, string.Format(CultureInfo.InvariantCulture, ProjectsSql, condition), parameters, ReadProject, ct);
            await FlatQuery.AddToAsync(partners, db, string.Format(CultureInfo.InvariantCulture, PartnersSql, condition), parameters, ReadPartner, ct);
            await FlatQuery.AddToAsync(themeLinks, db, string.Format(CultureInfo.InvariantCulture, ThemeLinksSql, condition), parameters, r => (r.GetInt32(0), r.GetInt32(1)), ct);
            await FlatQuery.AddToAsync(amounts, db, string.Format(CultureInfo.InvariantCulture, AmountsSql, condition), [.. parameters, .. AmountParameters], ReadAmount, ct);
        }

        var partnersOf = partners.ToLookup(x => x.ProjectId);
        var themesOf = themeLinks.ToLookup(t => t.ProjectId, t => t.ThemeId);
        var programmes = _programmes ??= await db.Programmes.AsNoTracking()
            .Select(p => new ProgrammeRow(p.Id, p.IsPublished, p.Name, p.Period, p.Kind)).ToDictionaryAsync(p => p.Id, ct);
        var allThemes = _themes ??= await db.Themes.AsNoTracking().Select(t => new ThemeRow(t.Id, t.Slug, t.Label)).ToDictionaryAsync(t => t.Id, ct);
        var regions = await RegionsAsync(ct);
        var sources = PreferredSources(projects, amounts);
        return projects.Select(p =>
        {
            var partners = partnersOf[p.Id].ToList();
            var programme = p.ProgrammeId is { } programmeId && programmes.GetValueOrDefault(programmeId) is { IsPublished: true } found ? found : null;
            var themes = themesOf[p.Id].Order().Select(id => allThemes[id]).ToList();
            return new SearchDocument
            {
                Type = SearchDocType.Project,
                Id = p.Id,
                Slug = p.Slug,
                Name = p.Acronym,
                Title = p.Title,
                Summary = p.Summary,
                Names = partners.Select(x => x.Name)
                    .Concat(partners.Select(x => x.NameInSource).OfType<string>())
                    .Append(p.ProgrammeCode)
                    .Distinct(StringComparer.Ordinal).ToList(),
                Related = themes.Select(t => t.Label).Append(programme?.Name ?? LocalizedText.Empty).ToList(),
                Subtitle = programme is null ? p.ProgrammeCode : $"{p.ProgrammeCode} · {programme.Period}",
                Programme = p.ProgrammeCode,
                Period = programme?.Period,
                Kind = programme is null ? null : KindValue(programme.Kind),
                Status = Project.StatusOn(p.StartDate, p.EndDate, today).ToString().ToLowerInvariant(),
                Themes = themes.Select(t => t.Slug).ToList(),
                Countries = partners.Select(x => x.Country).OfType<string>().Distinct(StringComparer.Ordinal).ToList(),
                Regions = partners.Select(x => regions.OfCity(x.Country, x.City)).OfType<string>().Distinct(StringComparer.Ordinal).ToList(),
                Roles = partners.Select(x => RoleValue(x.Role)).Distinct(StringComparer.Ordinal).ToList(),
                StartDate = p.StartDate,
                Budget = p.TotalBudget,
                Figures = new IndexedFigures
                {
                    EuContribution = p.EuContribution,
                    BudgetSources = sources.GetValueOrDefault((p.Id, Registry.Fields.Project.TotalBudget.Name)) ?? [],
                    EuSources = sources.GetValueOrDefault((p.Id, Registry.Fields.Project.Erdf.Name)) ?? [],
                    LeadCountry = partners.Where(x => x.Role == ParticipationRole.LeadPartner).OrderBy(x => x.Id)
                        .Select(x => x.Country).FirstOrDefault(),
                    Partners = partners.Select(x => x.OrganisationId).Distinct().ToList(),
                },
            };
        }).ToList();
    }

    /// <summary>
    /// The sources of each project's amounts as shown (the column holds the value shown first, ADR 1): the first
    /// value's source and those of other values equal to it. Keyed by (project id, field).
    /// </summary>
    private static Dictionary<(int, string), List<int>> PreferredSources(List<ProjectRow> projects, List<AmountFact> facts)
    {
        var withAmounts = projects.Where(p => p.TotalBudget is not null || p.EuContribution is not null).ToDictionary(p => p.Id);
        var result = new Dictionary<(int, string), List<int>>();
        foreach (var group in facts.GroupBy(f => (f.SubjectId, f.Field)))
        {
            // Facts of a draft or deleted project (not read here) are left out.
            if (!withAmounts.TryGetValue(group.Key.SubjectId, out var project))
            {
                continue;
            }

            var shown = group.Key.Field == AmountFields[0] ? project.TotalBudget : project.EuContribution;
            if (shown is null)
            {
                continue;
            }

            result[group.Key] = Statistics.PreferredValue.Sources(group.Select(f => (f.Value, f.SourceId, f.Rank, f.Id)), shown.Value);
        }

        return result;
    }

    /// <summary>The amounts whose sources a project's document carries (<see cref="IndexedFigures"/>).</summary>
    private static readonly string[] AmountFields = [Registry.Fields.Project.TotalBudget.Name, Registry.Fields.Project.Erdf.Name];

    private static readonly KeyValuePair<string, object>[] AmountParameters =
        [new("@project", (int)SubjectType.Project), new("@budget", AmountFields[0]), new("@eu", AmountFields[1])];

    /// <summary>At most this many ids in one <c>IN</c> list: both databases take it, and a list of changed ids is short.</summary>
    private const int IdsPerQuery = 500;

    /// <summary>
    /// The projects a read covers, as a condition on a project id column ({0} in the queries): a page's range (an index
    /// range scan), a list of ids in chunks, or every project.
    /// </summary>
    private static IEnumerable<(string Condition, KeyValuePair<string, object>[] Parameters)> Selections(IReadOnlyCollection<int>? ids, IdRange? range)
    {
        if (range is not null)
        {
            yield return (" BETWEEN @first AND @last", [new("@first", range.First), new("@last", range.Last)]);
        }
        else if (ids is null)
        {
            yield return (" IS NOT NULL", []);
        }
        else
        {
            foreach (var chunk in ids.Distinct().Chunk(IdsPerQuery))
            {
                var names = chunk.Select((_, i) => "@i" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
                yield return (" IN (" + string.Join(", ", names) + ")", [.. names.Zip(chunk, (name, id) => new KeyValuePair<string, object>(name, id))]);
            }
        }
    }

    private const string ProjectsSql =
        "SELECT p.\"Id\", p.\"Slug\", p.\"Acronym\", " + Exports.ProjectColumns.Sql + ", p.\"ProgrammeCode\", p.\"ProgrammeId\" " +
        "FROM \"Projects\" p WHERE p.\"IsPublished\" AND p.\"Id\"{0}";

    private const string PartnersSql =
        "SELECT x.\"Id\", x.\"ProjectId\", x.\"OrganisationId\", x.\"Role\", x.\"NameInSource\", o.\"Name\", o.\"Country\", o.\"City\" " +
        "FROM \"Participations\" x JOIN \"Organisations\" o ON o.\"Id\" = x.\"OrganisationId\" " +
        "WHERE o.\"IsPublished\" AND x.\"ProjectId\"{0} ORDER BY x.\"ProjectId\", x.\"Id\"";

    // The many-to-many join table of Project.Themes (ProjectConfiguration).
    private const string ThemeLinksSql = "SELECT \"ProjectId\", \"ThemesId\" FROM \"ProjectThemes\" WHERE \"ProjectId\"{0}";

    private const string AmountsSql =
        "SELECT \"SubjectId\", \"Field\", \"Value\", \"SourceId\", \"Rank\", \"Id\" FROM \"Facts\" " +
        "WHERE \"SubjectType\" = @project AND \"Field\" IN (@budget, @eu) AND NOT \"Retracted\" AND \"SubjectId\"{0}";

    private sealed record AmountFact(int SubjectId, string Field, string Value, int SourceId, int Rank, long Id);

    private static ProjectRow ReadProject(DbDataReader r)
    {
        // In column order: PostgreSQL's reader is sequential.
        var (id, slug, acronym) = (r.GetInt32(0), r.GetString(1), r.GetString(2));
        var v = Exports.ProjectColumns.Read(r);
        const int next = Exports.ProjectColumns.First + Exports.ProjectColumns.Count;
        return new ProjectRow(
            id, slug, acronym, v.Title, v.Summary, r.GetString(next), r.IsDBNull(next + 1) ? null : r.GetInt32(next + 1),
            v.StartDate, v.EndDate, v.TotalBudget, v.EuContribution);
    }

    private static PartnerRow ReadPartner(DbDataReader r) => new(
        r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), Enum.Parse<ParticipationRole>(r.GetString(3)),
        r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7));

    private static AmountFact ReadAmount(DbDataReader r) =>
        new(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt32(4), r.GetInt64(5));

    public Task<List<SearchDocument>> OrganisationsAsync(IReadOnlyCollection<int>? ids, CancellationToken ct) =>
        ids is { Count: 0 } ? Task.FromResult(new List<SearchDocument>()) : OrganisationsCoreAsync(ids, null, ct);

    private async Task<List<SearchDocument>> OrganisationsCoreAsync(IReadOnlyCollection<int>? ids, IdRange? range, CancellationToken ct)
    {
        var query = db.Organisations.AsNoTracking().Where(o => o.IsPublished);
        // The published projects' participations without each one's project row (ADR 31), read from the organisations'
        // index with the role (ParticipationConfiguration): joined to each project for its flag, a page of 2,000
        // organisations took PostgreSQL 400-580 ms at 2 M, most of a rebuild's organisation pages.
        var participations = await Unpublished.InPublishedProjectsAsync(db, ct);
        if (range is not null)
        {
            var (first, last) = (range.First, range.Last);
            query = query.Where(o => o.Id >= first && o.Id <= last);
            participations = participations.Where(x => x.OrganisationId >= first && x.OrganisationId <= last);
        }
        else if (ids is not null)
        {
            query = query.Where(o => ids.Contains(o.Id));
            participations = participations.Where(x => ids.Contains(x.OrganisationId));
        }

        var organisations = await query.Include(o => o.Aliases).ToListAsync(ct);
        // Only which roles an organisation has (a facet): one row per role, not one per participation.
        var roles = (await participations.Select(x => new { x.OrganisationId, x.Role }).Distinct().ToListAsync(ct))
            .OrderBy(x => x.Role).ToLookup(x => x.OrganisationId);
        var regions = await RegionsAsync(ct);
        return organisations.Select(o => new SearchDocument
        {
            Type = SearchDocType.Organisation,
            Id = o.Id,
            Slug = o.Slug,
            Name = o.Name,
            Names = o.Aliases.Select(a => a.Name).Append(o.City).OfType<string>().ToList(),
            Subtitle = string.Join(" · ", new[] { o.Country, o.City }.OfType<string>()),
            Countries = o.Country is null ? [] : [o.Country],
            Regions = regions.OfCity(o.Country, o.City) is { } region ? [region] : [],
            Roles = roles[o.Id].Select(x => RoleValue(x.Role)).Distinct(StringComparer.Ordinal).ToList(),
            Figures = new IndexedFigures
            {
                OrganisationType = o.LegalStatus == Organisations.LegalStatus.Unknown ? null : o.LegalStatus.ToString().ToLowerInvariant(),
            },
        }).ToList();
    }

    /// <summary>
    /// Published groupings: found by every name a source gives them (the column holds only the one shown first), by
    /// their legal form's names in the four languages, by their members and by the municipalities of their territory.
    /// </summary>
    public async Task<List<SearchDocument>> GroupingsAsync(IReadOnlyCollection<int>? ids, CancellationToken ct)
    {
        if (ids is { Count: 0 })
        {
            return [];
        }

        var query = db.Groupings.AsNoTracking().Where(g => g.IsPublished);
        if (ids is not null)
        {
            query = query.Where(g => ids.Contains(g.Id));
        }

        var groupings = await query.Include(g => g.Members).ToListAsync(ct);
        var groupingIds = groupings.Select(g => g.Id).ToList();
        var nameFields = Registry.Fields.Grouping.Name.All.Select(f => f.Name).Append(Registry.Fields.Grouping.LegalForm.Name).ToList();
        var facts = (await db.Facts.AsNoTracking()
                .Where(f => f.SubjectType == SubjectType.Grouping && groupingIds.Contains(f.SubjectId) && !f.Retracted && nameFields.Contains(f.Field))
                .OrderBy(f => f.Rank).Select(f => new { f.SubjectId, f.Field, f.Value })
                .ToListAsync(ct))
            .ToLookup(f => f.SubjectId);
        var units = (await db.GroupingTerritoryUnits.AsNoTracking()
                .Where(u => groupingIds.Contains(u.GroupingId))
                .Select(u => new { u.GroupingId, u.UnitCode, u.Name })
                .ToListAsync(ct))
            .ToLookup(u => u.GroupingId);
        // The municipalities' names in their other language and their NUTS 3 region, when the territories are imported.
        var codes = units.SelectMany(u => u).Select(u => u.UnitCode).Distinct(StringComparer.Ordinal).ToList();
        var places = (await db.TerritoryUnits.AsNoTracking()
                .Where(t => codes.Contains(t.Code))
                .Select(t => new { t.Code, t.Name, t.NameLocal, t.ParentCode })
                .ToListAsync(ct))
            .ToDictionary(t => t.Code, StringComparer.Ordinal);
        return groupings.Select(g =>
        {
            var legalForms = facts[g.Id].Where(f => f.Field == Registry.Fields.Grouping.LegalForm.Name).Select(f => f.Value).Prepend(g.LegalForm).ToList();
            var kind = GroupingKinds.KindOf(legalForms);
            var countries = g.Members.OrderBy(m => m.Order).Select(m => m.Country).Distinct(StringComparer.Ordinal).ToList();
            return new SearchDocument
            {
                Type = SearchDocType.Grouping,
                Id = g.Id,
                Slug = g.Slug,
                Name = g.Name.Best() ?? g.Slug,
                Title = g.Name,
                Summary = g.Description,
                AltNames = facts[g.Id].Select(f => f.Value).Concat(legalForms).Concat(GroupingKinds.Names(kind))
                    .Distinct(StringComparer.Ordinal).ToList(),
                Names = g.Members.Select(m => m.Name)
                    .Concat(units[g.Id].SelectMany(u => new[] { u.Name, places.GetValueOrDefault(u.UnitCode)?.Name, places.GetValueOrDefault(u.UnitCode)?.NameLocal }).OfType<string>())
                    .Concat(g.FieldsOfAction)
                    .Distinct(StringComparer.Ordinal).ToList(),
                Subtitle = string.Join(" · ", countries.Append(g.YearFounded?.ToString(System.Globalization.CultureInfo.InvariantCulture)).OfType<string>()),
                Kind = kind,
                Countries = countries,
                // The NUTS 2 regions its municipalities lie in (a municipality's parent is its NUTS 3 region).
                Regions = units[g.Id].Select(u => places.GetValueOrDefault(u.UnitCode)?.ParentCode).OfType<string>().Where(c => c.Length >= 4).Select(c => c[..4])
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                StartDate = PartialDate.IsValid(g.FoundedOn) ? g.FoundedOn : null,
            };
        }).ToList();
    }

    /// <summary>
    /// Every territory unit (country, NUTS region, municipality), found by its names and its code. No geometry is read:
    /// only names and codes, so the whole list is a few hundred kilobytes even for every municipality of Europe.
    /// </summary>
    public async Task<List<SearchDocument>> TerritoriesAsync(CancellationToken ct)
    {
        // Equal scores rank in this order: the larger of two places with one name first (Lille, France before Lille,
        // Belgium), countries before regions before municipalities.
        var units = (await db.TerritoryUnits.AsNoTracking()
                .Select(u => new { u.Code, u.Kind, u.Name, u.NameLocal, u.CountryCode, u.ParentCode, u.Population })
                .ToListAsync(ct))
            .OrderBy(u => u.Kind).ThenByDescending(u => u.Population ?? -1).ThenBy(u => u.Code, StringComparer.Ordinal).ToList();
        var names = units.ToDictionary(u => u.Code, u => u.Name, StringComparer.Ordinal);
        return units.Select(u => new SearchDocument
        {
            Type = SearchDocType.Territory,
            Id = 0,
            Slug = u.Code,
            Name = u.Name,
            AltNames = new[] { u.NameLocal, u.Code, u.Kind == TerritoryKind.Nuts0 ? EnglishCountryName(u.Code) : null }
                .OfType<string>().Where(n => n != u.Name).Distinct(StringComparer.Ordinal).ToList(),
            Subtitle = string.Join(" · ", new[] { u.NameLocal, u.Code, u.ParentCode is null ? null : names.GetValueOrDefault(u.ParentCode) }.OfType<string>()),
            Kind = SearchFacets.TerritoryKindValue(u.Kind),
            Countries = [u.CountryCode],
            Regions = u.Kind switch
            {
                TerritoryKind.Nuts2 => [u.Code],
                TerritoryKind.Nuts3 when u.Code.Length >= 4 => [u.Code[..4]],
                TerritoryKind.Municipality when u.ParentCode is { Length: >= 4 } parent => [parent[..4]],
                _ => [],
            },
        }).ToList();
    }

    /// <summary>
    /// A country's English name: NUTS names countries in their own languages ("Belgique/België", "Deutschland"), and
    /// people also search them in English. Eurostat's EL and UK are ISO's GR and GB.
    /// </summary>
    private static string? EnglishCountryName(string code)
    {
        try
        {
            return new System.Globalization.RegionInfo(code switch { "EL" => "GR", "UK" => "GB", _ => code }).EnglishName;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Labels of facet values: themes in four languages, NUTS 2 regions by name, and programmes by the name of their
    /// latest period with the code after it, since the code (FWV, NWE) is the value shared by the periods but means
    /// nothing to most visitors.
    /// </summary>
    public async Task<List<(SearchFacet, string, LocalizedText)>> LabelsAsync(CancellationToken ct) =>
        (await db.Themes.AsNoTracking().Select(t => new { t.Slug, t.Label }).ToListAsync(ct))
        .Select(t => (SearchFacet.Theme, t.Slug, t.Label))
        .Concat((await db.TerritoryUnits.AsNoTracking().Where(u => u.Kind == Territories.TerritoryKind.Nuts2)
                .Select(u => new { u.Code, u.Name }).ToListAsync(ct))
            .Select(u => (SearchFacet.Region, u.Code, new LocalizedText { En = $"{u.Name} ({u.Code})" })))
        .Concat((await Programmes.ProgrammeNames.LatestByCodeAsync(db.Programmes, ct))
            .Where(p => !p.Value.IsEmpty)
            .Select(p => (SearchFacet.Programme, p.Key, WithCode(p.Value, p.Key))))
        .ToList();

    private static LocalizedText WithCode(LocalizedText name, string code) => new()
    {
        En = name.En is { } en ? $"{en} ({code})" : null,
        Fr = name.Fr is { } fr ? $"{fr} ({code})" : null,
        Nl = name.Nl is { } nl ? $"{nl} ({code})" : null,
        De = name.De is { } de ? $"{de} ({code})" : null,
    };

    internal static string KindValue(ProgrammeKind kind) => kind switch
    {
        ProgrammeKind.CrossBorder => "cross-border",
        ProgrammeKind.Transnational => "transnational",
        ProgrammeKind.Interregional => "interregional",
        _ => "network",
    };

    internal static string RoleValue(ParticipationRole role) => role switch
    {
        ParticipationRole.LeadPartner => "lead-partner",
        ParticipationRole.AssociatedPartner => "associated-partner",
        _ => "partner",
    };
}
