using System.Globalization;

using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;
using Passerelle.Core.History;
using Passerelle.Core.OpenData;

namespace Passerelle.Web.Areas.Admin.Pages.Audit;

/// <summary>
/// The filtered audit log as CSV (RFC 4180, UTF-8 with BOM, formula-guarded like the open-data exports), streamed a
/// page at a time so memory stays flat however long the log. The download is itself recorded: the log says who took a
/// copy of it.
/// </summary>
public sealed class ExportModel(AuditTrail trail, AuditLog audit, CurrentAccess current, TimeProvider clock) : AuditPageBase
{
    public static readonly IReadOnlyList<ExportColumn<AuditRow>> Columns =
    [
        new("Time (UTC)", r => r.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
        new("Kind", r => r.Kind),
        new("Actor", r => r.Actor),
        new("Actor kind", r => r.ActorKind?.ToString()),
        new("Subject", r => r.Subject),
        new("Detail", r => r.Detail),
        new("Address", r => r.Address),
        new("Id", r => r.Id),
        new("Changes", r => r.IsChange ? r.Revisions : null),
        new("Records", r => r.Records.Count == 0 ? null
            : string.Join("; ", r.Records.Select(x => $"{HistoryQueries.TypeName(x.Type)} {x.Id.ToString(CultureInfo.InvariantCulture)}")) + (r.MoreRecords ? "; …" : "")),
    ];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var (filter, error) = ReadFilter();
        if (filter is null)
        {
            return BadRequest(error ?? "");
        }

        var access = await current.RequireAsync();
        await audit.RecordAsync(AuditKind.Export, access.Name, access.UserId, "audit log", FilterQuery() is { Length: > 0 } q ? q : null,
            HttpContext.Connection.RemoteIpAddress?.ToString(), ct);

        var day = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"passerelle-audit-{day}.csv\"";
        await new CsvExportWriter().WriteAsync(Response.Body, Columns, trail.AllAsync(filter, ct), ct);
        return new EmptyResult();
    }
}
