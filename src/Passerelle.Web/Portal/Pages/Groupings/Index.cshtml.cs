using Passerelle.Core.Common;
using Passerelle.Core.Groupings;

namespace Passerelle.Web.Portal.Pages.Groupings;

public sealed class IndexModel(GroupingQueries groupings) : PortalPage
{
    public Paged<GroupingListItem> Result { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Result = await groupings.ListAsync(new PageRequest(1, PageRequest.MaxSize), ct);
}
