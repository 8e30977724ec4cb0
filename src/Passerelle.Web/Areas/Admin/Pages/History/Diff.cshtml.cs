using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.History;

namespace Passerelle.Web.Areas.Admin.Pages.History;

/// <summary>Two versions of a record side by side, field by field: the values at each, and whether they changed.</summary>
public sealed class DiffModel(HistoryQueries history) : HistoryPage
{
    [BindProperty(SupportsGet = true)]
    public long? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? To { get; set; }

    /// <summary>Show the fields that did not change too.</summary>
    [BindProperty(SupportsGet = true)]
    public bool All { get; set; }

    public VersionDiff? Diff { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (ParsedType is not { } type || await history.SubjectAsync(type, Id, ct) is not { } subject)
        {
            return NotFound();
        }

        Subject = subject;
        if (From is null || To is null)
        {
            // Two versions are needed: back to the list, where they are chosen.
            return Page();
        }

        // The older version on the left, whichever radio button was which.
        var (from, to) = From <= To ? (From.Value, To.Value) : (To.Value, From.Value);
        Diff = await history.DiffAsync(type, Id, from, to, ct);
        return Diff is null ? NotFound() : Page();
    }

    public string Query(bool all) => $"/diff?from={Diff!.From.ChangeSetId}&to={Diff.To.ChangeSetId}" + (all ? "&all=true" : "");
}
