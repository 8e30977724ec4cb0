using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;

using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;

namespace Passerelle.Core.Search;

/// <summary>
/// A search's matches and their scores, term at a time (ADR 7, "Kohesio scale: matching and scoring term at a time"):
/// each leaf of the query (a term, or a prefix's constant-score set) reads its postings once, setting its clause's
/// bits and adding its score to the document's; the words are AND-ed as bitsets, the cheapest first, a later one read
/// only at the documents still matching when they are few; only the documents left reach the collector. Lucene's own
/// scorer does the same work document at a time: a word is a disjunction of five or six terms kept in a heap, and the
/// conjunction of the words advances every one of them, so each posting costs a heap operation and virtual calls. The scores are Lucene's: each leaf is weighted
/// and normalised as in the whole query (same query norm, same boosts along its path), and a matched document's score
/// is the sum of its matching leaves, which is what Lucene's boolean scorers add up for these shapes (coordination off,
/// every word a pure disjunction); only the order of the additions differs.
/// Handles the shapes <see cref="QueryBuilder"/> builds once rewritten: a term, a prefix's constant-score filter, a
/// pure disjunction of those, or a boolean of required and optional such clauses (a minimum of at most one optional);
/// anything else answers null and the caller searches through Lucene as before.
/// </summary>
internal sealed class ScoredMatches : IDisposable
{
    // The arrays a search uses, last returned first rented: a search reuses the arrays the one before it just left in
    // the processor's cache (the shared pool hands each thread its own, and a web host's requests come on many).
    private static readonly ArrayPool<long> Longs = ArrayPool<long>.Create(1 << 26, 16);
    private static readonly ArrayPool<float> Floats = ArrayPool<float>.Create(1 << 26, 8);

    private readonly IndexReader _reader;
    private readonly int _words;
    private long[]? _bits;
    private float[]? _scores;
    private long[]? _touched;

    private ScoredMatches(IndexReader reader, long[] bits, float[]? scores, long[] touched)
    {
        _reader = reader;
        _words = (reader.MaxDoc + 63) >> 6;
        _bits = bits;
        _scores = scores;
        _touched = touched;
    }

    /// <summary>
    /// The matches of <paramref name="query"/> (a rewritten query), with their scores when <paramref name="score"/>;
    /// null for a shape not handled here. Deleted documents are left in: <see cref="Collect"/> skips them.
    /// With <paramref name="candidates"/> (global doc bits, not changed), only the documents among them match: the
    /// matching starts from them, so a clause is read only at them when they are few beside its postings.
    /// </summary>
    /// <param name="direct">
    /// Terms scored here with the default similarity's formula (<see cref="Leaf"/>), four virtual calls a posting fewer
    /// than through its scorer; false only to compare the two.
    /// </param>
    /// <param name="window">Documents read by all of a clause's terms before the next ones (<see cref="Window"/>; smaller only in tests).</param>
    public static ScoredMatches? Find(
        IndexSearcher searcher, Query query, bool score, long[]? candidates = null, bool direct = true, int window = Window)
    {
        if (Shape(query) is not { } shape)
        {
            return null;
        }

        var reader = searcher.IndexReader;
        var words = (reader.MaxDoc + 63) >> 6;
        var leaves = shape.Clauses.Select(c => c.Leaves.Select(l => new Leaf(searcher, l, score, direct)).ToArray()).ToArray();
        if (score)
        {
            Normalize(searcher, shape, leaves);
        }

        // Score arrays go back to their pool all zero (Dispose clears the blocks a posting wrote), so one is rented as
        // it is: clearing 8 MB at 2 M documents cost more than a rare word's whole search.
        var scores = score ? Floats.Rent(reader.MaxDoc) : null;
        var touched = Rent(words);
        var clauseBits = Rent(words);
        long[]? current = null;
        if (candidates is not null)
        {
            current = Longs.Rent(words);
            candidates.AsSpan(0, words).CopyTo(current);
        }

        try
        {
            // Required clauses first, the cheapest first: the first reads its postings through; each next one only
            // at the documents still matching, when they are few beside its postings (skipping with the postings'
            // skip lists, as Lucene's conjunction does), else through.
            var required = Enumerable.Range(0, shape.Clauses.Count).Where(c => shape.Clauses[c].Required)
                .OrderBy(c => leaves[c].Sum(l => l.Cost)).ToList();
            foreach (var c in required)
            {
                AddClause(searcher, leaves[c], current, clauseBits, touched, scores, words, window);
                Intersect();
            }

            // Optional clauses: they decide the matches without a required clause (at least one must match) or with a
            // minimum of one beside them; else they only add to the scores of the documents already matching.
            var optional = Enumerable.Range(0, shape.Clauses.Count).Where(c => !shape.Clauses[c].Required).ToList();
            var decide = required.Count == 0 || shape.MinimumShouldMatch == 1;
            if (decide)
            {
                foreach (var c in optional)
                {
                    AddClause(searcher, leaves[c], current, clauseBits, touched, scores, words, window);
                }

                Intersect();
            }
            else if (scores is not null)
            {
                foreach (var c in optional)
                {
                    AddClause(searcher, leaves[c], current, null, touched, scores, words, window);
                }
            }

            var matches = new ScoredMatches(reader, current ?? Rent(words), scores, touched);
            current = null;
            scores = null;
            touched = null;
            return matches;

            // The clause just read (its bits) AND-ed into the matches so far; its bits cleared for the next clause.
            void Intersect()
            {
                if (current is null)
                {
                    current = clauseBits;
                    clauseBits = Rent(words);
                }
                else
                {
                    And(current, clauseBits, words);
                    clauseBits.AsSpan(0, words).Clear();
                }
            }
        }
        finally
        {
            Longs.Return(clauseBits);
            if (current is not null)
            {
                Longs.Return(current);
            }

            if (touched is not null)
            {
                Longs.Return(touched);
            }

            if (scores is not null)
            {
                Floats.Return(scores, clearArray: true);
            }
        }
    }

