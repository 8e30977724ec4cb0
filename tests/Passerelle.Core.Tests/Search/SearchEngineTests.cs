using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

public sealed class SearchEngineTests
{
    private static readonly string[] ThemeValues = ["water", "energy", "health", "culture"];
    private static readonly string[] CountryValues = ["BE", "FR", "NL", "DE"];
    private static readonly string[] ProgrammeValues = ["FWV", "NWE", "2SEAS"];

    private static SearchDocument Project(int id, string title, string? summary = null, string[]? themes = null, string[]? countries = null,
        string programme = "FWV", decimal? budget = null, string? start = null) => new()
        {
            Type = SearchDocType.Project,
            Id = id,
            Slug = "p" + id,
            Name = "P" + id,
            Title = new LocalizedText { En = title },
            Summary = new LocalizedText { En = summary },
            Themes = themes ?? [],
            Countries = countries ?? [],
            Programme = programme,
            Budget = budget,
            StartDate = start,
        };

    /// <summary>Random docs with multi-valued themes and countries, the same each run.</summary>
    private static List<SearchDocument> RandomProjects(int count)
    {
        var random = new Random(42);
        return Enumerable.Range(1, count).Select(i => Project(
            i,
            random.Next(3) == 0 ? "river water" : "urban energy",
            themes: ThemeValues.Where(_ => random.Next(3) == 0).ToArray(),
            countries: CountryValues.Where(_ => random.Next(2) == 0).ToArray(),
            programme: ProgrammeValues[random.Next(ProgrammeValues.Length)])).ToList();
    }

    [Fact]
    public void WarmUp_EmptyIndex_SearchesNothing()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([]);

