using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Editing;
using Passerelle.Core.History;

namespace Passerelle.Web.Areas.Admin.Pages.History;

/// <summary>A record's versions, newest first: who, when, what changed from what to what, with which source.</summary>
public sealed class IndexModel(HistoryQueries history, EditorQueries queries, CurrentAccess current) : HistoryPage
{
    public const int PageSize = 20;

    /// <summary>Versions older than this change set (the next page).</summary>
    [BindProperty(SupportsGet = true)]
    public long? Before { get; set; }

    /// <summary>Versions newer than this change set (the previous page).</summary>
    [BindProperty(SupportsGet = true)]
    public long? After { get; set; }

    /// <summary>The version a restore just made (after the redirect from the restore page).</summary>
    [BindProperty(SupportsGet = true)]
    public long? Restored { get; set; }

    public VersionPage Versions { get; private set; } = null!;

    /// <summary>Whether the signed-in person may restore versions of this record: whoever may edit it (the editing service's scope).</summary>
    public bool CanRestore { get; private set; }

    /// <summary>The record's newest version: it is what the record shows, there is nothing to restore.</summary>
    public long? Latest { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (ParsedType is not { } type || await history.VersionsAsync(type, Id, Before, After, PageSize, ct) is not { } page)
        {
            return NotFound();
        }

        (Versions, Subject) = (page, page.Subject);
        Latest = (await history.LatestAsync(type, Id, ct))?.ChangeSetId;
        CanRestore = await queries.CanEditAsync(await current.RequireAsync(), new RecordRef(type, Id), ct);
        return Page();
    }

    public string RankText(VersionChange c) => c switch
    {
        { Action: RevisionAction.Reranked, OldRank: { } from, NewRank: { } to } => T("history.rank_moved", from + 1, to + 1),
        { Action: RevisionAction.Added, NewRank: 0 } => T("history.rank_first"),
        { Action: RevisionAction.Added, NewRank: { } rank } => T("history.rank_at", rank + 1),
        _ => "",
    };
}
