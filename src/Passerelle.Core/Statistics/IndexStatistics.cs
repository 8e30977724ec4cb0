namespace Passerelle.Core.Statistics;

/// <summary>The dimensions budgets are broken down by. Each project counts once, except under <see cref="Theme"/>.</summary>
public enum BudgetDimension
{
    /// <summary>The programme's code (all its periods together), as the search's programme filter.</summary>
    Programme = 0,

    /// <summary>The programming period of the project's programme.</summary>
    Period = 1,

    /// <summary>A project with several themes counts in each of them: the rows overlap.</summary>
    Theme = 2,

    /// <summary>The country of the project's lead partner.</summary>
    Country = 3,

    /// <summary>The year the project starts (its whole budget in that year).</summary>
    Year = 4,
}

/// <summary>The counts of projects and partners by a property of the partners.</summary>
public enum CountDimension
{
    /// <summary>Projects with a partner in the country (a project with partners in two countries counts in both).</summary>
    ProjectsByCountry = 0,

    /// <summary>Projects with a partner in the NUTS 2 region (overlapping, like countries).</summary>
    ProjectsByRegion = 1,

    /// <summary>Projects with a partner of the legal status (overlapping).</summary>
    ProjectsByType = 2,

    /// <summary>Partners (distinct organisations) by their country.</summary>
    PartnersByCountry = 3,

    /// <summary>Partners by the NUTS 2 region of their city.</summary>
    PartnersByRegion = 4,

    /// <summary>Partners by legal status (public, private, other).</summary>
    PartnersByType = 5,
}

/// <summary>
/// A sum of amounts as the index holds them: the sum in cents of the known values, how many were known and how many
/// not (never counted as 0), and the ids of the sources of the values summed.
/// </summary>
public sealed record AmountTotal(long Cents, int Known, int Unknown, IReadOnlyCollection<int> Sources);

/// <summary>
/// One row of a budget breakdown: a dimension's value (null for the projects without one), its projects and the sums
/// of their total budgets and EU contributions. <paramref name="Label"/> is the index's label (themes, regions), if any.
/// </summary>
public sealed record BudgetCell(string? Value, string? Label, int Projects, AmountTotal Budget, AmountTotal EuFunding);

/// <summary>One row of a count: a value (null for "not known") and how many projects or partners have it.</summary>
public sealed record CountCell(string? Value, string? Label, int Count);

/// <summary>
/// What the search index aggregates for one set of projects (a search's words and filters): the totals, each budget
/// breakdown and each count, rows in the index's value order with the row of unknown value (if any) last.
/// </summary>
public sealed record IndexStatistics(
    BudgetCell Total,
    int Partners,
    IReadOnlyDictionary<BudgetDimension, IReadOnlyList<BudgetCell>> Budgets,
    IReadOnlyDictionary<CountDimension, IReadOnlyList<CountCell>> Counts);
