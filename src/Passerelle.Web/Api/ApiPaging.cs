using Passerelle.Core.Common;

namespace Passerelle.Web.Api;

/// <summary>The list envelope of every collection route: { items, page, pageSize, total }.</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total)
{
    public static PageResponse<T> From(Paged<T> paged) => new(paged.Items, paged.Page, paged.PageSize, paged.Total);
}

public static class ApiPaging
{
    /// <summary>Validates page and pageSize; null with an error when they are out of range.</summary>
    public static (PageRequest? Request, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Error) Parse(int? page, int? pageSize)
    {
        if (PageRequest.Validate(page, pageSize) is { } message)
        {
            return (null, ApiErrors.BadRequest(ErrorCodes.InvalidPaging, message));
        }

        return (new PageRequest(page ?? 1, pageSize ?? PageRequest.DefaultSize), null);
    }
}
