using Lucene.Net.Index;
using Lucene.Net.Search;

using Passerelle.Core.Statistics;

namespace Passerelle.Core.Search;

/// <summary>
/// Aggregates the projects a query matches, in one pass over the per-document arrays (no database, no Lucene call per
/// document): every filter must hold (unlike the search's facet counts, there is no drill-sideways here: the figures
/// describe exactly the search's result). Sums are in cents (longs: exact); each row keeps the set of sources of the
/// amounts it summed.
/// </summary>
internal sealed class StatisticsCollector : ICollector
{
    private readonly FacetTable _table;
    private readonly StatisticsTable _stats;
    private readonly int[] _filterDims;
    private readonly bool[][] _filterMasks;
    private readonly FacetDim _programme;
    private readonly FacetDim _period;
    private readonly FacetDim _theme;
    private readonly FacetDim _country;
    private readonly FacetDim _region;
    private readonly FacetDim _lead;
    private readonly FacetDim _type;

    private readonly Amounts _total;
    private readonly Amounts[] _byProgramme;
    private readonly Amounts[] _byPeriod;
    private readonly Amounts[] _byTheme;
    private readonly Amounts[] _byLead;
    // Years 1900-2199 by offset (no lookup per document); any other, and 0 for "not known", in the dictionary.
    private const int FirstYear = 1900;
    private readonly Amounts?[] _byYearOffset = new Amounts?[300];
    private readonly Dictionary<int, Amounts> _byYear = [];

    // Index [ordinal], the last slot counting documents without a value.
    private readonly int[] _projectsByCountry;
    private readonly int[] _projectsByRegion;
    private readonly int[] _projectsByType;
    private readonly int[] _partnersByCountry;
    private readonly int[] _partnersByRegion;
    private readonly int[] _partnersByType;

    // Organisations (by id) already counted as partners.
    private readonly ulong[] _seen;
    private int _partners;
    private bool _partnersCounted;
    private int _docBase;

    public StatisticsCollector(FacetTable table, StatisticsTable stats, IReadOnlyDictionary<SearchFacet, IReadOnlyList<string>> filters)
    {
        _table = table;
        _stats = stats;
        var active = filters.Where(f => f.Value.Count > 0).ToList();
        _filterDims = [.. active.Select(f => (int)f.Key)];
        _filterMasks = new bool[active.Count][];
        for (var i = 0; i < active.Count; i++)
        {
            var dim = table.Dims[_filterDims[i]];
            _filterMasks[i] = new bool[dim.Values.Length];
            foreach (var value in active[i].Value)
            {
                if (dim.Ordinals.TryGetValue(value, out var ord))
                {
                    _filterMasks[i][ord] = true;
                }
            }
        }

        _programme = table.Dims[(int)SearchFacet.Programme];
        _period = table.Dims[(int)SearchFacet.Period];
        _theme = table.Dims[(int)SearchFacet.Theme];
        _country = table.Dims[(int)SearchFacet.Country];
        _region = table.Dims[(int)SearchFacet.Region];
        _lead = stats.LeadCountry;
        _type = stats.OrganisationType;
        _total = new Amounts(stats.SourceIds.Length);
        _byProgramme = Slots(_programme, stats);
        _byPeriod = Slots(_period, stats);
        _byTheme = Slots(_theme, stats);
        _byLead = Slots(_lead, stats);
        _projectsByCountry = new int[_country.Values.Length + 1];
        _projectsByRegion = new int[_region.Values.Length + 1];
        _projectsByType = new int[_type.Values.Length + 1];
        _partnersByCountry = new int[_country.Values.Length + 1];
        _partnersByRegion = new int[_region.Values.Length + 1];
        _partnersByType = new int[_type.Values.Length + 1];
        _seen = new ulong[(stats.Organisations.Length + 63) / 64];
        if (_type.Values.Length > 31)
        {
            throw new InvalidOperationException("More than 31 legal statuses: the per-project mask holds 31.");
        }
    }

    private static Amounts[] Slots(FacetDim dim, StatisticsTable stats)
    {
        var slots = new Amounts[dim.Values.Length + 1];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = new Amounts(stats.SourceIds.Length);
        }

