using Passerelle.Core.Common;
using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// Filters applied while Lucene matches (a search with two filters or more skips the docs failing two) must give the
/// same drill-sideways counts, totals and pages as counting every match: checked against a brute-force count over
/// the documents for 1, 2 and 3 filters, with and without words, multi-valued dimensions, a value the index does not
/// hold, and after updates leave several segments and deleted documents. Also the gate on concurrent searches.
/// </summary>
public sealed class SearchFilterCountingTests
{
    private static readonly string[] Themes = ["water", "energy", "health", "culture"];
    private static readonly string[] Countries = ["BE", "FR", "NL", "DE", "LU"];
    private static readonly string[] Programmes = ["FWV", "NWE", "2SEAS", "MEUSE"];

    private static List<SearchDocument> Projects(int first, int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(first, count).Select(i => new SearchDocument
        {
            Type = SearchDocType.Project,
            Id = i,
            Slug = "p" + i,
            Name = "P" + i,
            Title = new LocalizedText { En = random.Next(3) == 0 ? "river water" : random.Next(2) == 0 ? "urban energy" : "river energy" },
            Themes = Themes.Where(_ => random.Next(3) == 0).ToArray(),
            Countries = Countries.Where(_ => random.Next(3) == 0).ToArray(),
            Programme = random.Next(10) == 0 ? null : Programmes[random.Next(Programmes.Length)],
            Period = random.Next(2) == 0 ? "2014-2020" : "2021-2027",
            Budget = random.Next(4) == 0 ? null : random.Next(1, 8_000_000),
        }).ToList();
    }

