namespace Passerelle.Core.Common;

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}

/// <summary>Page numbers start at 1; page sizes are bounded so no request can ask for the whole table at once.</summary>
public sealed record PageRequest(int Page = 1, int PageSize = PageRequest.DefaultSize)
{
    public const int DefaultSize = 20;
    public const int MaxSize = 100;

    /// <summary>Rows before the page; saturated, so that a page far after the last is empty rather than an overflow.</summary>
    public int Skip => (int)Math.Min(((long)Page - 1) * PageSize, int.MaxValue);

    public static string? Validate(int? page, int? pageSize) =>
        page is < 1 ? "page must be 1 or more"
        : pageSize is < 1 or > MaxSize ? $"pageSize must be between 1 and {MaxSize}"
        : null;
}
