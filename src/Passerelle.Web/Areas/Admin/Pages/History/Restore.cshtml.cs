using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;
using Passerelle.Core.History;
using Passerelle.Core.Registry;

namespace Passerelle.Web.Areas.Admin.Pages.History;

/// <summary>
/// Restores an earlier version of a record, as a new version (ADR 0013): the page shows what will change (the record
/// now beside that version) and a button that posts the restore. Editors of the record's programme or grouping and
/// administrators only; Core checks the scope again.
/// </summary>
[Authorize(Policy = Policies.Edit)]
public sealed class RestoreModel(HistoryQueries history, VersionRestore restore, CurrentAccess current) : HistoryPage
{
    [BindProperty(SupportsGet = true)]
    public long Version { get; set; }

    public VersionDiff? Diff { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused)
        {
            return refused;
        }

        try
        {
            var result = await restore.RestoreAsync(await current.RequireAsync(), ParsedType!.Value, Id, Version, ct);
            return LocalRedirect(HistoryLink($"?restored={result.ChangeSetId ?? Version}"));
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
        catch (RegistryWriteException e)
        {
            Message = T("history.restore_refused", e.Message);
            return Page();
        }
    }

    /// <summary>The record, the version and the comparison; a result instead when the page cannot be shown.</summary>
    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        if (ParsedType is not { } type || await history.SubjectAsync(type, Id, ct) is not { } subject)
        {
            return NotFound();
        }

        Subject = subject;
        if (!await restore.MayRestoreAsync(await current.RequireAsync(), type, Id, ct))
        {
            return Forbid();
        }

        var latest = await history.LatestAsync(type, Id, ct);
        Diff = latest is null ? null : await history.DiffAsync(type, Id, latest.ChangeSetId, Version, ct);
        return Diff is null ? NotFound() : null;
    }
}
