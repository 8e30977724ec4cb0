using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Search;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Statistics;

/// <summary>
/// Totals and breakdowns of the projects a search finds (ADR 22). The search index aggregates (one pass over its
/// per-document arrays, whatever the words and filters; nothing is loaded per project); the database gives only the
/// names that label the rows and the sources cited. Published records only, as in the index.
/// </summary>
/// <remarks>
/// Amounts are the values shown first (the preferred value of each field), all in EUR: every amount field of the
/// registry is in EUR (<c>total_budget_eur</c>, <c>erdf_eur</c>), so nothing is converted. A budget belongs to the year
/// its project starts. A value no source gives is counted as unknown, never as 0.
/// </remarks>
public sealed class StatisticsService(SearchIndex index, PasserelleDbContext db)
{
    /// <summary>A year chart is filled with empty years between its first and last; beyond this span, it is not.</summary>
    private const int MaxFilledYears = 200;

    /// <summary>The statistics of the projects <paramref name="query"/> finds (its words and filters; its type, sort and page are ignored).</summary>
    /// <exception cref="SearchNotReadyException">The search index is still being prepared (a few seconds after a start).</exception>
    public async Task<StatisticsReport> ReportAsync(SearchQuery query, CancellationToken ct = default)
    {
        var raw = await index.StatisticsAsync(query, ct);
        var language = query.Language;
        var sources = await SourcesAsync(AllSourceIds(raw), ct);
        var programmes = await ProgrammeNamesAsync(raw.Budgets[BudgetDimension.Programme].Select(r => r.Value).OfType<string>().ToList(), ct);
        var themes = await ThemeLabelsAsync(raw.Budgets[BudgetDimension.Theme].Select(r => r.Value).OfType<string>().ToList(), ct);

        var budgets = Enum.GetValues<BudgetDimension>().Select(dimension =>
        {
            var rows = raw.Budgets[dimension].Select(cell =>
            {
                var label = dimension switch
                {
                    BudgetDimension.Programme when cell.Value is not null => programmes.GetValueOrDefault(cell.Value)?.Resolve(language),
                    BudgetDimension.Theme when cell.Value is not null => themes.GetValueOrDefault(cell.Value)?.Resolve(language),
                    _ => null,
                };
                return ToRow(cell, label?.Text, label?.Language, sources);
            }).ToList();
            return new BudgetBreakdown(StatisticsCharts.Key(dimension), dimension, StatisticsCharts.Overlapping(dimension), Order(dimension, rows));
        }).ToList();

        var counts = Enum.GetValues<CountDimension>().Select(dimension =>
        {
            var rows = raw.Counts[dimension].Select(cell => new CountRow(cell.Value, cell.Label, null, cell.Count)).ToList();
            var total = dimension switch
            {
                CountDimension.PartnersByCountry or CountDimension.PartnersByRegion or CountDimension.PartnersByType => raw.Partners,
                _ => raw.Total.Projects,
            };
            return new CountBreakdown(StatisticsCharts.Key(dimension), dimension, StatisticsCharts.Overlapping(dimension), total, Order(dimension, rows));
        }).ToList();

        return new StatisticsReport(ToRow(raw.Total, null, null, sources), raw.Partners, budgets, counts, [.. sources.Values.OrderBy(s => s.Title, StringComparer.Ordinal)]);
    }

    private static HashSet<int> AllSourceIds(IndexStatistics raw)
    {
        // Every row's sources are among the total's: each summed value is in the total.
        var ids = new HashSet<int>(raw.Total.Budget.Sources);
        ids.UnionWith(raw.Total.EuFunding.Sources);
        return ids;
    }

    private static BudgetRow ToRow(BudgetCell cell, string? label, string? labelLanguage, Dictionary<int, SourceRef> sources) =>
        new(cell.Value, label ?? cell.Label, label is null ? null : labelLanguage, cell.Projects,
            ToFigure(cell.Budget, sources), ToFigure(cell.EuFunding, sources));

