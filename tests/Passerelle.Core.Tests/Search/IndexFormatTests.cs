using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;

using Passerelle.Core.Common;
using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// How the index is written (ADR 7, "the word fields without positions"): the word fields
/// keep frequencies and not positions, with the scores they had with positions.
/// </summary>
public sealed class IndexFormatTests
{
    private static readonly string[] Texts =
    [
        "river water water quality",
        "water",
        "a long summary about the quality of the water of a river basin and its towpaths and locks",
        "canal locks",
        "water water water",
    ];

    [Fact]
    public void Rebuild_WordFields_KeepFrequenciesNotPositions()
    {
        using var engine = new SearchEngine(indexingThreads: 1);
        engine.Rebuild(Texts.Select((text, i) => new SearchDocument
        {
            Type = SearchDocType.Project,
            Id = i + 1,
            Slug = "p" + (i + 1),
            Name = "P" + (i + 1),
            Title = new LocalizedText { En = text },
            Summary = new LocalizedText { Fr = "l'eau de la rivière" },
        }));

        var infos = MultiFields.GetMergedFieldInfos(engine.Current.Reader);
        foreach (var field in new[] { SearchAnalyzers.NameField, SearchAnalyzers.PlainField, SearchAnalyzers.StemField })
        {
            var info = infos.FieldInfo(field);
            Assert.NotNull(info);
            Assert.Equal(IndexOptions.DOCS_AND_FREQS, info.IndexOptions);
            Assert.True(info.HasNorms, field);
        }

        Assert.False(infos.HasProx);
        Assert.Equal(4, engine.Search(new SearchQuery("water")).Total);
    }

    [Fact]
    public void WordsType_SameTexts_ScoreAsWithPositions()
    {
        using var directory = new RAMDirectory();
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(SearchAnalyzers.Version, SearchAnalyzers.PerField)))
        {
            foreach (var text in Texts)
            {
                // Two values of one field, as a record's title and summary are.
                writer.AddDocument(new Document
                {
                    new TextField("positions", text, Field.Store.NO),
                    new TextField("positions", "and again " + text, Field.Store.NO),
                    new Field("words", text, SearchEngine.WordsType),
                    new Field("words", "and again " + text, SearchEngine.WordsType),
                });
            }
        }

        using var reader = DirectoryReader.Open(directory);
        var searcher = new IndexSearcher(reader);
        foreach (var word in new[] { "water", "river", "locks", "again" })
        {
            var expected = searcher.Search(new TermQuery(new Term("positions", word)), 10).ScoreDocs;
            var actual = searcher.Search(new TermQuery(new Term("words", word)), 10).ScoreDocs;
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Select(d => (d.Doc, d.Score)), actual.Select(d => (d.Doc, d.Score)));
        }

        // Frequencies are kept: the text with "water" three times ranks first.
        Assert.Equal(4, searcher.Search(new TermQuery(new Term("words", "water")), 1).ScoreDocs[0].Doc);
    }
}
