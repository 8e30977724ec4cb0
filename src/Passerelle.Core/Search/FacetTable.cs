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

    /// <summary>
    /// Loads the arrays of <paramref name="reader"/>. With <paramref name="previous"/> (the table of the reader this one
    /// was reopened from), the part of the leading segments both readers share is copied from it, and only the
    /// segments after them are read from the index: after an update, the new small segment (ADR 7, "Reopening").
    /// </summary>
    public FacetTable(IndexReader reader, FacetTable? previous = null, SharedSegments shared = default)
    {
        if (previous is null)
        {
            shared = SharedSegments.None;
        }

        MaxDoc = reader.MaxDoc;
        Dims = new FacetDim[SearchFacets.All.Count];
        foreach (var facet in SearchFacets.All)
        {
            Dims[(int)facet] = FacetDim.Load(reader, FieldPrefix + facet.Name(), previous?.Dims[(int)facet], shared);
        }

        (DimBase, PackedOffsets, Packed16, Packed32) = Pack(Dims, MaxDoc, previous, shared.Docs);

        Start = NumericColumn.Load(reader, StartField, previous?.Start, shared, static (value, _) => value is { } v ? (int)v : 0);
        Budget = NumericColumn.Load(reader, BudgetField, previous?.Budget, shared, static (value, _) => value ?? -1);
        // An index written before sequences existed ties by doc id, as it did then.
        Sequence = NumericColumn.Load(reader, SequenceField, previous?.Sequence, shared, static (value, g) => value ?? g);
        MaxSequence = Max(Sequence.Span);
    }

    /// <summary>A table read back from a file (<see cref="TableFile"/>): the arrays as they were saved.</summary>
    internal FacetTable(
        int maxDoc, FacetDim[] dims, int[] dimBase, Column<int> packedOffsets, Column<ushort>? packed16, Column<int>? packed32,
        Column<int> start, Column<long> budget, Column<long> sequence)
    {
        if (packedOffsets.Length != maxDoc + 1 || start.Length != maxDoc || budget.Length != maxDoc || sequence.Length != maxDoc
            || dimBase.Length != dims.Length + 1 || (packed16?.Length ?? packed32!.Length) != packedOffsets[maxDoc])
        {
            throw new FormatException("the facet table's arrays do not agree in length");
        }

        // Each dimension too: a value for every document, and as many values as its share of the flat numbering. The
        // file's hash finds damage; these find a file whose writer and reader disagree, before a search reads past an
        // array's end.
        for (var d = 0; d < dims.Length; d++)
        {
            var dim = dims[d];
            var perDocument = dim.Single is { } single
                ? single.Length == maxDoc
                : dim.Offsets is { } offsets && dim.Multi is { } multi && offsets.Length == maxDoc + 1 && offsets[0] == 0 && multi.Length == offsets[maxDoc]
                    && IsRising(offsets.Span);
            if (!perDocument || dimBase[d + 1] - dimBase[d] != dim.Values.Length)
            {
                throw new FormatException($"the facet table's dimension {d} does not agree with its {maxDoc} documents or its {dimBase[d + 1] - dimBase[d]} values");
            }
        }

        (MaxDoc, Dims, DimBase, PackedOffsets, Packed16, Packed32) = (maxDoc, dims, dimBase, packedOffsets, packed16, packed32);
        (Start, Budget, Sequence) = (start, budget, sequence);
        MaxSequence = Max(Sequence.Span);
        if (!IsRising(PackedOffsets.Span) || PackedOffsets[0] != 0)
        {
            throw new FormatException("the facet table's records do not follow one another");
        }
    }

    // A column of offsets must never step back: a search reads the runs they delimit without checking each bound.
    private static bool IsRising(ReadOnlySpan<int> offsets)
    {
        for (var i = 1; i < offsets.Length; i++)
        {
            if (offsets[i] < offsets[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    private static long Max(ReadOnlySpan<long> values)
    {
        var max = -1L;
        foreach (var value in values)
        {
            max = Math.Max(max, value);
        }

        return max;
    }

    public int MaxDoc { get; }
    public FacetDim[] Dims { get; }

    /// <summary>Start date as yyyymmdd, 0 when unknown.</summary>
    public Column<int> Start { get; }

    /// <summary>Budget in whole EUR, -1 when unknown.</summary>
    public Column<long> Budget { get; }

    /// <summary>The order in which documents were given to the index: equal sort keys rank in this order.</summary>
    public Column<long> Sequence { get; }

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
    public Column<int> PackedOffsets { get; }

    public Column<ushort>? Packed16 { get; }
    public Column<int>? Packed32 { get; }

    /// <summary>Whether the large arrays are the table file's pages (a restart's table) rather than the heap's.</summary>
    public bool IsMapped => PackedOffsets.IsMapped;

    public long MemoryBytes =>
        Dims.Sum(d => (d.Single?.Length ?? 0) * 2L + (d.Offsets?.Length ?? 0) * 4L + (d.Multi?.Length ?? 0) * 2L)
        + Start.Length * 4L + Budget.Length * 8L + Sequence.Length * 8L
        + PackedOffsets.Length * 4L + (Packed16?.Length ?? 0) * 2L + (Packed32?.Length ?? 0) * 4L;

    private static (int[] DimBase, Column<int> Offsets, Column<ushort>? Packed16, Column<int>? Packed32) Pack(
        FacetDim[] dims, int maxDoc, FacetTable? previous, int sharedDocs)
    {
        var dimBase = new int[dims.Length + 1];
        for (var d = 0; d < dims.Length; d++)
        {
            dimBase[d + 1] = dimBase[d] + dims[d].Values.Length;
        }

        var offsets = new int[maxDoc + 1];
        if (previous is not null)
        {
            previous.PackedOffsets.Span[..(sharedDocs + 1)].CopyTo(offsets);
        }

        for (var doc = sharedDocs; doc < maxDoc; doc++)
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
        var at = previous is null ? 0 : CopyShared(previous, dims, dimBase, offsets[sharedDocs], packed16, packed32);
        for (var doc = sharedDocs; doc < maxDoc; doc++)
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

    /// <summary>
    /// Copies the packed records of the shared documents from <paramref name="previous"/>, renumbered when a dimension's
    /// number of values changed (the flat numbering shifts; a kept value keeps its ordinal within its dimension, see
    /// <see cref="FacetDim.Load"/>). Returns the number of entries written.
    /// </summary>
    private static int CopyShared(FacetTable previous, FacetDim[] dims, int[] dimBase, int count, ushort[]? packed16, int[]? packed32)
    {
        var map = new int[previous.DimBase[^1]];
        var identity = true;
        for (var d = 0; d < dims.Length; d++)
        {
            var kept = Math.Min(dims[d].Values.Length, previous.Dims[d].Values.Length);
            for (var o = 0; o < kept; o++)
            {
                map[previous.DimBase[d] + o] = dimBase[d] + o;
                identity &= previous.DimBase[d] == dimBase[d];
            }
        }

        if (identity && packed16 is not null && previous.Packed16 is { } old16)
        {
            old16.Span[..count].CopyTo(packed16);
            return count;
        }

        if (identity && packed32 is not null && previous.Packed32 is { } old32)
        {
            old32.Span[..count].CopyTo(packed32);
            return count;
        }

        var p16 = previous.Packed16 is { } a ? a.Span : default;
        var p32 = previous.Packed32 is { } b ? b.Span : default;
        for (var i = 0; i < count; i++)
        {
            var value = map[previous.Packed16 is not null ? p16[i] : p32[i]];
            if (packed16 is not null)
            {
                packed16[i] = (ushort)value;
            }
            else
            {
                packed32![i] = value;
            }
        }

        return count;
    }
}

/// <summary>
/// The leading segments (leaves) two readers of one index share unchanged: the same segment core, whose documents and
/// doc values never change (only its deletions do). Lucene keeps a reader's segments in order, adds flushed segments
/// after them and puts a merged segment where the first of its parts was, so after an update the large segments of
/// a rebuild lead both readers and only the new small ones follow: a new snapshot copies the arrays of the shared
/// documents (doc ids <c>[0, Docs)</c>) from the previous one instead of reading them from the index again.
/// </summary>
internal readonly record struct SharedSegments(int Leaves, int Docs)
{
    public static SharedSegments None => default;

    public static SharedSegments Between(IndexReader previous, IndexReader current)
    {
        var (leaves, docs) = (0, 0);
        var (before, after) = (previous.Leaves, current.Leaves);
        while (leaves < before.Count && leaves < after.Count
            && ReferenceEquals(before[leaves].AtomicReader.CoreCacheKey, after[leaves].AtomicReader.CoreCacheKey))
        {
            docs += after[leaves].AtomicReader.MaxDoc;
            leaves++;
        }

        return new SharedSegments(leaves, docs);
    }
}

/// <summary>A numeric doc value of every document, as an array by global doc id (<see cref="FacetTable"/>, <see cref="StatisticsTable"/>).</summary>
internal static class NumericColumn
{
    /// <summary>
    /// The values of <paramref name="field"/>, each turned by <paramref name="convert"/> (the value, null when the
    /// segment has none; the global doc id); the <paramref name="shared"/> documents' part copied from <paramref name="previous"/>.
    /// </summary>
    public static T[] Load<T>(IndexReader reader, string field, Column<T>? previous, SharedSegments shared, Func<long?, int, T> convert)
        where T : unmanaged
    {
        var column = new T[reader.MaxDoc];
        if (previous is { } kept && shared.Docs > 0)
        {
            kept.Span[..shared.Docs].CopyTo(column);
        }
        else
        {
            shared = SharedSegments.None;
        }

        foreach (var leaf in reader.Leaves.Skip(shared.Leaves))
        {
            var values = leaf.AtomicReader.GetNumericDocValues(field);
            var max = leaf.AtomicReader.MaxDoc;
            for (var doc = 0; doc < max; doc++)
            {
                column[leaf.DocBase + doc] = convert(values?.Get(doc), leaf.DocBase + doc);
            }
        }

        return column;
    }
}

/// <summary>
/// One dimension's values (ordinal → string) and each doc's ordinals: a short per doc when no doc has two values,
/// otherwise offsets into a flat short array (CSR), so a multi-valued dimension costs 4 bytes a doc plus 2 a value.
/// </summary>
internal sealed class FacetDim
{
    private FacetDim(string[] values, Column<short>? single, Column<int>? offsets, Column<short>? multi, int[] valuesAfterLeaf)
    {
        Values = values;
        Single = single;
        Offsets = offsets;
        Multi = multi;
        ValuesAfterLeaf = valuesAfterLeaf;
        Ordinals = new Dictionary<string, int>(values.Length, StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            Ordinals[values[i]] = i;
        }
    }

    /// <summary>A dimension read back from a file (<see cref="TableFile"/>).</summary>
    internal static FacetDim Of(string[] values, Column<short>? single, Column<int>? offsets, Column<short>? multi, int[] valuesAfterLeaf) =>
        new(values, single, offsets, multi, valuesAfterLeaf);

    public string[] Values { get; }
    public Dictionary<string, int> Ordinals { get; }

    /// <summary>The doc's ordinal, -1 for none; null when the dimension is multi-valued.</summary>
    public Column<short>? Single { get; }

    public Column<int>? Offsets { get; }
    public Column<short>? Multi { get; }

    /// <summary>
    /// How many values had been numbered after each segment (leaf) was read: ordinals are given in order of first
    /// appearance, segment by segment, so the values of leading segments a later reader shares keep their ordinals.
    /// </summary>
    public int[] ValuesAfterLeaf { get; }

    /// <summary>
    /// Reads the dimension <paramref name="field"/> of every document; with <paramref name="previous"/> (the same
    /// dimension of the reader this one was reopened from), the documents of the <paramref name="shared"/> segments
    /// are copied from it, with the values first seen in those segments and their ordinals.
    /// </summary>
    public static FacetDim Load(IndexReader reader, string field, FacetDim? previous = null, SharedSegments shared = default)
    {
        var values = new List<string>();
        var global = new Dictionary<string, short>(StringComparer.Ordinal);
        var maxDoc = reader.MaxDoc;
        var valuesAfterLeaf = new int[reader.Leaves.Count];
        if (previous is not null && shared.Leaves > 0)
        {
            var kept = previous.ValuesAfterLeaf[shared.Leaves - 1];
            for (var i = 0; i < kept; i++)
            {
                global[previous.Values[i]] = (short)i;
                values.Add(previous.Values[i]);
            }

            Array.Copy(previous.ValuesAfterLeaf, valuesAfterLeaf, shared.Leaves);
        }
        else
        {
            (previous, shared) = (null, SharedSegments.None);
        }

        // The documents after the shared ones, read from the index: offsets relative to the first of them.
        var first = shared.Docs;
        var offsets = new int[maxDoc - first + 1];
        var flat = new List<short>(maxDoc - first);
        var maxPerDoc = 0;
        var bytes = new BytesRef();
        for (var l = shared.Leaves; l < reader.Leaves.Count; l++)
        {
            var leaf = reader.Leaves[l];
            var docValues = leaf.AtomicReader.GetSortedSetDocValues(field);
            var leafMax = leaf.AtomicReader.MaxDoc;
            var at = leaf.DocBase - first;
            if (docValues is null)
            {
                for (var doc = 0; doc < leafMax; doc++)
                {
                    offsets[at + doc + 1] = flat.Count;
                }

                valuesAfterLeaf[l] = values.Count;
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

            valuesAfterLeaf[l] = values.Count;
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
                offsets[at + doc + 1] = flat.Count;
            }
        }

        if (maxPerDoc <= 1 && (previous is null || previous.Single is not null))
        {
            // Single-valued: the shared documents' ordinals copied as they are, then the others'.
            var single = new short[maxDoc];
            if (previous?.Single is { } kept)
            {
                kept.Span[..first].CopyTo(single);
            }

            for (var doc = first; doc < maxDoc; doc++)
            {
                var i = doc - first;
                single[doc] = offsets[i + 1] > offsets[i] ? flat[offsets[i]] : (short)-1;
            }

            return new FacetDim([.. values], single, null, null, valuesAfterLeaf);
        }

        // Multi-valued (or the shared part was: it may hold documents of two values).
        var allOffsets = new int[maxDoc + 1];
        var all = new List<short>(flat.Count + (previous?.Multi?.Length ?? first));
        if (previous?.Single is { } singles)
        {
            var kept = singles.Span;
            for (var doc = 0; doc < first; doc++)
            {
                if (kept[doc] >= 0)
                {
                    all.Add(kept[doc]);
                }

                allOffsets[doc + 1] = all.Count;
            }
        }
        else if (previous is not null)
        {
            var keptOffsets = previous.Offsets!.Span;
            keptOffsets[..(first + 1)].CopyTo(allOffsets);
            all.AddRange(previous.Multi!.Span[..keptOffsets[first]]);
        }

        var shift = all.Count;
        all.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(flat));
        for (var i = 1; i < offsets.Length; i++)
        {
            allOffsets[first + i] = shift + offsets[i];
        }

        return new FacetDim([.. values], null, allOffsets, all.ToArray(), valuesAfterLeaf);
    }
}