    private static AmountFigure ToFigure(AmountTotal total, Dictionary<int, SourceRef> sources) =>
        new(total.Cents / 100m, total.Known, total.Unknown, SourceKeys(total.Sources, sources));

    private static List<string> SourceKeys(IEnumerable<int> ids, Dictionary<int, SourceRef> sources) =>
        ids.Distinct().Select(id => sources.GetValueOrDefault(id)).OfType<SourceRef>()
            .OrderBy(s => s.Title, StringComparer.Ordinal).Select(s => s.Key).ToList();

    /// <summary>Rows with a value in the chart's order, the "not known" row last; a year chart also gets the years between with no project.</summary>
    private static List<BudgetRow> Order(BudgetDimension dimension, List<BudgetRow> rows)
    {
        var known = rows.Where(r => r.Value is not null).ToList();
        var unknown = rows.Where(r => r.Value is null);
        known = dimension switch
        {
            BudgetDimension.Period => [.. known.OrderBy(r => r.Value, StringComparer.Ordinal)],
            BudgetDimension.Year => FillYears(known),
            _ => [.. known.OrderByDescending(r => r.Budget.Sum).ThenByDescending(r => r.Projects).ThenBy(r => r.Value, StringComparer.Ordinal)],
        };
        return [.. known, .. unknown];
    }

    private static List<BudgetRow> FillYears(List<BudgetRow> rows)
    {
        var byYear = rows.ToDictionary(r => int.Parse(r.Value!, System.Globalization.CultureInfo.InvariantCulture));
        if (byYear.Count == 0)
        {
            return [];
        }

        var (first, last) = (byYear.Keys.Min(), byYear.Keys.Max());
        if (last - first > MaxFilledYears)
        {
            return [.. byYear.OrderBy(y => y.Key).Select(y => y.Value)];
        }

        // A year without any project is a true zero (no project started then), unlike an unknown amount.
        return [.. Enumerable.Range(first, last - first + 1).Select(year => byYear.GetValueOrDefault(year)
            ?? new BudgetRow(year.ToString(System.Globalization.CultureInfo.InvariantCulture), null, null, 0, AmountFigure.None, AmountFigure.None))];
    }

    private static readonly string[] TypeOrder = ["public", "private", "other"];

    private static List<CountRow> Order(CountDimension dimension, List<CountRow> rows)
    {
        var known = rows.Where(r => r.Value is not null);
        known = dimension is CountDimension.ProjectsByType or CountDimension.PartnersByType
            ? known.OrderBy(r => Array.IndexOf(TypeOrder, r.Value) is var i and >= 0 ? i : TypeOrder.Length).ThenBy(r => r.Value, StringComparer.Ordinal)
            : known.OrderByDescending(r => r.Count).ThenBy(r => r.Value, StringComparer.Ordinal);
        return [.. known, .. rows.Where(r => r.Value is null)];
    }

    private async Task<Dictionary<int, SourceRef>> SourcesAsync(IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var list = ids.ToList();
        return await db.Sources.AsNoTracking().Where(s => list.Contains(s.Id))
            .Select(s => new { s.Id, Ref = new SourceRef(s.Key, s.Title, s.Url, s.SourceDate) })
            .ToDictionaryAsync(s => s.Id, s => s.Ref, ct);
    }

    /// <summary>Each programme code's name: that of its latest published period.</summary>
    private Task<Dictionary<string, LocalizedText>> ProgrammeNamesAsync(List<string> codes, CancellationToken ct) =>
        Programmes.ProgrammeNames.LatestByCodeAsync(db.Programmes.Where(p => codes.Contains(p.Code)), ct);

    private async Task<Dictionary<string, LocalizedText>> ThemeLabelsAsync(List<string> slugs, CancellationToken ct) =>
        await db.Themes.AsNoTracking().Where(t => slugs.Contains(t.Slug)).ToDictionaryAsync(t => t.Slug, t => t.Label, StringComparer.Ordinal, ct);
}
