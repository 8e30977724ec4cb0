using Lucene.Net.Index;
using Lucene.Net.Search;

using Passerelle.Core.Common;
using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// Words matched and scored term at a time (<see cref="ScoredMatches"/>) must give a search exactly what Lucene's own
/// scorers give: the same total, facet counts, page and scores, for every shape of query the query builder makes
/// (words, stop words, a word being typed, a misspelt word, stems, whole names), with and without filters, sorted by
/// relevance or not, over several segments with deleted documents.
/// </summary>
public sealed class ScoredMatchesTests
{
    private static readonly string[] Texts =
    [
        "river water quality", "urban energy transition", "de la rivière et des eaux", "Wasser und Energie im Fluss",
        "water management of the river basin", "energies renouvelables", "the cooperation of cities", "Lille",
        "cooperative river ports", "biodiversity corridors", "rivers and canals", "water water everywhere and river",
        "le transport fluvial et la qualité de l'eau", "grensoverschrijdende samenwerking rivier",
    ];

    private static readonly string[] Themes = ["water", "energy", "health"];

    private static SearchDocument Project(int id, Random random) => new()
    {
        Type = SearchDocType.Project,
        Id = id,
        Slug = "p" + id,
        Name = id % 50 == 0 ? "Lille" : id % 7 == 0 ? "River " + id : "P" + id,
        // A rare word ("estuary", one project in 40) beside common ones: the common word is then read only at the
        // rare word's documents (skipping), which must give the same matches and scores as reading it through.
        Title = new LocalizedText { En = Texts[random.Next(Texts.Length)] + (id % 40 == 0 ? " estuary" : "") },
        Summary = random.Next(3) == 0
            ? new LocalizedText { Fr = Texts[random.Next(Texts.Length)], Nl = Texts[random.Next(Texts.Length)] }
            : new LocalizedText { Fr = Texts[random.Next(Texts.Length)] + " " + Texts[random.Next(Texts.Length)] },
        Programme = random.Next(2) == 0 ? "FWV" : "NWE",
        Themes = Themes.Where(_ => random.Next(2) == 0).ToArray(),
        Period = random.Next(2) == 0 ? "2014-2020" : "2021-2027",
        // Two rare values (from the id, so the draws above are unchanged): filtered on together with a common one,
        // few documents fail at most one filter, and the search leaves them to Lucene's scorers (ScoredMatches.Dense).
        Countries = id % 41 == 0 ? ["LU", "BE"] : id % 2 == 0 ? ["FR"] : ["FR", "BE"],
        Status = id % 37 == 0 ? "closed" : "open",
        StartDate = random.Next(4) == 0 ? null : $"{2015 + random.Next(10)}-{1 + random.Next(12):00}-01",
    };

    public static TheoryData<string?> Queries() => new(QueryTexts);

