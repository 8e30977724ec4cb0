using Passerelle.Core.Common;
using Passerelle.Core.Search;
using Passerelle.Core.Statistics;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// The statistics the index aggregates, checked against the same figures computed naively over the documents (random
/// projects with unknown amounts, several themes, partners shared between projects), also after updates leave deleted
/// documents in the index's segments.
/// </summary>
public sealed class StatisticsEngineTests
{
    private static readonly string[] Themes = ["water", "energy", "health"];
    private static readonly string[] Countries = ["BE", "FR", "NL"];
    private static readonly string[] Programmes = ["FWV", "NWE", "2SEAS"];
    private static readonly string[] Types = ["public", "private", "other"];

    private static SearchDocument Organisation(int id, string? country, string? type) => new()
    {
        Type = SearchDocType.Organisation,
        Id = id,
        Slug = "o" + id,
        Name = "Organisation " + id,
        Countries = country is null ? [] : [country],
        Figures = new IndexedFigures { OrganisationType = type },
    };

    /// <summary>Projects 1..n with ids of organisations 1..organisations as partners; about a third of each value unknown.</summary>
    private static List<SearchDocument> Projects(int count, int organisations, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(1, count).Select(i =>
        {
            var partners = Enumerable.Range(0, random.Next(4)).Select(_ => random.Next(1, organisations + 1)).Distinct().ToList();
            var budget = random.Next(3) == 0 ? (decimal?)null : random.Next(1, 1_000_000) + random.Next(100) / 100m;
            var eu = random.Next(3) == 0 ? (decimal?)null : random.Next(1, 500_000) + random.Next(100) / 100m;
            return new SearchDocument
            {
                Type = SearchDocType.Project,
                Id = i,
                Slug = "p" + i,
                Name = "P" + i,
                Title = new LocalizedText { En = random.Next(2) == 0 ? "river water" : "urban energy" },
                Programme = Programmes[random.Next(Programmes.Length)],
                Period = random.Next(4) == 0 ? null : "2014-2020",
                Themes = Themes.Where(_ => random.Next(3) == 0).ToArray(),
                Countries = [.. partners.Select(p => Countries[p % Countries.Length]).Distinct()],
                StartDate = random.Next(4) == 0 ? null : $"{2014 + random.Next(8)}-0{1 + random.Next(9)}",
                Budget = budget,
                Figures = new IndexedFigures
                {
                    EuContribution = eu,
                    BudgetSources = budget is null ? [] : [1 + random.Next(5)],
                    EuSources = eu is null ? [] : [10 + random.Next(3), 20],
                    LeadCountry = random.Next(5) == 0 ? null : Countries[random.Next(Countries.Length)],
                    Partners = partners,
                },
            };
        }).ToList();
    }

    /// <summary>Organisations 1..n; about one in seven without a country and one in eleven in two countries.</summary>
    private static List<SearchDocument> Organisations(int count) =>
        [.. Enumerable.Range(1, count)
            .Select(i => Organisation(i, i % 7 == 0 ? null : Countries[i % Countries.Length], i % 5 == 0 ? null : Types[i % Types.Length]))
            .Select(o => o.Id % 11 == 0 ? o with { Countries = [Countries[0], Countries[1]] } : o)];

    [Fact]
    public void Statistics_RandomProjects_EqualTheFiguresComputedOverTheDocuments()
    {
        var projects = Projects(600, 40, seed: 7);
        var organisations = Organisations(40);
        using var engine = new SearchEngine(indexingThreads: 2);
        engine.Rebuild([.. projects, .. organisations]);

        AssertFigures(engine, projects, organisations, null, null);
        AssertFigures(engine, projects, organisations, "river", null);
        AssertFigures(engine, projects, organisations, null, new() { [SearchFacet.Theme] = ["water", "health"], [SearchFacet.Country] = ["BE"] });
    }

    [Fact]
    public void Statistics_AfterUpdates_CountTheCurrentDocumentsOnly()
    {
        var projects = Projects(300, 30, seed: 11);
        var organisations = Organisations(30);
        using var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild([.. projects, .. organisations]);
        _ = engine.Statistics(new SearchQuery(null));

        // Replaced documents stay in their segment, deleted, until a merge: neither old projects nor old organisations count.
        var changed = Projects(300, 30, seed: 12).Take(100).ToList();
        var retyped = organisations.Take(10).Select(o => o with { Countries = ["NL"], Figures = new IndexedFigures { OrganisationType = "other" } }).ToList();
        engine.Update([.. changed, .. retyped], ["project:299", "project:300"]);
        projects = [.. changed, .. projects.Skip(100).Where(p => p.Id < 299)];
        organisations = [.. retyped, .. organisations.Skip(10)];

        AssertFigures(engine, projects, organisations, null, null);
    }

    [Fact]
    public void Statistics_MatchedThroughLucenesScorers_EqualTheFiguresComputedOverTheDocuments()
    {
        // The path of a query shape MatchBits does not handle: documents handed one at a time, added by runs.
        var projects = Projects(2_500, 40, seed: 13);
        var organisations = Organisations(40);
        using var engine = new SearchEngine(indexingThreads: 2) { MatchBitsForStatistics = false };
        engine.Rebuild([.. projects, .. organisations]);

        AssertFigures(engine, projects, organisations, "river", null);
        AssertFigures(engine, projects, organisations, null, new() { [SearchFacet.Theme] = ["water", "health"] });
    }

