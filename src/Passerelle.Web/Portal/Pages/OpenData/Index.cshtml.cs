using System.Globalization;

using Microsoft.Extensions.Options;

using Passerelle.Core.Common;
using Passerelle.Core.OpenData.Catalog;

namespace Passerelle.Web.Portal.Pages.OpenData;

/// <summary>
/// Every dataset, format and API of the open data, from the same description as the DCAT-AP catalogue (so the page and
/// /catalog never disagree), with the licences and the attribution the boundaries require.
/// </summary>
public sealed class IndexModel(CatalogQueries queries, IOptions<CatalogOptions> options) : PortalPage
{
    public DataCatalog Catalog { get; private set; } = null!;

    public CatalogOptions Options => options.Value;

    public async Task OnGetAsync(CancellationToken ct) => Catalog = await queries.GetAsync(ct);

    /// <summary>A catalogue text in the page's language (a programme's name in it where a source gives it).</summary>
    public string Text(CatalogText text) => text.In(Lang, new PageTexts(this));

    private sealed class PageTexts(PortalPage page) : ICatalogTexts
    {
        public string Format(string language, string key, params object?[] args) => page.T(key, args);
    }

    /// <summary>A day as the portal writes dates in the page's language (1 May 2016, 1 mai 2016).</summary>
    public string Day(DateTime at) => PartialDate.Format(at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Culture);
}
