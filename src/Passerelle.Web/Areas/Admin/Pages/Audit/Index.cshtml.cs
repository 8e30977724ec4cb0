using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;
using Passerelle.Core.History;

namespace Passerelle.Web.Areas.Admin.Pages.Audit;

/// <summary>
/// The audit log (administrators): sign-ins, failed sign-ins, lockouts, tokens, users, imports, backups, restores and the
/// registry's changes in one list, newest first, with filters, paged by position (ADR 0013) and downloadable as CSV.
/// </summary>
public sealed class IndexModel(AuditTrail trail) : AuditPageBase
{
    public const int PageSize = 50;

    /// <summary>The position after which this page starts (the previous page's last row).</summary>
    [BindProperty(SupportsGet = true)]
    public string? After { get; set; }

    public AuditPage? Rows { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var (filter, error) = ReadFilter();
        var cursor = AuditCursor.Parse(After);
        if (filter is null || (After is { Length: > 0 } && cursor is null))
        {
            Message = error ?? T("audit.bad_position");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        Rows = await trail.PageAsync(filter, cursor, PageSize, ct);
        return Page();
    }

    public string KindLabel(string kind) => T("audit.kind." + kind);

    public string RecordLink(AuditRecordRef r) => Link($"/history/{HistoryQueries.TypeName(r.Type)}/{r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    public string RecordText(AuditRecordRef r) => $"{T("history.type." + HistoryQueries.TypeName(r.Type))} {r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public string Query(string? after)
    {
        var filters = FilterQuery();
        var position = after is null ? "" : "after=" + Uri.EscapeDataString(after);
        var query = string.Join("&", new[] { filters, position }.Where(p => p.Length > 0));
        return query.Length == 0 ? "" : "?" + query;
    }
}