        return slots;
    }

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

    public void Collect(int doc)
    {
        var g = _docBase + doc;
        for (var i = 0; i < _filterDims.Length; i++)
        {
            if (!Passes(_table.Dims[_filterDims[i]], _filterMasks[i], g))
            {
                return;
            }
        }

        _total.Add(_stats, g);
        AddAmounts(_programme, _byProgramme, g);
        AddAmounts(_period, _byPeriod, g);
        AddAmounts(_theme, _byTheme, g);
        AddAmounts(_lead, _byLead, g);
        var year = _table.Start[g] / 10_000;
        var offset = year - FirstYear;
        Amounts? amounts;
        if ((uint)offset < (uint)_byYearOffset.Length)
        {
            amounts = _byYearOffset[offset] ??= new Amounts(_stats.SourceIds.Length);
        }
        else if (!_byYear.TryGetValue(year, out amounts))
        {
            _byYear[year] = amounts = new Amounts(_stats.SourceIds.Length);
        }

        amounts.Add(_stats, g);
        AddCount(_country, _projectsByCountry, g);
        AddCount(_region, _projectsByRegion, g);
        AddPartners(g);
    }

    private void AddAmounts(FacetDim dim, Amounts[] slots, int g)
    {
        if (dim.Single is { } single)
        {
            var ord = single[g];
            slots[ord >= 0 ? ord : slots.Length - 1].Add(_stats, g);
            return;
        }

        var offsets = dim.Offsets!.Span;
        var (from, to) = (offsets[g], offsets[g + 1]);
        if (from == to)
        {
            slots[^1].Add(_stats, g);
        }

        var values = dim.Multi!.Span;
        for (var i = from; i < to; i++)
        {
            slots[values[i]].Add(_stats, g);
        }
    }

    private static void AddCount(FacetDim dim, int[] counts, int g)
    {
        if (dim.Single is { } single)
        {
            var ord = single[g];
            counts[ord >= 0 ? ord : counts.Length - 1]++;
            return;
        }

        var offsets = dim.Offsets!.Span;
        var (from, to) = (offsets[g], offsets[g + 1]);
        if (from == to)
        {
            counts[^1]++;
        }

        var values = dim.Multi!.Span;
        for (var i = from; i < to; i++)
        {
            counts[values[i]]++;
        }
    }

    /// <summary>
    /// The project's legal statuses (those of its partners), and its partners marked in a bitset by organisation id.
    /// Partners are organisations anywhere in the index: reading their facts here would be a cache miss per partner,
    /// so the bitset is read once at the end, in id order (<see cref="CountPartners"/>); the statuses come from a byte
    /// per organisation, small enough to stay in cache.
    /// </summary>
    private void AddPartners(int g)
    {
        var partners = _stats.Partners;
        var statuses = _stats.OrganisationTypes;
        var types = 0;
        for (var i = partners.Offsets[g]; i < partners.Offsets[g + 1]; i++)
        {
            var id = partners.Values[i];
            if ((uint)id >= (uint)statuses.Length)
            {
                continue;
            }

            var type = statuses[id] - 1;
            if (type >= 0)
            {
                types |= 1 << type;
            }

            _seen[id >> 6] |= 1UL << (id & 63);
        }

        if (types == 0)
        {
            _projectsByType[^1]++;
        }

        for (var t = 0; t < _type.Values.Length; t++)
        {
            if ((types & (1 << t)) != 0)
            {
                _projectsByType[t]++;
            }
        }
    }

    /// <summary>The partners marked by <see cref="AddPartners"/> with a live document, counted by country, region and legal status.</summary>
    private void CountPartners()
    {
        if (_partnersCounted)
        {
            return;
        }

        _partnersCounted = true;
        var organisations = _stats.Organisations;
        for (var w = 0; w < _seen.Length; w++)
        {
            for (var word = _seen[w]; word != 0; word &= word - 1)
            {
                var id = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
                var facts = organisations[id];
                if ((facts & StatisticsTable.Live) == 0)
                {
                    continue;
                }

                _partners++;
                if ((facts & StatisticsTable.Several) != 0)
                {
                    var o = _stats.OrganisationDoc[id];
                    AddCount(_country, _partnersByCountry, o);
                    AddCount(_region, _partnersByRegion, o);
                }
                else
                {
                    var country = (int)(facts & 0xFFFF) - 1;
                    var region = (int)((facts >> 16) & 0xFFFF) - 1;
                    _partnersByCountry[country >= 0 ? country : _partnersByCountry.Length - 1]++;
                    _partnersByRegion[region >= 0 ? region : _partnersByRegion.Length - 1]++;
                }

                var type = (int)((facts >> 32) & 0xFF) - 1;
                _partnersByType[type >= 0 ? type : _partnersByType.Length - 1]++;
            }
        }
    }

    private static bool Passes(FacetDim dim, bool[] mask, int doc)
    {
        if (dim.Single is { } single)
        {
            var ord = single[doc];
            return ord >= 0 && mask[ord];
        }

        var offsets = dim.Offsets!.Span;
        var values = dim.Multi!.Span;
        for (var i = offsets[doc]; i < offsets[doc + 1]; i++)
        {
            if (mask[values[i]])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The figures, rows with a value first (in the index's value order), the row without a value last, if any.</summary>
    public IndexStatistics Result(Func<SearchFacet, string, string?> label)
    {
        CountPartners();
        var budgets = new Dictionary<BudgetDimension, IReadOnlyList<BudgetCell>>
        {
            [BudgetDimension.Programme] = Rows(_programme, _byProgramme, null, _stats.SourceIds),
            [BudgetDimension.Period] = Rows(_period, _byPeriod, null, _stats.SourceIds),
            [BudgetDimension.Theme] = Rows(_theme, _byTheme, v => label(SearchFacet.Theme, v), _stats.SourceIds),
            [BudgetDimension.Country] = Rows(_lead, _byLead, null, _stats.SourceIds),
            [BudgetDimension.Year] = _byYearOffset.Select((a, i) => (Year: FirstYear + i, Amounts: a)).Where(y => y.Amounts is not null)
                .Select(y => (y.Year, Amounts: y.Amounts!)).Concat(_byYear.Select(y => (Year: y.Key, Amounts: y.Value)))
                .OrderBy(y => y.Year == 0 ? int.MaxValue : y.Year)
                .Select(y => y.Amounts.Cell(y.Year == 0 ? null : y.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), null, _stats.SourceIds)).ToList(),
        };
        var counts = new Dictionary<CountDimension, IReadOnlyList<CountCell>>
        {
            [CountDimension.ProjectsByCountry] = Counts(_country, _projectsByCountry, null),
            [CountDimension.ProjectsByRegion] = Counts(_region, _projectsByRegion, v => label(SearchFacet.Region, v)),
            [CountDimension.ProjectsByType] = Counts(_type, _projectsByType, null),
            [CountDimension.PartnersByCountry] = Counts(_country, _partnersByCountry, null),
            [CountDimension.PartnersByRegion] = Counts(_region, _partnersByRegion, v => label(SearchFacet.Region, v)),
            [CountDimension.PartnersByType] = Counts(_type, _partnersByType, null),
        };
        return new IndexStatistics(_total.Cell(null, null, _stats.SourceIds), _partners, budgets, counts);
    }

    private static List<BudgetCell> Rows(FacetDim dim, Amounts[] slots, Func<string, string?>? label, int[] sourceIds)
    {
        var rows = new List<BudgetCell>();
        for (var ord = 0; ord < dim.Values.Length; ord++)
        {
            if (slots[ord].Projects > 0)
            {
                rows.Add(slots[ord].Cell(dim.Values[ord], label?.Invoke(dim.Values[ord]), sourceIds));
            }
        }

        if (slots[^1].Projects > 0)
        {
            rows.Add(slots[^1].Cell(null, null, sourceIds));
        }

        return rows;
    }

    private static List<CountCell> Counts(FacetDim dim, int[] counts, Func<string, string?>? label)
    {
        var rows = new List<CountCell>();
        for (var ord = 0; ord < dim.Values.Length; ord++)
        {
            if (counts[ord] > 0)
            {
                rows.Add(new CountCell(dim.Values[ord], label?.Invoke(dim.Values[ord]), counts[ord]));
            }
        }

        if (counts[^1] > 0)
        {
            rows.Add(new CountCell(null, null, counts[^1]));
        }

        return rows;
    }

    /// <summary>The running sums of one row.</summary>
    private sealed class Amounts(int sources)
    {
        private readonly Sum _budget = new(sources);
        private readonly Sum _eu = new(sources);

        public int Projects { get; private set; }

        public void Add(StatisticsTable stats, int g)
        {
            Projects++;
            _budget.Add(stats.Budget[g], stats.BudgetSources, g);
            _eu.Add(stats.Eu[g], stats.EuSources, g);
        }

        public BudgetCell Cell(string? value, string? label, int[] sourceIds) =>
            new(value, label, Projects, _budget.Total(sourceIds), _eu.Total(sourceIds));
    }

    /// <summary>A sum in cents, its known and unknown counts, and the set of its sources (a bitset over source ordinals, made on first use).</summary>
    private sealed class Sum(int sources)
    {
        private ulong[]? _sources;
        private long _cents;
        private int _known;
        private int _unknown;

        public void Add(long cents, IntSets ordinals, int g)
        {
            if (cents < 0)
            {
                _unknown++;
                return;
            }

            _cents += cents;
            _known++;
            var (from, to) = (ordinals.Offsets[g], ordinals.Offsets[g + 1]);
            if (from == to)
            {
                return;
            }

            var bits = _sources ??= new ulong[(sources + 63) / 64];
            for (var i = from; i < to; i++)
            {
                var o = ordinals.Values[i];
                bits[o >> 6] |= 1UL << (o & 63);
            }
        }

        public AmountTotal Total(int[] sourceIds)
        {
            var ids = new List<int>();
            if (_sources is { } bits)
            {
                for (var w = 0; w < bits.Length; w++)
                {
                    for (var word = bits[w]; word != 0; word &= word - 1)
                    {
                        ids.Add(sourceIds[(w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word)]);
                    }
                }
            }

            return new AmountTotal(_cents, _known, _unknown, ids);
        }
    }
}
