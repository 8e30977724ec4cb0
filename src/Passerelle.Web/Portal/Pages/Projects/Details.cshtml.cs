using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Projects;

namespace Passerelle.Web.Portal.Pages.Projects;

public sealed class DetailsModel(ProjectQueries projects) : PortalPage
{
    public ProjectDetails Project { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await projects.GetAsync(slug, ct) is not { } project)
        {
            return NotFound();
        }

        Project = project;
        return Page();
    }
}
