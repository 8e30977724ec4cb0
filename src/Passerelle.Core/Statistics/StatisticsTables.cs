using Passerelle.Core.OpenData;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Statistics;

/// <summary>What a row of a chart's table is: a dimension's value, the projects or partners without one, or the total.</summary>
public enum TableRowKind
{
    Value = 0,
    NotKnown = 1,
    Total = 2,
}

/// <summary>One line of a chart's table as downloaded: a budget row or a count row, with what it is.</summary>
public sealed record StatisticsTableRow(TableRowKind Kind, string? Value, string? Label, int Count, AmountFigure? Budget, AmountFigure? EuFunding);

/// <summary>
/// A chart's data table as a download (CSV, XLSX): the rows the chart draws, the row of unknown values, and for a
/// breakdown whose rows do not overlap, the total they add up to. Unknown counts are columns of their own; an amount
/// is empty only where nothing was summed. Sources are named by title (the report's sources give their addresses).
/// </summary>
public static class StatisticsTables
{
    private static string KindName(TableRowKind kind) => kind switch
    {
        TableRowKind.NotKnown => "not-known",
        TableRowKind.Total => "total",
        _ => "value",
    };

    public static IReadOnlyList<ExportColumn<StatisticsTableRow>> BudgetColumns(IReadOnlyList<SourceRef> sources) =>
    [
        new("Row", r => KindName(r.Kind), "row"),
        new("Value", r => r.Value, "value"),
        new("Label", r => r.Label, "label"),
        new("Projects", r => r.Count, "projects"),
        new("Total budget (EUR)", r => r.Budget!.Sum, "totalBudgetEur"),
        new("Total budgets known", r => r.Budget!.Known, "totalBudgetsKnown"),
        new("Total budgets not known", r => r.Budget!.Unknown, "totalBudgetsNotKnown"),
        new("EU funding (EUR)", r => r.EuFunding!.Sum, "euFundingEur"),
        new("EU fundings known", r => r.EuFunding!.Known, "euFundingsKnown"),
        new("EU fundings not known", r => r.EuFunding!.Unknown, "euFundingsNotKnown"),
        new("Sources", r => Titles(r.Budget!.Sources.Concat(r.EuFunding!.Sources), sources), "sources"),
    ];

    public static IReadOnlyList<ExportColumn<StatisticsTableRow>> CountColumns { get; } =
    [
        new("Row", r => KindName(r.Kind), "row"),
        new("Value", r => r.Value, "value"),
        new("Label", r => r.Label, "label"),
        new("Count", r => r.Count, "count"),
    ];

    public static IEnumerable<StatisticsTableRow> Rows(BudgetBreakdown breakdown, BudgetRow total)
    {
        foreach (var row in breakdown.Rows)
        {
            yield return new StatisticsTableRow(row.Value is null ? TableRowKind.NotKnown : TableRowKind.Value, row.Value, row.Label, row.Projects, row.Budget, row.EuFunding);
        }

        if (!breakdown.Overlapping)
        {
            yield return new StatisticsTableRow(TableRowKind.Total, null, null, total.Projects, total.Budget, total.EuFunding);
        }
    }

    public static IEnumerable<StatisticsTableRow> Rows(CountBreakdown breakdown)
    {
        foreach (var row in breakdown.Rows)
        {
            yield return new StatisticsTableRow(row.Value is null ? TableRowKind.NotKnown : TableRowKind.Value, row.Value, row.Label, row.Count, null, null);
        }

        if (!breakdown.Overlapping)
        {
            yield return new StatisticsTableRow(TableRowKind.Total, null, null, breakdown.Total, null, null);
        }
    }

    private static string Titles(IEnumerable<string> keys, IReadOnlyList<SourceRef> sources)
    {
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        return string.Join(" | ", sources.Where(s => wanted.Contains(s.Key)).Select(s => s.Title));
    }
}
