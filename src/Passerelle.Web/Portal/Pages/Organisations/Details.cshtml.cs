using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Organisations;

public sealed class DetailsModel(OrganisationQueries organisations, TerritoryQueries territories, GroupingQueries groupings) : PortalPage
{
    public OrganisationDetails Organisation { get; private set; } = null!;

    /// <summary>The municipality whose name is the city a source gives, when exactly one matches.</summary>
    public (string Code, string Name)? Municipality { get; private set; }

    /// <summary>The names of the groupings the organisation is a member authority of (the record has their slugs).</summary>
    public IReadOnlyDictionary<string, LocalizedText> MemberOf { get; private set; } = new Dictionary<string, LocalizedText>();

    /// <summary>Whether maps and computed figures can be shown: the territory index may still be building, or the database have no territories.</summary>
    public TerritoryAvailability Territories { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await organisations.GetAsync(slug, ct) is not { } organisation)
        {
            return NotFound();
        }

        Organisation = organisation;
        MemberOf = await groupings.NamesAsync(organisation.MemberOf, ct);
        Territories = territories.Availability;
        if (Territories == TerritoryAvailability.Available)
        {
            Municipality = await territories.MunicipalityNamedAsync(organisation.Summary.City, organisation.Summary.Country, ct);
        }

        return Page();
    }
}
