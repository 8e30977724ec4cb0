using System.Globalization;

using Passerelle.Core.Common;

namespace Passerelle.Web.Portal.Pages.Shared;

/// <summary>What the pager partial draws: the page shown, the number of pages and the cursors around it.</summary>
public sealed record PagerModel(PortalPage Page, int Number, int PageCount, string? Next, string? Previous, string? Filter = null)
{
    /// <param name="filter">The list's own query parameters (escaped, without <c>?</c>), kept on every page's address.</param>
    public static PagerModel For<T>(PortalPage page, Paged<T> result, string? filter = null) =>
        new(page, result.Page, result.PageCount, result.Next, result.Previous, filter);

    /// <summary>The list's address for page <paramref name="number"/>, after or before a cursor (the page's own path, its query replaced).</summary>
    public string Href(int number, string? after, string? before)
    {
        var query = (Filter is null ? "?" : "?" + Filter + "&") + "p=" + number.ToString(CultureInfo.InvariantCulture);
        if (after is not null)
        {
            query += "&after=" + Uri.EscapeDataString(after);
        }

        if (before is not null)
        {
            query += "&before=" + Uri.EscapeDataString(before);
        }

        return number == 1 && after is null && before is null ? (Filter is null ? "?" : "?" + Filter) : query;
    }
}
