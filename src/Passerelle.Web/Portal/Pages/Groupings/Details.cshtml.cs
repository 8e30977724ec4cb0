using Microsoft.AspNetCore.Mvc;
using Passerelle.Core.Groupings;

namespace Passerelle.Web.Portal.Pages.Groupings;

public sealed class DetailsModel(GroupingQueries groupings) : PortalPage
{
    public GroupingDetails Grouping { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await groupings.GetAsync(slug, ct) is not { } grouping)
        {
            return NotFound();
        }

        Grouping = grouping;
        return Page();
    }
}
