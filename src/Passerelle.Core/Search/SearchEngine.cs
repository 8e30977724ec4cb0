using System.Globalization;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Passerelle.Core.Common;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Passerelle.Core.Search;

/// <summary>
/// The Lucene index itself: documents in, ranked and faceted results out, with no database. <see cref="SearchIndex"/>
/// feeds it from the registry; the benchmark feeds it synthetic documents. Writes are serialised; searches run
/// concurrently on an immutable snapshot (reader + facet table) swapped after each write.
/// </summary>
public sealed class SearchEngine : IDisposable
{
    private readonly LuceneDirectory _directory;
    private readonly IndexWriter _writer;
    private readonly System.Threading.Lock _writeLock = new();
    private volatile Snapshot _current;
    private volatile Dictionary<string, LocalizedText> _labels = new(StringComparer.Ordinal);

    /// <summary>Opens (or creates) the index in <paramref name="path"/>, or in memory when it is null.</summary>
    public SearchEngine(string? path = null)
    {
        _directory = path is null ? new RAMDirectory() : FSDirectory.Open(System.IO.Directory.CreateDirectory(path));
        var config = new IndexWriterConfig(SearchAnalyzers.Version, SearchAnalyzers.PerField)
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            RAMBufferSizeMB = 256,
        };
        _writer = new IndexWriter(_directory, config);
        _writer.Commit();
        _current = new Snapshot(DirectoryReader.Open(_writer, applyAllDeletes: true));
    }

    public int DocumentCount => _current.Reader.NumDocs;

    /// <summary>Bytes held by the facet and sort arrays of the current snapshot.</summary>
    public long FacetMemoryBytes => _current.Table.MemoryBytes;

    /// <summary>Labels of facet values in four languages (theme labels, programme names), keyed by dimension and value.</summary>
    public void SetLabels(IEnumerable<(SearchFacet Facet, string Value, LocalizedText Label)> labels) =>
        _labels = labels.ToDictionary(l => LabelKey(l.Facet, l.Value), l => l.Label, StringComparer.Ordinal);

    /// <summary>Replaces the whole index with <paramref name="documents"/>; searches see the old index until it is done.</summary>
    public int Rebuild(IEnumerable<SearchDocument> documents)
    {
        lock (_writeLock)
        {
            _writer.DeleteAll();
            var count = 0;
            foreach (var document in documents)
            {
                _writer.AddDocument(ToLucene(document));
                count++;
            }

            _writer.ForceMerge(1);
            _writer.Commit();
            Reopen();
            return count;
        }
    }

    /// <summary>Adds or replaces <paramref name="upserts"/> and removes the records keyed <paramref name="deletedKeys"/>.</summary>
    public void Update(IEnumerable<SearchDocument> upserts, IEnumerable<string> deletedKeys)
    {
        lock (_writeLock)
        {
            foreach (var key in deletedKeys)
            {
                _writer.DeleteDocuments(new Term("key", key));
            }

            foreach (var document in upserts)
            {
                _writer.UpdateDocument(new Term("key", document.Key), ToLucene(document));
            }

            _writer.Commit();
            Reopen();
        }
    }

    private void Reopen()
    {
        var old = _current;
        var reader = DirectoryReader.OpenIfChanged(old.Reader, _writer, applyAllDeletes: true);
        if (reader is null)
        {
            return;
        }

        _current = new Snapshot(reader);
        old.Reader.DecRef();
    }

    public SearchResult Search(SearchQuery query)
    {
        var snapshot = Acquire();
        try
        {
            return Run(snapshot, query);
        }
        finally
        {
            snapshot.Reader.DecRef();
        }
    }

    /// <summary>
    /// The number of docs the text alone matches, counted by Lucene without filters, facets or ranking: the
    /// benchmark's baseline for what faceting adds.
    /// </summary>
    public int CountMatches(string? text)
    {
        var snapshot = Acquire();
        try
        {
            var collector = new TotalHitCountCollector();
            snapshot.Searcher.Search(QueryBuilder.Build(text).Query, collector);
            return collector.TotalHits;
        }
        finally
        {
            snapshot.Reader.DecRef();
        }
    }

    private Snapshot Acquire()
    {
        while (true)
        {
            var snapshot = _current;
            if (snapshot.Reader.TryIncRef())
            {
                return snapshot;
            }
        }
    }

    private SearchResult Run(Snapshot snapshot, SearchQuery query)
    {
        var table = snapshot.Table;
        var parsed = QueryBuilder.Build(query.Text);
        var collector = new FacetCollector(table, query.Filters, query.Sort, query.Page * query.PageSize);
        snapshot.Searcher.Search(parsed.Query, collector);

        var top = collector.TopDocs();
        var items = new List<SearchHit>(query.PageSize);
        for (var i = (query.Page - 1) * query.PageSize; i < top.Length && items.Count < query.PageSize; i++)
        {
            items.Add(ToHit(snapshot.Searcher.Doc(top[i].Doc), top[i].Score, parsed, query.Language));
        }

        var facets = new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal);
        foreach (var facet in SearchFacets.All)
        {
            var dim = table.Dims[(int)facet];
            var counts = collector.Counts[(int)facet];
            var selected = query.Filters?.GetValueOrDefault(facet) ?? [];
            var list = new List<FacetCount>();
            for (var ord = 0; ord < dim.Values.Length; ord++)
            {
                var isSelected = selected.Contains(dim.Values[ord]);
                if (counts[ord] > 0 || isSelected)
                {
                    list.Add(new FacetCount(dim.Values[ord], Label(facet, dim.Values[ord], query.Language), counts[ord], isSelected));
                }
            }

            // A selected value the index does not know still shows, with 0, so it can be unticked.
            foreach (var value in selected)
            {
                if (!dim.Ordinals.ContainsKey(value))
                {
                    list.Add(new FacetCount(value, Label(facet, value, query.Language), 0, true));
                }
            }

            list.Sort((a, b) => b.Count != a.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Label, b.Label));
            facets[facet.Name()] = list;
        }

        return new SearchResult(items, query.Page, query.PageSize, collector.TotalHits, facets);
    }

    private string Label(SearchFacet facet, string value, string language) =>
        _labels.TryGetValue(LabelKey(facet, value), out var label) && label.Best(language) is { } text ? text
        : SearchFacets.FixedLabels.TryGetValue(value, out var fixedLabel) ? fixedLabel
        : value;

    private static string LabelKey(SearchFacet facet, string value) => facet.Name() + "\u0000" + value;

    private static SearchHit ToHit(Document doc, float score, ParsedQuery parsed, string language)
    {
        var title = Localized(doc, "title_");
        var summary = Localized(doc, "summary_");
        var type = (SearchDocType)doc.GetField("type").GetInt32Value()!.Value;
        var name = doc.Get("name_s");
        var shownTitle = type == SearchDocType.Programme ? title.Resolve(language) : null;
        var snippet = Snippets.Best(parsed, language, summary, title, name);
        var budget = doc.Get("budget_s");
        return new SearchHit(
            type, doc.Get("slug"), shownTitle?.Text ?? name, shownTitle?.Language, doc.Get("subtitle"),
            snippet?.Html, snippet?.Language, doc.Get("start_s"),
            budget is null ? null : decimal.Parse(budget, CultureInfo.InvariantCulture), score);
    }

    private static LocalizedText Localized(Document doc, string prefix) => new()
    {
        En = doc.Get(prefix + "en"), Fr = doc.Get(prefix + "fr"), Nl = doc.Get(prefix + "nl"), De = doc.Get(prefix + "de"),
    };

    private static Document ToLucene(SearchDocument d)
    {
        var doc = new Document
        {
            new StringField("key", d.Key, Field.Store.YES),
            new StoredField("type", (int)d.Type),
            new StoredField("slug", d.Slug),
            new StoredField("name_s", d.Name),
            new TextField(SearchAnalyzers.NameField, d.Name, Field.Store.NO),
            new TextField(SearchAnalyzers.PlainField, d.Name, Field.Store.NO),
        };
        if (d.Subtitle is not null)
        {
            doc.Add(new StoredField("subtitle", d.Subtitle));
        }

        foreach (var language in SearchAnalyzers.Languages)
        {
            var field = SearchAnalyzers.TextField(language);
            if (d.Title[language] is { } title)
            {
                doc.Add(new StoredField("title_" + language, title));
                doc.Add(new TextField(SearchAnalyzers.NameField, title, Field.Store.NO));
                doc.Add(new TextField(field, title, Field.Store.NO));
                doc.Add(new TextField(SearchAnalyzers.PlainField, title, Field.Store.NO));
            }

            if (d.Summary[language] is { } summary)
            {
                doc.Add(new StoredField("summary_" + language, summary));
                doc.Add(new TextField(field, summary, Field.Store.NO));
                doc.Add(new TextField(SearchAnalyzers.PlainField, summary, Field.Store.NO));
            }

            foreach (var related in d.Related)
            {
                if (related[language] is { } text)
                {
                    doc.Add(new TextField(field, text, Field.Store.NO));
                    doc.Add(new TextField(SearchAnalyzers.PlainField, text, Field.Store.NO));
                }
            }
        }

        foreach (var name in d.Names)
        {
            doc.Add(new TextField(SearchAnalyzers.PlainField, name, Field.Store.NO));
        }

        foreach (var facet in SearchFacets.All)
        {
            foreach (var value in d.ValuesOf(facet))
            {
                doc.Add(new SortedSetDocValuesField(FacetTable.FieldPrefix + facet.Name(), new BytesRef(value)));
            }
        }

        if (PartialDate.IsValid(d.StartDate))
        {
            var start = PartialDate.Earliest(d.StartDate)!.Value;
            doc.Add(new NumericDocValuesField(FacetTable.StartField, start.Year * 10000 + start.Month * 100 + start.Day));
            doc.Add(new StoredField("start_s", d.StartDate));
        }

        if (d.Budget is { } budget)
        {
            doc.Add(new NumericDocValuesField(FacetTable.BudgetField, (long)Math.Round(budget)));
            doc.Add(new StoredField("budget_s", budget.ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            doc.Add(new NumericDocValuesField(FacetTable.BudgetField, -1));
        }

        return doc;
    }

    public void Dispose()
    {
        _current.Reader.DecRef();
        _writer.Dispose();
        _directory.Dispose();
    }

    private sealed class Snapshot
    {
        public Snapshot(DirectoryReader reader)
        {
            Reader = reader;
            Searcher = new IndexSearcher(reader);
            Table = new FacetTable(reader);
        }

        public DirectoryReader Reader { get; }
        public IndexSearcher Searcher { get; }
        public FacetTable Table { get; }
    }
}
