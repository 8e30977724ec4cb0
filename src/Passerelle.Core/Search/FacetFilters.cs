using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;

using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Passerelle.Core.Search;

/// <summary>
/// Per snapshot: for each facet value a filter has used, the bitset of the documents holding it (global doc ids, one
/// bit per document: 250 KB per value at 2 M documents). Built on first use by one scan of the dimension's ordinals and
/// kept until the snapshot is replaced, within <see cref="MaxBytes"/>; past that, a value's bitset is built for the
/// query and dropped (correct, only slower).
/// </summary>
internal sealed class FacetBitsets(FacetTable table)
{
    /// <summary>Bytes of cached bitsets per snapshot: 256 MB is about 1,000 values at 2 M documents.</summary>
    public const long MaxBytes = 256L << 20;

    private readonly ConcurrentDictionary<int, long[]> _cache = new();
    private long _bytes;

    public int Words { get; } = (table.MaxDoc + 63) >> 6;

    public long CachedBytes => Interlocked.Read(ref _bytes);

    public long[] Of(int dim, int ord)
    {
        var key = (dim << 16) | ord;
        if (_cache.TryGetValue(key, out var bits))
        {
            return bits;
        }

        bits = Build(table.Dims[dim], ord);
        if (Interlocked.Add(ref _bytes, bits.LongLength * 8) <= MaxBytes)
        {
            return _cache.GetOrAdd(key, bits);
        }

        Interlocked.Add(ref _bytes, -bits.LongLength * 8);
        return bits;
    }

    private long[] Build(FacetDim dim, int ord)
    {
        var bits = new long[Words];
        if (dim.Single is { } column)
        {
            var single = column.Span;
            for (var doc = 0; doc < single.Length; doc++)
            {
                if (single[doc] == ord)
                {
                    bits[doc >> 6] |= 1L << doc;
                }
            }

            return bits;
        }

        var offsets = dim.Offsets!.Span;
        var values = dim.Multi!.Span;
        for (var doc = 0; doc + 1 < offsets.Length; doc++)
        {
            for (var i = offsets[doc]; i < offsets[doc + 1]; i++)
            {
                if (values[i] == ord)
                {
                    bits[doc >> 6] |= 1L << doc;
                    break;
                }
            }
        }

        return bits;
    }
}

/// <summary>
/// A search's filters as bitsets: for each filtered dimension the documents passing it (the OR of its ticked values),
/// and the documents that can count anywhere under drill-sideways: those failing at most one filter. Lucene is given
/// that set as a filter, so a search with two or more filters never scores, collects or counts a document failing two
/// (with one filter every match still counts in that filter's own dimension). The all-filters set is what the
/// statistics run with. Arrays built for the query are rented and returned by <see cref="Dispose"/>.
/// </summary>
internal sealed class FilterPlan : IDisposable
{
    private readonly List<long[]> _rented = [];

    private FilterPlan(int[] dims, long[][] pass)
    {
        Dims = dims;
        Pass = pass;
    }

    /// <summary>The filtered dimensions.</summary>
    public int[] Dims { get; }

    /// <summary>Per filtered dimension, the documents passing it (global doc ids); at least <c>Words</c> long.</summary>
    public long[][] Pass { get; }

    public static readonly FilterPlan None = new([], []);

    public static FilterPlan Create(FacetTable table, FacetBitsets bitsets, IReadOnlyDictionary<SearchFacet, IReadOnlyList<string>>? filters)
    {
        var active = filters?.Where(f => f.Value.Count > 0).OrderBy(f => f.Key).ToList() ?? [];
        if (active.Count == 0)
        {
            return None;
        }

        var dims = new int[active.Count];
        var pass = new long[active.Count][];
        var plan = new FilterPlan(dims, pass);
        for (var i = 0; i < active.Count; i++)
        {
            var dim = (int)active[i].Key;
            dims[i] = dim;
            var ords = active[i].Value
                .Select(v => table.Dims[dim].Ordinals.TryGetValue(v, out var ord) ? ord : -1)
                .Where(o => o >= 0).Distinct().ToList();
            if (ords.Count == 1)
            {
                // The cached bitset itself: read only, never written.
                pass[i] = bitsets.Of(dim, ords[0]);
                continue;
            }

            // None known (a value the index does not hold: nothing passes) or several (their union).
            var union = plan.Rent(bitsets.Words);
            Array.Clear(union, 0, bitsets.Words);
            foreach (var ord in ords)
            {
                var bits = bitsets.Of(dim, ord);
                for (var w = 0; w < bitsets.Words; w++)
                {
                    union[w] |= bits[w];
                }
            }

            pass[i] = union;
        }

        return plan;
    }

