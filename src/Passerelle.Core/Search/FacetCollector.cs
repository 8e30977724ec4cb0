using System.Runtime.Intrinsics.X86;

using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Passerelle.Core.Search;

/// <summary>
/// Collects a query's matches once and, in the same pass, the facet counts of every dimension "drill-sideways":
/// a doc that passes every filter counts in all dimensions and competes for the page; a doc that fails exactly one
/// filter counts only in that filter's dimension (so a dimension's counts ignore its own selection and show what
/// ticking another value would add); a doc failing two or more counts nowhere. With two filters or more, Lucene is
/// given the docs failing at most one as a filter (<see cref="FilterPlan"/>), so such docs never reach this
/// collector; here each filter is one bit test. A doc passing every filter is counted from its packed record (one
/// run of all its values, <see cref="FacetTable.PackedOffsets"/>) into one flat array of counts.
/// Only docs on the page window are kept, in a bounded heap; scores are computed only for docs that pass.
/// </summary>
internal sealed class FacetCollector : ICollector
{
    private readonly FacetTable _table;
    private readonly FacetDim[] _dims;
    private readonly Column<long> _sequence;
    private readonly int[] _filterDims;
    private readonly long[][] _pass;
    private readonly int[] _dimBase;
    private readonly Column<int> _packedOffsets;
    private readonly Column<ushort>? _packed16;
    private readonly Column<int>? _packed32;
    private readonly int[] _counts;
    private readonly SearchSort _sort;
    private readonly int _window;
    private readonly double[] _heapKeys;
    private readonly int[] _heapDocs;
    private int _heapSize;
    private Scorer? _scorer;
    private int _docBase;

    public FacetCollector(FacetTable table, FilterPlan filters, SearchSort sort, int window)
    {
        _table = table;
        _dims = table.Dims;
        _sequence = table.Sequence;
        _sort = sort;
        _window = Math.Max(window, 1);
        _heapKeys = new double[_window];
        _heapDocs = new int[_window];
        _dimBase = table.DimBase;
        _packedOffsets = table.PackedOffsets;
        _packed16 = table.Packed16;
        _packed32 = table.Packed32;
        _counts = new int[_dimBase[^1]];
        _filterDims = filters.Dims;
        _pass = filters.Pass;
    }

    /// <summary>The counts per dimension, indexed by ordinal.</summary>
    public int[][] Counts
    {
        get
        {
            var counts = new int[_dims.Length][];
            for (var d = 0; d < _dims.Length; d++)
            {
                counts[d] = _counts[_dimBase[d].._dimBase[d + 1]];
            }

            return counts;
        }
    }