    public static TheoryData<int, string?, bool> Cases()
    {
        var data = new TheoryData<int, string?, bool>();
        foreach (var filters in new[] { 1, 2, 3 })
        {
            foreach (var text in new[] { null, "river", "energy" })
            {
                data.Add(filters, text, false);
                data.Add(filters, text, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Search_OneToThreeFilters_CountsEqualBruteForce(int filterCount, string? text, bool updated)
    {
        var docs = Projects(1, 1_500, 17);
        using var engine = new SearchEngine(indexingThreads: 2);
        engine.Rebuild(docs);
        if (updated)
        {
            // Two more segments: new docs, changed docs (their old versions deleted in the first segment), removed docs.
            var changed = Projects(1, 300, 99).Where(d => d.Id % 3 == 0).ToList();
            var added = Projects(1_501, 400, 5);
            engine.Update(changed.Concat(added), ["project:7", "project:8", "project:1000"]);
            engine.Update(Projects(1_901, 50, 6), ["project:1502"]);
            var byId = docs.ToDictionary(d => d.Id);
            foreach (var d in changed.Concat(added).Concat(Projects(1_901, 50, 6)))
            {
                byId[d.Id] = d;
            }

            foreach (var id in new[] { 7, 8, 1000, 1502 })
            {
                byId.Remove(id);
            }

            docs = [.. byId.Values];
        }

        var all = new Dictionary<SearchFacet, IReadOnlyList<string>>
        {
            [SearchFacet.Theme] = ["water", "health"],
            [SearchFacet.Country] = ["BE", "NOWHERE"],
            [SearchFacet.Programme] = ["NWE"],
        };
        var filters = all.Take(filterCount).ToDictionary(f => f.Key, f => f.Value);

        var result = engine.Search(new SearchQuery(text, filters, PageSize: 100, Page: 1));

        bool Matches(SearchDocument d) => text is null || d.Title.En!.Contains(text, StringComparison.Ordinal);
        bool Passes(SearchDocument d, SearchFacet? except) => filters.All(f => f.Key == except || d.ValuesOf(f.Key).Any(f.Value.Contains));
        var matching = docs.Where(Matches).ToList();
        var passing = matching.Where(d => Passes(d, null)).ToList();
        Assert.Equal(passing.Count, result.Total);
        if (text is null)
        {
            // Without words the page is sorted by input order on ties: the first of the passing docs are not fixed
            // by the test's order after updates, but every doc shown passes and none is shown twice.
            Assert.All(result.Items, i => Assert.Contains(passing, d => d.Slug == i.Slug));
        }
        else
        {
            Assert.Subset(passing.Select(d => d.Slug).ToHashSet(), result.Items.Select(i => i.Slug).ToHashSet());
        }

        Assert.Equal(Math.Min(100, passing.Count), result.Items.Select(i => i.Slug).Distinct().Count());
        foreach (var facet in SearchFacets.All)
        {
            var expected = matching.Where(d => Passes(d, facet)).SelectMany(d => d.ValuesOf(facet))
                .GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
            var actual = result.Facets[facet.Name()].Where(c => c.Count > 0).ToDictionary(c => c.Value, c => c.Count);
            Assert.Equal(expected.OrderBy(e => e.Key), actual.OrderBy(a => a.Key));
        }
    }

    [Fact]
    public void Search_RepeatedFilters_GiveTheSameCountsFromCachedBitsets()
    {
        using var engine = new SearchEngine();
        engine.Rebuild(Projects(1, 800, 3));
        var query = new SearchQuery("river", new Dictionary<SearchFacet, IReadOnlyList<string>>
        {
            [SearchFacet.Theme] = ["energy"],
            [SearchFacet.Country] = ["FR", "NL"],
        });

        var first = engine.Search(query);
        var second = engine.Search(query);

        Assert.Equal(first.Total, second.Total);
        foreach (var (facet, counts) in first.Facets)
        {
            Assert.Equal(counts, second.Facets[facet]);
        }
    }

    [Fact]
    public async Task SearchAsync_AllSlotsTaken_WaitsAndHonoursCancellation()
    {
        using var engine = new SearchEngine(concurrentSearches: 2);
        engine.Rebuild(Projects(1, 50, 1));
        var ct = TestContext.Current.CancellationToken;
        // Take both slots as two running searches would.
        await engine.SearchGate.WaitAsync(ct);
        await engine.SearchGate.WaitAsync(ct);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waiting = engine.SearchAsync(new SearchQuery("river"), cancel.Token);
        var statistics = engine.StatisticsAsync(new SearchQuery("river"), ct);
        Assert.False(waiting.IsCompleted);
        Assert.False(statistics.IsCompleted);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        // A freed slot lets the waiting statistics run; the cancelled search took none.
        engine.SearchGate.Release();
        var stats = await statistics.WaitAsync(TimeSpan.FromMinutes(1), ct);
        Assert.Equal(1, engine.SearchGate.Free);
        Assert.True(stats.Total.Projects > 0);
        engine.SearchGate.Release();
        Assert.Equal(2, engine.SearchGate.Free);
        Assert.True((await engine.SearchAsync(new SearchQuery("river"), ct)).Total > 0);
    }

    [Fact]
    public async Task SearchGate_TryTake_TakesOnlyAFreeSlotNobodyWaitsFor()
    {
        using var engine = new SearchEngine(concurrentSearches: 2);
        var gate = engine.SearchGate;
        var ct = TestContext.Current.CancellationToken;

        Assert.True(gate.TryTake());
        Assert.Equal(1, gate.Free);
        Assert.True(gate.TryTake());
        Assert.False(gate.TryTake());
        Assert.Equal(0, gate.Free);

        // A waiter gets the next released slot; TryTake never goes ahead of it.
        var waiter = gate.WaitAsync(ct);
        gate.Release();
        await waiter.WaitAsync(TimeSpan.FromMinutes(1), ct);
        Assert.False(gate.TryTake());
        gate.Release();
        gate.Release();
        Assert.Equal(2, gate.Free);
    }

    [Fact]
    public async Task SearchGate_SlotsTaken_ServesWaitersInTheOrderTheyCame()
    {
        var gate = new SearchGate(1);
        var ct = TestContext.Current.CancellationToken;
        await gate.WaitAsync(ct);
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 5).Select(async i =>
        {
            await gate.WaitAsync(ct);
            lock (order)
            {
                order.Add(i);
            }

            gate.Release();
        }).ToList();

        gate.Release();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task Search_ManyAtOnce_NeverMoreThanTheGateAllowsAndAllAnswered()
    {
        using var engine = new SearchEngine(concurrentSearches: 2);
        var docs = Projects(1, 400, 2);
        engine.Rebuild(docs);
        var expected = docs.Count(d => d.Title.En!.Contains("river", StringComparison.Ordinal));
        var ct = TestContext.Current.CancellationToken;

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => engine.SearchAsync(new SearchQuery("river"), ct), ct)));

        Assert.All(results, r => Assert.Equal(expected, r.Total));
        Assert.Equal(2, engine.SearchGate.Free);
    }
}