    /// <summary>
    /// Every leaf weighted as in the whole query (IndexSearcher.CreateNormalizedWeight, BooleanWeight): the query norm
    /// from the sum of squared weights, added up in the tree's own nesting (each boolean's sum times its boost
    /// squared), then each leaf normalised with the boosts of the clauses above it.
    /// </summary>
    private static void Normalize(IndexSearcher searcher, QueryShape shape, Leaf[][] leaves)
    {
        var sum = 0f;
        for (var c = 0; c < shape.Clauses.Count; c++)
        {
            var inner = 0f;
            foreach (var leaf in leaves[c])
            {
                inner += leaf.ValueForNormalization();
            }

            var clause = shape.Clauses[c];
            sum += clause.Nested ? inner * (clause.Boost * clause.Boost) : inner;
        }

        if (shape.Nested)
        {
            sum *= shape.Boost * shape.Boost;
        }

        var norm = searcher.Similarity.QueryNorm(sum);
        if (float.IsInfinity(norm) || float.IsNaN(norm))
        {
            norm = 1f;
        }

        for (var c = 0; c < shape.Clauses.Count; c++)
        {
            var clause = shape.Clauses[c];
            var above = shape.Nested ? clause.Nested ? shape.Boost * clause.Boost : shape.Boost : 1f;
            foreach (var leaf in leaves[c])
            {
                leaf.Normalize(norm, above);
            }
        }
    }

    /// <summary>
    /// A clause's leaves into <paramref name="bits"/> (when given) and the scores: only at the documents of
    /// <paramref name="within"/> when it is given and sparse beside the clause's postings, else every posting.
    /// </summary>
    private static void AddClause(
        IndexSearcher searcher, Leaf[] leaves, long[]? within, long[]? bits, long[] touched, float[]? scores, int words, int window)
    {
        var restrict = within is not null && MatchBits.Count(within, words) * SkipCost < leaves.Sum(l => l.Cost);
        if (restrict)
        {
            foreach (var leaf in leaves)
            {
                leaf.Add(searcher, within, true, bits, touched, scores);
            }

            return;
        }

        // Read through: each run of term leaves together, window by window; any other leaf alone. A document's leaves
        // still add their scores in the clause's order, so its score is the same float.
        for (var i = 0; i < leaves.Length;)
        {
            var j = i;
            while (j < leaves.Length && leaves[j].Windowed(scores is not null))
            {
                j++;
            }

            if (j == i)
            {
                leaves[i++].Add(searcher, within, false, bits, touched, scores);
                continue;
            }

            Leaf.AddWindowed(searcher, leaves[i..j], within, bits, touched, scores, window);
            i = j;
        }
    }

