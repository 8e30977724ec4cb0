using System.Globalization;
using System.Text;

namespace Passerelle.Core.Common;

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;

    /// <summary>The cursor of the page after this one (its last row's sort key); null on the last page or for an offset-only list.</summary>
    public string? Next { get; init; }

    /// <summary>The cursor of the page before this one (its first row's sort key); null on the first page or for an offset-only list.</summary>
    public string? Previous { get; init; }

    /// <summary>The same page (number, size, total, cursors) with each row turned into what the caller shows.</summary>
    public Paged<TOut> Select<TOut>(Func<T, TOut> map) =>
        new(Items.Select(map).ToList(), Page, PageSize, Total) { Next = Next, Previous = Previous };
}

/// <summary>
/// Page numbers start at 1; page sizes are bounded so no request can ask for the whole table at once. A list read
/// with a <see cref="Cursor"/> (keyset paging) starts right after (or ends right before) a row's sort key, so a page
/// costs the same at row 2,000,000 as at row 1; <see cref="Page"/> is then only the number the pager shows.
/// </summary>
public sealed record PageRequest(int Page = 1, int PageSize = PageRequest.DefaultSize, PageCursor? Cursor = null)
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

/// <summary>Where a keyset page starts: after (or before) the row whose sort key is (<see cref="Key"/>, <see cref="Id"/>); <see cref="End"/> is the last page.</summary>
public sealed record PageCursor(string Key, int Id, bool Before, bool End = false)
{
    /// <summary>The last page of the list, read backwards from its end.</summary>
    public static PageCursor Last { get; } = new("", 0, Before: true, End: true);

    /// <summary>The cursor as it travels in an address: the key in base64url, then the id ("TUVOVE9S.42").</summary>
    public static string Encode(string key, int id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "." + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The cursor of an address's <c>after</c> or <c>before</c> parameter ("end" for the last page); null for a missing or malformed one.</summary>
    public static PageCursor? Parse(string? after, string? before)
    {
        if (before == "end")
        {
            return Last;
        }

        var text = after ?? before;
        var dot = text is null || text.Length > 800 ? -1 : text.LastIndexOf('.');
        if (text is null || dot < 0)
        {
            return null;
        }

        if (!int.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }

        var base64 = text[..dot].Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var written)
            ? new PageCursor(Encoding.UTF8.GetString(bytes, 0, written), id, Before: after is null)
            : null;
    }
}
