using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Organisations;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Organisations;

public sealed class DetailsModel(OrganisationQueries organisations, TerritoryQueries territories) : PortalPage
{
    public OrganisationDetails Organisation { get; private set; } = null!;

    /// <summary>The municipality whose name is the city a source gives, when exactly one matches.</summary>
    public (string Code, string Name)? Municipality { get; private set; }

    /// <summary>Whether maps and computed figures can be shown: the territory index may still be building, or the database have no territories.</summary>
    public TerritoryAvailability Territories { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await organisations.GetAsync(slug, ct) is not { } organisation)
        {
            return NotFound();
        }

        Organisation = organisation;
        Territories = territories.Availability;
        if (Territories == TerritoryAvailability.Available)
        {
            Municipality = await territories.MunicipalityNamedAsync(organisation.Summary.City, organisation.Summary.Country, ct);
        }

        return Page();
    }
}
