namespace Passerelle.Core.Sources;

/// <summary>Names of fact-bearing fields, shared by the loader, the pages and the API.</summary>
public static class FactFields
{
    public const string Acronym = "acronym";
    public const string Name = "name";
    public const string Title = "title";
    public const string Summary = "summary";
    public const string Programme = "programme";
    public const string Period = "period";
    public const string Priority = "priority";
    public const string SpecificObjective = "specific_objective";
    public const string InterventionField = "intervention_field";
    public const string ProjectType = "project_type";
    public const string Portfolio = "portfolio";
    public const string StartDate = "start_date";
    public const string EndDate = "end_date";
    public const string TotalBudget = "total_budget_eur";
    public const string Erdf = "erdf_eur";
    public const string ErdfRate = "erdf_rate";
    public const string Website = "website";
    public const string KeepEuId = "keep_eu_id";
    public const string Role = "role";
    public const string Budget = "budget_eur";
    public const string Country = "country";
    public const string City = "city";

    public static string Localized(string field, string language) => $"{field}.{language}";
}