    /// <summary>
    /// Documents read by all of a clause's terms before the next ones: their scores (128 KiB) stay in the processor's
    /// cache meanwhile. A term after another over all 2 M documents swept the 8 MB of scores again from memory, and a
    /// common word has five or six terms (ADR 7, "the postings read window by window").
    /// </summary>
    internal const int Window = 1 << 15;

    /// <summary>
    /// A posting skipped to costs about this many read through (a skip list's jump against a block's decoding):
    /// restricting a clause to the documents still matching pays when they are fewer than its postings over this.
    /// </summary>
    private const long SkipCost = 8;

    /// <summary>
    /// Whether matching term at a time from <paramref name="candidates"/> pays against Lucene's scorers with them as a
    /// filter: when they are at least one document in <see cref="SkipCost"/>. Fewer, Lucene's conjunction skips
    /// every clause to them, a word being typed too, whose set this class builds whole (measured at 2 M: ADR 7,
    /// "filters as the first clause").
    /// </summary>
    public static bool Dense(long[] candidates, int maxDoc) => MatchBits.Count(candidates, (maxDoc + 63) >> 6) * SkipCost >= maxDoc;

    /// <summary>
    /// Hands every live matched document to <paramref name="collector"/> with its score (0 when scores were not
    /// asked), in order of global doc id.
    /// </summary>
    public void Collect(FacetCollector collector)
    {
        var bits = _bits ?? throw new ObjectDisposedException(nameof(ScoredMatches));
        var scores = _scores;
        // Runs of hits, so the collector can ask for the next ones' records ahead (FacetCollector.AddRun).
        MatchBits.ForEachLive(bits, _reader, 0, _words, stackalloc int[RunLength], docs => collector.AddRun(docs, scores));
    }

    /// <summary>Hits handed to the collector at once: the first few of a run are counted without a prefetch.</summary>
    private const int RunLength = 4096;

    /// <summary>Returns the arrays to the pool; the scores are cleared where a posting wrote one.</summary>
    public void Dispose()
    {
        if (_scores is { } scores && _touched is { } touched)
        {
            for (var w = 0; w < _words; w++)
            {
                if (touched[w] != 0)
                {
                    var from = w << 6;
                    scores.AsSpan(from, Math.Min(64, scores.Length - from)).Clear();
                }
            }

            Floats.Return(scores);
        }

        if (_touched is not null)
        {
            Longs.Return(_touched);
        }

        if (_bits is not null)
        {
            Longs.Return(_bits);
        }

        _scores = null;
        _touched = null;
        _bits = null;
    }

    /// <summary>
    /// A leaf of the query: a term, or a prefix's constant-score set. Scored, it is weighted as Lucene weights it
    /// (TermWeight, ConstantScoreQuery's weight), and a term is scored over its postings without Lucene's TermScorer
    /// between: with the default similarity's own formula (tf × weight × the document's norm, ADR 7 "scoring without
    /// virtual calls"), or by another similarity's scorer. Unscored, a term's postings are read without frequencies.
    /// </summary>
    private sealed class Leaf
    {
        private readonly Term? _term;
        private readonly TermContext? _states;
        private readonly Similarity.SimWeight? _stats;
        private readonly Query _query;
        private readonly Weight? _weight;

        // Scored with Lucene's default similarity (TF-IDF) computed here rather than through its scorer (Find's direct).
        private readonly bool _direct;
        private readonly float _idf;
        private float _queryWeight;
        private float _weightValue;

        public Leaf(IndexSearcher searcher, Query leaf, bool score, bool direct)
        {
            _query = leaf;
            if (leaf is TermQuery { Term: var term })
            {
                // As TermWeight: the term's statistics over the whole reader, the query's boost.
                _term = term;
                _states = TermContext.Build(searcher.TopReaderContext, term);
                Cost = _states.DocFreq;
                if (score)
                {
                    var collection = searcher.CollectionStatistics(term.Field);
                    var statistics = searcher.TermStatistics(term, _states);
                    _stats = searcher.Similarity.ComputeWeight(leaf.Boost, collection, statistics);
                    if (direct && searcher.Similarity.GetType() == typeof(DefaultSimilarity))
                    {
                        // TFIDFSimilarity's IDFStats, float operation for float operation: idf(df, maxDoc), times the boost.
                        _direct = true;
                        _idf = TfIdf.Idf(statistics.DocFreq, collection.MaxDoc);
                        _queryWeight = _idf * leaf.Boost;
                    }
                }
            }
            else
            {
                // A prefix's set is built whole from its terms' postings whatever is asked of it: never worth skipping.
                Cost = long.MaxValue / 1024;
                _weight = score ? leaf.CreateWeight(searcher) : null;
            }
        }

