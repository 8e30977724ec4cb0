using Passerelle.Core.Common;
using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// A reopen after an update copies the facet, sort and statistics arrays of the segments the new reader shares with
/// the previous one (ADR 7, "Reopening"): after every kind of change (new documents, replaced and deleted ones, a facet
/// value never seen, a dimension becoming multi-valued, new sources, merges of the small segments), the arrays of the
/// current snapshot must equal those loaded afresh from the same reader, value for value.
/// </summary>
public sealed class SnapshotReuseTests
{
    private static readonly string[] Themes = ["water", "energy", "health"];
    private static readonly string[] Countries = ["BE", "FR", "NL"];

    /// <summary>Projects with at most one theme each (so the theme arrays start single-valued), budgets and sources.</summary>
    internal static SearchDocument Project(int id, Random random, string? programme = null, string[]? themes = null, int? source = null) => new()
    {
        Type = SearchDocType.Project,
        Id = id,
        Slug = "p" + id,
        Name = "P" + id,
        Title = new LocalizedText { En = random.Next(2) == 0 ? "river water" : "urban energy" },
        Programme = programme ?? (random.Next(5) == 0 ? null : "FWV"),
        Period = random.Next(2) == 0 ? "2014-2020" : "2021-2027",
        Themes = themes ?? (random.Next(3) == 0 ? [] : [Themes[random.Next(Themes.Length)]]),
        Countries = Countries.Where(_ => random.Next(2) == 0).ToArray(),
        StartDate = random.Next(3) == 0 ? null : $"{2014 + random.Next(8)}-0{1 + random.Next(9)}",
        Budget = random.Next(4) == 0 ? null : random.Next(1, 1_000_000),
        Figures = new IndexedFigures
        {
            EuContribution = random.Next(3) == 0 ? null : random.Next(1, 500_000),
            BudgetSources = [source ?? 1 + random.Next(3)],
            EuSources = [10 + random.Next(2)],
            LeadCountry = random.Next(4) == 0 ? null : Countries[random.Next(Countries.Length)],
            Partners = [.. Enumerable.Range(0, random.Next(3)).Select(_ => random.Next(1, 30)).Distinct()],
        },
    };

    private static SearchDocument Organisation(int id, string type) => new()
    {
        Type = SearchDocType.Organisation,
        Id = id,
        Slug = "o" + id,
        Name = "Organisation " + id,
        Countries = [Countries[id % Countries.Length]],
        Figures = new IndexedFigures { OrganisationType = type },
    };

    [Fact]
    public void Update_SegmentsSharedWithThePreviousSnapshot_ArraysEqualAFreshLoad()
    {
        var random = new Random(11);
        using var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild([.. Enumerable.Range(1, 400).Select(i => Project(i, random)), .. Enumerable.Range(1, 30).Select(i => Organisation(i, "public"))]);
        // Statistics asked once: from then on each reopen loads their arrays too.
        engine.Statistics(new SearchQuery(null));

        var changes = new List<(IEnumerable<SearchDocument> Upserts, string[] Deletes)>
        {
            // New documents and replaced ones (their old versions deleted in the first segment).
            ([Project(401, random), Project(5, random), Project(6, random)], ["project:7"]),
            // A programme and a source never seen; a replaced organisation of another type.
            ([Project(402, random, programme: "NWE", source: 99), Organisation(3, "private")], []),
            // Two themes on one project: the theme dimension becomes multi-valued.
            ([Project(403, random, themes: ["water", "health"])], ["project:1", "organisation:4"]),
        };
        // Enough one-document updates for the merge policy to merge the small segments.
        changes.AddRange(Enumerable.Range(404, 25).Select(i => ((IEnumerable<SearchDocument>)[Project(i, random)], Array.Empty<string>())));

        var copied = 0;
        foreach (var (upserts, deletes) in changes)
        {
            engine.Update(upserts, deletes);
            copied += engine.LastReopen!.SharedDocs > 0 ? 1 : 0;
            var (reader, table, statistics) = engine.Current;
            AssertSame(new FacetTable(reader), table);
            AssertSame(new StatisticsTable(reader, table), statistics!);
        }

        // The test would prove nothing if every reopen had read every segment again.
        Assert.True(copied >= changes.Count / 2, $"only {copied} of {changes.Count} reopens copied shared segments");
        Assert.Null(engine.Current.Table.Dims[(int)SearchFacet.Theme].Single);
        Assert.Equal(430 - 2 + 27, engine.DocumentCount);
    }

