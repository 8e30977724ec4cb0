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

        (DimBase, PackedOffsets, Packed16, Packed32) = Pack(Dims, MaxDoc);

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

    /// <summary>
    /// Where each dimension's values start in one flat numbering of every dimension's values (dimension d, ordinal o
    /// is <c>DimBase[d] + o</c>); the last entry is the number of values of all dimensions.
    /// </summary>
    public int[] DimBase { get; }

    /// <summary>
    /// Each document's facet values of every dimension in one run (CSR: the run of doc d is
    /// <c>[PackedOffsets[d], PackedOffsets[d + 1])</c>), numbered by <see cref="DimBase"/>: counting a document that
    /// passes every filter is one contiguous read instead of one read per dimension's array (ADR 7, issue 17).
    /// <see cref="Packed16"/> when all values number fewer than 65,536, else <see cref="Packed32"/>.
    /// </summary>
    public int[] PackedOffsets { get; }

    public ushort[]? Packed16 { get; }
    public int[]? Packed32 { get; }

    public long MemoryBytes =>
        Dims.Sum(d => (d.Single?.LongLength ?? 0) * 2 + (d.Offsets?.LongLength ?? 0) * 4 + (d.Multi?.LongLength ?? 0) * 2)
        + Start.LongLength * 4 + Budget.LongLength * 8 + Sequence.LongLength * 8
        + PackedOffsets.LongLength * 4 + (Packed16?.LongLength ?? 0) * 2 + (Packed32?.LongLength ?? 0) * 4;

    private static (int[] DimBase, int[] Offsets, ushort[]? Packed16, int[]? Packed32) Pack(FacetDim[] dims, int maxDoc)
    {
        var dimBase = new int[dims.Length + 1];
        for (var d = 0; d < dims.Length; d++)
        {
            dimBase[d + 1] = dimBase[d] + dims[d].Values.Length;
        }

        var offsets = new int[maxDoc + 1];
        for (var doc = 0; doc < maxDoc; doc++)
        {
            var n = 0;
            foreach (var dim in dims)
            {
                n += dim.Single is { } single ? (single[doc] >= 0 ? 1 : 0) : dim.Offsets![doc + 1] - dim.Offsets[doc];
            }

            offsets[doc + 1] = offsets[doc] + n;
        }

        var total = offsets[maxDoc];
        var packed16 = dimBase[^1] <= ushort.MaxValue + 1 ? new ushort[total] : null;
        var packed32 = packed16 is null ? new int[total] : null;
        var at = 0;
        for (var doc = 0; doc < maxDoc; doc++)
        {
            for (var d = 0; d < dims.Length; d++)
            {
                var dim = dims[d];
                if (dim.Single is { } single)
                {
                    if (single[doc] >= 0)
                    {
                        Put(dimBase[d] + single[doc]);
                    }

                    continue;
                }

                for (var i = dim.Offsets![doc]; i < dim.Offsets[doc + 1]; i++)
                {
                    Put(dimBase[d] + dim.Multi![i]);
                }
            }
        }

        return (dimBase, offsets, packed16, packed32);

        void Put(int value)
        {
            if (packed16 is not null)
            {
                packed16[at++] = (ushort)value;
            }
            else
            {
                packed32![at++] = value;
            }
        }
    }
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
