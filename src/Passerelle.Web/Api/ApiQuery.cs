namespace Passerelle.Web.Api;

/// <summary>Query-string filters as the API reads them.</summary>
public static class ApiQuery
{
    /// <summary>
    /// The filter's value, or null when it is empty: <c>?programme=</c> is what a form's "all programmes" choice
    /// sends, and means no filter (not "the programme whose code is empty", which matches nothing).
    /// </summary>
    public static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
