using Passerelle.Core.Common;
using Passerelle.Core.Organisations;

namespace Passerelle.Web.Portal.Pages.Organisations;

public sealed class IndexModel(OrganisationQueries organisations) : PortalPage
{
    public Paged<OrganisationListItem> Result { get; private set; } = null!;

    public async Task OnGetAsync(int? p, string? after, string? before, CancellationToken ct) =>
        Result = await organisations.ListAsync(null, new PageRequest(Math.Max(p ?? 1, 1), PageRequest.MaxSize, PageCursor.Parse(after, before)), ct);
}
