using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Editing;
using Passerelle.Core.Registry;

namespace Passerelle.Web.Areas.Admin.Pages.Records;

/// <summary>
/// One record as the back office sees it: every field with the value shown first and the other sources' values beside
/// it, and the record's state (draft, published, deleted) with the actions its editor may take.
/// </summary>
public sealed class DetailsModel(EditorQueries queries, RecordEditor editor, CurrentAccess current) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string Type { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public int Id { get; set; }

    [BindProperty]
    public int Version { get; set; }

    public RecordView Record { get; private set; } = null!;
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public Task<IActionResult> OnPostPublishAsync() => ActAsync((access, r) => editor.PublishAsync(access, r, Version, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostUnpublishAsync() => ActAsync((access, r) => editor.UnpublishAsync(access, r, Version, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostDeleteAsync() => ActAsync((access, r) => editor.DeleteAsync(access, r, Version, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostRestoreAsync() => ActAsync((access, r) => editor.RestoreAsync(access, r, Version, HttpContext.RequestAborted));

    public string FieldLabel(FieldDefinition field) => FieldLabels.Of(this, field);

    private async Task<IActionResult> ActAsync(Func<Core.Accounts.Access, RecordRef, Task<EditResult>> action)
    {
        if (RecordTypes.Parse(Type) is not { } type)
        {
            return NotFound();
        }

        var access = await current.RequireAsync();
        try
        {
            await action(access, new RecordRef(type, Id));
            return LocalRedirect(Link($"/{Type}/{Id}"));
        }
        catch (EditConflictException)
        {
            Message = T("records.conflict_action");
        }
        catch (RuleViolationException e)
        {
            Message = string.Join(" ", e.Violations.Select(v => Error("rule." + v.Code, v.Message)));
        }

        return await LoadAsync() ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync()
    {
        if (RecordTypes.Parse(Type) is not { } type)
        {
            return false;
        }

        var record = await RecordView.LoadAsync(queries, await current.RequireAsync(), type, Id, Lang, HttpContext.RequestAborted);
        if (record is null)
        {
            return false;
        }

        Record = record;
        return true;
    }
}
