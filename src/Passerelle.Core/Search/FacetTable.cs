using Lucene.Net.Index;
using Lucene.Net.Util;

namespace Passerelle.Core.Search;

/// <summary>
/// Per-document facet ordinals and sort keys for one reader, indexed by the reader's global doc id and loaded once
/// when the reader opens. Counting a query's facets is then array reads over its matching docs, with no Lucene call
/// and no allocation per doc: the reason facets stay O(matching docs).
/// </summary>
internal sealed class FacetTable
{
    public const string FieldPrefix = "f_";
    public const string StartField = "start";
    public const string BudgetField = "budget";
    public const string SequenceField = "seq";

    public FacetTable(IndexReader reader)
    {
        MaxDoc = reader.MaxDoc;
        Dims = new FacetDim[SearchFacets.All.Count];
        foreach (var facet in SearchFacets.All)
        {
            Dims[(int)facet] = FacetDim.Load(reader, FieldPrefix + facet.Name());
        }

        Start = new int[MaxDoc];
        Budget = new long[MaxDoc];
        Sequence = new long[MaxDoc];
        MaxSequence = -1;
        foreach (var leaf in reader.Leaves)
        {
            var start = leaf.AtomicReader.GetNumericDocValues(StartField);
            var budget = leaf.AtomicReader.GetNumericDocValues(BudgetField);
            var sequence = leaf.AtomicReader.GetNumericDocValues(SequenceField);
            var max = leaf.AtomicReader.MaxDoc;
            for (var doc = 0; doc < max; doc++)
            {
                var g = leaf.DocBase + doc;
                Start[g] = start is null ? 0 : (int)start.Get(doc);
                Budget[g] = budget is null ? -1 : budget.Get(doc);
                // An index written before sequences existed ties by doc id, as it did then.
                Sequence[g] = sequence is null ? g : sequence.Get(doc);
                MaxSequence = Math.Max(MaxSequence, Sequence[g]);
            }
        }
    }

    public int MaxDoc { get; }
    public FacetDim[] Dims { get; }

    /// <summary>Start date as yyyymmdd, 0 when unknown.</summary>
    public int[] Start { get; }

    /// <summary>Budget in whole EUR, -1 when unknown.</summary>
    public long[] Budget { get; }

    /// <summary>The order in which documents were given to the index: equal sort keys rank in this order.</summary>
    public long[] Sequence { get; }

    public long MaxSequence { get; }

    public long MemoryBytes =>
        Dims.Sum(d => (d.Single?.LongLength ?? 0) * 2 + (d.Offsets?.LongLength ?? 0) * 4 + (d.Multi?.LongLength ?? 0) * 2)
        + Start.LongLength * 4 + Budget.LongLength * 8 + Sequence.LongLength * 8;
}

/// <summary>
/// One dimension's values (ordinal → string) and each doc's ordinals: a short per doc when no doc has two values,
/// otherwise offsets into a flat short array (CSR), so a multi-valued dimension costs 4 bytes a doc plus 2 a value.
/// </summary>
internal sealed class FacetDim
{
    private FacetDim(string[] values, short[]? single, int[]? offsets, short[]? multi)
    {
        Values = values;
        Single = single;
        Offsets = offsets;
        Multi = multi;
        Ordinals = new Dictionary<string, int>(values.Length, StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            Ordinals[values[i]] = i;
        }
    }

    public string[] Values { get; }
    public Dictionary<string, int> Ordinals { get; }

    /// <summary>The doc's ordinal, -1 for none; null when the dimension is multi-valued.</summary>
    public short[]? Single { get; }

    public int[]? Offsets { get; }
    public short[]? Multi { get; }

    public static FacetDim Load(IndexReader reader, string field)
    {
        var values = new List<string>();
        var global = new Dictionary<string, short>(StringComparer.Ordinal);
        var maxDoc = reader.MaxDoc;
        var offsets = new int[maxDoc + 1];
        var flat = new List<short>(maxDoc);
        var maxPerDoc = 0;
        var bytes = new BytesRef();
        foreach (var leaf in reader.Leaves)
        {
            var docValues = leaf.AtomicReader.GetSortedSetDocValues(field);
            var leafMax = leaf.AtomicReader.MaxDoc;
            if (docValues is null)
            {
                for (var doc = 0; doc < leafMax; doc++)
                {
                    offsets[leaf.DocBase + doc + 1] = flat.Count;
                }

                continue;
            }

            // Segment ordinals are mapped to this reader's ordinals once per distinct value, not once per doc.
            var map = new short[docValues.ValueCount];
            for (var ord = 0L; ord < docValues.ValueCount; ord++)
            {
                docValues.LookupOrd(ord, bytes);
                var value = bytes.Utf8ToString();
                if (!global.TryGetValue(value, out var g))
                {
                    if (values.Count >= short.MaxValue)
                    {
                        throw new InvalidOperationException($"Facet {field} has more than {short.MaxValue} distinct values.");
                    }

                    g = (short)values.Count;
                    global[value] = g;
                    values.Add(value);
                }

                map[ord] = g;
            }

            for (var doc = 0; doc < leafMax; doc++)
            {
                docValues.SetDocument(doc);
                var count = 0;
                long ord;
                while ((ord = docValues.NextOrd()) != SortedSetDocValues.NO_MORE_ORDS)
                {
                    flat.Add(map[ord]);
                    count++;
                }

                maxPerDoc = Math.Max(maxPerDoc, count);
                offsets[leaf.DocBase + doc + 1] = flat.Count;
            }
        }

        if (maxPerDoc <= 1)
        {
            var single = new short[maxDoc];
            for (var doc = 0; doc < maxDoc; doc++)
            {
                single[doc] = offsets[doc + 1] > offsets[doc] ? flat[offsets[doc]] : (short)-1;
            }

            return new FacetDim([.. values], single, null, null);
        }

        return new FacetDim([.. values], null, offsets, [.. flat]);
    }
}
