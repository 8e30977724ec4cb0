using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Organisations;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Organisations;

public sealed class DetailsModel(OrganisationQueries organisations, TerritoryQueries territories) : PortalPage
{
    public OrganisationDetails Organisation { get; private set; } = null!;

    /// <summary>The municipality whose name is the city a source gives, when exactly one matches.</summary>
    public (string Code, string Name)? Municipality { get; private set; }

    /// <summary>The territory index that finds the municipality is still being built.</summary>
    public bool MapPreparing { get; private set; }

    /// <summary>The database has no territories, so the city's municipality cannot be shown: the page says how to add them.</summary>
    public bool TerritoriesMissing { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await organisations.GetAsync(slug, ct) is not { } organisation)
        {
            return NotFound();
        }

        Organisation = organisation;
        switch (territories.Availability)
        {
            case TerritoryAvailability.Preparing:
                MapPreparing = organisation.Summary.City is not null;
                return Page();
            case TerritoryAvailability.Missing:
                TerritoriesMissing = organisation.Summary.City is not null;
                return Page();
        }

        Municipality = await territories.MunicipalityNamedAsync(organisation.Summary.City, organisation.Summary.Country, ct);
        return Page();
    }
}
