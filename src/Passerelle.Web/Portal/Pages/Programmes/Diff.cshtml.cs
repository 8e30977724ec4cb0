using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Editions;

namespace Passerelle.Web.Portal.Pages.Programmes;

/// <summary>What changed between two editions of a programme's list of operations: operations added, removed, and changed field by field.</summary>
public sealed class DiffModel(EditionService editions) : PortalPage
{
    public EditionProgramme Programme { get; private set; } = null!;
    public EditionDiff Diff { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, int from, int to, CancellationToken ct)
    {
        if (await editions.ListAsync(slug, ct) is not { } list || await editions.DiffAsync(slug, from, to, ct) is not { } diff)
        {
            return NotFound();
        }

        Programme = list.Programme;
        Diff = diff;
        return Page();
    }

    /// <summary>A field's label in the page's language; its header as the edition wrote it when the interface has no label for it.</summary>
    public string Field(string key, string header) => HasText(EditionText.FieldKey(key)) ? T(EditionText.FieldKey(key)) : header;

    public string? Value(object? value) => EditionText.Value(value, Culture);
}
