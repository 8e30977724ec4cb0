using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Common;
using Passerelle.Core.Editing;

namespace Passerelle.Web.Areas.Admin.Pages.Records;

/// <summary>A back-office list of one kind of record, drafts and deleted ones included; editors see their scope.</summary>
public sealed class IndexModel(EditorQueries queries, CurrentAccess current) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string Type { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string Status { get; set; } = "all";

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Paged<EditorListItem> Result { get; private set; } = null!;
    public bool CanCreate { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (RecordTypes.Parse(Type) is not { } type)
        {
            return NotFound();
        }

        var access = await current.RequireAsync();
        var filter = new EditorListFilter(
            Text: string.IsNullOrWhiteSpace(Q) ? null : Q,
            Deleted: Status switch { "deleted" => true, "all" => false, _ => false },
            Published: Status switch { "published" => true, "draft" => false, _ => null });
        Result = await queries.ListAsync(access, type, filter, new PageRequest(Math.Max(1, PageNumber), 50), HttpContext.RequestAborted);
        CanCreate = EditorQueries.CanCreate(access, type);
        return Page();
    }

    public string StatusText(bool published, DateTime? deletedAt) =>
        deletedAt is not null ? T("records.status_deleted") : published ? T("records.status_published") : T("records.status_draft");

    public string PageLink(int page) =>
        Link($"/{Type}") + $"?q={Uri.EscapeDataString(Q ?? "")}&status={Uri.EscapeDataString(Status)}&page={page}";
}
