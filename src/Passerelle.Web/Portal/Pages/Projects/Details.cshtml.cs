using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Projects;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Projects;

public sealed class DetailsModel(ProjectQueries projects, PartnerMaps partnerMaps) : PortalPage
{
    public ProjectDetails Project { get; private set; } = null!;

    /// <summary>The partners placed for the map: at their coordinates, or approximately at their municipality.</summary>
    public PartnerMap Partners { get; private set; } = new([], 0);

    /// <summary>Where a partner is placed, by organisation slug (null: not known).</summary>
    public PlaceLocation? LocationOf(string slug) => Partners.Partners.FirstOrDefault(p => p.Slug == slug)?.Location;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await projects.GetAsync(slug, ct) is not { } project)
        {
            return NotFound();
        }

        Project = project;
        Partners = await partnerMaps.ForProjectAsync(slug, ct) ?? Partners;
        return Page();
    }
}
