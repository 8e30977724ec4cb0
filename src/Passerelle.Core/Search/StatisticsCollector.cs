using Lucene.Net.Index;
using Lucene.Net.Search;

using Passerelle.Core.Statistics;

namespace Passerelle.Core.Search;

/// <summary>
/// Aggregates the projects a query matches, in one pass over the per-document arrays (no database, no Lucene call per
/// document): every filter must hold (unlike the search's facet counts, there is no drill-sideways here: the figures
/// describe exactly the search's result; the engine applies the filters before this collector sees a document). Sums
/// are in cents (longs: exact); each row keeps the set of sources of the amounts it summed. A large match set is split
/// into ranges of documents, each aggregated by a collector of its own on its own core, then merged
/// (<see cref="Merge"/>): every figure is a sum, a count or a union, so the order does not matter.
/// </summary>
internal sealed class StatisticsCollector : ICollector
{
    private readonly FacetTable _table;
    private readonly StatisticsTable _stats;
    private readonly FacetDim _programme;
    private readonly FacetDim _period;
    private readonly FacetDim _theme;
    private readonly FacetDim _country;
    private readonly FacetDim _region;
    private readonly FacetDim _lead;
    private readonly FacetDim _type;

    // Each dimension's rows, the last slot for the projects without a value.
    private readonly Sums _total;
    private readonly Sums _byProgramme;
    private readonly Sums _byPeriod;
    private readonly Sums _byTheme;
    private readonly Sums _byLead;

    // Years 1900-2199 by offset (no lookup per document), then a slot for "not known" (0); any other year in the dictionary.
    private const int FirstYear = 1900;
    private const int Years = 300;
    private readonly Sums _byYearOffset;
    private readonly Dictionary<int, Sums> _byOtherYear = [];

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

    // A run's amounts (AddRun), kept from run to run.
    private readonly DocFigures[] _figures = new DocFigures[RunLength];

    // Documents collected one by one (Collect), not yet added.
    private readonly int[] _pending = new int[RunLength];
    private int _pendingLength;

