using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Programmes;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Programmes;

public sealed class DetailsModel(ProgrammeQueries programmes, TerritoryQueries territories) : PortalPage
{
    public ProgrammeDetails Programme { get; private set; } = null!;
    public IReadOnlyList<ProgrammeAreaUnitView> Area { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await programmes.GetAsync(slug, ct) is not { } programme)
        {
            return NotFound();
        }

        Programme = programme;
        Area = await territories.ProgrammeAreaAsync(slug, ct);
        return Page();
    }
}
