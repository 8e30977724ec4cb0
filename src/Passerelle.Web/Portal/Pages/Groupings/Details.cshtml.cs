using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Groupings;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Groupings;

public sealed class DetailsModel(GroupingQueries groupings, TerritoryQueries territories) : PortalPage
{
    public GroupingDetails Grouping { get; private set; } = null!;
    public IReadOnlyList<TerritoryProfile> Profiles { get; private set; } = [];

    /// <summary>The territory index is still being built: the computed figures and the map come once it is.</summary>
    public bool TerritoryPreparing { get; private set; }

    /// <summary>The database has no territories: nothing can be computed, and the page says how to add them.</summary>
    public bool TerritoriesMissing { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await groupings.GetAsync(slug, ct) is not { } grouping)
        {
            return NotFound();
        }

        Grouping = grouping;
        switch (territories.Availability)
        {
            case TerritoryAvailability.Preparing:
                TerritoryPreparing = true;
                return Page();
            case TerritoryAvailability.Missing:
                TerritoriesMissing = true;
                return Page();
        }

        Profiles = await territories.ProfilesAsync(slug, ct);
        return Page();
    }
}
