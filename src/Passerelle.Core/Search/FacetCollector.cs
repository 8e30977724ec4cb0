using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Passerelle.Core.Search;

/// <summary>
/// Collects a query's matches once and, in the same pass, the facet counts of every dimension "drill-sideways":
/// a doc that passes every filter counts in all dimensions and competes for the page; a doc that fails exactly one
/// filter counts only in that filter's dimension (so a dimension's counts ignore its own selection and show what
/// ticking another value would add); a doc failing two or more counts nowhere. Filters are checked against the
/// per-doc ordinal arrays, not as Lucene queries, so the text query runs once whatever the filters.
/// Only docs on the page window are kept, in a bounded heap; scores are computed only for docs that pass.
/// </summary>
internal sealed class FacetCollector : ICollector
{
    private readonly FacetTable _table;
    private readonly FacetDim[] _dims;
    private readonly long[] _sequence;
    private readonly int[] _filterDims;
    private readonly bool[][] _filterMasks;
    private readonly SearchSort _sort;
    private readonly int _window;
    private readonly double[] _heapKeys;
    private readonly int[] _heapDocs;
    private int _heapSize;
    private Scorer? _scorer;
    private int _docBase;

    public FacetCollector(FacetTable table, IReadOnlyDictionary<SearchFacet, IReadOnlyList<string>>? filters, SearchSort sort, int window)
    {
        _table = table;
        _dims = table.Dims;
        _sequence = table.Sequence;
        _sort = sort;
        _window = Math.Max(window, 1);
        _heapKeys = new double[_window];
        _heapDocs = new int[_window];
        Counts = new int[_dims.Length][];
        for (var d = 0; d < _dims.Length; d++)
        {
            Counts[d] = new int[_dims[d].Values.Length];
        }

        var active = filters?.Where(f => f.Value.Count > 0).ToList() ?? [];
        _filterDims = new int[active.Count];
        _filterMasks = new bool[active.Count][];
        for (var i = 0; i < active.Count; i++)
        {
            var dim = _dims[(int)active[i].Key];
            _filterDims[i] = (int)active[i].Key;
            _filterMasks[i] = new bool[dim.Values.Length];
            foreach (var value in active[i].Value)
            {
                if (dim.Ordinals.TryGetValue(value, out var ord))
                {
                    _filterMasks[i][ord] = true;
                }
            }
        }
    }

    public int[][] Counts { get; }
    public int TotalHits { get; private set; }

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer) => _scorer = scorer;

    public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

    public void Collect(int doc)
    {
        var g = _docBase + doc;
        var failed = -1;
        var failures = 0;
        for (var i = 0; i < _filterDims.Length; i++)
        {
            if (!Passes(_dims[_filterDims[i]], _filterMasks[i], g))
            {
                failed = _filterDims[i];
                if (++failures > 1)
                {
                    return;
                }
            }
        }

        if (failures == 1)
        {
            Count(_dims[failed], Counts[failed], g);
            return;
        }

        TotalHits++;
        for (var d = 0; d < _dims.Length; d++)
        {
            Count(_dims[d], Counts[d], g);
        }

        Offer(Key(g), g);
    }

    private static bool Passes(FacetDim dim, bool[] mask, int doc)
    {
        if (dim.Single is { } single)
        {
            var ord = single[doc];
            return ord >= 0 && mask[ord];
        }

        var offsets = dim.Offsets!;
        var values = dim.Multi!;
        for (var i = offsets[doc]; i < offsets[doc + 1]; i++)
        {
            if (mask[values[i]])
            {
                return true;
            }
        }

        return false;
    }

    private static void Count(FacetDim dim, int[] counts, int doc)
    {
        if (dim.Single is { } single)
        {
            var ord = single[doc];
            if (ord >= 0)
            {
                counts[ord]++;
            }

            return;
        }

        var offsets = dim.Offsets!;
        var values = dim.Multi!;
        for (var i = offsets[doc]; i < offsets[doc + 1]; i++)
        {
            counts[values[i]]++;
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
