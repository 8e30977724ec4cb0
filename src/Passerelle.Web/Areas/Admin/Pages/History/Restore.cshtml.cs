using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.History;

namespace Passerelle.Web.Areas.Admin.Pages.History;

/// <summary>
/// Restores an earlier version of a record, as a new version, through the editing service
/// (<see cref="RecordEditor.RestoreVersionAsync"/>, ADR 0013 and 0014): the page shows what will change (the record
/// now beside that version) and a button that posts the restore with the record's version the page showed, so that a
/// change made meanwhile is not silently undone. Who may edit the record may restore it (Core decides).
/// </summary>
[Authorize(Policy = Policies.Edit)]
public sealed class RestoreModel(HistoryQueries history, EditorQueries queries, RecordEditor editor, CurrentAccess current) : HistoryPage
{
    /// <summary>The version to restore: its change set (the address's <c>version</c>).</summary>
    [BindProperty(SupportsGet = true)]
    public long Version { get; set; }

    /// <summary>The record's version (its concurrency token) when the page was shown, posted back with the restore.</summary>
    [BindProperty]
    public int RecordVersion { get; set; }

    public VersionDiff? Diff { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused)
        {
            return refused;
        }

        RecordVersion = await queries.CurrentVersionAsync(new RecordRef(ParsedType!.Value, Id), ct) ?? 0;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused)
        {
            return refused;
        }

        try
        {
            var result = await editor.RestoreVersionAsync(await current.RequireAsync(), new RecordRef(ParsedType!.Value, Id), Version, RecordVersion, ct);
            return LocalRedirect(HistoryLink($"?restored={result.ChangeSetId ?? Version}"));
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
        catch (RecordNotFoundException)
        {
            return NotFound();
        }
        catch (EditConflictException e)
        {
            // Someone saved the record after this page was shown: nothing was restored. The comparison is read again,
            // so the person confirms against the record as it is now.
            Message = T("history.restore_conflict", e.CurrentVersion);
            RecordVersion = e.CurrentVersion;
            ModelState.Remove(nameof(RecordVersion));
            return await LoadAsync(ct) ?? Page();
        }
        catch (RuleViolationException e)
        {
            Message = T("history.restore_refused", string.Join("; ", e.Violations.Select(v => $"{v.Field}: {Error("rule." + v.Code, v.Message)}")));
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
        if (!await queries.CanEditAsync(await current.RequireAsync(), new RecordRef(type, Id), ct))
        {
            return Forbid();
        }

        var latest = await history.LatestAsync(type, Id, ct);
        Diff = latest is null ? null : await history.DiffAsync(type, Id, latest.ChangeSetId, Version, ct);
        return Diff is null ? NotFound() : null;
    }
}
