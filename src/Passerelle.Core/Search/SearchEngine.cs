using System.Globalization;

using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;

using Passerelle.Core.Common;
using Passerelle.Core.Statistics;

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
    private IndexWriter _writer;
    private readonly System.Threading.Lock _writeLock = new();
    private readonly System.Threading.Lock _saveLock = new();
    private bool _disposed;

    // The table file beside the index (null in memory), and the table it holds when this engine wrote or read it whole.
    private readonly string? _tablePath;
    private FacetTable? _savedTable;
    private volatile Snapshot _current;
    private volatile Dictionary<(SearchFacet, string), LocalizedText> _labels = [];

    /// <summary>
    /// The version of the documents' fields and analysis. Bump it whenever <see cref="ToLucene"/> or the analyzers
    /// change: an index written by a build with another version is rebuilt rather than opened (see SearchIndex).
    /// </summary>
    public const int SchemaVersion = 6;

    /// <summary>
    /// Opens (or creates) the index in <paramref name="path"/>, or in memory when it is null. A rebuild analyses
    /// documents on <paramref name="indexingThreads"/> threads (default: one per core, at most 4).
    /// <paramref name="create"/> starts an empty index over whatever the folder holds (an unreadable index).
    /// At most <paramref name="concurrentSearches"/> searches and statistics run at once (default: one per core).
    /// </summary>
    public SearchEngine(string? path = null, int? indexingThreads = null, bool create = false, int? concurrentSearches = null)
        : this(path, indexingThreads, create, concurrentSearches, flushEveryDocs: null)
    {
    }

    /// <summary>As the public constructor, flushing a segment every <paramref name="flushEveryDocs"/> documents (tests: several segments from a few documents).</summary>
    internal SearchEngine(string? path, int? indexingThreads, bool create, int? concurrentSearches, int? flushEveryDocs)
    {
        FlushEveryDocs = flushEveryDocs;
        var slots = Math.Max(1, concurrentSearches ?? Environment.ProcessorCount);
        _searchGate = new SearchGate(slots);
        _indexingThreads = Math.Max(1, indexingThreads ?? Math.Clamp(Environment.ProcessorCount, 1, 4));
        _directory = path is null ? new RAMDirectory() : FSDirectory.Open(System.IO.Directory.CreateDirectory(path));
        _tablePath = path is null ? null : Path.Combine(path, TableFile.FileName);
        IndexWriter? writer = null;
        try
        {
            if (create && _tablePath is not null)
            {
                File.Delete(_tablePath);
            }

            writer = OpenWriter(create ? OpenMode.CREATE : OpenMode.CREATE_OR_APPEND);
            writer.Commit();
            var reader = DirectoryReader.Open(writer, applyAllDeletes: true);
            // The arrays saved at the last stop, for the segments still there (ADR 7, "Restart").
            var saved = _tablePath is null ? null : TableFile.Load(_tablePath, reader);
            _current = new Snapshot(reader, saved?.Table, saved?.Shared ?? SharedSegments.None);
            TableDocsFromFile = saved?.Shared.Docs ?? 0;
            if (saved is { } s && s.Shared.Docs == reader.MaxDoc)
            {
                _savedTable = _current.Table;
            }

            _writer = writer;
        }
        catch
        {
            // An unreadable index: release the folder (and its write lock) so the caller can start afresh.
            writer?.Rollback();
            _directory.Dispose();
            throw;
        }

        _nextSequence = _current.Table.MaxSequence + 1;
    }

    /// <summary>Documents whose facet and sort arrays the engine read from the table file when it opened (the rest from the index).</summary>
    internal int TableDocsFromFile { get; }

    /// <summary>
    /// Saves the current snapshot's facet and sort arrays beside the index (<see cref="TableFile"/>), unless the file
    /// already holds them, so that the next start reads them back instead of decoding the index. True when written.
    /// An index in memory has no file. Called once a start has caught up, after a rebuild, and when the engine stops.
    /// </summary>
    public bool SaveTables()
    {
        if (_tablePath is null)
        {
            return false;
        }

        lock (_saveLock)
        {
            var snapshot = _current;
            if (ReferenceEquals(snapshot.Table, _savedTable))
            {
                return false;
            }

            TableFile.Save(_tablePath, snapshot.Reader, snapshot.Table);
            _savedTable = snapshot.Table;
            return true;
        }
    }

    private IndexWriter OpenWriter(OpenMode mode) => new(_directory, new IndexWriterConfig(SearchAnalyzers.Version, SearchAnalyzers.PerField)
    {
        OpenMode = mode,
        // Small stored-field chunks: a page of hits reads 20 documents at random (SearchCodec).
        Codec = SearchCodec.Register(),
        // One flush per 256 MB of buffered postings; no compound files (a copy of every flushed segment, and
        // pointless in memory); merges in the background (ConcurrentMergeScheduler's threads).
        RAMBufferSizeMB = 256,
        MaxBufferedDocs = FlushEveryDocs ?? IndexWriterConfig.DISABLE_AUTO_FLUSH,
        UseCompoundFile = false,
        MergePolicy = new TieredMergePolicy { NoCFSRatio = 0 },
        MergeScheduler = new QuietMergeScheduler(this),
    });

    /// <summary>
    /// Lucene's background merges, run at the lowest priority while <see cref="_mergingAfterServing"/>: the merge after
    /// a deferred rebuild (<see cref="MergeSegments"/>) runs beside searches, which come first (as the other work after
    /// a start, ADR 36). Merges during a rebuild or an update run at normal priority.
    /// </summary>
    private sealed class QuietMergeScheduler(SearchEngine engine) : ConcurrentMergeScheduler
    {
        protected override void DoMerge(MergePolicy.OneMerge merge)
        {
            if (engine._mergingAfterServing)
            {
                // The thread is Lucene's own for this merge and the next pending ones; it ends when none is left.
                LowPriority.LowerCurrentThread();
            }

            base.DoMerge(merge);
        }
    }

    private volatile bool _mergingAfterServing;

    /// <summary>
    /// Flush a segment every this many documents added (null: by memory only, 256 MB). Tests set it to get several
    /// segments from a few documents; it applies to writers opened after it is set, so it is a constructor argument.
    /// </summary>
    private int? FlushEveryDocs { get; }

    /// <summary>
    /// The user data of the last commit: what the index's owner recorded with it (SearchIndex: the database and the
    /// change-feed position the index reflects). Empty for a new index.
    /// </summary>
    public IReadOnlyDictionary<string, string> CommitData
    {
        get
        {
            lock (_writeLock)
            {
                return new Dictionary<string, string>(_writer.CommitData, StringComparer.Ordinal);
            }
        }
    }

    // Threads that analyse and add documents during a rebuild. Analysis is most of the cost of indexing and
    // IndexWriter takes documents from several threads at once (one in-memory segment per thread), so a rebuild
    // uses every core; the caller's thread reads the source meanwhile.
    private readonly int _indexingThreads;

    private const int BatchSize = 256;

    // Input order of each document (a doc value), the deterministic tie-break of equal sort keys: Lucene's doc ids
    // follow flush and merge order, which parallel indexing does not fix.
    private long _nextSequence;

    // At most this many searches and statistics run at once: a search is CPU work from start to end (no I/O once the
    // index is in memory or the page cache), so more at once than cores only interleaves them, each taking longer
    // and holding its arrays longer; the others wait here, in order, within their request's cancellation.
    private readonly SearchGate _searchGate;

    internal SearchGate SearchGate => _searchGate;

    // Statistics were asked of this engine: later snapshots load their arrays when they open (see Reopen).
    private volatile bool _statisticsUsed;

    public int DocumentCount => _current.Reader.NumDocs;

    /// <summary>Whether parsed and rewritten queries are kept per snapshot (on by default; the benchmark turns it off to measure cold queries).</summary>
    public bool CacheQueries { get; set; } = true;

    /// <summary>Bytes held by the facet and sort arrays of the current snapshot.</summary>
    public long FacetMemoryBytes => _current.Table.MemoryBytes;

    /// <summary>Labels of facet values in four languages (theme labels, programme names), keyed by dimension and value.</summary>
    public void SetLabels(IEnumerable<(SearchFacet Facet, string Value, LocalizedText Label)> labels) =>
        _labels = labels.ToDictionary(l => (l.Facet, l.Value), l => l.Label);

    /// <summary>
    /// Replaces the whole index with <paramref name="documents"/>; searches see the old index until it is done. The
    /// replacement is one commit carrying <paramref name="commitData"/>: if reading the documents fails (or is
    /// cancelled), nothing is committed and the previous index stays, on disk and in memory.
    /// </summary>
    /// <param name="mergeLater">
    /// Commit and serve the new index as its segments were written, and leave their merge down to
    /// <see cref="RebuildSegments"/> to <see cref="MergeSegments"/>, which the caller runs next, beside searches. Only from
    /// <see cref="MergeLaterFrom"/> documents: a smaller index merges in less time than a second snapshot costs.
    /// </param>
    public int Rebuild(IEnumerable<SearchDocument> documents, IReadOnlyDictionary<string, string>? commitData = null, bool mergeLater = false)
    {
        lock (_writeLock)
        {
            var sequence = _nextSequence;
            try
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                _writer.DeleteAll();
                _nextSequence = 0;
                var count = AddInParallel(documents);
                var added = clock.Elapsed;

                // The final merge to one segment is a sixth of a build at 2 M (40-55 s of one core, issue 17): it
                // need not keep the index from serving, since searches and the facet arrays read any number of
                // segments (an update adds one). Deferred, it runs after the first commit (MergeSegments).
                if (RebuildSegments > 0 && !(mergeLater && count >= MergeLaterFrom))
                {
                    _writer.ForceMerge(RebuildSegments);
                }

                var merged = clock.Elapsed;
                Commit(commitData);
                var committed = clock.Elapsed;
                Reopen();
                LastRebuild = new RebuildTimings(added, merged - added, committed - merged, clock.Elapsed - committed);
                return count;
            }
            catch
            {
                RollBack(sequence);
                throw;
            }
        }
    }

    /// <summary>The fewest documents a rebuild asked to merge later leaves unmerged (see <see cref="Rebuild"/>).</summary>
    internal int MergeLaterFrom { get; set; } = 50_000;

    /// <summary>
    /// Merges the index's segments down to <see cref="RebuildSegments"/>, then commits and serves the merged index: the
    /// second half of a rebuild asked to merge later. Searches go on meanwhile on the segments as they are, and updates
    /// too (Lucene merges beside them; an update's segment written meanwhile may stay apart). The merge's threads run
    /// at the lowest priority. Returns the number of segments merged: 0 when there was nothing to merge, or when the
    /// engine was closed, rebuilt or rolled back during the merge (which Lucene then abandons).
    /// </summary>
    public int MergeSegments()
    {
        IndexWriter writer;
        int segments;
        lock (_writeLock)
        {
            segments = _disposed ? 0 : _current.Reader.Leaves.Count;
            if (RebuildSegments <= 0 || segments <= RebuildSegments)
            {
                return 0;
            }

            writer = _writer;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        _mergingAfterServing = true;
        try
        {
            // Outside the write lock: the merge's reads and writes of whole segments take tens of seconds at 2 M.
            writer.ForceMerge(RebuildSegments);
        }
        catch (Exception e) when (e is ObjectDisposedException || e.InnerException is MergePolicy.MergeAbortedException)
        {
            // The writer was closed (Lucene.NET's AlreadyClosedException: disposed, or rolled back after a failed
            // write), or it abandoned the merge (a stop while it ran, a new rebuild's DeleteAll): ForceMerge then fails
            // with "background merge hit exception" around the abort. Nothing is lost: every document is in the last
            // commit, merged or not.
            return 0;
        }
        finally
        {
            _mergingAfterServing = false;
        }

        var merged = clock.Elapsed;
        lock (_writeLock)
        {
            if (_disposed || !ReferenceEquals(writer, _writer))
            {
                return 0;
            }

            // Keeps the commit's user data (the feed position of the last write).
            writer.Commit();
            var committed = clock.Elapsed;
            Reopen();
            LastMerge = new MergeTimings(merged, committed - merged, clock.Elapsed - committed);
        }

        return segments;
    }

    /// <summary>The last <see cref="MergeSegments"/>'s phases: the merge, its commit and the new snapshot (bench index-build).</summary>
    internal MergeTimings? LastMerge { get; private set; }

    internal sealed record MergeTimings(TimeSpan Merge, TimeSpan Commit, TimeSpan Reopen);

    /// <summary>
    /// Segments a rebuild merges down to before its commit; 0 leaves the merge policy's segments. (bench index-build
    /// measures both: the merge's cost against a search's.)
    /// </summary>
    internal int RebuildSegments { get; set; } = 1;

    /// <summary>
    /// Whether a reopen copies the arrays of the segments it shares with the previous snapshot (default true); off, it
    /// reads every segment again, as a restart does (bench reopen's baseline).
    /// </summary>
    internal bool ReuseSharedSegments { get; set; } = true;

    /// <summary>Whether statistics find their matches as bits (default true); off, through Lucene's scorers (bench statistics' baseline, tests).</summary>
    internal bool MatchBitsForStatistics { get; set; } = true;

    /// <summary>
    /// Whether searches match and score their words term at a time (default true, <see cref="ScoredMatches"/>); off,
    /// through Lucene's document-at-a-time scorers (the benchmarks' baseline; tests compare the two).
    /// </summary>
    internal bool ScoreTermAtATime { get; set; } = true;

    /// <summary>The last reopen after a change: its time to load the arrays, the documents copied, and all documents (bench reopen).</summary>
    internal ReopenTimings? LastReopen { get; private set; }

    internal sealed record ReopenTimings(TimeSpan Load, int SharedDocs, int MaxDoc);

    /// <summary>The current snapshot's reader and arrays (tests compare them with arrays loaded afresh).</summary>
    internal (IndexReader Reader, FacetTable Table, StatisticsTable? Statistics) Current =>
        (_current.Reader, _current.Table, _current.Statistics.IsValueCreated ? _current.Statistics.Value : null);

    /// <summary>Where the last <see cref="Rebuild"/>'s time went (bench index-build).</summary>
    internal RebuildTimings? LastRebuild { get; private set; }

    /// <summary>
    /// Phases of a rebuild: adding (reading the input and analysing it, overlapped), merging segments, the commit's
    /// flush and fsync, and opening the new snapshot (its facet tables).
    /// </summary>
    internal sealed record RebuildTimings(TimeSpan Add, TimeSpan Merge, TimeSpan Commit, TimeSpan Reopen);

    /// <summary>
    /// Adds or replaces <paramref name="upserts"/> and removes the records keyed <paramref name="deletedKeys"/>, in one
    /// commit; <paramref name="commitData"/>, when given, replaces the commit's user data (else it is kept).
    /// </summary>
    public void Update(IEnumerable<SearchDocument> upserts, IEnumerable<string> deletedKeys, IReadOnlyDictionary<string, string>? commitData = null)
    {
        lock (_writeLock)
        {
            var sequence = _nextSequence;
            try
            {
                foreach (var key in deletedKeys)
                {
                    _writer.DeleteDocuments(new Term("key", key));
                }

                foreach (var document in upserts)
                {
                    _writer.UpdateDocument(new Term("key", document.Key), ToLucene(document, _nextSequence++));
                }

                Commit(commitData);
                Reopen();
            }
            catch
            {
                RollBack(sequence);
                throw;
            }
        }
    }

    private void Commit(IReadOnlyDictionary<string, string>? commitData)
    {
        if (commitData is not null)
        {
            _writer.SetCommitData(new Dictionary<string, string>(commitData, StringComparer.Ordinal));
        }

        _writer.Commit();
    }

    /// <summary>
    /// Drops what was written since the last commit: closing a writer commits, so a half-done rebuild must never be
    /// left in it. Lucene's rollback closes the writer; a new one continues from the last commit, which is what the
    /// current snapshot shows.
    /// </summary>
    private void RollBack(long sequence)
    {
        _writer.Rollback();
        _writer = OpenWriter(OpenMode.CREATE_OR_APPEND);
        _nextSequence = sequence;
    }

    /// <summary>
    /// Adds <paramref name="documents"/> with <see cref="_indexingThreads"/> threads, in batches taken from a bounded
    /// queue (memory stays flat however long the input). Each document keeps its input position as its sequence.
    /// </summary>
    private int AddInParallel(IEnumerable<SearchDocument> documents)
    {
        var threads = _indexingThreads;
        if (threads == 1)
        {
            var n = 0;
            foreach (var document in documents)
            {
                _writer.AddDocument(ToLucene(document, _nextSequence++));
                n++;
            }

            return n;
        }

        using var queue = new System.Collections.Concurrent.BlockingCollection<(long First, SearchDocument[] Batch, int Count)>(threads * 4);
        using var failed = new CancellationTokenSource();
        Exception? failure = null;
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                try
                {
                    foreach (var (first, batch, size) in queue.GetConsumingEnumerable(failed.Token))
                    {
                        for (var i = 0; i < size; i++)
                        {
                            _writer.AddDocument(ToLucene(batch[i], first + i));
                        }
                    }
                }
                catch (OperationCanceledException) when (failed.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    failed.Cancel();
                }
            })
            { IsBackground = true, Name = "search-indexer-" + t };
            workers[t].Start();
        }

        var count = 0;
        try
        {
            var current = new SearchDocument[BatchSize];
            var filled = 0;
            foreach (var document in documents)
            {
                current[filled++] = document;
                count++;
                if (filled == BatchSize)
                {
                    queue.Add((_nextSequence, current, filled), failed.Token);
                    _nextSequence += filled;
                    current = new SearchDocument[BatchSize];
                    filled = 0;
                }
            }

            if (filled > 0)
            {
                queue.Add((_nextSequence, current, filled), failed.Token);
                _nextSequence += filled;
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
        }
        catch
        {
            failed.Cancel();
            throw;
        }
        finally
        {
            queue.CompleteAdding();
            foreach (var worker in workers)
            {
                worker.Join();
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return count;
    }

    private void Reopen()
    {
        var old = _current;
        var reader = DirectoryReader.OpenIfChanged(old.Reader, _writer, applyAllDeletes: true);
        if (reader is null)
        {
            return;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var shared = ReuseSharedSegments ? SharedSegments.Between(old.Reader, reader) : SharedSegments.None;
        // Once this instance serves statistics, each new snapshot loads their arrays here, on the writer's side, like
        // the facet table: a request never waits for them after a change.
        var snapshot = new Snapshot(reader, old.Table, shared, _statisticsUsed, old.Statistics.IsValueCreated ? old.Statistics.Value : null);

        LastReopen = new ReopenTimings(clock.Elapsed, shared.Docs, reader.MaxDoc);

        _current = snapshot;
        old.Reader.DecRef();
    }

    /// <summary>
    /// Runs a search, waiting for a free slot (see the constructor's concurrentSearches); a request, which can be
    /// cancelled, uses <see cref="SearchAsync"/>.
    /// </summary>
    public SearchResult Search(SearchQuery query) => Gated(query, static (engine, q) => engine.SearchNow(q));

    /// <summary>As <see cref="Search"/>, waiting for a slot without holding a thread.</summary>
    public Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct = default) =>
        GatedAsync(query, static (engine, q) => engine.SearchNow(q), ct);

    /// <summary>Runs <paramref name="run"/> in a slot of the search gate (one search per core at once, ADR 7).</summary>
    private T Gated<T>(SearchQuery query, Func<SearchEngine, SearchQuery, T> run)
    {
        _searchGate.Wait();
        try
        {
            return run(this, query);
        }
        finally
        {
            _searchGate.Release();
        }
    }

    private async Task<T> GatedAsync<T>(SearchQuery query, Func<SearchEngine, SearchQuery, T> run, CancellationToken ct)
    {
        await _searchGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return run(this, query);
        }
        finally
        {
            _searchGate.Release();
        }
    }

    private SearchResult SearchNow(SearchQuery query)
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
    /// Every segment's norms of the search fields read, then one search of a word of the index's first document (its
    /// name's longest word, as a visitor would type it), its result dropped and nothing cached (a search with words
    /// never fills the browse cache; its parse is kept out of the query cache): what a snapshot's first search loads
    /// lazily (the search fields' norms, the term dictionaries and stored fields read for the first time, the mapped
    /// arrays' pages, the code's first run) is
    /// then loaded on the caller's thread rather than in the first visitor's request. A restart runs it on the thread
    /// that opens the index beside the host's start (ADR 36). Returns the word searched, or null for an empty index.
    /// </summary>
    public string? WarmUp()
    {
        var snapshot = Acquire();
        try
        {
            if (snapshot.Reader.NumDocs == 0)
            {
                return null;
            }

            // One word finds few segments' postings; every search of a common word reads every segment's norms.
            ScoredMatches.LoadNorms(snapshot.Reader, QueryBuilder.NormedFields);
            var live = MultiFields.GetLiveDocs(snapshot.Reader);
            var first = 0;
            while (live is not null && !live.Get(first))
            {
                first++;
            }

            var name = snapshot.Searcher.Doc(first).Get("name_s") ?? "";
            var word = name.Split(' ', StringSplitOptions.RemoveEmptyEntries).MaxBy(w => w.Length);
            if (word is null)
            {
                return null;
            }

            Run(snapshot, new SearchQuery(word), uncachedParse: true);
            return word;
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
            // Deliberately without the snapshot's query cache: the baseline is Lucene parsing, rewriting
            // (fuzzy and prefix expansion) and matching the text on every call.
            var collector = new TotalHitCountCollector();
            snapshot.Searcher.Search(QueryBuilder.Build(text, snapshot.Reader).Query, collector);
            return collector.TotalHits;
        }
        finally
        {
            snapshot.Reader.DecRef();
        }
    }

    /// <summary>
    /// The statistics of the projects a search finds (its words and filters, all applied; the type filter is
    /// projects whatever it says): totals, budget breakdowns and counts of projects and partners (ADR 22).
    /// </summary>
    public IndexStatistics Statistics(SearchQuery query) => Gated(query, static (engine, q) => engine.StatisticsNow(q));

    /// <summary>As <see cref="Statistics"/>, waiting for a slot without holding a thread.</summary>
    public Task<IndexStatistics> StatisticsAsync(SearchQuery query, CancellationToken ct = default) =>
        GatedAsync(query, static (engine, q) => engine.StatisticsNow(q), ct);

    /// <summary>
    /// Loads the statistics' arrays of the current snapshot now, and of every later one as it opens (see
    /// <see cref="Reopen"/>), instead of in the first statistics request.
    /// </summary>
    public void PrepareStatistics()
    {
        _statisticsUsed = true;
        var snapshot = Acquire();
        try
        {
            _ = snapshot.Statistics.Value;
        }
        finally
        {
            snapshot.Reader.DecRef();
        }
    }

    private IndexStatistics StatisticsNow(SearchQuery query)
    {
        _statisticsUsed = true;
        var snapshot = Acquire();
        try
        {
            var filters = (query.Filters ?? new Dictionary<SearchFacet, IReadOnlyList<string>>())
                .Where(f => f.Key != SearchFacet.Type && f.Value.Count > 0)
                .ToDictionary(f => f.Key, f => f.Value);
            var (parsed, rewritten) = CacheQueries ? snapshot.Parse(query.Text) : Snapshot.ParseUncached(snapshot.Searcher, query.Text);
            if (parsed.Words.Count == 0 && filters.Count == 0)
            {
                // Every project (the statistics page as it opens, the home page's key figures): once per snapshot and language.
                return snapshot.AllStatistics.GetOrAdd(query.Language, language => CollectStatistics(snapshot, rewritten, filters, language));
            }

            return CollectStatistics(snapshot, rewritten, filters, query.Language);
        }
        finally
        {
            snapshot.Reader.DecRef();
        }
    }

    private IndexStatistics CollectStatistics(
        Snapshot snapshot, Query query, Dictionary<SearchFacet, IReadOnlyList<string>> filters, string language)
    {
        filters[SearchFacet.Type] = [SearchFacets.TypeValue(SearchDocType.Project)];
        // Every filter must hold: Lucene matches only the docs passing all of them, so the collector checks none.
        using var plan = FilterPlan.Create(snapshot.Table, snapshot.Bitsets, filters);
        var words = snapshot.Bitsets.Words;
        var passing = plan.All(words)!;
        // Every match and no ranking: the matches as bits, without Lucene's scored disjunctions (MatchBits). Without
        // words they are the filters' own bits, read as they are: a new bitset of every document, filled and
        // intersected, cost a filter's statistics 1 ms at 2 M projects, most of it the kernel's faults on its new pages.
        var everything = query is MatchAllDocsQuery;
        var matches = !MatchBitsForStatistics ? null : everything ? passing : MatchBits.Of(query, snapshot.Reader);
        if (matches is not null && !everything)
        {
            MatchBits.And(matches, passing);
        }

        // Most projects match and no filter narrows them: the figures of every project, less those of the projects
        // not matched (exact: every figure is a sum or a count), read from fewer documents.
        var complement = matches is not null && filters.Count == 1
            && MatchBits.Count(matches, words) * 2 > MatchBits.Count(passing, words);
        using var collector = new StatisticsCollector(snapshot.Table, snapshot.Statistics.Value, counted: complement);
        if (matches is null)
        {
            snapshot.Searcher.Search(query, new GlobalBitsFilter(passing), collector);
        }
        else if (complement)
        {
            var all = AllProjects(snapshot, passing);
            // Without words no project is left out: nothing to take off (and the filters' bits are not written).
            if (!everything)
            {
                for (var w = 0; w < words; w++)
                {
                    matches[w] = passing[w] & ~matches[w];
                }

                CollectSplit(snapshot, matches, words, collector);
            }

            collector.ComplementOf(all);
        }
        else
        {
            CollectSplit(snapshot, matches, words, collector);
        }

        return collector.Result((facet, value) => Label(facet, value, language));
    }

    /// <summary>
    /// The raw figures of every project of <paramref name="snapshot"/> (<paramref name="passing"/>: the projects'
    /// bits), aggregated once per snapshot on first use and then only read: the base a large match set's complement is
    /// taken from (<see cref="StatisticsCollector.ComplementOf"/>). About 250 ms of CPU at 2 M projects, on two cores
    /// when one is free; a later update's snapshot aggregates its own.
    /// </summary>
    private StatisticsCollector AllProjects(Snapshot snapshot, long[] passing)
    {
        lock (snapshot.AllProjectsLock)
        {
            if (snapshot.AllProjects is { } all)
            {
                return all;
            }

            var collector = new StatisticsCollector(snapshot.Table, snapshot.Statistics.Value, counted: true);
            CollectSplit(snapshot, passing, snapshot.Bitsets.Words, collector);
            return snapshot.AllProjects = collector;
        }
    }

    /// <summary>
    /// Matches from which the statistics are aggregated on two cores when one is free (<see cref="CollectSplit"/>).
    /// Internal for the tests, which split the smallest sets.
    /// </summary>
    internal int StatisticsSplitAt { get; set; } = 100_000;

    /// <summary>
    /// Aggregates the matches in <paramref name="collector"/>; when they are many and the search gate has a slot free
    /// right now, the second half of them (by count, in doc order) on that slot's core, merged at the end. The target is
    /// statistics over any search within 100 ms at 2 M projects (issue 17), and "every project" is about 150 ms of one
    /// core's work there. Taking the slot keeps at most as many searches and statistics running as there are cores (ADR
    /// 7): under load no slot is free and the statistics run on one core, as before. Only the first
    /// <paramref name="words"/> words of <paramref name="matches"/> are read: the filters' bits may be a longer array
    /// from the pool.
    /// </summary>
    private void CollectSplit(Snapshot snapshot, long[] matches, int words, StatisticsCollector collector)
    {
        var count = MatchBits.Count(matches, words);
        if (count < Math.Max(2, StatisticsSplitAt) || !_searchGate.TryTake())
        {
            collector.CollectBits(matches, snapshot.Reader, 0, words);
            return;
        }

        try
        {
            // The word where half the matches are reached: the halves cost about the same.
            var half = 0;
            for (var seen = 0L; half < words && seen < count / 2; half++)
            {
                seen += System.Numerics.BitOperations.PopCount((ulong)matches[half]);
            }

            using var second = new StatisticsCollector(snapshot.Table, snapshot.Statistics.Value, collector.Counted);
            var other = Task.Run(() => second.CollectBits(matches, snapshot.Reader, half, words));
            collector.CollectBits(matches, snapshot.Reader, 0, half);
            other.GetAwaiter().GetResult();
            collector.Merge(second);
        }
        finally
        {
            _searchGate.Release();
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

    /// <summary>
    /// For the benchmark: runs <paramref name="query"/> as <see cref="Search"/> does (no browse cache, no gate) and
    /// times its sections: parse and rewrite, Lucene matching alone (the same query and filter, counted by
    /// <see cref="TotalHitCountCollector"/>), matching with collecting and counting, the page (stored fields and
    /// snippets, timed apart), and the facet lists. Counting is the third less the second.
    /// </summary>
    public SearchProfile Profile(SearchQuery query)
    {
        var snapshot = Acquire();
        try
        {
            var profile = new long[6];
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            var (parsed, rewritten) = CacheQueries ? snapshot.Parse(query.Text) : Snapshot.ParseUncached(snapshot.Searcher, query.Text);
            var matchOnly = System.Diagnostics.Stopwatch.GetTimestamp();
            var filters = EffectiveFilters(query.Filters, parsed.Words.Count == 0);
            using (var plan = FilterPlan.Create(snapshot.Table, snapshot.Bitsets, filters))
            {
                var counter = new TotalHitCountCollector();
                var candidates = plan.AtMostOneFailure(snapshot.Bitsets.Words);
                if (TermAtATime(rewritten, candidates, snapshot.Reader.MaxDoc) && ScoredMatches.Find(snapshot.Searcher, rewritten, query.Sort == SearchSort.Relevance, candidates) is { } matches)
                {
                    matches.Dispose();
                }
                else if (candidates is not null)
                {
                    snapshot.Searcher.Search(rewritten, new GlobalBitsFilter(candidates), counter);
                }
                else
                {
                    snapshot.Searcher.Search(rewritten, counter);
                }
            }

            profile[1] = System.Diagnostics.Stopwatch.GetTimestamp() - matchOnly;
            var result = Run(snapshot, query, profile, noBrowseCache: true);
            profile[0] = matchOnly - start;
            return new SearchProfile(
                result.Total,
                System.Diagnostics.Stopwatch.GetElapsedTime(0, profile[0]),
                System.Diagnostics.Stopwatch.GetElapsedTime(0, profile[1]),
                System.Diagnostics.Stopwatch.GetElapsedTime(0, profile[2]),
                System.Diagnostics.Stopwatch.GetElapsedTime(0, profile[3]),
                System.Diagnostics.Stopwatch.GetElapsedTime(0, profile[4]),
                System.Diagnostics.Stopwatch.GetElapsedTime(0, profile[5]));
        }
        finally
        {
            snapshot.Reader.DecRef();
        }
    }

    /// <param name="uncachedParse">The query cache neither read nor filled (the warm-up, whose word no visitor chose).</param>
    private SearchResult Run(Snapshot snapshot, SearchQuery query, long[]? profile = null, bool noBrowseCache = false, bool uncachedParse = false)
    {
        var table = snapshot.Table;
        var (parsed, rewritten) = (CacheQueries || profile is not null) && !uncachedParse
            ? snapshot.Parse(query.Text)
            : Snapshot.ParseUncached(snapshot.Searcher, query.Text);
        var mark = System.Diagnostics.Stopwatch.GetTimestamp();
        var window = query.Page * query.PageSize;
        var unfiltered = query.Filters is null || query.Filters.All(f => f.Value.Count == 0);
        var filters = EffectiveFilters(query.Filters, parsed.Words.Count == 0);
        // Browsing without words or filters (the search page as it opens) gives the same counts and page for every
        // visitor until the index changes: computed once per snapshot and window.
        var collected = parsed.Words.Count == 0 && unfiltered && window <= Snapshot.CachedWindow && !noBrowseCache
            ? snapshot.Browse.GetOrAdd((query.Sort, window), key => Collect(snapshot, rewritten, filters, key.Sort, key.Window))
            : Collect(snapshot, rewritten, filters, query.Sort, window);
        if (profile is not null)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            profile[2] = now - mark;
            mark = now;
        }

        var top = collected.Top;
        // Stored fields are read for the shown page only.
        var first = Math.Min((query.Page - 1) * query.PageSize, top.Length);
        var shown = new Document[Math.Min(query.PageSize, top.Length - first)];
        for (var i = 0; i < shown.Length; i++)
        {
            shown[i] = snapshot.Searcher.Doc(top[first + i].Doc);
        }

        if (profile is not null)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            profile[5] = now - mark;
            mark = now;
        }

        var items = new List<SearchHit>(shown.Length);
        for (var i = 0; i < shown.Length; i++)
        {
            items.Add(ToHit(shown[i], top[first + i].Score, parsed, query.Language));
        }

        if (profile is not null)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            profile[3] = now - mark;
            mark = now;
        }

        var facets = new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal);
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var facet in SearchFacets.All)
        {
            var selected = query.Filters?.GetValueOrDefault(facet) ?? [];
            var limit = query.FacetExpanded == facet ? int.MaxValue : query.FacetLimit;
            var (list, size) = FacetValues(facet, table.Dims[(int)facet], collected.Counts[(int)facet], selected, limit, query.Language);
            facets[facet.Name()] = list;
            sizes[facet.Name()] = size;
        }

        if (profile is not null)
        {
            profile[4] = System.Diagnostics.Stopwatch.GetTimestamp() - mark;
        }

        return new SearchResult(items, query.Page, query.PageSize, collected.TotalHits, facets, sizes);
    }

    /// <summary>
    /// One dimension's values for a result: those counted (or ticked), the <paramref name="limit"/> most frequent
    /// first, plus every ticked one so it can be unticked; and how many there are in all. Only the values shown are
    /// labelled: a programme facet at Kohesio's scale has hundreds of values with long titles, and labelling,
    /// sorting and sending all of them on every search cost more than counting them (issue 17, ADR 7).
    /// </summary>
    private (List<FacetCount> Values, int Size) FacetValues(
        SearchFacet facet, FacetDim dim, int[] counts, IReadOnlyList<string> selected, int limit, string language)
    {
        var counted = new List<int>();
        for (var ord = 0; ord < dim.Values.Length; ord++)
        {
            if (counts[ord] > 0 || selected.Contains(dim.Values[ord]))
            {
                counted.Add(ord);
            }
        }

        // A selected value the index does not know still shows, with 0, so it can be unticked.
        var unknown = selected.Where(v => !dim.Ordinals.ContainsKey(v)).ToList();
        var size = counted.Count + unknown.Count;
        if (counted.Count > limit)
        {
            // The limit-th highest count; values above it are shown, values at it are ordered by label like the list.
            counted.Sort((a, b) => counts[b].CompareTo(counts[a]));
            var edge = counts[counted[limit - 1]];
            var above = counted.TakeWhile(o => counts[o] > edge).ToList();
            var tied = counted.Skip(above.Count).TakeWhile(o => counts[o] == edge)
                .Select(o => (Ord: o, Label: Label(facet, dim.Values[o], language)))
                .OrderBy(t => t.Label, StringComparer.Ordinal)
                .Take(limit - above.Count)
                .Select(t => t.Ord);
            var shown = above.Concat(tied).ToHashSet();
            shown.UnionWith(counted.Where(o => selected.Contains(dim.Values[o])));
            counted = [.. shown];
        }

        var list = new List<FacetCount>(counted.Count + unknown.Count);
        foreach (var ord in counted)
        {
            var value = dim.Values[ord];
            list.Add(new FacetCount(value, Label(facet, value, language), counts[ord], selected.Contains(value)));
        }

        list.AddRange(unknown.Select(v => new FacetCount(v, Label(facet, v, language), 0, true)));
        list.Sort((a, b) => b.Count != a.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Label, b.Label));
        return (list, size);
    }

    /// <summary>
    /// The filters a search runs with: the visitor's, plus, for a search without words that does not filter by type,
    /// the registry's own records only (<see cref="SearchFacets.RecordTypes"/>). The type facet still counts the places
    /// (its counts ignore its own filter), and shows no value ticked that the visitor did not tick.
    /// </summary>
    private static IReadOnlyDictionary<SearchFacet, IReadOnlyList<string>>? EffectiveFilters(
        IReadOnlyDictionary<SearchFacet, IReadOnlyList<string>>? filters, bool withoutWords)
    {
        if (!withoutWords || filters?.GetValueOrDefault(SearchFacet.Type) is { Count: > 0 })
        {
            return filters;
        }

        var effective = filters is null ? new Dictionary<SearchFacet, IReadOnlyList<string>>() : new Dictionary<SearchFacet, IReadOnlyList<string>>(filters);
        effective[SearchFacet.Type] = SearchFacets.RecordTypes;
        return effective;
    }

    private Collected Collect(
        Snapshot snapshot, Query query, IReadOnlyDictionary<SearchFacet, IReadOnlyList<string>>? filters, SearchSort sort, int window)
    {
        using var plan = FilterPlan.Create(snapshot.Table, snapshot.Bitsets, filters);
        var collector = new FacetCollector(snapshot.Table, plan, sort, window);
        // With two filters or more, a doc failing two counts nowhere: it is never collected (filters during matching).
        var candidates = plan.AtMostOneFailure(snapshot.Bitsets.Words);
        using var matches = TermAtATime(query, candidates, snapshot.Reader.MaxDoc) ? ScoredMatches.Find(snapshot.Searcher, query, score: sort == SearchSort.Relevance, candidates) : null;
        if (matches is not null)
        {
            matches.Collect(collector);
        }
        else if (candidates is not null)
        {
            snapshot.Searcher.Search(query, new GlobalBitsFilter(candidates), collector);
        }
        else
        {
            snapshot.Searcher.Search(query, collector);
        }

        return new Collected(collector.Counts, collector.TotalHits, collector.TopDocs());
    }

    /// <summary>
    /// Whether a search's words are matched and scored term at a time (<see cref="ScoredMatches"/>): not without words
    /// (every document: the match-all scorer walks them without postings). With two filters or more, the matching
    /// starts from their candidates when they are many (a type filter beside another: most documents); when they are
    /// few, Lucene's scorers skip to them (ADR 7, "filters as the first clause").
    /// </summary>
    private bool TermAtATime(Query query, long[]? candidates, int maxDoc) =>
        ScoreTermAtATime && query is not MatchAllDocsQuery && (candidates is null || ScoredMatches.Dense(candidates, maxDoc));

    internal sealed record Collected(int[][] Counts, int TotalHits, (int Doc, float Score)[] Top);

    private string Label(SearchFacet facet, string value, string language) =>
        _labels.TryGetValue((facet, value), out var label) && label.Best(language) is { } text ? text
        : SearchFacets.FixedLabels.TryGetValue(value, out var fixedLabel) ? fixedLabel
        : value;

    private static SearchHit ToHit(Document doc, float score, ParsedQuery parsed, string language)
    {
        var title = Localized(doc, "title_");
        var summary = Localized(doc, "summary_");
        var type = (SearchDocType)doc.GetField("type").GetInt32Value()!.Value;
        var name = doc.Get("name_s");
        var shownTitle = type is SearchDocType.Programme or SearchDocType.Grouping ? title.Resolve(language) : null;
        var snippet = Snippets.Best(parsed, language, summary, title, name);
        var budget = doc.Get("budget_s");
        return new SearchHit(
            type, doc.Get("slug"), shownTitle?.Text ?? name, shownTitle?.Language, doc.Get("subtitle"),
            snippet?.Html, snippet?.Language, doc.Get("start_s"),
            budget is null ? null : decimal.Parse(budget, CultureInfo.InvariantCulture), score, doc.Get("kind_s"));
    }

    private static LocalizedText Localized(Document doc, string prefix) => new()
    {
        En = doc.Get(prefix + "en"),
        Fr = doc.Get(prefix + "fr"),
        Nl = doc.Get(prefix + "nl"),
        De = doc.Get(prefix + "de"),
    };

    /// <summary>
    /// The word fields' type (name, plain, stem): analysed, not stored, each term with its frequency in the document but
    /// not its positions. No query here needs positions (every word is matched by its terms anywhere in the record, no
    /// phrase or span: <see cref="QueryBuilder"/>), snippets are made from the stored texts (<see cref="Snippets"/>), and
    /// a document's norm counts its tokens with or without them, so matches and scores are the same. At 2 M projects the
    /// positions were 265 MB of a 1.8 GB index, encoded by every build and rewritten by every merge (ADR 7, "the word
    /// fields without positions").
    /// </summary>
    internal static readonly FieldType WordsType = NewWordsType();

    private static FieldType NewWordsType()
    {
        var type = new FieldType(TextField.TYPE_NOT_STORED) { IndexOptions = IndexOptions.DOCS_AND_FREQS };
        type.Freeze();
        return type;
    }

    private static Field Words(string field, string text) => new(field, text, WordsType);

    private static Document ToLucene(SearchDocument d, long sequence)
    {
        var doc = new Document
        {
            new StringField("key", d.Key, Field.Store.YES),
            new StoredField("type", (int)d.Type),
            new StoredField("slug", d.Slug),
            new StoredField("name_s", d.Name),
            Words(SearchAnalyzers.NameField, d.Name),
            Words(SearchAnalyzers.PlainField, d.Name),
        };
        if (d.Subtitle is not null)
        {
            doc.Add(new StoredField("subtitle", d.Subtitle));
        }

        if (d.Kind is not null)
        {
            doc.Add(new StoredField("kind_s", d.Kind));
        }

        foreach (var name in d.AltNames)
        {
            doc.Add(Words(SearchAnalyzers.NameField, name));
            doc.Add(Words(SearchAnalyzers.PlainField, name));
        }

        // Whole names: the record's name and other names, and the title where it is a name (a programme's, a
        // grouping's); a project's title is a sentence no one types whole.
        var titles = d.Type is SearchDocType.Programme or SearchDocType.Grouping ? d.Title.All().Select(t => t.Text) : [];
        foreach (var key in d.AltNames.Append(d.Name).Concat(titles).Select(Slug.MatchKey).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal))
        {
            doc.Add(new StringField(SearchAnalyzers.NameKeyField, key, Field.Store.NO));
        }

        foreach (var language in SearchAnalyzers.Languages)
        {
            var texts = new List<string>(2 + d.Related.Count);
            if (d.Title[language] is { } title)
            {
                doc.Add(new StoredField("title_" + language, title));
                doc.Add(Words(SearchAnalyzers.NameField, title));
                doc.Add(Words(SearchAnalyzers.PlainField, title));
                texts.Add(title);
            }

            if (d.Summary[language] is { } summary)
            {
                doc.Add(new StoredField("summary_" + language, summary));
                doc.Add(Words(SearchAnalyzers.PlainField, summary));
                texts.Add(summary);
            }

            foreach (var related in d.Related)
            {
                if (related[language] is { } text)
                {
                    doc.Add(Words(SearchAnalyzers.PlainField, text));
                    texts.Add(text);
                }
            }

            // Every language's stems in one field, each text stemmed in its own language (issue 17, ADR 7).
            if (texts.Count > 0)
            {
                doc.Add(new Field(SearchAnalyzers.StemField, SearchAnalyzers.StemStream(language, texts), WordsType));
            }
        }

        foreach (var name in d.Names)
        {
            doc.Add(Words(SearchAnalyzers.PlainField, name));
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

        doc.Add(new NumericDocValuesField(FacetTable.SequenceField, sequence));
        StatisticsTable.AddFields(doc, d);
        return doc;
    }

    /// <summary>
    /// Saves the arrays, then closes the writer (which commits and waits for its merges) and the folder. Waits for an
    /// update or rebuild in progress on another thread: closing the writer under it would commit half of it. A second
    /// call does nothing. A failure to close is thrown after the folder is released; the last commit stays on disk.
    /// </summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                SaveTables();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Only the next start's speed depends on the file: it reads the arrays from the index without it.
            }

            try
            {
                _current.Reader.DecRef();
                // A merge still running (MergeSegments after a rebuild: tens of seconds at 2 M) is abandoned rather
                // than waited for: every document is in the last commit already, merged or not.
                _writer.Dispose(waitForMerges: false);
            }
            finally
            {
                _directory.Dispose();
            }
        }
    }

    private sealed class Snapshot
    {
        /// <summary>
        /// The snapshot of <paramref name="reader"/>; the arrays of the <paramref name="shared"/> segments are copied
        /// from those of the snapshot it was reopened from (<paramref name="previous"/>, <paramref name="previousStatistics"/>;
        /// see <see cref="SharedSegments"/>). The statistics' arrays are loaded now when <paramref name="loadStatistics"/>,
        /// else on first use.
        /// </summary>
        public Snapshot(
            DirectoryReader reader, FacetTable? previous = null, SharedSegments shared = default,
            bool loadStatistics = false, StatisticsTable? previousStatistics = null)
        {
            Reader = reader;
            Searcher = new IndexSearcher(reader);
            // Every segment shared (only deletions changed, or the table file held them all): the same arrays.
            Table = previous is not null && shared.Leaves == reader.Leaves.Count && previous.MaxDoc == reader.MaxDoc
                ? previous
                : new FacetTable(reader, previous, shared);
            Bitsets = new FacetBitsets(Table);
            if (loadStatistics)
            {
                var statistics = new StatisticsTable(reader, Table, previousStatistics, shared);
                Statistics = new Lazy<StatisticsTable>(() => statistics);
                _ = Statistics.Value;
            }
            else
            {
                // Never the previous snapshot's table here: a lazy load that never runs would keep it alive, and with
                // it every snapshot before.
                Statistics = new Lazy<StatisticsTable>(() => new StatisticsTable(reader, Table), LazyThreadSafetyMode.ExecutionAndPublication);
            }
        }

        public const int CachedWindow = 1_000;
        private const int MaxCachedQueries = 1_024;

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ParsedQuery Parsed, Query Rewritten)> _queries =
            new(StringComparer.Ordinal);

        public DirectoryReader Reader { get; }
        public IndexSearcher Searcher { get; }
        public FacetTable Table { get; }

        /// <summary>Per facet value, the docs holding it, built when a filter first uses it (see FilterPlan).</summary>
        public FacetBitsets Bitsets { get; }

        /// <summary>The statistics' arrays, loaded when statistics are first asked of this snapshot.</summary>
        public Lazy<StatisticsTable> Statistics { get; }

        /// <summary>The raw figures of every project (never read out: <see cref="SearchEngine.AllProjects"/>), made once under <see cref="AllProjectsLock"/>.</summary>
        public StatisticsCollector? AllProjects { get; set; }

        public System.Threading.Lock AllProjectsLock { get; } = new();

        /// <summary>The statistics of every project, per language of the labels.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, IndexStatistics> AllStatistics { get; } = new(StringComparer.Ordinal);

        /// <summary>Counts and page of the search without words or filters, per sort and window.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<(SearchSort Sort, int Window), Collected> Browse { get; } = new();

        /// <summary>
        /// The parsed query and its rewrite against this reader (fuzzy and prefix words expanded to terms), cached by
        /// text: a visitor ticking filters or paging repeats the text, and the rewrite (Levenshtein automata, term
        /// enumeration) is most of Lucene's work per query. Bounded; dropped with the snapshot when the index changes.
        /// </summary>
        public (ParsedQuery Parsed, Query Rewritten) Parse(string? text)
        {
            var key = text ?? "";
            if (_queries.TryGetValue(key, out var cached))
            {
                return cached;
            }

            var entry = ParseUncached(Searcher, text);
            if (_queries.Count >= MaxCachedQueries)
            {
                _queries.Clear();
            }

            _queries[key] = entry;
            return entry;
        }

        public static (ParsedQuery Parsed, Query Rewritten) ParseUncached(IndexSearcher searcher, string? text)
        {
            var parsed = QueryBuilder.Build(text, searcher.IndexReader);
            return (parsed, searcher.Rewrite(parsed.Query));
        }
    }
}

/// <summary>Where one search's time went (<see cref="SearchEngine.Profile"/>), for the benchmark.</summary>
public sealed record SearchProfile(
    int Total, TimeSpan Parse, TimeSpan MatchOnly, TimeSpan MatchAndCount, TimeSpan Snippets, TimeSpan FacetLists, TimeSpan StoredFields);