        /// <summary>How many postings reading the leaf through costs (its document frequency).</summary>
        public long Cost { get; }

        public float ValueForNormalization() => _stats?.GetValueForNormalization() ?? _weight!.GetValueForNormalization();

        public void Normalize(float norm, float topLevelBoost)
        {
            if (_stats is not null)
            {
                _stats.Normalize(norm, topLevelBoost);
                if (_direct)
                {
                    _queryWeight *= norm * topLevelBoost;
                    _weightValue = _queryWeight * _idf;
                }
            }
            else
            {
                _weight!.Normalize(norm, topLevelBoost);
            }
        }

        /// <summary>
        /// The leaf's documents (only those of <paramref name="within"/> when given) into <paramref name="bits"/> and
        /// <paramref name="touched"/>, their scores added into <paramref name="scores"/> when scored: skipping to each
        /// of <paramref name="within"/> when <paramref name="skip"/>, else reading the postings through and passing
        /// over the documents outside it (scoring them would be wasted: they cannot match).
        /// </summary>
        public void Add(IndexSearcher searcher, long[]? within, bool skip, long[]? bits, long[] touched, float[]? scores)
        {
            DocsEnum? reuse = null;
            foreach (var context in searcher.IndexReader.Leaves)
            {
                var (iterator, simScorer, scorer) = Open(searcher, context, scores is not null, ref reuse);
                if (iterator is null)
                {
                    continue;
                }

                var docBase = context.DocBase;
                var docs = iterator as DocsEnum;
                var direct = _direct && scores is not null;
                var norms = direct ? Norms.Of(context.AtomicReader, _term!.Field) : null;
                if (within is null)
                {
                    int doc;
                    while ((doc = iterator.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                    {
                        Hit(docBase, doc);
                    }

                    continue;
                }

                if (!skip)
                {
                    int doc;
                    while ((doc = iterator.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                    {
                        var g = docBase + doc;
                        if ((within[g >> 6] & (1L << g)) != 0)
                        {
                            Hit(docBase, doc);
                        }
                    }

                    continue;
                }

                // Only the documents still matching: skip to each.
                var end = docBase + context.AtomicReader.MaxDoc;
                var at = -1;
                for (var w = docBase >> 6; w << 6 < end && at != DocIdSetIterator.NO_MORE_DOCS; w++)
                {
                    var word = within[w];
                    while (word != 0)
                    {
                        var g = (w << 6) + BitOperations.TrailingZeroCount(word);
                        word &= word - 1;
                        if (g < docBase || g >= end)
                        {
                            continue;
                        }

                        var target = g - docBase;
                        if (at < target)
                        {
                            at = iterator.Advance(target);
                        }

                        if (at == target)
                        {
                            Hit(docBase, at);
                        }
                        else if (at == DocIdSetIterator.NO_MORE_DOCS)
                        {
                            break;
                        }
                    }
                }

                void Hit(int docBase, int doc)
                {
                    var g = docBase + doc;
                    var mask = 1L << g;
                    touched[g >> 6] |= mask;
                    if (bits is not null)
                    {
                        bits[g >> 6] |= mask;
                    }

                    if (scores is not null)
                    {
                        scores[g] += direct ? Score(docs!.Freq, norms, doc) : simScorer is not null ? simScorer.Score(doc, docs!.Freq) : scorer!.GetScore();
                    }
                }
            }
        }

        /// <summary>
        /// Whether <see cref="AddWindowed"/> reads this leaf: a term, unscored or scored with the default similarity's
        /// formula.
        /// </summary>
        public bool Windowed(bool scored) => _term is not null && (!scored || _direct);

        /// <summary>
        /// <see cref="Add"/> reading through, for several <see cref="Windowed"/> leaves at once: in each segment,
        /// every leaf's postings of one window of documents, then the next window.
        /// </summary>
        public static void AddWindowed(
            IndexSearcher searcher, Leaf[] leaves, long[]? within, long[]? bits, long[] touched, float[]? scores, int window)
        {
            var docs = new DocsEnum?[leaves.Length];
            var norms = new byte[]?[leaves.Length];
            var at = new int[leaves.Length];
            foreach (var context in searcher.IndexReader.Leaves)
            {
                for (var k = 0; k < leaves.Length; k++)
                {
                    var leaf = leaves[k];
                    if (leaf.Postings(context, scores is not null, ref docs[k]) is not { } postings)
                    {
                        at[k] = DocIdSetIterator.NO_MORE_DOCS;
                        continue;
                    }

                    norms[k] = scores is not null ? Norms.Of(context.AtomicReader, leaf._term!.Field) : null;
                    at[k] = postings.NextDoc();
                }

                var maxDoc = context.AtomicReader.MaxDoc;
                for (var until = window; until - window < maxDoc; until += window)
                {
                    for (var k = 0; k < leaves.Length; k++)
                    {
                        if (at[k] < until)
                        {
                            at[k] = leaves[k].ReadUntil(docs[k]!, at[k], until, context.DocBase, within, bits, touched, scores, norms[k]);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// This leaf's postings from <paramref name="doc"/> (its current one) to before <paramref name="until"/>;
        /// answers the first document at or after <paramref name="until"/>.
        /// </summary>
        private int ReadUntil(
            DocsEnum docs, int doc, int until, int docBase, long[]? within, long[]? bits, long[] touched, float[]? scores, byte[]? norms)
        {
            do
            {
                var g = docBase + doc;
                var w = g >> 6;
                var mask = 1L << g;
                if (within is null || (within[w] & mask) != 0)
                {
                    touched[w] |= mask;
                    if (bits is not null)
                    {
                        bits[w] |= mask;
                    }

                    if (scores is not null)
                    {
                        scores[g] += Score(docs.Freq, norms, doc);
                    }
                }

                doc = docs.NextDoc();
            }
            while (doc < until);
            return doc;
        }

        /// <summary>
        /// TFIDFSimScorer.Score with DefaultSimilarity, without its virtual calls: tf(freq) times the weight, times the
        /// document's decoded norm when the field has norms; the same float operations in the same order, so the same
        /// score (ScoredMatchesTests compares them bit for bit).
        /// </summary>
        private float Score(int freq, byte[]? norms, int doc)
        {
            var raw = (freq < TfTable.Length ? TfTable[freq] : TfIdf.Tf(freq)) * _weightValue;
            return norms is null ? raw : raw * NormTable[norms[doc]];
        }

        /// <summary>A term leaf's postings in one segment (with frequencies when scored); null where the term is not.</summary>
        private DocsEnum? Postings(AtomicReaderContext context, bool scored, ref DocsEnum? reuse)
        {
            if (_states!.Get(context.Ord) is not { } state)
            {
                return null;
            }

            var terms = context.AtomicReader.GetTerms(_term!.Field)!.GetEnumerator();
            terms.SeekExact(_term.Bytes, state);
            return reuse = terms.Docs(null, reuse, scored ? DocsFlags.FREQS : DocsFlags.NONE);
        }

        /// <summary>The leaf in one segment: its documents, and what scores them when scored.</summary>
        private (DocIdSetIterator? Iterator, Similarity.SimScorer? Sim, Scorer? Scorer) Open(
            IndexSearcher searcher, AtomicReaderContext context, bool scored, ref DocsEnum? reuse)
        {
            if (_term is not null)
            {
                return Postings(context, scored, ref reuse) is { } docs
                    ? (docs, scored ? searcher.Similarity.GetSimScorer(_stats, context) : null, null)
                    : default;
            }

            if (scored)
            {
                var scorer = _weight!.GetScorer(context, null);
                return (scorer, null, scorer);
            }

            return (((ConstantScoreQuery)_query).Filter.GetDocIdSet(context, null)?.GetIterator(), null, null);
        }
    }

    /// <summary>One clause of the query: a leaf, or (<paramref name="Nested"/>) a disjunction of leaves with its boost.</summary>
    private sealed record Clause(bool Required, bool Nested, float Boost, IReadOnlyList<Query> Leaves);

    /// <summary>The query's clauses; <paramref name="Nested"/> when they are a boolean's (with its boost), not one leaf.</summary>
    private sealed record QueryShape(IReadOnlyList<Clause> Clauses, int MinimumShouldMatch, bool Nested, float Boost);

    /// <summary>
    /// The query as clauses of leaves, or null for a shape whose scores or matches would differ from a plain sum over
    /// matching leaves (coordination on, a prohibited clause, a minimum above one, a nested required clause).
    /// </summary>
    private static QueryShape? Shape(Query query)
    {
        if (IsLeaf(query))
        {
            return new QueryShape([new Clause(true, false, 1f, [query])], 0, false, 1f);
        }

        if (query is not BooleanQuery { CoordDisabled: true } top || top.MinimumNumberShouldMatch > 1)
        {
            return null;
        }

        var list = new List<Clause>(top.Clauses.Count);
        foreach (var clause in top.Clauses)
        {
            if (clause.Occur == Occur.MUST_NOT)
            {
                return null;
            }

            var required = clause.Occur == Occur.MUST;
            if (IsLeaf(clause.Query))
            {
                list.Add(new Clause(required, false, 1f, [clause.Query]));
            }
            else if (Disjunction(clause.Query) is { } inner)
            {
                list.Add(new Clause(required, true, inner.Boost, [.. inner.Clauses.Select(c => c.Query)]));
            }
            else
            {
                return null;
            }
        }

        return new QueryShape(list, top.MinimumNumberShouldMatch, true, top.Boost);
    }

    private static BooleanQuery? Disjunction(Query query) =>
        query is BooleanQuery { CoordDisabled: true, MinimumNumberShouldMatch: 0 } b && b.Clauses.All(c => c.Occur == Occur.SHOULD && IsLeaf(c.Query))
            ? b
            : null;

    /// <summary>The default similarity's formulas, for a searcher whose similarity is exactly that class (no override).</summary>
    private static readonly DefaultSimilarity TfIdf = new();

    /// <summary>DefaultSimilarity.Tf of the frequencies a term mostly has in a document (its square root, as a float).</summary>
    private static readonly float[] TfTable = [.. Enumerable.Range(0, 64).Select(f => TfIdf.Tf(f))];

    /// <summary>DefaultSimilarity.DecodeNormValue of each norm byte.</summary>
    private static readonly float[] NormTable = [.. Enumerable.Range(0, 256).Select(b => TfIdf.DecodeNormValue(b))];

    /// <summary>
    /// Each segment's norms of a field as one byte per document, read once per segment (its core: a segment's norms
    /// never change, deletions aside) and dropped with it. Through Lucene, every scored posting asked for its
    /// document's norm by a virtual call. About 2.8 MB a field at 2.8 M documents, for the few fields words are
    /// matched on.
    /// </summary>
    private static class Norms
    {
        private static readonly ConditionalWeakTable<object, ConcurrentDictionary<string, byte[]?>> Segments = new();

        public static byte[]? Of(AtomicReader reader, string field) =>
            Segments.GetValue(reader.CoreCacheKey, _ => new ConcurrentDictionary<string, byte[]?>(StringComparer.Ordinal))
                .GetOrAdd(field, static (f, r) => Read(r, f), reader);

        private static byte[]? Read(AtomicReader reader, string field)
        {
            if (reader.GetNormValues(field) is not { } values)
            {
                return null;
            }

            // A norm is one byte (DefaultSimilarity.EncodeNormValue); decoding reads its low eight bits.
            var bytes = new byte[reader.MaxDoc];
            for (var doc = 0; doc < bytes.Length; doc++)
            {
                bytes[doc] = (byte)values.Get(doc);
            }

            return bytes;
        }
    }

    /// <summary>
    /// Reads <paramref name="fields"/>' norms in every segment of <paramref name="reader"/> into the cache a search reads
    /// them from, as a search touching every segment would: a restart's warm-up (<see cref="SearchEngine.WarmUp"/>).
    /// </summary>
    public static void LoadNorms(IndexReader reader, IEnumerable<string> fields)
    {
        foreach (var field in fields)
        {
            foreach (var leaf in reader.Leaves)
            {
                Norms.Of(leaf.AtomicReader, field);
            }
        }
    }

    private static bool IsLeaf(Query query) => query is TermQuery or ConstantScoreQuery { Filter: not null };

    /// <summary>A bit array from the pool, cleared (they go back as they were left).</summary>
    private static long[] Rent(int length)
    {
        var array = Longs.Rent(length);
        array.AsSpan(0, length).Clear();
        return array;
    }

    private static void And(long[] into, long[] other, int words)
    {
        for (var w = 0; w < words; w++)
        {
            into[w] &= other[w];
        }
    }
}