    [Fact]
    public void Update_SharedSegments_SearchCountsEqualAFreshEngine()
    {
        var random = new Random(5);
        var documents = Enumerable.Range(1, 300).Select(i => Project(i, random)).ToDictionary(d => d.Key);
        using var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild(documents.Values);
        for (var round = 0; round < 6; round++)
        {
            var upserts = Enumerable.Range(1, 20).Select(_ => Project(random.Next(1, 400), random, programme: round % 2 == 0 ? "NWE" : null)).DistinctBy(d => d.Key).ToList();
            engine.Update(upserts, ["project:" + (round + 10)]);
            foreach (var d in upserts)
            {
                documents[d.Key] = d;
            }

            documents.Remove("project:" + (round + 10));
        }

        AssertSameSearches(documents.Values, engine);
    }

    /// <summary>A filtered and sorted search, with and without words, answers as an engine freshly built from <paramref name="documents"/>.</summary>
    internal static void AssertSameSearches(IEnumerable<SearchDocument> documents, SearchEngine engine)
    {
        using var fresh = new SearchEngine(indexingThreads: 1);
        fresh.Rebuild(documents);
        foreach (var text in new[] { null, "river", "energy" })
        {
            var query = new SearchQuery(text, new Dictionary<SearchFacet, IReadOnlyList<string>> { [SearchFacet.Country] = ["BE"] }, SearchSort.BudgetDesc);
            var (a, b) = (engine.Search(query), fresh.Search(query));
            Assert.Equal(b.Total, a.Total);
            Assert.Equal(b.Items.Select(h => h.Slug), a.Items.Select(h => h.Slug));
            Assert.Equal(
                b.Facets.SelectMany(f => f.Value.Select(v => (f.Key, v.Value, v.Count))).Order(),
                a.Facets.SelectMany(f => f.Value.Select(v => (f.Key, v.Value, v.Count))).Order());
        }
    }

    internal static void AssertSame(FacetTable expected, FacetTable actual)
    {
        Assert.Equal(expected.MaxDoc, actual.MaxDoc);
        for (var d = 0; d < expected.Dims.Length; d++)
        {
            AssertSame(expected.Dims[d], actual.Dims[d], expected.MaxDoc);
        }

        Assert.Equal(expected.DimBase, actual.DimBase);
        Assert.Equal(expected.PackedOffsets.ToArray(), actual.PackedOffsets.ToArray());
        Assert.Equal(expected.Packed16?.ToArray(), actual.Packed16?.ToArray());
        Assert.Equal(expected.Packed32?.ToArray(), actual.Packed32?.ToArray());
        Assert.Equal(expected.Start.ToArray(), actual.Start.ToArray());
        Assert.Equal(expected.Budget.ToArray(), actual.Budget.ToArray());
        Assert.Equal(expected.Sequence.ToArray(), actual.Sequence.ToArray());
        Assert.Equal(expected.MaxSequence, actual.MaxSequence);
    }

    private static void AssertSame(StatisticsTable expected, StatisticsTable actual)
    {
        Assert.Equal(expected.Budget, actual.Budget);
        Assert.Equal(expected.Eu, actual.Eu);
        Assert.Equal(expected.OrganisationIds, actual.OrganisationIds);
        Assert.Equal(expected.OrganisationDoc, actual.OrganisationDoc);
        Assert.Equal(expected.Organisations, actual.Organisations);
        Assert.Equal(expected.OrganisationTypes, actual.OrganisationTypes);
        Assert.Equal(expected.SourceIds, actual.SourceIds);
        foreach (var (e, a) in new[] { (expected.BudgetSources, actual.BudgetSources), (expected.EuSources, actual.EuSources), (expected.Partners, actual.Partners) })
        {
            Assert.Equal(e.Offsets, a.Offsets);
            Assert.Equal(e.Values, a.Values);
        }

        AssertSame(expected.LeadCountry, actual.LeadCountry, expected.Budget.Length);
        AssertSame(expected.OrganisationType, actual.OrganisationType, expected.Budget.Length);
    }

    /// <summary>The same values with the same ordinals for every document (a dimension may be stored either way).</summary>
    private static void AssertSame(FacetDim expected, FacetDim actual, int maxDoc)
    {
        Assert.Equal(expected.Values, actual.Values);
        Assert.Equal(expected.ValuesAfterLeaf, actual.ValuesAfterLeaf);
        for (var doc = 0; doc < maxDoc; doc++)
        {
            Assert.Equal(Ordinals(expected, doc), Ordinals(actual, doc));
        }
    }

    private static short[] Ordinals(FacetDim dim, int doc) =>
        dim.Single is { } single ? single[doc] >= 0 ? [single[doc]] : [] : dim.Multi![dim.Offsets![doc]..dim.Offsets[doc + 1]].ToArray();
}