    private static readonly string?[] QueryTexts =
    [
        "river", "river water", "the river", "de la", "riv", "cooperat", "biodiversty", "lile", "energie", "wasser fluss",
        "lille", "zzzqqq", "water zzzqqq", "water the", "eau", "River", "rivers and canals", "samenwerking",
        "estuary water", "water estuary", "the estuary of the river", "estuary wat",
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public void Search_EveryQueryShape_SameAsLuceneScorers(string? text)
    {
        using var engine = Engine();
        var filters = new Dictionary<SearchFacet, IReadOnlyList<string>>[]
        {
            [],
            new() { [SearchFacet.Programme] = ["FWV"] },
            new() { [SearchFacet.Programme] = ["NWE"], [SearchFacet.Theme] = ["water", "health"] },
            new() { [SearchFacet.Country] = ["LU"], [SearchFacet.Status] = ["closed"], [SearchFacet.Programme] = ["FWV"] },
        };
        foreach (var filter in filters)
        {
            foreach (var sort in new[] { SearchSort.Relevance, SearchSort.StartDesc })
            {
                foreach (var page in new[] { 1, 3 })
                {
                    var query = new SearchQuery(text, filter, sort, page, PageSize: 10);
                    engine.ScoreTermAtATime = false;
                    var expected = engine.Search(query);
                    engine.ScoreTermAtATime = true;
                    var actual = engine.Search(query);

                    Assert.Equal(expected.Total, actual.Total);
                    Assert.Equal(Facets(expected), Facets(actual));
                    Assert.Equal(expected.Items.Select(i => i.Slug), actual.Items.Select(i => i.Slug));
                    for (var i = 0; i < expected.Items.Count; i++)
                    {
                        Assert.Equal(expected.Items[i].Score, actual.Items[i].Score, 0.0001f);
                    }
                }
            }
        }
    }

    [Fact]
    public void Search_ManyMatches_FindsSomeOnEveryPage()
    {
        // Not a vacuous comparison: the queries above find documents, spread over the segments, with scores apart.
        using var engine = Engine();
        var result = engine.Search(new SearchQuery("river water", PageSize: 50));
        Assert.True(result.Total > 100, $"{result.Total} hits");
        Assert.True(result.Items.Select(i => i.Score).Distinct().Count() > 3);
        Assert.True(result.Items[0].Score > result.Items[^1].Score);
    }

    [Fact]
    public void Search_MatchesOverSeveralRuns_SameCountsAsLuceneScorers()
    {
        // The matches reach the collector in runs of a few thousand (FacetCollector.AddRun, which asks for the next
        // hits' records ahead): a search of tens of thousands of hits spans several runs and their boundaries.
        using var engine = Engine(documents: 12_000);
        foreach (var text in new[] { "river", "water river", "eau" })
        {
            foreach (var filter in new Dictionary<SearchFacet, IReadOnlyList<string>>[]
            {
                [], new() { [SearchFacet.Programme] = ["FWV"] }, new() { [SearchFacet.Programme] = ["FWV"], [SearchFacet.Country] = ["BE"] },
            })
            {
                var query = new SearchQuery(text, filter, SearchSort.Relevance, 2, PageSize: 10);
                engine.ScoreTermAtATime = false;
                var expected = engine.Search(query);
                engine.ScoreTermAtATime = true;
                var actual = engine.Search(query);

                Assert.True(expected.Total > 4_000 || filter.Count > 0, $"{text}: {expected.Total} hits");
                Assert.Equal(expected.Total, actual.Total);
                Assert.Equal(Facets(expected), Facets(actual));
                Assert.Equal(expected.Items.Select(i => i.Slug), actual.Items.Select(i => i.Slug));
            }
        }
    }

    public static TheoryData<string, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var shape in new[] { "required and at least one optional", "boosted booleans", "one term", "optional only" })
        {
            // Candidates (the documents failing at most one of several filters): none, every third document (read
            // through), every 29th (few: the clauses skip to them).
            foreach (var every in new[] { 0, 3, 29 })
            {
                // The terms read window by window: one window a segment (the default at this size), and windows of 100
                // documents, whose edges fall inside 64-document words.
                foreach (var window in Windows)
                {
                    data.Add(shape, every, window);
                }
            }
        }

