using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Programmes;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Programmes;

public sealed class DetailsModel(ProgrammeQueries programmes, TerritoryQueries territories) : PortalPage
{
    public ProgrammeDetails Programme { get; private set; } = null!;
    public IReadOnlyList<ProgrammeAreaUnitView> Area { get; private set; } = [];

    /// <summary>Whether maps and computed figures can be shown: the territory index may still be building, or the database have no territories.</summary>
    public TerritoryAvailability Territories => territories.Availability;

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