    public StatisticsCollector(FacetTable table, StatisticsTable stats)
    {
        _table = table;
        _stats = stats;
        _programme = table.Dims[(int)SearchFacet.Programme];
        _period = table.Dims[(int)SearchFacet.Period];
        _theme = table.Dims[(int)SearchFacet.Theme];
        _country = table.Dims[(int)SearchFacet.Country];
        _region = table.Dims[(int)SearchFacet.Region];
        _lead = stats.LeadCountry;
        _type = stats.OrganisationType;
        _total = new Sums(1, stats);
        _byProgramme = new Sums(_programme.Values.Length + 1, stats);
        _byPeriod = new Sums(_period.Values.Length + 1, stats);
        _byTheme = new Sums(_theme.Values.Length + 1, stats);
        _byLead = new Sums(_lead.Values.Length + 1, stats);
        _byYearOffset = new Sums(Years + 1, stats);
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

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

    /// <summary>A document from Lucene's scorers (a query <see cref="MatchBits"/> does not handle): kept for the next run.</summary>
    public void Collect(int doc)
    {
        _pending[_pendingLength++] = _docBase + doc;
        if (_pendingLength == RunLength)
        {
            Flush();
        }
    }

    private void Flush()
    {
        AddRun(_pending.AsSpan(0, _pendingLength));
        _pendingLength = 0;
    }

    /// <summary>Documents aggregated at once: each column is then read for all of them in one loop (<see cref="AddRun"/>).</summary>
    private const int RunLength = 1024;

    /// <summary>
    /// Aggregates the live documents of <paramref name="bits"/> (global doc ids) in the words
    /// <paramref name="fromWord"/> to <paramref name="toWord"/> (exclusive): documents 64 × from to 64 × to.
    /// </summary>
    public void CollectBits(long[] bits, IndexReader reader, int fromWord, int toWord) =>
        MatchBits.ForEachLive(bits, reader, fromWord, toWord, stackalloc int[RunLength], AddRun);

    /// <summary>
    /// Aggregates <paramref name="docs"/> (global doc ids) column by column: each document's amounts and sources once,
    /// then each breakdown over all of them, its column's span taken once. Per document and row, as it was, the same
    /// amounts were read again for each of the six or more rows it goes to, and each column was reached through its
    /// dimension again (at 2 M projects, "every project" took about 160 ms of CPU; issue 17's target is 100 ms).
    /// </summary>
    private void AddRun(ReadOnlySpan<int> docs)
    {
        if (docs.IsEmpty)
        {
            return;
        }

        var stats = _stats;
        var figures = _figures.AsSpan(0, docs.Length);
        var budget = stats.Budget;
        var eu = stats.Eu;
        var budgetOffsets = stats.BudgetSources.Offsets;
        var budgetOrdinals = stats.BudgetSources.Values;
        var euOffsets = stats.EuSources.Offsets;
        var euOrdinals = stats.EuSources.Values;
        for (var k = 0; k < docs.Length; k++)
        {
            var g = docs[k];
            figures[k] = new DocFigures(budget[g], budgetOffsets[g], budgetOffsets[g + 1], eu[g], euOffsets[g], euOffsets[g + 1], budgetOrdinals, euOrdinals);
        }

        for (var k = 0; k < docs.Length; k++)
        {
            _total.Add(0, figures[k]);
        }

        AddAmounts(_programme, _byProgramme, docs, figures);
        AddAmounts(_period, _byPeriod, docs, figures);
        AddAmounts(_theme, _byTheme, docs, figures);
        AddAmounts(_lead, _byLead, docs, figures);
        var starts = _table.Start.Span;
        for (var k = 0; k < docs.Length; k++)
        {
            var year = starts[docs[k]] / 10_000;
            if (year == 0)
            {
                _byYearOffset.Add(Years, figures[k]);
            }
            else if ((uint)(year - FirstYear) < Years)
            {
                _byYearOffset.Add(year - FirstYear, figures[k]);
            }
            else
            {
                if (!_byOtherYear.TryGetValue(year, out var sums))
                {
                    _byOtherYear[year] = sums = new Sums(1, stats);
                }

                sums.Add(0, figures[k]);
            }
        }

        AddCounts(_country, _projectsByCountry, docs);
        AddCounts(_region, _projectsByRegion, docs);
        AddPartners(docs);
    }

    private static void AddAmounts(FacetDim dim, Sums slots, ReadOnlySpan<int> docs, ReadOnlySpan<DocFigures> figures)
    {
        var none = slots.Count - 1;
        if (dim.Single is { } column)
        {
            var single = column.Span;
            for (var k = 0; k < docs.Length; k++)
            {
                var ord = single[docs[k]];
                slots.Add(ord >= 0 ? ord : none, figures[k]);
            }

            return;
        }

        var offsets = dim.Offsets!.Span;
        var values = dim.Multi!.Span;
        for (var k = 0; k < docs.Length; k++)
        {
            var g = docs[k];
            var (from, to) = (offsets[g], offsets[g + 1]);
            if (from == to)
            {
                slots.Add(none, figures[k]);
                continue;
            }

            for (var i = from; i < to; i++)
            {
                slots.Add(values[i], figures[k]);
            }
        }
    }

    private static void AddCounts(FacetDim dim, int[] counts, ReadOnlySpan<int> docs)
    {
        if (dim.Single is { } column)
        {
            var single = column.Span;
            for (var k = 0; k < docs.Length; k++)
            {
                var ord = single[docs[k]];
                counts[ord >= 0 ? ord : counts.Length - 1]++;
            }

            return;
        }

        foreach (var g in docs)
        {
            AddCount(dim, counts, g);
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
            return;
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
    private void AddPartners(ReadOnlySpan<int> docs)
    {
        var offsets = _stats.Partners.Offsets;
        var values = _stats.Partners.Values;
        var statuses = _stats.OrganisationTypes;
        var seen = _seen;
        var byType = _projectsByType;
        foreach (var g in docs)
        {
            var types = 0;
            for (var i = offsets[g]; i < offsets[g + 1]; i++)
            {
                var id = values[i];
                if ((uint)id >= (uint)statuses.Length)
                {
                    continue;
                }

                var type = statuses[id] - 1;
                if (type >= 0)
                {
                    types |= 1 << type;
                }

                seen[id >> 6] |= 1UL << (id & 63);
            }

            if (types == 0)
            {
                byType[^1]++;
            }

            for (; types != 0; types &= types - 1)
            {
                byType[System.Numerics.BitOperations.TrailingZeroCount(types)]++;
            }
        }
    }

    /// <summary>Adds what <paramref name="other"/> (a collector of the same snapshot, over other documents) has aggregated.</summary>
    public void Merge(StatisticsCollector other)
    {
        if (_partnersCounted || other._partnersCounted)
        {
            throw new InvalidOperationException("Merge the collectors before reading their figures.");
        }

        Flush();
        other.Flush();

        _total.Merge(other._total);
        _byProgramme.Merge(other._byProgramme);
        _byPeriod.Merge(other._byPeriod);
        _byTheme.Merge(other._byTheme);
        _byLead.Merge(other._byLead);
        _byYearOffset.Merge(other._byYearOffset);
        foreach (var (year, sums) in other._byOtherYear)
        {
            if (_byOtherYear.TryGetValue(year, out var mine))
            {
                mine.Merge(sums);
            }
            else
            {
                _byOtherYear[year] = sums;
            }
        }

        AddTo(_projectsByCountry, other._projectsByCountry);
        AddTo(_projectsByRegion, other._projectsByRegion);
        AddTo(_projectsByType, other._projectsByType);
        for (var w = 0; w < _seen.Length; w++)
        {
            _seen[w] |= other._seen[w];
        }

        static void AddTo(int[] counts, int[] more)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] += more[i];
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
        Flush();
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

    /// <summary>The figures, rows with a value first (in the index's value order), the row without a value last, if any.</summary>
    public IndexStatistics Result(Func<SearchFacet, string, string?> label)
    {
        CountPartners();
        var sourceIds = _stats.SourceIds;
        var years = Enumerable.Range(0, Years).Where(i => _byYearOffset.Projects(i) > 0)
            .Select(i => (Year: FirstYear + i, Sums: _byYearOffset, Slot: i))
            .Concat(_byOtherYear.Select(y => (Year: y.Key, Sums: y.Value, Slot: 0)))
            .OrderBy(y => y.Year);
        var yearRows = years.Select(y => y.Sums.Cell(y.Slot, y.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), null, sourceIds)).ToList();
        if (_byYearOffset.Projects(Years) > 0)
        {
            yearRows.Add(_byYearOffset.Cell(Years, null, null, sourceIds));
        }

        var budgets = new Dictionary<BudgetDimension, IReadOnlyList<BudgetCell>>
        {
            [BudgetDimension.Programme] = Rows(_programme, _byProgramme, null, sourceIds),
            [BudgetDimension.Period] = Rows(_period, _byPeriod, null, sourceIds),
            [BudgetDimension.Theme] = Rows(_theme, _byTheme, v => label(SearchFacet.Theme, v), sourceIds),
            [BudgetDimension.Country] = Rows(_lead, _byLead, null, sourceIds),
            [BudgetDimension.Year] = yearRows,
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
        return new IndexStatistics(_total.Cell(0, null, null, sourceIds), _partners, budgets, counts);
    }

    private static List<BudgetCell> Rows(FacetDim dim, Sums sums, Func<string, string?>? label, int[] sourceIds)
    {
        var rows = new List<BudgetCell>();
        for (var ord = 0; ord < dim.Values.Length; ord++)
        {
            if (sums.Projects(ord) > 0)
            {
                rows.Add(sums.Cell(ord, dim.Values[ord], label?.Invoke(dim.Values[ord]), sourceIds));
            }
        }

        if (sums.Projects(sums.Count - 1) > 0)
        {
            rows.Add(sums.Cell(sums.Count - 1, null, null, sourceIds));
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

    /// <summary>
    /// A document's amounts in cents (-1: not known) and the ranges of their sources' ordinals; an amount with one
    /// source (nearly every one) carries its ordinal, read once for all the rows the document goes to.
    /// </summary>
    private readonly struct DocFigures
    {
        public DocFigures(long budget, int budgetFrom, int budgetTo, long eu, int euFrom, int euTo, int[] budgetOrdinals, int[] euOrdinals)
        {
            Budget = budget;
            BudgetFrom = budgetFrom;
            BudgetTo = budgetTo;
            Eu = eu;
            EuFrom = euFrom;
            EuTo = euTo;
            BudgetOne = budgetTo - budgetFrom == 1 ? budgetOrdinals[budgetFrom] : -1;
            EuOne = euTo - euFrom == 1 ? euOrdinals[euFrom] : -1;
        }

        public long Budget { get; }
        public long Eu { get; }
        public int BudgetFrom { get; }
        public int BudgetTo { get; }
        public int EuFrom { get; }
        public int EuTo { get; }
        public int BudgetOne { get; }
        public int EuOne { get; }
    }

    /// <summary>One amount's running figures in a row: its sum in cents, and how many projects know it and do not.</summary>
    private struct Amount
    {
        public long Cents;
        public int Known;
        public int Unknown;

        /// <summary>Adds a project's value (-1: not known); true when it was known, so that its sources count.</summary>
        public bool Add(long cents)
        {
            if (cents < 0)
            {
                Unknown++;
                return false;
            }

            Cents += cents;
            Known++;
            return true;
        }

        public void Merge(in Amount more)
        {
            Cents += more.Cents;
            Known += more.Known;
            Unknown += more.Unknown;
        }

        public readonly AmountTotal Total(List<int> sources) => new(Cents, Known, Unknown, sources);
    }

    /// <summary>One row's running figures: its projects, and its two amounts.</summary>
    private struct Row
    {
        public int Projects;
        public Amount Budget;
        public Amount Eu;
    }

    /// <summary>
    /// The rows of one breakdown, side by side in one array (no object per row to reach), and per row the set of
    /// sources of each amount (a bitset over source ordinals, made on first use).
    /// </summary>
    private sealed class Sums(int count, StatisticsTable stats)
    {
        private readonly Row[] _rows = new Row[count];
        private readonly ulong[]?[] _budgetSources = new ulong[]?[count];
        private readonly ulong[]?[] _euSources = new ulong[]?[count];
        private readonly int[] _budgetOrdinals = stats.BudgetSources.Values;
        private readonly int[] _euOrdinals = stats.EuSources.Values;
        private readonly int _words = (stats.SourceIds.Length + 63) / 64;

        public int Count => _rows.Length;

        public int Projects(int slot) => _rows[slot].Projects;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Add(int slot, in DocFigures figures)
        {
            ref var row = ref _rows[slot];
            row.Projects++;
            if (row.Budget.Add(figures.Budget))
            {
                Mark(ref _budgetSources[slot], _budgetOrdinals, figures.BudgetOne, figures.BudgetFrom, figures.BudgetTo);
            }

            if (row.Eu.Add(figures.Eu))
            {
                Mark(ref _euSources[slot], _euOrdinals, figures.EuOne, figures.EuFrom, figures.EuTo);
            }
        }

        private void Mark(ref ulong[]? bits, int[] ordinals, int one, int from, int to)
        {
            if (from == to)
            {
                return;
            }

            bits ??= new ulong[_words];
            if (one >= 0)
            {
                bits[one >> 6] |= 1UL << (one & 63);
                return;
            }

            for (var i = from; i < to; i++)
            {
                var o = ordinals[i];
                bits[o >> 6] |= 1UL << (o & 63);
            }
        }

        public void Merge(Sums other)
        {
            for (var slot = 0; slot < _rows.Length; slot++)
            {
                ref var row = ref _rows[slot];
                ref readonly var more = ref other._rows[slot];
                row.Projects += more.Projects;
                row.Budget.Merge(more.Budget);
                row.Eu.Merge(more.Eu);
                Union(ref _budgetSources[slot], other._budgetSources[slot]);
                Union(ref _euSources[slot], other._euSources[slot]);
            }

            static void Union(ref ulong[]? bits, ulong[]? more)
            {
                if (more is null)
                {
                    return;
                }

                if (bits is null)
                {
                    bits = more;
                    return;
                }

                for (var w = 0; w < bits.Length; w++)
                {
                    bits[w] |= more[w];
                }
            }
        }

        public BudgetCell Cell(int slot, string? value, string? label, int[] sourceIds)
        {
            var row = _rows[slot];
            return new(value, label, row.Projects, row.Budget.Total(Sources(_budgetSources[slot], sourceIds)), row.Eu.Total(Sources(_euSources[slot], sourceIds)));
        }

        private static List<int> Sources(ulong[]? bits, int[] sourceIds)
        {
            var ids = new List<int>();
            if (bits is not null)
            {
                for (var w = 0; w < bits.Length; w++)
                {
                    for (var word = bits[w]; word != 0; word &= word - 1)
                    {
                        ids.Add(sourceIds[(w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word)]);
                    }
                }
            }

            return ids;
        }
    }
}
