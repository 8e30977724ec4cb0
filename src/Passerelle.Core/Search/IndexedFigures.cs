namespace Passerelle.Core.Search;

/// <summary>
/// The values of a record that the statistics aggregate over the index (Statistics/, ADR 22), beside its searchable
/// text and facets. A project's total budget is <see cref="SearchDocument.Budget"/>; amounts are the values shown
/// first (the preferred value of each field), in EUR.
/// </summary>
public sealed record IndexedFigures
{
    /// <summary>A project's EU contribution; null when not known.</summary>
    public decimal? EuContribution { get; init; }

    /// <summary>The sources (ids) that give a project's total budget as shown: the first value's and any other giving the same amount.</summary>
    public IReadOnlyList<int> BudgetSources { get; init; } = [];

    /// <summary>The sources (ids) that give a project's EU contribution as shown.</summary>
    public IReadOnlyList<int> EuSources { get; init; } = [];

    /// <summary>The country of a project's lead partner (a published organisation); null when not known.</summary>
    public string? LeadCountry { get; init; }

    /// <summary>The ids of a project's partners (published organisations).</summary>
    public IReadOnlyList<int> Partners { get; init; } = [];

    /// <summary>An organisation's legal status ("public", "private", "other"); null when not known.</summary>
    public string? OrganisationType { get; init; }
}
