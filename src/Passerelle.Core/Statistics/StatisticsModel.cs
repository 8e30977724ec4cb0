using Passerelle.Core.Sources;

namespace Passerelle.Core.Statistics;

/// <summary>
/// A sum of amounts in EUR: <paramref name="Sum"/> of the <paramref name="Known"/> values; <paramref name="Unknown"/>
/// records have no value (never counted as 0); <paramref name="Sources"/> are the keys (in
/// <see cref="StatisticsReport.Sources"/>) of the sources of the values summed.
/// </summary>
public sealed record AmountFigure(decimal Sum, int Known, int Unknown, IReadOnlyList<string> Sources)
{
    public static AmountFigure None { get; } = new(0m, 0, 0, []);
}

/// <summary>
/// One row of a budget breakdown. <paramref name="Value"/> is the dimension's value (a programme code, a period, a
/// theme slug, a country code, a year), null for the projects that have none ("not known"). <paramref name="Label"/>
/// is the record's name where the registry has one (programme, theme, NUTS region), in <paramref name="LabelLanguage"/>.
/// </summary>
public sealed record BudgetRow(string? Value, string? Label, string? LabelLanguage, int Projects, AmountFigure Budget, AmountFigure EuFunding);

/// <summary>One row of a count of projects or partners; <paramref name="Value"/> null counts those without a value.</summary>
public sealed record CountRow(string? Value, string? Label, string? LabelLanguage, int Count);

/// <summary>
/// A budget breakdown (one chart). Unless <paramref name="Overlapping"/>, each project is in exactly one row, so the
/// rows (the "not known" one included) add up to the report's total; overlapping rows (themes) count a project in
/// each of its values and add up to more.
/// </summary>
public sealed record BudgetBreakdown(string Key, BudgetDimension Dimension, bool Overlapping, IReadOnlyList<BudgetRow> Rows);

/// <summary>
/// A count (one chart). <paramref name="Total"/> is the number of projects or partners counted; unless
/// <paramref name="Overlapping"/>, the rows add up to it.
/// </summary>
public sealed record CountBreakdown(string Key, CountDimension Dimension, bool Overlapping, int Total, IReadOnlyList<CountRow> Rows);

/// <summary>
/// The statistics of a set of projects (a search's words and filters): the total (projects, budget, EU funding),
/// the number of partners, every breakdown, and the sources of every amount summed.
/// </summary>
public sealed record StatisticsReport(
    BudgetRow Total,
    int Partners,
    IReadOnlyList<BudgetBreakdown> Budgets,
    IReadOnlyList<CountBreakdown> Counts,
    IReadOnlyList<SourceRef> Sources)
{
    /// <summary>A breakdown by its key ("budget-by-year"), or null.</summary>
    public BudgetBreakdown? Budget(string key) => Budgets.FirstOrDefault(b => b.Key == key);

    public CountBreakdown? Count(string key) => Counts.FirstOrDefault(c => c.Key == key);
}

/// <summary>The charts' keys, as the API's and the CSV downloads' addresses name them.</summary>
public static class StatisticsCharts
{
    public static string Key(BudgetDimension dimension) => dimension switch
    {
        BudgetDimension.Programme => "budget-by-programme",
        BudgetDimension.Period => "budget-by-period",
        BudgetDimension.Theme => "budget-by-theme",
        BudgetDimension.Country => "budget-by-country",
        _ => "budget-by-year",
    };

    public static string Key(CountDimension dimension) => dimension switch
    {
        CountDimension.ProjectsByCountry => "projects-by-country",
        CountDimension.ProjectsByRegion => "projects-by-region",
        CountDimension.ProjectsByType => "projects-by-type",
        CountDimension.PartnersByCountry => "partners-by-country",
        CountDimension.PartnersByRegion => "partners-by-region",
        _ => "partners-by-type",
    };

    /// <summary>Every chart's key, in the order the page shows them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [.. Enum.GetValues<BudgetDimension>().Select(Key), .. Enum.GetValues<CountDimension>().Select(Key)];

    public static bool Overlapping(BudgetDimension dimension) => dimension == BudgetDimension.Theme;

    public static bool Overlapping(CountDimension dimension) =>
        dimension is CountDimension.ProjectsByCountry or CountDimension.ProjectsByRegion or CountDimension.ProjectsByType;
}
