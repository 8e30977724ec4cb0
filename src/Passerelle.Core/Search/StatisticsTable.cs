using System.Globalization;

using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Util;

namespace Passerelle.Core.Search;

/// <summary>
/// The per-document arrays the statistics aggregate (ADR 22), beside the facet table: amounts in cents, the sources of
/// each amount, a project's lead partner's country and partners, an organisation's legal status. Loaded once per index
/// snapshot: on the engine's first statistics, then as each new snapshot opens (a search-only instance never pays for them).
/// </summary>
internal sealed class StatisticsTable
{
    public const string BudgetField = "s_budget";
    public const string EuField = "s_eu";
    public const string BudgetSourcesField = "s_budget_src";
    public const string EuSourcesField = "s_eu_src";
    public const string LeadCountryField = "s_lead";
    public const string PartnersField = "s_partners";
    public const string OrganisationIdField = "s_org";
    public const string OrganisationTypeField = "s_orgtype";

    /// <summary>The statistics' fields of one document (called by <see cref="SearchEngine"/> when it writes the document).</summary>
    public static void AddFields(Document doc, SearchDocument d)
    {
        var figures = d.Figures;
        // -1 is "not known", written on every document: a missing numeric doc value would read as 0, a known amount.
        doc.Add(new NumericDocValuesField(BudgetField, Cents(d.Type == SearchDocType.Project ? d.Budget : null)));
        doc.Add(new NumericDocValuesField(EuField, Cents(figures?.EuContribution)));
        // Organisation ids start at 1, so 0 (what a document without the field reads) means "not an organisation".
        doc.Add(new NumericDocValuesField(OrganisationIdField, d.Type == SearchDocType.Organisation ? d.Id : 0));
        if (figures is null)
        {
            return;
        }

        AddInts(doc, BudgetSourcesField, figures.BudgetSources);
        AddInts(doc, EuSourcesField, figures.EuSources);
        AddInts(doc, PartnersField, figures.Partners);
        if (figures.LeadCountry is { } country)
        {
            doc.Add(new SortedSetDocValuesField(LeadCountryField, new BytesRef(country)));
        }

        if (figures.OrganisationType is { } type)
        {
            doc.Add(new SortedSetDocValuesField(OrganisationTypeField, new BytesRef(type)));
        }
    }

    private static long Cents(decimal? amount) => amount is { } a ? (long)Math.Round(a * 100m, MidpointRounding.AwayFromZero) : -1;

    private static void AddInts(Document doc, string field, IReadOnlyList<int> values)
    {
        foreach (var value in values.Distinct())
        {
            doc.Add(new SortedSetDocValuesField(field, new BytesRef(value.ToString(CultureInfo.InvariantCulture))));
        }
    }

