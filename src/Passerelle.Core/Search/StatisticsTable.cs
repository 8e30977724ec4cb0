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

    public StatisticsTable(IndexReader reader)
    {
        var maxDoc = reader.MaxDoc;
        Budget = new long[maxDoc];
        Eu = new long[maxDoc];
        var organisationIds = new int[maxDoc];
        var maxId = 0;
        foreach (var leaf in reader.Leaves)
        {
            var budget = leaf.AtomicReader.GetNumericDocValues(BudgetField);
            var eu = leaf.AtomicReader.GetNumericDocValues(EuField);
            var ids = leaf.AtomicReader.GetNumericDocValues(OrganisationIdField);
            for (var doc = 0; doc < leaf.AtomicReader.MaxDoc; doc++)
            {
                var g = leaf.DocBase + doc;
                Budget[g] = budget is null ? -1 : budget.Get(doc);
                Eu[g] = eu is null ? -1 : eu.Get(doc);
                organisationIds[g] = ids is null ? 0 : (int)ids.Get(doc);
                maxId = Math.Max(maxId, organisationIds[g]);
            }
        }

        // Deleted documents keep their slot until a merge: a live one wins for an id (a replaced organisation is both).
        var live = MultiFields.GetLiveDocs(reader);
        OrganisationDoc = new int[maxId + 1];
        Array.Fill(OrganisationDoc, -1);
        for (var g = 0; g < maxDoc; g++)
        {
            if (organisationIds[g] > 0 && (live is null || live.Get(g)))
            {
                OrganisationDoc[organisationIds[g]] = g;
            }
        }

        BudgetSources = IntSets.Load(reader, BudgetSourcesField);
        EuSources = IntSets.Load(reader, EuSourcesField);
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

        Partners = IntSets.Load(reader, PartnersField);
        LeadCountry = FacetDim.Load(reader, LeadCountryField);
        OrganisationType = FacetDim.Load(reader, OrganisationTypeField);
    }

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

    public static IntSets Load(IndexReader reader, string field)
    {
        var offsets = new int[reader.MaxDoc + 1];
        var values = new List<int>();
        var bytes = new BytesRef();
        foreach (var leaf in reader.Leaves)
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
