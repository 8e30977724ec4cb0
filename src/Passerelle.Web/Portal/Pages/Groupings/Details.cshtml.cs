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

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await groupings.GetAsync(slug, ct) is not { } grouping)
        {
            return NotFound();
        }

        Grouping = grouping;
        if (!territories.IsReady)
        {
            TerritoryPreparing = true;
            return Page();
        }

        Profiles = await territories.ProfilesAsync(slug, ct);
        return Page();
    }
}