    /// <summary>
    /// Loads the arrays of <paramref name="reader"/>; with <paramref name="previous"/> (the table of the reader this one
    /// was reopened from), the documents of the <paramref name="shared"/> segments are copied from it, as
    /// <see cref="FacetTable"/> does.
    /// </summary>
    public StatisticsTable(IndexReader reader, FacetTable table, StatisticsTable? previous = null, SharedSegments shared = default)
    {
        if (previous is null)
        {
            shared = SharedSegments.None;
        }

        Budget = NumericColumn.Load(reader, BudgetField, previous?.Budget, shared, static (value, _) => value ?? -1);
        Eu = NumericColumn.Load(reader, EuField, previous?.Eu, shared, static (value, _) => value ?? -1);
        OrganisationIds = NumericColumn.Load(reader, OrganisationIdField, previous?.OrganisationIds, shared, static (value, _) => (int)(value ?? 0));
        var maxId = OrganisationIds.Length == 0 ? 0 : Math.Max(0, OrganisationIds.Max());

        // Deleted documents keep their slot until a merge: a live one wins for an id (a replaced organisation is both).
        // Deletions change with every update, so this is worked out afresh for every reader.
        OrganisationDoc = new int[maxId + 1];
        Array.Fill(OrganisationDoc, -1);
        foreach (var leaf in reader.Leaves)
        {
            var live = leaf.AtomicReader.LiveDocs;
            var end = leaf.DocBase + leaf.AtomicReader.MaxDoc;
            for (var g = leaf.DocBase; g < end; g++)
            {
                if (OrganisationIds[g] > 0 && (live is null || live.Get(g - leaf.DocBase)))
                {
                    OrganisationDoc[OrganisationIds[g]] = g;
                }
            }
        }

        // Sources as read from the index (ids); turned into dense ordinals below, for this reader's SourceIds.
        BudgetSources = IntSets.Load(reader, BudgetSourcesField, previous?.BudgetSources, previous?.SourceIds, shared);
        EuSources = IntSets.Load(reader, EuSourcesField, previous?.EuSources, previous?.SourceIds, shared);
        // Sources by dense ordinal (0, 1, ...), so that a row's set of sources can be a bitset.
        SourceIds = [.. BudgetSources.Values.Concat(EuSources.Values).Distinct().Order()];
        var ordinals = new Dictionary<int, int>(SourceIds.Length);
        for (var i = 0; i < SourceIds.Length; i++)
        {
            ordinals[SourceIds[i]] = i;
        }

        foreach (var values in new[] { BudgetSources.Values, EuSources.Values })
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = ordinals[values[i]];
            }
        }

        Partners = IntSets.Load(reader, PartnersField, previous?.Partners, null, shared);
        LeadCountry = FacetDim.Load(reader, LeadCountryField, previous?.LeadCountry, shared);
        OrganisationType = FacetDim.Load(reader, OrganisationTypeField, previous?.OrganisationType, shared);
        Organisations = OrganisationFacts(table);
    }

    /// <summary>In <see cref="Organisations"/>: the organisation has a live document.</summary>
    public const long Live = 1L << 40;

    /// <summary>In <see cref="Organisations"/>: it has several countries or regions, to be read from the facet table.</summary>
    public const long Several = 1L << 41;

    /// <summary>
    /// Per organisation id, what the statistics count of a partner, in one long: <see cref="Live"/>; its legal status's
    /// ordinal + 1 in bits 32-39; its country's and its region's ordinals + 1 in the facet table in bits 0-15 and
    /// 16-31 (0: none); <see cref="Several"/>. A project's partners are organisations anywhere in the index, so each
    /// is a read at random: one read of this array instead of five of the per-document arrays (ADR 22, issue 17:
    /// statistics over a search within 100 ms at 2 M projects).
    /// </summary>
    public long[] Organisations { get; }

    /// <summary>
    /// Per organisation id, its legal status's ordinal + 1 (0: none, or no live document): what a project's row by
    /// legal status needs of each partner, in an array small enough (a byte per organisation) to stay in cache.
    /// </summary>
    public byte[] OrganisationTypes { get; private set; } = [];

    private long[] OrganisationFacts(FacetTable table)
    {
        var country = table.Dims[(int)SearchFacet.Country];
        var region = table.Dims[(int)SearchFacet.Region];
        var facts = new long[OrganisationDoc.Length];
        OrganisationTypes = new byte[OrganisationDoc.Length];
        for (var id = 0; id < facts.Length; id++)
        {
            var o = OrganisationDoc[id];
            if (o < 0)
            {
                continue;
            }

            var type = OrganisationType.Single is { } single ? single[o] : -1;
            var (c, severalCountries) = One(country, o);
            var (r, severalRegions) = One(region, o);
            OrganisationTypes[id] = (byte)(type + 1);
            facts[id] = Live | ((long)(type + 1) << 32) | (long)(c + 1) | ((long)(r + 1) << 16) | (severalCountries || severalRegions ? Several : 0);
        }

        return facts;

        static (int Ordinal, bool Several) One(FacetDim dim, int doc)
        {
            if (dim.Single is { } single)
            {
                return (single[doc], false);
            }

            var count = dim.Offsets![doc + 1] - dim.Offsets[doc];
            return count == 1 ? (dim.Multi![dim.Offsets[doc]], false) : (-1, count > 1);
        }
    }

    /// <summary>The organisation id of each document (0: not an organisation), live or deleted.</summary>
    public int[] OrganisationIds { get; }

    /// <summary>A project's total budget in cents, -1 when not known.</summary>
    public long[] Budget { get; }

    /// <summary>A project's EU contribution in cents, -1 when not known.</summary>
    public long[] Eu { get; }

    /// <summary>The sources of a project's total budget, as ordinals into <see cref="SourceIds"/>.</summary>
    public IntSets BudgetSources { get; }

    /// <summary>The sources of a project's EU contribution, as ordinals into <see cref="SourceIds"/>.</summary>
    public IntSets EuSources { get; }

    /// <summary>The source id of each source ordinal.</summary>
    public int[] SourceIds { get; }

    /// <summary>A project's partners, by organisation id.</summary>
    public IntSets Partners { get; }

    public FacetDim LeadCountry { get; }
    public FacetDim OrganisationType { get; }

    /// <summary>The live document of each organisation, by organisation id; -1 when it has none (a draft, deleted).</summary>
    public int[] OrganisationDoc { get; }
}

