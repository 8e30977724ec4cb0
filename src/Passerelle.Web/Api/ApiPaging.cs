using System.Globalization;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;

using Passerelle.Core.Common;

namespace Passerelle.Web.Api;

/// <summary>The list envelope of every collection route: { items, page, pageSize, total }.</summary>
/// <param name="Next">For a list read by keyset (projects, organisations): the <c>after</c> value of the next page; null on the last page.</param>
/// <param name="Previous">For a list read by keyset: the <c>before</c> value of the page before; null on the first page.</param>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total, string? Next = null, string? Previous = null)
{
    public static PageResponse<T> From(Paged<T> paged) => new(paged.Items, paged.Page, paged.PageSize, paged.Total, paged.Next, paged.Previous);
}

/// <summary>
/// page and pageSize of every list route. They are read as text and parsed here, so that "page=abc" answers the same
/// 400 invalid_paging as "page=0" (a typed parameter would fail binding first, with no error code); the OpenAPI
/// document still describes them as integers. A page after the last is not an error: 200 with no items, and total
/// says how many there are.
/// </summary>
public static class ApiPaging
{
    public const string PageDescription =
        "Page number, from 1 (default 1). A page after the last answers 200 with no items; total gives the number of records. " +
        "Not a whole number of 1 or more: 400 invalid_paging.";

    public static readonly string PageSizeDescription =
        $"Items per page, 1 to {PageRequest.MaxSize} (default {PageRequest.DefaultSize}); otherwise 400 invalid_paging.";

    /// <summary>Validates page and pageSize; null with an error when they are not whole numbers or out of range.</summary>
    public static (PageRequest? Request, ProblemHttpResult? Error) Parse(string? page, string? pageSize)
    {
        var (p, size, error) = ParseNumbers(page, pageSize);
        if ((error ?? PageRequest.Validate(p, size)) is { } message)
        {
            return (null, ApiErrors.BadRequest(ErrorCodes.InvalidPaging, message));
        }

        return (new PageRequest(p!.Value, size!.Value), null);
    }

    public const string AfterDescription =
        "The next field of the previous page: the page right after its last record (keyset paging, as fast at the end of " +
        "the list as at its start; page is then only the number reported). Malformed: 400 invalid_paging.";

    public const string BeforeDescription =
        "The previous field of a later page: the page right before its first record (keyset paging, backwards); end for the " +
        "last page of the list. Not with after. Malformed, or with after: 400 invalid_paging.";

    /// <summary>
    /// Validates page, pageSize and a keyset cursor: <c>after</c> (a page's <c>next</c>) or <c>before</c> (a page's
    /// <c>previous</c>, or <c>end</c>), never both.
    /// </summary>
    public static (PageRequest? Request, ProblemHttpResult? Error) Parse(string? page, string? pageSize, string? after, string? before)
    {
        var (request, error) = Parse(page, pageSize);
        if (error is not null || (after is null && before is null))
        {
            return (request, error);
        }

        if (after is not null && before is not null)
        {
            return (null, ApiErrors.BadRequest(ErrorCodes.InvalidPaging, "give after or before, not both"));
        }

        return PageCursor.Parse(after, before) is { } cursor
            ? (request! with { Cursor = cursor }, null)
            : (null, ApiErrors.BadRequest(ErrorCodes.InvalidPaging, after is not null
                ? "after must be the next value of a previous page"
                : "before must be the previous value of a later page, or end"));
    }

    /// <summary>page and pageSize as numbers (1 and <paramref name="defaultSize"/> when absent), or what is wrong with them.</summary>
    public static (int? Page, int? PageSize, string? Error) ParseNumbers(string? page, string? pageSize, int defaultSize = PageRequest.DefaultSize)
    {
        if (!TryWhole(page, 1, out var p))
        {
            return (null, null, $"page must be a whole number of 1 or more; got '{Shorten(page!)}'");
        }

        if (!TryWhole(pageSize, defaultSize, out var size))
        {
            return (null, null, $"pageSize must be a whole number between 1 and {PageRequest.MaxSize}; got '{Shorten(pageSize!)}'");
        }

        return (p, size, null);
    }

    /// <summary>Documents page and pageSize, wherever an operation has them, as the integers they are.</summary>
    public static TBuilder WithPagingDocumentation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                // The search route's [AsParameters] names them Page and PageSize; binding ignores case.
                var isPage = string.Equals(parameter.Name, "page", StringComparison.OrdinalIgnoreCase);
                if (parameter.In == ParameterLocation.Query && (isPage || string.Equals(parameter.Name, "pageSize", StringComparison.OrdinalIgnoreCase)))
                {
                    parameter.Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Integer,
                        Format = "int32",
                        Minimum = "1",
                        Maximum = isPage ? null : PageRequest.MaxSize.ToString(CultureInfo.InvariantCulture),
                        Default = System.Text.Json.Nodes.JsonValue.Create(isPage ? 1 : PageRequest.DefaultSize),
                    };
                    parameter.Description = isPage ? PageDescription : PageSizeDescription;
                }
                else if (parameter.In == ParameterLocation.Query && parameter.Name == "after")
                {
                    parameter.Description = AfterDescription;
                }
                else if (parameter.In == ParameterLocation.Query && parameter.Name == "before")
                {
                    parameter.Description = BeforeDescription;
                }
            }

            return Task.CompletedTask;
        });

    private static bool TryWhole(string? text, int absent, out int value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = absent;
            return true;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
