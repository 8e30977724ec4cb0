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
internal sealed class StatisticsCollector : ICollector, IDisposable
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

    // The organisations (by id) that are partners of the projects aggregated here (a Tally).
    private readonly int[] _partnerProjects;

    // Sets of sources and partners counted rather than marked: a collector whose figures are taken off (ComplementOf).
    private readonly bool _counted;
    private int _partners;
    private bool _partnersCounted;
    private int _docBase;

    // A run's amounts (AddRun), kept from run to run.
    private readonly DocFigures[] _figures = new DocFigures[RunLength];

    // Documents collected one by one (Collect), not yet added.
    private readonly int[] _pending = new int[RunLength];
    private int _pendingLength;

    /// <param name="counted">
    /// Count each source's values and each partner's projects rather than mark them, so that this collector's figures
    /// can be taken off another's or another's off them (<see cref="ComplementOf"/>): an int per organisation (3 MB at
    /// 2 M projects) rather than a bit, and an int per source and row.
    /// </param>
    public StatisticsCollector(FacetTable table, StatisticsTable stats, bool counted = false)
    {
        _counted = counted;
        _table = table;
        _stats = stats;
        _programme = table.Dims[(int)SearchFacet.Programme];
        _period = table.Dims[(int)SearchFacet.Period];
        _theme = table.Dims[(int)SearchFacet.Theme];
        _country = table.Dims[(int)SearchFacet.Country];
        _region = table.Dims[(int)SearchFacet.Region];
        _lead = stats.LeadCountry;
        _type = stats.OrganisationType;
        _total = new Sums(1, stats, counted);
        _byProgramme = new Sums(_programme.Values.Length + 1, stats, counted);
        _byPeriod = new Sums(_period.Values.Length + 1, stats, counted);
        _byTheme = new Sums(_theme.Values.Length + 1, stats, counted);
        _byLead = new Sums(_lead.Values.Length + 1, stats, counted);
        _byYearOffset = new Sums(Years + 1, stats, counted);
        _projectsByCountry = new int[_country.Values.Length + 1];
        _projectsByRegion = new int[_region.Values.Length + 1];
        _projectsByType = new int[_type.Values.Length + 1];
        _partnersByCountry = new int[_country.Values.Length + 1];
        _partnersByRegion = new int[_region.Values.Length + 1];
        _partnersByType = new int[_type.Values.Length + 1];
        // Counted, an int per organisation: from the pool, since a large search's statistics make two such
        // collectors and a new array each time sent the large object heap's garbage to every later request.
        _partnerProjects = counted ? System.Buffers.ArrayPool<int>.Shared.Rent(stats.Organisations.Length) : Tally.New(stats.Organisations.Length, counted);
        if (counted)
        {
            Array.Clear(_partnerProjects);
        }
        if (_type.Values.Length > 31)
        {
            throw new InvalidOperationException("More than 31 legal statuses: the per-project mask holds 31.");
        }
    }

    /// <summary>Gives a counted collector's array back to the pool; its figures are not read after.</summary>
    public void Dispose()
    {
        if (_counted && !_disposed)
        {
            _disposed = true;
            System.Buffers.ArrayPool<int>.Shared.Return(_partnerProjects);
        }
    }

    private bool _disposed;

    /// <summary>Whether sources and partners are counted (see the constructor).</summary>
    public bool Counted => _counted;

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
        // One compiled loop per mode: the JIT drops the other mode's branch, and neither's profile shapes the other's code.
        if (_counted)
        {
            AddRun<Counting>(docs);
        }
        else
        {
            AddRun<Marking>(docs);
        }
    }

    private void AddRun<TMode>(ReadOnlySpan<int> docs)
        where TMode : struct, ITallyMode
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
            _total.Add<TMode>(0, figures[k]);
        }

        AddAmounts<TMode>(_programme, _byProgramme, docs, figures);
        AddAmounts<TMode>(_period, _byPeriod, docs, figures);
        AddAmounts<TMode>(_theme, _byTheme, docs, figures);
        AddAmounts<TMode>(_lead, _byLead, docs, figures);
        var starts = _table.Start.Span;
        for (var k = 0; k < docs.Length; k++)
        {
            var year = starts[docs[k]] / 10_000;
            if (year == 0)
            {
                _byYearOffset.Add<TMode>(Years, figures[k]);
            }
            else if ((uint)(year - FirstYear) < Years)
            {
                _byYearOffset.Add<TMode>(year - FirstYear, figures[k]);
            }
            else
            {
                if (!_byOtherYear.TryGetValue(year, out var sums))
                {
                    _byOtherYear[year] = sums = new Sums(1, stats, _counted);
                }

                sums.Add<TMode>(0, figures[k]);
            }
        }

        AddCounts(_country, _projectsByCountry, docs);
        AddCounts(_region, _projectsByRegion, docs);
        AddPartners<TMode>(docs);
    }

    private static void AddAmounts<TMode>(FacetDim dim, Sums slots, ReadOnlySpan<int> docs, ReadOnlySpan<DocFigures> figures)
        where TMode : struct, ITallyMode
    {
        var none = slots.Count - 1;
        if (dim.Single is { } column)
        {
            var single = column.Span;
            for (var k = 0; k < docs.Length; k++)
            {
                var ord = single[docs[k]];
                slots.Add<TMode>(ord >= 0 ? ord : none, figures[k]);
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
                slots.Add<TMode>(none, figures[k]);
                continue;
            }

            for (var i = from; i < to; i++)
            {
                slots.Add<TMode>(values[i], figures[k]);
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
    /// The project's legal statuses (those of its partners), and its partners counted by organisation id. Partners are
    /// organisations anywhere in the index: reading their facts here would be a cache miss per partner, so the counts
    /// are read once at the end, in id order (<see cref="CountPartners"/>); the statuses come from a byte per
    /// organisation, small enough to stay in cache.
    /// </summary>
    private void AddPartners<TMode>(ReadOnlySpan<int> docs)
        where TMode : struct, ITallyMode
    {
        var offsets = _stats.Partners.Offsets;
        var values = _stats.Partners.Values;
        var statuses = _stats.OrganisationTypes;
        var partnerProjects = _partnerProjects;
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

                Tally.Add<TMode>(partnerProjects, id);
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

        foreach (var (mine, more) in Breakdowns.Zip(other.Breakdowns))
        {
            mine.Merge(more);
        }

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

        foreach (var (counts, more) in ProjectCounts.Zip(other.ProjectCounts))
        {
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] += more[i];
            }
        }

        Tally.Merge(_partnerProjects, other._partnerProjects, _counted);
    }

    /// <summary>
    /// The breakdowns of amounts, and the arrays of projects counted by a value: one list each, which merging and taking
    /// a complement go over alike (a breakdown left out of one would be wrong only on that way).
    /// </summary>
    private Sums[] Breakdowns => [_total, _byProgramme, _byPeriod, _byTheme, _byLead, _byYearOffset];

    private int[][] ProjectCounts => [_projectsByCountry, _projectsByRegion, _projectsByType];

    /// <summary>
    /// Makes this collector's figures those of the documents <paramref name="all"/> aggregated and this one did not:
    /// this one must have aggregated a subset of them (the complement of a large match set within every project), and
    /// <paramref name="all"/> is only read. Every figure is a sum or a count, sources and partners included (counted,
    /// not marked), so the difference is exact. A word found in most projects then costs the few projects without it
    /// (issue 17: statistics over any search within 100 ms; a word in every project took 124–145 ms at 2 M).
    /// </summary>
    public void ComplementOf(StatisticsCollector all)
    {
        if (!_counted || !all._counted || _partnersCounted || all._partnersCounted || all._pendingLength > 0)
        {
            throw new InvalidOperationException("Complement counted figures, before reading them, with nothing pending.");
        }

        Flush();
        foreach (var (mine, every) in Breakdowns.Zip(all.Breakdowns))
        {
            mine.ComplementOf(every);
        }

        foreach (var (year, sums) in all._byOtherYear)
        {
            if (!_byOtherYear.TryGetValue(year, out var mine))
            {
                _byOtherYear[year] = mine = new Sums(1, _stats, _counted);
            }

            mine.ComplementOf(sums);
        }

        foreach (var (counts, every) in ProjectCounts.Zip(all.ProjectCounts))
        {
            FromAll(counts, every);
        }

        FromAll(_partnerProjects, all._partnerProjects);

        // Also the counts of a Tally.
        static void FromAll(int[] counts, int[] all)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] = all[i] - counts[i];
            }
        }
    }

    /// <summary>The partners counted by <see cref="AddPartners"/> (of at least one project), counted by country, region and legal status.</summary>
    private void CountPartners()
    {
        if (_partnersCounted)
        {
            return;
        }

        _partnersCounted = true;
        Flush();
        // Two loops rather than Tally.Members' iterator: a search's statistics read every word of the bits here.
        var tally = _partnerProjects;
        if (_counted)
        {
            for (var i = 0; i < tally.Length; i++)
            {
                if (tally[i] != 0)
                {
                    CountPartner(i);
                }
            }

            return;
        }

        for (var i = 0; i < tally.Length; i++)
        {
            for (var word = (uint)tally[i]; word != 0; word &= word - 1)
            {
                CountPartner((i << 5) + System.Numerics.BitOperations.TrailingZeroCount(word));
            }
        }
    }

    private void CountPartner(int id)
    {
        var facts = _stats.Organisations[id];
        if ((facts & StatisticsTable.Live) == 0)
        {
            return;
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

        public void ComplementOf(in Amount all)
        {
            Cents = all.Cents - Cents;
            Known = all.Known - Known;
            Unknown = all.Unknown - Unknown;
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

    /// <summary>Whether a <see cref="Tally"/> counts or marks, as a type: each mode's loops are compiled apart.</summary>
    private interface ITallyMode
    {
        static abstract bool Counted { get; }
    }

    private readonly struct Counting : ITallyMode
    {
        public static bool Counted => true;
    }

    private readonly struct Marking : ITallyMode
    {
        public static bool Counted => false;
    }

    /// <summary>
    /// A set of ordinals (sources, organisations) in an int array: one bit each, or, in a counted collector, how many
    /// times each was added, so that a subset's can be taken off (<see cref="ComplementOf"/>). Marking is what a search's
    /// statistics need, and the bits of 757,000 organisations are 95 KB where their counts are 3 MB: allocated and
    /// cleared per request, the counts made every statistics request slower (`water` 28 → 38 ms at 2 M).
    /// </summary>
    private static class Tally
    {
        public static int[] New(int size, bool counted) => new int[counted ? size : (size + 31) >> 5];

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void Add<TMode>(int[] tally, int ordinal)
            where TMode : struct, ITallyMode
        {
            if (TMode.Counted)
            {
                tally[ordinal]++;
            }
            else
            {
                tally[ordinal >> 5] |= 1 << (ordinal & 31);
            }
        }

        public static void Merge(int[] into, int[] more, bool counted)
        {
            for (var i = 0; i < into.Length; i++)
            {
                into[i] = counted ? into[i] + more[i] : into[i] | more[i];
            }
        }

        /// <summary>The ordinals in the set, in increasing order.</summary>
        public static IEnumerable<int> Members(int[] tally, bool counted)
        {
            for (var i = 0; i < tally.Length; i++)
            {
                if (counted)
                {
                    if (tally[i] != 0)
                    {
                        yield return i;
                    }

                    continue;
                }

                for (var word = (uint)tally[i]; word != 0; word &= word - 1)
                {
                    yield return (i << 5) + System.Numerics.BitOperations.TrailingZeroCount(word);
                }
            }
        }
    }

    /// <summary>
    /// The rows of one breakdown, side by side in one array (no object per row to reach), and per row the sources of
    /// its projects' amounts (a <see cref="Tally"/> over source ordinals, made on first use).
    /// </summary>
    private sealed class Sums(int count, StatisticsTable stats, bool counted)
    {
        private readonly Row[] _rows = new Row[count];
        private readonly int[]?[] _budgetSources = new int[]?[count];
        private readonly int[]?[] _euSources = new int[]?[count];
        private readonly int[] _budgetOrdinals = stats.BudgetSources.Values;
        private readonly int[] _euOrdinals = stats.EuSources.Values;
        private readonly int _sources = stats.SourceIds.Length;

        public int Count => _rows.Length;

        public int Projects(int slot) => _rows[slot].Projects;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Add<TMode>(int slot, in DocFigures figures)
            where TMode : struct, ITallyMode
        {
            ref var row = ref _rows[slot];
            row.Projects++;
            if (row.Budget.Add(figures.Budget))
            {
                Mark<TMode>(ref _budgetSources[slot], _budgetOrdinals, figures.BudgetOne, figures.BudgetFrom, figures.BudgetTo);
            }

            if (row.Eu.Add(figures.Eu))
            {
                Mark<TMode>(ref _euSources[slot], _euOrdinals, figures.EuOne, figures.EuFrom, figures.EuTo);
            }
        }

        private void Mark<TMode>(ref int[]? sources, int[] ordinals, int one, int from, int to)
            where TMode : struct, ITallyMode
        {
            if (from == to)
            {
                return;
            }

            sources ??= Tally.New(_sources, TMode.Counted);
            if (one >= 0)
            {
                Tally.Add<TMode>(sources, one);
                return;
            }

            for (var i = from; i < to; i++)
            {
                Tally.Add<TMode>(sources, ordinals[i]);
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
                Add(ref _budgetSources[slot], other._budgetSources[slot]);
                Add(ref _euSources[slot], other._euSources[slot]);
            }

            void Add(ref int[]? sources, int[]? more)
            {
                if (more is null)
                {
                    return;
                }

                if (sources is null)
                {
                    sources = more;
                    return;
                }

                Tally.Merge(sources, more, counted);
            }
        }

        /// <summary>Makes each row the difference of <paramref name="all"/>'s (only read) and its own.</summary>
        public void ComplementOf(Sums all)
        {
            for (var slot = 0; slot < _rows.Length; slot++)
            {
                ref var row = ref _rows[slot];
                ref readonly var total = ref all._rows[slot];
                row.Projects = total.Projects - row.Projects;
                row.Budget.ComplementOf(total.Budget);
                row.Eu.ComplementOf(total.Eu);
                FromAll(ref _budgetSources[slot], all._budgetSources[slot]);
                FromAll(ref _euSources[slot], all._euSources[slot]);
            }

            static void FromAll(ref int[]? counts, int[]? all)
            {
                if (all is null)
                {
                    // Nothing of all's came from a source here, so nothing of this subset's did either.
                    counts = null;
                    return;
                }

                counts ??= new int[all.Length];
                for (var i = 0; i < counts.Length; i++)
                {
                    counts[i] = all[i] - counts[i];
                }
            }
        }

        public BudgetCell Cell(int slot, string? value, string? label, int[] sourceIds)
        {
            var row = _rows[slot];
            return new(value, label, row.Projects, row.Budget.Total(Sources(_budgetSources[slot], sourceIds)), row.Eu.Total(Sources(_euSources[slot], sourceIds)));
        }

        private List<int> Sources(int[]? sources, int[] sourceIds) =>
            sources is null ? [] : [.. Tally.Members(sources, counted).Select(o => sourceIds[o])];
    }
}