        Assert.Null(engine.WarmUp());
    }

    [Fact]
    public void WarmUp_IndexWithProjects_SearchesTheFirstNamesLongestWordAndLeavesSearchesUnchanged()
    {
        var docs = RandomProjects(50);
        docs[0] = docs[0] with { Name = "Eau Riverside Lys" };
        // One indexing thread: the documents keep their order, so the first is docs[0].
        using var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild(docs);
        var before = engine.Search(new SearchQuery("river"));

        Assert.Equal("Riverside", engine.WarmUp());
        var after = engine.Search(new SearchQuery("river"));
        Assert.Equal(before.Total, after.Total);
        Assert.Equal(before.Items.Select(i => i.Slug), after.Items.Select(i => i.Slug));
    }

    [Fact]
    public void Search_Filters_CountEachFacetIgnoringOnlyItsOwnFilter()
    {
        var docs = RandomProjects(500);
        using var engine = new SearchEngine();
        engine.Rebuild(docs);
        var filters = new Dictionary<SearchFacet, IReadOnlyList<string>>
        {
            [SearchFacet.Theme] = ["water", "health"],
            [SearchFacet.Country] = ["BE"],
            [SearchFacet.Programme] = ["NWE", "2SEAS"],
        };

        var result = engine.Search(new SearchQuery("river", filters, PageSize: 100));

        bool Passes(SearchDocument d, SearchFacet? except) => filters.All(f => f.Key == except || d.ValuesOf(f.Key).Any(f.Value.Contains));
        var text = docs.Where(d => d.Title.En == "river water").ToList();
        Assert.Equal(text.Count(d => Passes(d, null)), result.Total);
        foreach (var facet in new[] { SearchFacet.Theme, SearchFacet.Country, SearchFacet.Programme, SearchFacet.Type })
        {
            // Naive drill-sideways: every doc passing all filters but this facet's own, counted per value.
            var expected = text.Where(d => Passes(d, facet)).SelectMany(d => d.ValuesOf(facet))
                .GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
            var actual = result.Facets[facet.Name()].Where(c => c.Count > 0).ToDictionary(c => c.Value, c => c.Count);
            Assert.Equal(expected.OrderBy(e => e.Key), actual.OrderBy(a => a.Key));
        }
    }

    [Fact]
    public void Search_SortByStartDate_PutsNewestFirstAndUnknownLast()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([
            Project(1, "canal", start: "2016"), Project(2, "canal"), Project(3, "canal", start: "2021-05"), Project(4, "canal", start: "2018-01-15"),
        ]);

        var result = engine.Search(new SearchQuery("canal", Sort: SearchSort.StartDesc));

        Assert.Equal(["p3", "p4", "p1", "p2"], result.Items.Select(i => i.Slug));
    }

    [Fact]
    public void Search_Paging_SplitsTheRankingWithoutOverlap()
    {
        using var engine = new SearchEngine();
        engine.Rebuild(RandomProjects(50));

        var pages = Enumerable.Range(1, 5).SelectMany(p => engine.Search(new SearchQuery(null, Page: p, PageSize: 10)).Items).Select(i => i.Slug).ToList();

        Assert.Equal(50, pages.Distinct().Count());
    }

    [Fact]
    public void Update_ChangedAndDeletedRecords_AreSearchableAtOnce()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, "stork nesting"), Project(2, "river basin")]);

        engine.Update([Project(1, "heron nesting")], [SearchDocument.KeyOf(SearchDocType.Project, 2)]);

        Assert.Equal(0, engine.Search(new SearchQuery("stork")).Total);
        Assert.Equal(["p1"], engine.Search(new SearchQuery("heron")).Items.Select(i => i.Slug));
        Assert.Equal(0, engine.Search(new SearchQuery("basin")).Total);
        Assert.Equal(1, engine.DocumentCount);
    }

    [Theory]
    [InlineData("cooperat", "cross-border cooperation")]
    [InlineData("Coopération", "cross-border cooperation")]
    [InlineData("cooperations", "cross-border cooperation")]
    [InlineData("biodiversty", "local biodiversity")]
    public void Search_LooseWords_MatchAndAreMarked(string query, string title)
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, title), Project(2, "something else")]);

        var result = engine.Search(new SearchQuery(query));

        var hit = Assert.Single(result.Items);
        Assert.Contains("<mark>", hit.SnippetHtml, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_Snippet_EscapesHtmlInTheText()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, "water", summary: "<script>alert(1)</script> water & wind")]);

        var hit = Assert.Single(engine.Search(new SearchQuery("water")).Items);

        Assert.Equal("&lt;script&gt;alert(1)&lt;/script&gt; <mark>water</mark> &amp; wind", hit.SnippetHtml);
    }

    [Fact]
    public void Search_StopWordOnly_IsOptionalBesideOtherWords()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, "Parc de la Lys")]);

        Assert.Equal(1, engine.Search(new SearchQuery("the lys")).Total);
    }

    private static SearchDocument Place(string code, string name, string kind = "municipality", string? other = null) => new()
    {
        Type = SearchDocType.Territory,
        Id = 0,
        Slug = code,
        Name = name,
        AltNames = new[] { other, code }.OfType<string>().ToList(),
        Kind = kind,
        Countries = [code[..2]],
    };

    [Fact]
    public void Search_FourLetterWordOneEditOff_MatchesNamesButNotSummaries()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Place("FR59350", "Lille"), Project(2, "Canal works", summary: "a line of trees")]);

        Assert.Equal(["FR59350"], engine.Search(new SearchQuery("lile")).Items.Select(i => i.Slug));
        // "lino" is one edit from "line", a word of the summary only: no match.
        Assert.Equal(0, engine.Search(new SearchQuery("lino")).Total);
        // Numbers are never matched loosely: 2015 is not 2014.
        engine.Update([Project(3, "Plan 2014")], []);
        Assert.Equal(0, engine.Search(new SearchQuery("2015")).Total);
    }

    [Fact]
    public void Search_FacetLimit_ListsTheMostFrequentValuesTiesByLabelAndEveryTickedOne()
    {
        // Programme counts 5, 4, 3, 3, 1, 1; the two at 3 are ordered by their labels, not their codes.
        var counts = new (string Programme, int Count)[] { ("P1", 5), ("P2", 4), ("P3", 3), ("P4", 3), ("P5", 1), ("P6", 1) };
        var docs = counts.SelectMany(c => Enumerable.Repeat(c.Programme, c.Count))
            .Select((programme, i) => Project(i + 1, "canal", programme: programme)).ToList();
        using var engine = new SearchEngine();
        engine.Rebuild(docs);
        engine.SetLabels([
            (SearchFacet.Programme, "P3", new LocalizedText { En = "Zeta" }),
            (SearchFacet.Programme, "P4", new LocalizedText { En = "Alpha" }),
        ]);

        var all = engine.Search(new SearchQuery("canal"));
        var top = engine.Search(new SearchQuery("canal", FacetLimit: 3));
        var ticked = engine.Search(new SearchQuery("canal",
            new Dictionary<SearchFacet, IReadOnlyList<string>> { [SearchFacet.Programme] = ["P6", "GONE"] }, FacetLimit: 3));
        var expanded = engine.Search(new SearchQuery("canal", FacetLimit: 3, FacetExpanded: SearchFacet.Programme));

        Assert.Equal(["P1", "P2", "P4", "P3", "P5", "P6"], all.Facets["programme"].Select(c => c.Value));
        Assert.Equal(["P1", "P2", "P4"], top.Facets["programme"].Select(c => c.Value));
        Assert.Equal((6, 6), (all.FacetSizes["programme"], top.FacetSizes["programme"]));
        // Ticked values stay listed (to untick them), in count order; one the index does not know counts 0.
        Assert.Equal(["P1", "P2", "P4", "P6", "GONE"], ticked.Facets["programme"].Select(c => c.Value));
        Assert.Equal([false, false, false, true, true], ticked.Facets["programme"].Select(c => c.Selected));
        Assert.Equal(7, ticked.FacetSizes["programme"]);
        // The filter narrows the hits, not the programme facet's own counts.
        Assert.Equal(1, ticked.Total);
        Assert.Equal(all.Facets["programme"], expanded.Facets["programme"]);
        Assert.Equal(all.Total, top.Total);
    }

    [Fact]
    public void Rebuild_OnDisk_WritesSmallStoredFieldChunksThatReopen()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-codec-").FullName;
        try
        {
            using (var engine = new SearchEngine(folder))
            {
                engine.Rebuild(Enumerable.Range(1, 50).Select(i => Project(i, "canal " + i, summary: "towpath and locks " + i)));
            }

            // Every segment is written with the codec of small stored-field chunks, and reads back after a restart.
            var infos = new Lucene.Net.Index.SegmentInfos();
            using (var directory = Lucene.Net.Store.FSDirectory.Open(folder))
            {
                infos.Read(directory);
            }

            Assert.NotEmpty(infos.Segments);
            Assert.All(infos.Segments, s => Assert.Equal(SearchCodec.CodecName, s.Info.Codec.Name));
            using var reopened = new SearchEngine(folder);
            var hit = Assert.Single(reopened.Search(new SearchQuery("canal 17")).Items, i => i.Slug == "p17");
            Assert.Equal("towpath and locks <mark>17</mark>", hit.SnippetHtml);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Search_WholeName_RanksThePlaceOfThatNameFirst()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([
            Project(1, "Lille design week"), Place("FR59386", "Marquette-lez-Lille"), Place("FR59350", "Lille"),
            Place("BE34022", "Kortrijk", other: "Courtrai"), Place("BE254", "Arr. Kortrijk", kind: "nuts3"),
        ]);

        Assert.Equal("FR59350", engine.Search(new SearchQuery("lille")).Items[0].Slug);
        Assert.Equal("BE34022", engine.Search(new SearchQuery("kortrik")).Items[0].Slug);
        Assert.Equal("BE34022", engine.Search(new SearchQuery("courtrai")).Items[0].Slug);
        var hit = engine.Search(new SearchQuery("BE254")).Items[0];
        Assert.Equal(("BE254", SearchDocType.Territory, "nuts3"), (hit.Slug, hit.Type, hit.Kind));
    }

    [Fact]
    public void Search_NoWords_LeavesPlacesOutUnlessTheTypeFilterAsksForThem()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, "canal"), Place("FR59350", "Lille"), Place("BE34022", "Kortrijk")]);

        var browse = engine.Search(new SearchQuery(null));
        Assert.Equal(["p1"], browse.Items.Select(i => i.Slug));
        Assert.Equal(2, browse.Facets["type"].Single(c => c.Value == "territory").Count);
        Assert.DoesNotContain(browse.Facets["type"], c => c.Selected);

        var places = engine.Search(new SearchQuery(null, new Dictionary<SearchFacet, IReadOnlyList<string>> { [SearchFacet.Type] = ["territory"] }));
        Assert.Equal(2, places.Total);
        // With words, places are found among the records.
        Assert.Equal(["FR59350"], engine.Search(new SearchQuery("lille")).Items.Select(i => i.Slug));
    }

    [Fact]
    public void Search_GroupingLegalFormInAnyLanguage_FindsIt()
    {
        using var engine = new SearchEngine();
        var kind = GroupingKinds.KindOf(["European Grouping of Territorial Cooperation (EGTC)"]);
        engine.Rebuild([new SearchDocument
        {
            Type = SearchDocType.Grouping, Id = 1, Slug = "g", Name = "Eurometropole", Kind = kind,
            AltNames = GroupingKinds.Names(kind),
        }, Project(2, "canal")]);

        foreach (var q in new[] { "EGTC", "gect", "EGTS", "evtz", "groupement europeen", "Verbund für territoriale Zusammenarbeit" })
        {
            var hit = Assert.Single(engine.Search(new SearchQuery(q)).Items);
            Assert.Equal(("g", "egtc"), (hit.Slug, hit.Kind));
        }
    }

    [Theory]
    [InlineData("EGTC", "egtc")]
    [InlineData("GECT", "egtc")]
    [InlineData("European Grouping of Territorial Cooperation (EGTC)", "egtc")]
    [InlineData("Europäischer Verbund für territoriale Zusammenarbeit", "egtc")]
    [InlineData("AECT", "egtc")]
    [InlineData("association sans but lucratif", null)]
    [InlineData("Eurodistrict", null)]
    public void GroupingKinds_LegalForm_IsRecognised(string legalForm, string? kind) =>
        Assert.Equal(kind, GroupingKinds.KindOf([legalForm]));
}
