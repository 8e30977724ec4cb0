using Microsoft.AspNetCore.Mvc;
using Passerelle.Core.Organisations;

namespace Passerelle.Web.Portal.Pages.Organisations;

public sealed class DetailsModel(OrganisationQueries organisations) : PortalPage
{
    public OrganisationDetails Organisation { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await organisations.GetAsync(slug, ct) is not { } organisation)
        {
            return NotFound();
        }

        Organisation = organisation;
        return Page();
    }
}