    /// <summary>Documents failing at most one filter; null when that is every document (no filter, or one).</summary>
    public long[]? AtMostOneFailure(int words)
    {
        if (Pass.Length < 2)
        {
            return null;
        }

        var result = Rent(words);
        for (var w = 0; w < words; w++)
        {
            // Over the filters in turn: all = passing every filter so far; one = failing at most one so far.
            var all = ~0L;
            var one = ~0L;
            foreach (var pass in Pass)
            {
                var p = pass[w];
                one = (one & p) | all;
                all &= p;
            }

            result[w] = one;
        }

        return result;
    }

    /// <summary>Documents passing every filter; null when there is no filter.</summary>
    public long[]? All(int words)
    {
        if (Pass.Length == 0)
        {
            return null;
        }

        if (Pass.Length == 1)
        {
            return Pass[0];
        }

        var result = Rent(words);
        for (var w = 0; w < words; w++)
        {
            var all = ~0L;
            foreach (var pass in Pass)
            {
                all &= pass[w];
            }

            result[w] = all;
        }

        return result;
    }

    private long[] Rent(int words)
    {
        var array = ArrayPool<long>.Shared.Rent(Math.Max(words, 1));
        _rented.Add(array);
        return array;
    }

    public void Dispose()
    {
        foreach (var array in _rented)
        {
            ArrayPool<long>.Shared.Return(array);
        }

        _rented.Clear();
    }

    /// <summary>Whether global doc <paramref name="doc"/> is in <paramref name="bits"/>.</summary>
    public static bool Has(long[] bits, int doc) => (bits[doc >> 6] & (1L << doc)) != 0;
}

/// <summary>
/// A Lucene filter over a bitset of global doc ids (the index's leaves are slices of it by doc base), combined with
/// each leaf's live documents. Lucene uses it as random-access "accept docs" for dense sets and iterates it for
/// sparse ones; either way a document outside it is never scored or collected.
/// </summary>
internal sealed class GlobalBitsFilter(long[] bits) : Filter
{
    public override DocIdSet GetDocIdSet(AtomicReaderContext context, IBits acceptDocs) =>
        BitsFilteredDocIdSet.Wrap(new LeafSet(bits, context.DocBase, context.AtomicReader.MaxDoc), acceptDocs);

    private sealed class LeafSet(long[] bits, int docBase, int maxDoc) : DocIdSet, IBits
    {
        public override DocIdSetIterator GetIterator() => new Iterator(bits, docBase, maxDoc);

        public override IBits Bits => this;

        public override bool IsCacheable => true;

        public int Length => maxDoc;

        public bool Get(int index) => FilterPlan.Has(bits, docBase + index);
    }

    private sealed class Iterator(long[] bits, int docBase, int maxDoc) : DocIdSetIterator
    {
        private int _doc = -1;

        public override int DocID => _doc;

        public override int NextDoc() => Advance(_doc + 1);

        public override int Advance(int target)
        {
            if (target >= maxDoc)
            {
                return _doc = NO_MORE_DOCS;
            }

            var g = docBase + target;
            var end = docBase + maxDoc;
            var w = g >> 6;
            var word = bits[w] & (~0L << g);
            while (true)
            {
                if (word != 0)
                {
                    var found = (w << 6) + BitOperations.TrailingZeroCount(word);
                    return _doc = found < end ? found - docBase : NO_MORE_DOCS;
                }

                if (++w << 6 >= end)
                {
                    return _doc = NO_MORE_DOCS;
                }

                word = bits[w];
            }
        }

        public override long GetCost() => maxDoc;
    }
}