/// <summary>Sets of integers per document (source ids, organisation ids) as offsets into one flat array.</summary>
internal sealed class IntSets(int[] offsets, int[] values)
{
    /// <summary>The document's values are <c>Values[Offsets[doc]..Offsets[doc + 1]]</c>.</summary>
    public int[] Offsets { get; } = offsets;

    public int[] Values { get; } = values;

    /// <summary>
    /// Reads <paramref name="field"/> of every document; with <paramref name="previous"/>, the documents of the
    /// <paramref name="shared"/> segments are copied from it, each value turned back into what the index holds through
    /// <paramref name="previousIds"/> when the previous sets were renumbered (the statistics' sources).
    /// </summary>
    public static IntSets Load(IndexReader reader, string field, IntSets? previous = null, int[]? previousIds = null, SharedSegments shared = default)
    {
        var offsets = new int[reader.MaxDoc + 1];
        var values = new List<int>();
        if (previous is not null && shared.Docs > 0)
        {
            Array.Copy(previous.Offsets, offsets, shared.Docs + 1);
            var kept = previous.Values.AsSpan(0, previous.Offsets[shared.Docs]);
            if (previousIds is null)
            {
                values.AddRange(kept);
            }
            else
            {
                values.EnsureCapacity(kept.Length);
                foreach (var value in kept)
                {
                    values.Add(previousIds[value]);
                }
            }
        }
        else
        {
            shared = SharedSegments.None;
        }

        var bytes = new BytesRef();
        foreach (var leaf in reader.Leaves.Skip(shared.Leaves))
        {
            var docValues = leaf.AtomicReader.GetSortedSetDocValues(field);
            var leafMax = leaf.AtomicReader.MaxDoc;
            // Each distinct value of the segment is parsed once, not once per document.
            var map = new int[docValues?.ValueCount ?? 0];
            for (var ord = 0L; ord < map.Length; ord++)
            {
                docValues!.LookupOrd(ord, bytes);
                map[ord] = int.Parse(bytes.Utf8ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
            }

            for (var doc = 0; doc < leafMax; doc++)
            {
                if (docValues is not null)
                {
                    docValues.SetDocument(doc);
                    long ord;
                    while ((ord = docValues.NextOrd()) != SortedSetDocValues.NO_MORE_ORDS)
                    {
                        values.Add(map[ord]);
                    }
                }

                offsets[leaf.DocBase + doc + 1] = values.Count;
            }
        }

        return new IntSets(offsets, [.. values]);
    }
}
