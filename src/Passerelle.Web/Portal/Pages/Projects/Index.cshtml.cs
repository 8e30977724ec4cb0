using Passerelle.Core.Common;
using Passerelle.Core.Projects;

namespace Passerelle.Web.Portal.Pages.Projects;

public sealed class IndexModel(ProjectQueries projects) : PortalPage
{
    public Paged<ProjectListItem> Result { get; private set; } = null!;

    public async Task OnGetAsync(int? p, string? after, string? before, CancellationToken ct)
    {
        Result = await projects.ListAsync(new ProjectFilter(), new PageRequest(Math.Max(p ?? 1, 1), 50, PageCursor.Parse(after, before)), ct);
    }
}
