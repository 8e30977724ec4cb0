using Lucene.Net.Index;
using Lucene.Net.Search;

using Passerelle.Core.Common;
using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// The matches found as bits (<see cref="MatchBits"/>, what the statistics of a search aggregate) must be exactly the
/// documents Lucene's scorers match, for every shape of query the query builder makes: words, stop words, a word being
/// typed (prefix), a misspelt word (loose terms), stems, whole names, no words; over several segments with deleted
/// documents.
/// </summary>
public sealed class MatchBitsTests
{
    private static readonly string[] Texts =
    [
        "river water quality", "urban energy transition", "de la rivière et des eaux", "Wasser und Energie im Fluss",
        "water management of the river basin", "energies renouvelables", "the cooperation of cities", "Lille",
        "cooperative river ports", "biodiversity corridors", "rivers and canals",
    ];

    private static SearchDocument Project(int id, Random random) => new()
    {
        Type = SearchDocType.Project,
        Id = id,
        Slug = "p" + id,
        Name = id % 50 == 0 ? "Lille" : "P" + id,
        Title = new LocalizedText { En = Texts[random.Next(Texts.Length)] },
        Summary = new LocalizedText { Fr = Texts[random.Next(Texts.Length)] },
        Programme = random.Next(2) == 0 ? "FWV" : "NWE",
    };

    public static TheoryData<string?> Queries() => new(
    [
        (string?)null, "river", "river water", "the river", "de la", "riv", "cooperat", "biodiversty", "lile", "energie", "wasser fluss",
        "lille", "zzzqqq", "water zzzqqq",
    ]);

    [Theory]
    [MemberData(nameof(Queries))]
    public void Of_EveryQueryShape_EqualsTheDocumentsLuceneMatches(string? text)
    {
        var random = new Random(3);
        using var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild(Enumerable.Range(1, 500).Select(i => Project(i, random)));
        // More segments and deleted documents: replaced ones, removed ones.
        engine.Update(Enumerable.Range(400, 150).Select(i => Project(i, random)), ["project:3", "project:4"]);
        engine.Update(Enumerable.Range(10, 20).Select(i => Project(i, random)), ["project:600"]);
        var reader = engine.Current.Reader;
        Assert.True(reader.Leaves.Count > 1);
        var searcher = new IndexSearcher(reader);
        var query = searcher.Rewrite(QueryBuilder.Build(text, reader).Query);

        var expected = new Documents();
        searcher.Search(query, expected);
        var bits = MatchBits.Of(query, reader);
        Assert.NotNull(bits);
        var actual = Live(MatchBits.And(bits, Everything(reader)), reader, 0, bits.Length);

        Assert.Equal(expected.Found.Order(), actual);
        Assert.Equal(text == "zzzqqq" || text == "water zzzqqq", expected.Found.Count == 0);
    }

    [Fact]
    public void ForEachLive_Ranges_TogetherEveryLiveDocumentOnceInOrder()
    {
        var random = new Random(5);
        using var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild(Enumerable.Range(1, 400).Select(i => Project(i, random)));
        // Leaves that begin inside a word of the bits, and deleted documents.
        engine.Update(Enumerable.Range(100, 37).Select(i => Project(i, random)), ["project:5", "project:64", "project:65"]);
        engine.Update(Enumerable.Range(300, 29).Select(i => Project(i, random)), []);
        var reader = engine.Current.Reader;
        Assert.True(reader.Leaves.Count > 2);
        var bits = MatchBits.Of(new MatchAllDocsQuery(), reader)!;
        var live = new List<int>();
        foreach (var leaf in reader.Leaves)
        {
            live.AddRange(Enumerable.Range(0, leaf.AtomicReader.MaxDoc)
                .Where(d => leaf.AtomicReader.LiveDocs is not { } docs || docs.Get(d)).Select(d => leaf.DocBase + d));
        }

        Assert.Equal(live, Live(bits, reader, 0, bits.Length));
        foreach (var split in new[] { 1, 3, bits.Length / 2, bits.Length - 1 })
        {
            Assert.Equal(live, [.. Live(bits, reader, 0, split), .. Live(bits, reader, split, bits.Length)]);
        }
    }

    [Fact]
    public void ForEachLive_AfterAFilter_OnlyDocumentsInBoth()
    {
        var random = new Random(4);
        using var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild(Enumerable.Range(1, 300).Select(i => Project(i, random)));
        var reader = engine.Current.Reader;
        var bits = MatchBits.Of(new MatchAllDocsQuery(), reader)!;
        var filter = new long[bits.Length];
        foreach (var g in new[] { 0, 63, 64, 130, reader.MaxDoc - 1 })
        {
            filter[g >> 6] |= 1L << g;
        }

        Assert.Equal([0, 63, 64, 130, reader.MaxDoc - 1], Live(MatchBits.And(bits, filter), reader, 0, bits.Length));
    }

    /// <summary>The live documents <see cref="MatchBits.ForEachLive"/> hands over, in runs of 7 (to cross runs too).</summary>
    private static List<int> Live(long[] bits, IndexReader reader, int fromWord, int toWord)
    {
        var found = new List<int>();
        MatchBits.ForEachLive(bits, reader, fromWord, toWord, new int[7], docs => found.AddRange(docs.ToArray()));
        return found;
    }

    private static long[] Everything(IndexReader reader)
    {
        var all = new long[(reader.MaxDoc + 63) >> 6];
        Array.Fill(all, ~0L);
        return all;
    }

    /// <summary>Global ids of the documents collected.</summary>
    private sealed class Documents : ICollector
    {
        private int _docBase;

        public List<int> Found { get; } = [];

        public bool AcceptsDocsOutOfOrder => true;

        public void SetScorer(Scorer scorer)
        {
        }

        public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

        public void Collect(int doc) => Found.Add(_docBase + doc);
    }
}