        return data;
    }

    private static readonly int[] Windows = [ScoredMatches.Window, 100];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Collect_HandBuiltShapes_SameMatchesAndScoresAsLucene(string shape, int candidatesEvery, int window)
    {
        // Shapes the query builder makes rarely or not today, built by hand: a minimum of one optional clause beside
        // a required one, boosts on the booleans themselves (weights normalised down the tree), a lone term; with
        // candidates, only they may match, as through Lucene with them as a filter.
        using var engine = Engine();
        var (reader, table, _) = engine.Current;
        var searcher = new IndexSearcher(reader);
        TermQuery Term(string word, float boost = 1f) => new(new Term(SearchAnalyzers.PlainField, word)) { Boost = boost };
        static BooleanQuery Boolean(float boost, int minimum, params (Query Query, Occur Occur)[] clauses)
        {
            var b = new BooleanQuery(disableCoord: true) { Boost = boost, MinimumNumberShouldMatch = minimum };
            foreach (var (q, occur) in clauses)
            {
                b.Add(q, occur);
            }

            return b;
        }

        BooleanQuery Words(params string[] words)
        {
            var b = new BooleanQuery(disableCoord: true) { Boost = 1.7f };
            foreach (var w in words)
            {
                b.Add(Term(w, 1.3f), Occur.SHOULD);
            }

            return b;
        }

        Query query = shape switch
        {
            "required and at least one optional" => Boolean(1f, 1, (Term("river"), Occur.MUST), (Term("water", 2f), Occur.SHOULD), (Term("basin"), Occur.SHOULD)),
            "boosted booleans" => Boolean(0.6f, 0, (Words("river", "rivers"), Occur.MUST), (Words("water", "eau"), Occur.MUST), (Term("quality", 3f), Occur.SHOULD)),
            "one term" => Term("energy", 2.5f),
            _ => Boolean(1f, 0, (Term("canals"), Occur.SHOULD), (Words("corridors", "ports"), Occur.SHOULD)),
        };

        long[]? candidates = null;
        if (candidatesEvery > 0)
        {
            candidates = new long[(reader.MaxDoc + 63) >> 6];
            for (var doc = 0; doc < reader.MaxDoc; doc += candidatesEvery)
            {
                candidates[doc >> 6] |= 1L << doc;
            }
        }

        var expected = new FacetCollector(table, FilterPlan.None, SearchSort.Relevance, 60);
        searcher.Search(query, candidates is null ? null : new GlobalBitsFilter(candidates), expected);
        var actual = new FacetCollector(table, FilterPlan.None, SearchSort.Relevance, 60);
        using (var matches = ScoredMatches.Find(searcher, query, score: true, candidates, window: window))
        {
            Assert.NotNull(matches);
            matches.Collect(actual);
        }

        Assert.True(expected.TotalHits > 20 * 3 / Math.Max(candidatesEvery, 3), $"{expected.TotalHits} hits");
        Assert.Equal(expected.TotalHits, actual.TotalHits);
        var (top, topActual) = (expected.TopDocs(), actual.TopDocs());
        Assert.Equal(top.Select(t => t.Doc), topActual.Select(t => t.Doc));
        Assert.Equal(top.Select(t => t.Score), topActual.Select(t => t.Score), (a, b) => Math.Abs(a - b) <= 0.0001f * Math.Max(1f, Math.Abs(a)));
    }

    [Fact]
    public void Find_ProhibitedOrCoordinatedClause_LeavesItToLucene()
    {
        using var engine = Engine();
        var reader = engine.Current.Reader;
        var searcher = new IndexSearcher(reader);
        var prohibited = new BooleanQuery(disableCoord: true)
        {
            { new TermQuery(new Term(SearchAnalyzers.PlainField, "river")), Occur.MUST },
            { new TermQuery(new Term(SearchAnalyzers.PlainField, "water")), Occur.MUST_NOT },
        };
        var coordinated = new BooleanQuery
        {
            { new TermQuery(new Term(SearchAnalyzers.PlainField, "river")), Occur.SHOULD },
            { new TermQuery(new Term(SearchAnalyzers.PlainField, "water")), Occur.SHOULD },
        };
        var handled = new BooleanQuery(disableCoord: true)
        {
            { new TermQuery(new Term(SearchAnalyzers.PlainField, "river")), Occur.MUST },
            { new TermQuery(new Term(SearchAnalyzers.PlainField, "water")), Occur.SHOULD },
        };

        Assert.Null(ScoredMatches.Find(searcher, prohibited, score: true));
        Assert.Null(ScoredMatches.Find(searcher, coordinated, score: true));
        using var matches = ScoredMatches.Find(searcher, handled, score: true);
        Assert.NotNull(matches);
    }

    [Theory]
    [InlineData(ScoredMatches.Window)]
    [InlineData(100)]
    [InlineData(64)]
    public void Find_DirectScoring_SameScoresBitForBitAsTheSimilaritysScorer(int window) => EveryQueryText((searcher, table, query) =>
    {
        // Terms scored with DefaultSimilarity's formula and the segments' norms read once, against the similarity's own
        // scorer: every query shape, every hit, the same float (the same operations in the same order).
        var direct = new FacetCollector(table, FilterPlan.None, SearchSort.Relevance, 5_000);
        var scorer = new FacetCollector(table, FilterPlan.None, SearchSort.Relevance, 5_000);
        using (var matches = ScoredMatches.Find(searcher, query, score: true, direct: true, window: window))
        {
            matches?.Collect(direct);
        }

        using (var matches = ScoredMatches.Find(searcher, query, score: true, direct: false))
        {
            matches?.Collect(scorer);
        }

        var (expected, actual) = (scorer.TopDocs(), direct.TopDocs());
        Assert.Equal(expected.Select(t => (t.Doc, BitConverter.SingleToInt32Bits(t.Score))), actual.Select(t => (t.Doc, BitConverter.SingleToInt32Bits(t.Score))));
        return expected.Length;
    });

    [Theory]
    [InlineData(ScoredMatches.Window)]
    [InlineData(100)]
    public void Find_Unscored_SameMatchesAsLucene(int window) => EveryQueryText((searcher, table, query) =>
    {
        // Sorted by date, nothing is scored: the terms' postings are read without frequencies, window by window.
        var expected = new FacetCollector(table, FilterPlan.None, SearchSort.StartDesc, 5_000);
        searcher.Search(query, expected);
        var actual = new FacetCollector(table, FilterPlan.None, SearchSort.StartDesc, 5_000);
        using (var matches = ScoredMatches.Find(searcher, query, score: false, window: window))
        {
            matches?.Collect(actual);
        }

        Assert.Equal(expected.TotalHits, actual.TotalHits);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.TopDocs().Select(t => t.Doc), actual.TopDocs().Select(t => t.Doc));
        return expected.TotalHits;
    });

    /// <summary>Runs <paramref name="compare"/> (answering how many hits it compared) over every query text's rewritten query.</summary>
    private static void EveryQueryText(Func<IndexSearcher, FacetTable, Query, int> compare)
    {
        using var engine = Engine();
        var (reader, table, _) = engine.Current;
        var searcher = new IndexSearcher(reader);
        var compared = QueryTexts.Sum(text => compare(searcher, table, searcher.Rewrite(QueryBuilder.Build(text, reader).Query)));
        Assert.True(compared > 1_000, $"{compared} hits compared");
    }

    [Theory]
    [InlineData(8, true)]
    [InlineData(9, false)]
    public void Dense_OneCandidateInEvery_TrueFromOneInEight(int every, bool dense)
    {
        const int maxDoc = 10_000;
        var candidates = new long[(maxDoc + 63) >> 6];
        for (var doc = 0; doc < maxDoc; doc += every)
        {
            candidates[doc >> 6] |= 1L << doc;
        }

        Assert.Equal(dense, ScoredMatches.Dense(candidates, maxDoc));
    }

    private static SearchEngine Engine(int documents = 1_200)
    {
        var random = new Random(11);
        var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild(Enumerable.Range(1, documents).Select(i => Project(i, random)));
        // More segments and deleted documents: replaced ones, removed ones.
        engine.Update(Enumerable.Range(documents - 300, 400).Select(i => Project(i, random)), ["project:3", "project:4"]);
        engine.Update(Enumerable.Range(10, 40).Select(i => Project(i, random)), ["project:" + (documents + 50)]);
        Assert.True(engine.Current.Reader.Leaves.Count > 1);
        return engine;
    }

    private static List<string> Facets(SearchResult result) =>
        [.. result.Facets.SelectMany(f => f.Value.Select(v => $"{f.Key}:{v.Value}={v.Count}"))];
}
