using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Common;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;

namespace Passerelle.Web.Portal.Pages.Projects;

public sealed class IndexModel(ProjectQueries projects, OrganisationQueries organisations) : PortalPage
{
    public Paged<ProjectListItem> Result { get; private set; } = null!;

    /// <summary>The partner whose projects are listed (its slug and name), or null for every project.</summary>
    public (string Slug, string Name)? Partner { get; private set; }

    /// <summary>
    /// Every project, or (<paramref name="organisation"/>) those of one published partner: an organisation's page shows
    /// its first <see cref="OrganisationQueries.ParticipationLimit"/> and links here for all of them.
    /// </summary>
    public async Task<IActionResult> OnGetAsync(int? p, string? after, string? before, string? organisation, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(organisation))
        {
            if (await organisations.NameAsync(organisation, ct) is not { } name)
            {
                return NotFound();
            }

            Partner = (organisation, name);
        }

        Result = await projects.ListAsync(
            new ProjectFilter(Organisation: Partner?.Slug), new PageRequest(Math.Max(p ?? 1, 1), 50, PageCursor.Parse(after, before)), ct);
        return Page();
    }
}