    public int TotalHits { get; private set; }

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer) => _scorer = scorer;

    public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

    public void Collect(int doc)
    {
        var g = _docBase + doc;
        if (CountPassing(g))
        {
            Offer(Key(g), g);
        }
    }

    /// <summary>
    /// Collects <paramref name="g"/> (a global doc id) found and scored outside Lucene's scorers (<see cref="ScoredMatches"/>):
    /// <paramref name="score"/> ranks it when sorting by relevance.
    /// </summary>
    private void Add(int g, float score)
    {
        if (CountPassing(g))
        {
            Offer(_sort == SearchSort.Relevance ? score : Key(g), g);
        }
    }

    /// <summary>
    /// Prefetch distances of <see cref="AddRun"/>, in hits: a hit's record offset (and score) is asked for
    /// <see cref="FarAhead"/> hits before it is counted, its record <see cref="NearAhead"/> hits before, once its offset
    /// has arrived. Measured best of 8 to 128 on the 2 M index (ADR 7, "counting with prefetches").
    /// </summary>
    private const int FarAhead = 64;

    private const int NearAhead = 16;

    /// <summary>
    /// Collects <paramref name="docs"/> (global doc ids, increasing) as <see cref="Add"/> does, each with its score in
    /// <paramref name="scores"/> (indexed by doc; null when not scored). At 2 M documents the packed records are tens of
    /// megabytes and a sparse match set misses the cache on every hit (its record, and its offset before that), one
    /// after the other: a hit cost 75-150 ns. Knowing the next hits, the records are asked for ahead of their turn
    /// (a prefetch, which never faults and never waits), so the misses overlap.
    /// </summary>
    public unsafe void AddRun(ReadOnlySpan<int> docs, float[]? scores)
    {
        fixed (int* offsets = _packedOffsets.Span)
        fixed (ushort* packed16 = _packed16 is { } p16 ? p16.Span : default)
        fixed (int* packed32 = _packed32 is { } p32 ? p32.Span : default)
        fixed (float* scored = scores)
        {
            for (var k = 0; k < docs.Length; k++)
            {
                if (Sse.IsSupported)
                {
                    if (k + FarAhead < docs.Length)
                    {
                        var far = docs[k + FarAhead];
                        Sse.Prefetch0(offsets + far);
                        if (scored is not null)
                        {
                            Sse.Prefetch0(scored + far);
                        }
                    }

                    if (k + NearAhead < docs.Length)
                    {
                        PrefetchCounted(docs[k + NearAhead], offsets, packed16, packed32);
                    }
                }

                var g = docs[k];
                Add(g, scored is null ? 0f : scored[g]);
            }
        }
    }

    /// <summary>
    /// Asks for what counting <paramref name="g"/> will read: its packed record when it passes every filter, the failed
    /// filter's dimension when it fails one (a search with one filter counts most hits that way), nothing when it fails
    /// more. The filters' bitsets are small enough to stay in the cache.
    /// </summary>
    private unsafe void PrefetchCounted(int g, int* offsets, ushort* packed16, int* packed32)
    {
        var failed = FailedDim(g);
        if (failed == FailsTwoOrMore)
        {
            return;
        }

        if (failed == PassesAll)
        {
            var at = offsets[g];
            Sse.Prefetch0(packed16 is not null ? packed16 + at : (void*)(packed32 + at));
        }
        else if (_dims[failed].Single is { } single)
        {
            fixed (short* ords = single.Span)
            {
                Sse.Prefetch0(ords + g);
            }
        }
        else
        {
            fixed (int* starts = _dims[failed].Offsets!.Span)
            {
                Sse.Prefetch0(starts + g);
            }
        }
    }

    private const int PassesAll = -1;
    private const int FailsTwoOrMore = -2;

    /// <summary>
    /// The dimension of the one filter <paramref name="g"/> fails; <see cref="PassesAll"/> when it fails none,
    /// <see cref="FailsTwoOrMore"/> when it fails more (it then counts nowhere).
    /// </summary>
    private int FailedDim(int g)
    {
        var failed = PassesAll;
        for (var i = 0; i < _pass.Length; i++)
        {
            if (!FilterPlan.Has(_pass[i], g))
            {
                if (failed != PassesAll)
                {
                    return FailsTwoOrMore;
                }

                failed = _filterDims[i];
            }
        }

        return failed;
    }

    /// <summary>Counts the doc drill-sideways; true when it passes every filter (then it is a hit and competes for the page).</summary>
    private bool CountPassing(int g)
    {
        var failed = FailedDim(g);
        if (failed == FailsTwoOrMore)
        {
            return false;
        }

        if (failed != PassesAll)
        {
            Count(_dims[failed], _dimBase[failed], g);
            return false;
        }

        TotalHits++;
        var counts = _counts;
        var offsets = _packedOffsets.Span;
        var end = offsets[g + 1];
        if (_packed16 is { } packed16)
        {
            var packed = packed16.Span;
            for (var i = offsets[g]; i < end; i++)
            {
                counts[packed[i]]++;
            }
        }
        else
        {
            var wide = _packed32!.Span;
            for (var i = offsets[g]; i < end; i++)
            {
                counts[wide[i]]++;
            }
        }

        return true;
    }

    private void Count(FacetDim dim, int dimBase, int doc)
    {
        if (dim.Single is { } single)
        {
            var ord = single[doc];
            if (ord >= 0)
            {
                _counts[dimBase + ord]++;
            }

            return;
        }

        var offsets = dim.Offsets!.Span;
        var values = dim.Multi!.Span;
        for (var i = offsets[doc]; i < offsets[doc + 1]; i++)
        {
            _counts[dimBase + values[i]]++;
        }
    }

    // Higher key ranks first; unknown dates and budgets sort last in both directions.
    private double Key(int doc) => _sort switch
    {
        SearchSort.StartDesc => _table.Start[doc] == 0 ? double.MinValue : _table.Start[doc],
        SearchSort.StartAsc => _table.Start[doc] == 0 ? double.MinValue : -_table.Start[doc],
        SearchSort.BudgetDesc => _table.Budget[doc] < 0 ? double.MinValue : _table.Budget[doc],
        SearchSort.BudgetAsc => _table.Budget[doc] < 0 ? double.MinValue : -_table.Budget[doc],
        _ => _scorer!.GetScore(),
    };

    // Worse = lower key, or the same key and a doc given later to the index (so ties keep input order,
    // deterministically, whatever order parallel indexing and merges gave the doc ids).
    private bool Worse(double keyA, int docA, double keyB, int docB) =>
        keyA < keyB || (keyA == keyB && _sequence[docA] > _sequence[docB]);

    private void Offer(double key, int doc)
    {
        if (_heapSize < _window)
        {
            var i = _heapSize++;
            _heapKeys[i] = key;
            _heapDocs[i] = doc;
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (!Worse(_heapKeys[i], _heapDocs[i], _heapKeys[parent], _heapDocs[parent]))
                {
                    break;
                }

                Swap(i, parent);
                i = parent;
            }

            return;
        }

        if (!Worse(_heapKeys[0], _heapDocs[0], key, doc))
        {
            return;
        }

        _heapKeys[0] = key;
        _heapDocs[0] = doc;
        SiftDown(0, _heapSize);
    }

    private void SiftDown(int i, int size)
    {
        while (true)
        {
            var left = 2 * i + 1;
            if (left >= size)
            {
                return;
            }

            var worst = left;
            if (left + 1 < size && Worse(_heapKeys[left + 1], _heapDocs[left + 1], _heapKeys[left], _heapDocs[left]))
            {
                worst = left + 1;
            }

            if (!Worse(_heapKeys[worst], _heapDocs[worst], _heapKeys[i], _heapDocs[i]))
            {
                return;
            }

            Swap(i, worst);
            i = worst;
        }
    }

    private void Swap(int a, int b)
    {
        (_heapKeys[a], _heapKeys[b]) = (_heapKeys[b], _heapKeys[a]);
        (_heapDocs[a], _heapDocs[b]) = (_heapDocs[b], _heapDocs[a]);
    }

    /// <summary>The kept docs, best first. Scores are reported for relevance sorting, 0 otherwise.</summary>
    public (int Doc, float Score)[] TopDocs()
    {
        var result = new (int Doc, float Score)[_heapSize];
        var size = _heapSize;
        // Pop the worst to the end repeatedly: a heap sort that leaves the best first.
        for (var end = size - 1; end >= 0; end--)
        {
            result[end] = (_heapDocs[0], _sort == SearchSort.Relevance ? (float)_heapKeys[0] : 0f);
            Swap(0, end);
            SiftDown(0, end);
        }

        _heapSize = 0;
        return result;
    }
}
