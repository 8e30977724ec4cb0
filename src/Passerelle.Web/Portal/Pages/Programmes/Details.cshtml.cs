using Microsoft.AspNetCore.Mvc;
using Passerelle.Core.Programmes;

namespace Passerelle.Web.Portal.Pages.Programmes;

public sealed class DetailsModel(ProgrammeQueries programmes) : PortalPage
{
    public ProgrammeDetails Programme { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await programmes.GetAsync(slug, ct) is not { } programme)
        {
            return NotFound();
        }

        Programme = programme;
        return Page();
    }
}
