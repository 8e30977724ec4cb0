using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Programmes;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Programmes;

public sealed class DetailsModel(ProgrammeQueries programmes, TerritoryQueries territories) : PortalPage
{
    public ProgrammeDetails Programme { get; private set; } = null!;
    public IReadOnlyList<ProgrammeAreaUnitView> Area { get; private set; } = [];

    /// <summary>
    /// The database has no territories: the programme areas come with them (territory import), so an empty area means
    /// "not loaded", not "no source".
    /// </summary>
    public bool TerritoriesMissing => territories.Availability == TerritoryAvailability.Missing;

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
