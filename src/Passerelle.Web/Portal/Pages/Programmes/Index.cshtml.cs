using Passerelle.Core.Common;
using Passerelle.Core.Programmes;

namespace Passerelle.Web.Portal.Pages.Programmes;

public sealed class IndexModel(ProgrammeQueries programmes) : PortalPage
{
    public Paged<ProgrammeListItem> Result { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Result = await programmes.ListAsync(new PageRequest(1, PageRequest.MaxSize), ct);
}