    [Fact]
    public void Statistics_SplitOnTwoCores_EqualTheFiguresComputedOverTheDocuments()
    {
        var projects = Projects(600, 40, seed: 17);
        var organisations = Organisations(40);
        // Every match set split in two (the engine splits from 100,000 matches), over several segments with deletions.
        using var engine = new SearchEngine(indexingThreads: 2, concurrentSearches: 2) { StatisticsSplitAt = 1 };
        engine.Rebuild([.. projects, .. organisations]);
        var changed = Projects(600, 40, seed: 18).Take(200).ToList();
        engine.Update(changed, ["project:599", "project:600"]);
        projects = [.. changed, .. projects.Skip(200).Where(p => p.Id < 599)];

        AssertFigures(engine, projects, organisations, null, null);
        AssertFigures(engine, projects, organisations, "river", null);
        AssertFigures(engine, projects, organisations, null, new() { [SearchFacet.Theme] = ["water", "health"], [SearchFacet.Country] = ["BE"] });
        // The borrowed core's slot is given back.
        Assert.Equal(2, engine.SearchGate.Free);
    }

    [Fact]
    public async Task Statistics_NoSlotFree_AggregateOnOneCoreAndBorrowNone()
    {
        var projects = Projects(300, 30, seed: 19);
        var organisations = Organisations(30);
        using var engine = new SearchEngine(indexingThreads: 1, concurrentSearches: 2) { StatisticsSplitAt = 1 };
        engine.Rebuild([.. projects, .. organisations]);
        // A search holds the other slot: the statistics run in theirs alone, and leave it as they found it.
        await engine.SearchGate.WaitAsync(TestContext.Current.CancellationToken);

        AssertFigures(engine, projects, organisations, "river", null);
        Assert.Equal(1, engine.SearchGate.Free);
        engine.SearchGate.Release();
        Assert.Equal(2, engine.SearchGate.Free);
    }

    [Fact]
    public void Statistics_MostProjectsMatch_EqualTheFiguresComputedOverTheDocuments()
    {
        // "river" in about three projects in four: the figures are every project's less those of the rest. A source
        // (99) and a partner (41) of the other projects only must not be cited or counted.
        var projects = MostlyRiver(Projects(800, 40, seed: 23), seed: 24);
        var organisations = Organisations(41);
        using var engine = new SearchEngine(indexingThreads: 2, concurrentSearches: 2) { StatisticsSplitAt = 1 };
        engine.Rebuild([.. projects, .. organisations]);

        AssertFigures(engine, projects, organisations, "river", null);
        AssertFigures(engine, projects, organisations, "urban", null);
        AssertFigures(engine, projects, organisations, "river", new() { [SearchFacet.Country] = ["BE"] });

        // A new snapshot, with deleted documents in its segments, has figures of every project of its own.
        var changed = MostlyRiver(Projects(800, 40, seed: 25).Take(300).ToList(), seed: 26);
        engine.Update(changed, ["project:799", "project:800"]);
        projects = [.. changed, .. projects.Skip(300).Where(p => p.Id < 799)];
        AssertFigures(engine, projects, organisations, "river", null);
        Assert.Equal(2, engine.SearchGate.Free);
    }

    private static List<SearchDocument> MostlyRiver(List<SearchDocument> projects, int seed)
    {
        var random = new Random(seed);
        return [.. projects.Select(p => random.Next(4) == 0
            ? p with
            {
                Title = new LocalizedText { En = "urban energy" },
                Figures = p.Figures! with { BudgetSources = p.Budget is null ? [] : [99], Partners = [.. p.Figures.Partners, 41] },
            }
            : p with { Title = new LocalizedText { En = "river water" } })];
    }

    [Fact]
    public void Statistics_TypeFilter_IsAlwaysProjects()
    {
        var projects = Projects(50, 10, seed: 3);
        using var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild([.. projects, .. Organisations(10)]);
        var filters = new Dictionary<SearchFacet, IReadOnlyList<string>> { [SearchFacet.Type] = ["organisation"] };

        Assert.Equal(50, engine.Statistics(new SearchQuery(null, filters)).Total.Projects);
    }

