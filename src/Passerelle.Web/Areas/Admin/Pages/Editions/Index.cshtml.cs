using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Editing;
using Passerelle.Core.Editions;

namespace Passerelle.Web.Areas.Admin.Pages.Editions;

/// <summary>
/// A programme's editions of its list of operations in the back office: every signed-in user sees them and the warning
/// when the next is overdue; the programme's editors and administrators publish the next one (Core checks the scope).
/// </summary>
public sealed class IndexModel(EditionService editions, EditorQueries queries, CurrentAccess current) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public int Id { get; set; }

    public ProgrammeEditions Editions { get; private set; } = null!;

    public bool CanPublish { get; private set; }

    public bool IsPublished { get; private set; }

    public string? Message { get; private set; }

    /// <summary>The number of the edition just published (after the redirect).</summary>
    [BindProperty(SupportsGet = true)]
    public int? Published { get; set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostPublishAsync()
    {
        var access = await current.RequireAsync();
        try
        {
            var edition = await editions.PublishAsync(access, Id, HttpContext.RequestAborted);
            return LocalRedirect(Link($"/programmes/{Id}/editions?published={edition.Number}"));
        }
        catch (RecordNotFoundException)
        {
            return NotFound();
        }
        catch (RuleViolationException e)
        {
            Message = string.Join(" ", e.Violations.Select(v => Error("rule." + v.Code, v.Message)));
        }

        return await LoadAsync() ? Page() : NotFound();
    }

    public string When(DateTime at) => Portal.Pages.Programmes.EditionText.When(at, Culture);

    public string Day(DateTime at) => Portal.Pages.Programmes.EditionText.Day(at, Culture);

    private async Task<bool> LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        var found = await queries.GetProgrammeAsync(await current.RequireAsync(), Id, ct);
        if (found is null || await editions.ListAsync(Id, ct) is not { } list)
        {
            return false;
        }

        Editions = list;
        CanPublish = found.CanEdit;
        IsPublished = found.Record.IsPublished && found.Record.DeletedAt is null;
        return true;
    }
}