    private static void AssertFigures(
        SearchEngine engine, List<SearchDocument> projects, List<SearchDocument> organisations, string? text, Dictionary<SearchFacet, IReadOnlyList<string>>? filters)
    {
        var stats = engine.Statistics(new SearchQuery(text, filters));
        var matching = projects
            .Where(p => text is null || p.Title.En!.Contains(text, StringComparison.Ordinal))
            .Where(p => filters is null || filters.All(f => p.ValuesOf(f.Key).Any(f.Value.Contains)))
            .ToList();

        AssertCell(null, matching, stats.Total);
        AssertRows(stats.Budgets[BudgetDimension.Programme], matching, p => p.Programme is null ? [] : [p.Programme]);
        AssertRows(stats.Budgets[BudgetDimension.Period], matching, p => p.Period is null ? [] : [p.Period]);
        AssertRows(stats.Budgets[BudgetDimension.Theme], matching, p => p.Themes);
        AssertRows(stats.Budgets[BudgetDimension.Country], matching, p => p.Figures!.LeadCountry is { } c ? [c] : []);
        AssertRows(stats.Budgets[BudgetDimension.Year], matching, p => p.StartDate is { } s ? [s[..4]] : []);

        // Rows that do not overlap add up to the total, the "not known" row included.
        foreach (var dimension in new[] { BudgetDimension.Programme, BudgetDimension.Period, BudgetDimension.Country, BudgetDimension.Year })
        {
            var rows = stats.Budgets[dimension];
            Assert.Equal(stats.Total.Projects, rows.Sum(r => r.Projects));
            Assert.Equal(stats.Total.Budget.Cents, rows.Sum(r => r.Budget.Cents));
            Assert.Equal(stats.Total.Budget.Unknown, rows.Sum(r => r.Budget.Unknown));
            Assert.Equal(stats.Total.EuFunding.Cents, rows.Sum(r => r.EuFunding.Cents));
            Assert.Equal(stats.Total.EuFunding.Known, rows.Sum(r => r.EuFunding.Known));
        }

        var byId = organisations.ToDictionary(o => o.Id);
        var partners = matching.SelectMany(p => p.Figures!.Partners).Distinct().Select(id => byId[id]).ToList();
        Assert.Equal(partners.Count, stats.Partners);
        AssertCounts(stats.Counts[CountDimension.PartnersByCountry], partners, o => o.Countries);
        AssertCounts(stats.Counts[CountDimension.PartnersByType], partners, o => o.Figures!.OrganisationType is { } t ? [t] : []);
        AssertCounts(stats.Counts[CountDimension.ProjectsByCountry], matching, p => p.Countries);
        AssertCounts(stats.Counts[CountDimension.ProjectsByType], matching,
            p => [.. p.Figures!.Partners.Select(id => byId[id].Figures!.OrganisationType).OfType<string>().Distinct()]);
        foreach (var dimension in new[] { CountDimension.PartnersByType, CountDimension.PartnersByRegion })
        {
            Assert.Equal(stats.Partners, stats.Counts[dimension].Sum(r => r.Count));
        }

        // An organisation in two countries counts in both.
        Assert.Equal(partners.Sum(o => Math.Max(1, o.Countries.Count)), stats.Counts[CountDimension.PartnersByCountry].Sum(r => r.Count));
    }

    private static void AssertRows(IReadOnlyList<BudgetCell> rows, List<SearchDocument> projects, Func<SearchDocument, IReadOnlyList<string>> values)
    {
        var expected = projects.SelectMany(p => values(p).Count == 0 ? [(Value: (string?)null, Project: p)] : values(p).Select(v => (Value: (string?)v, Project: p)))
            .GroupBy(x => x.Value).ToDictionary(g => g.Key ?? "", g => g.Select(x => x.Project).ToList());
        // Years between the first and last without a project are the service's to fill, not the index's.
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), rows.Select(r => r.Value ?? "").Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            AssertCell(row.Value, expected[row.Value ?? ""], row);
        }

        Assert.True(rows.Take(rows.Count - 1).All(r => r.Value is not null), "the row without a value comes last");
    }

    private static void AssertCell(string? value, List<SearchDocument> projects, BudgetCell cell)
    {
        Assert.Equal(value, cell.Value);
        Assert.Equal(projects.Count, cell.Projects);
        var budgets = projects.Where(p => p.Budget is not null).ToList();
        Assert.Equal(budgets.Sum(p => (long)(p.Budget!.Value * 100)), cell.Budget.Cents);
        Assert.Equal(budgets.Count, cell.Budget.Known);
        Assert.Equal(projects.Count - budgets.Count, cell.Budget.Unknown);
        Assert.Equal(budgets.SelectMany(p => p.Figures!.BudgetSources).ToHashSet(), cell.Budget.Sources.ToHashSet());
        var eu = projects.Where(p => p.Figures!.EuContribution is not null).ToList();
        Assert.Equal(eu.Sum(p => (long)(p.Figures!.EuContribution!.Value * 100)), cell.EuFunding.Cents);
        Assert.Equal(eu.Count, cell.EuFunding.Known);
        Assert.Equal(projects.Count - eu.Count, cell.EuFunding.Unknown);
        Assert.Equal(eu.SelectMany(p => p.Figures!.EuSources).ToHashSet(), cell.EuFunding.Sources.ToHashSet());
    }

    private static void AssertCounts(IReadOnlyList<CountCell> rows, List<SearchDocument> records, Func<SearchDocument, IReadOnlyList<string>> values)
    {
        var expected = records.SelectMany(r => values(r).Count == 0 ? [(string?)null] : values(r).Select(v => (string?)v))
            .GroupBy(v => v ?? "").ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected, rows.ToDictionary(r => r.Value ?? "", r => r.Count));
    }
}
