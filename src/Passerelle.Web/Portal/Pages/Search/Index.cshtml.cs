using System.Text;

using Passerelle.Core.Search;
using Passerelle.Web.Api;

namespace Passerelle.Web.Portal.Pages.Search;

/// <summary>
/// The search page: a GET form, so every search (words, ticked filters, sort, page) is an address that can be shared
/// and works without JavaScript. Facet values are both checkboxes (to tick several, then submit) and links (one click).
/// </summary>
public sealed class IndexModel(SearchIndex index) : PortalPage
{
    public const int PageSize = 20;

    public SearchQuery? Query { get; private set; }
    public SearchResult? Result { get; private set; }
    public string? Error { get; private set; }

    /// <summary>The search index is still being prepared (503).</summary>
    public bool NotReady { get; private set; }

    public async Task OnGetAsync(string? q, string? sort, int? page, CancellationToken ct)
    {
        var (query, error) = SearchParameters.Parse(
            q, f => Request.Query[f.Name()].OfType<string>().ToList(), sort, page, PageSize, Lang, PageSize);
        if (error is not null)
        {
            Error = error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Query = query;
        if (!index.IsReady)
        {
            // Built in the background after a start: say so rather than make the visitor wait for it.
            NotReady = true;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Readiness.SetRetryAfter(Response);
            return;
        }

        Result = await index.SearchAsync(query!, ct);
    }

    public bool IsSelected(SearchFacet facet, string value) =>
        Query?.Filters?.GetValueOrDefault(facet)?.Contains(value) ?? false;

    /// <summary>This search's address with one filter value ticked or unticked, back on page 1.</summary>
    public string ToggleLink(SearchFacet facet, string value)
    {
        var filters = Query!.Filters!.ToDictionary(f => f.Key, f => f.Value.ToList());
        if (!filters.TryGetValue(facet, out var values))
        {
            filters[facet] = values = [];
        }

        if (!values.Remove(value))
        {
            values.Add(value);
        }

        return Address(filters, Query.Sort, 1);
    }

    /// <summary>The statistics of the projects this search finds: the same words and filters on /statistics.</summary>
    public string StatisticsLink => Link("/statistics") + StatisticsParameters.QueryString(Query!);

    public string PageLink(int page) => Address(Query!.Filters!.ToDictionary(f => f.Key, f => f.Value.ToList()), Query.Sort, page);

    private string Address(IReadOnlyDictionary<SearchFacet, List<string>> filters, SearchSort sort, int page)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(Query!.Text))
        {
            parts.Add("q=" + Uri.EscapeDataString(Query.Text));
        }

        // Dimensions in a fixed order so one search has one address.
        foreach (var facet in SearchFacets.All)
        {
            if (filters.TryGetValue(facet, out var values))
            {
                parts.AddRange(values.Select(v => facet.Name() + "=" + Uri.EscapeDataString(v)));
            }
        }

        if (sort != SearchSort.Relevance)
        {
            parts.Add("sort=" + sort.Name());
        }

        if (page > 1)
        {
            parts.Add("page=" + page);
        }

        var address = new StringBuilder(Link("/search"));
        if (parts.Count > 0)
        {
            address.Append('?').AppendJoin('&', parts);
        }

        return address.ToString();
    }

    /// <summary>"12 results for “lille”", in the page's language.</summary>
    public string ResultsLine()
    {
        var total = Result!.Total.ToString("N0", Culture);
        var key = Result.Total == 1 ? "portal.search.result" : "portal.search.results";
        return string.IsNullOrWhiteSpace(Query?.Text) ? T(key, total) : T(key + "_for", total, Query.Text);
    }

    /// <summary>
    /// A filter value's name in the page's language: the index labels themes and regions in each language; the fixed
    /// values (types, kinds, statuses, roles, budget bands) and countries are named here, from their codes.
    /// </summary>
    public string FacetLabel(SearchFacet facet, FacetCount count)
    {
        var bare = count.Value.Replace("-", "", StringComparison.Ordinal);
        var key = facet switch
        {
            SearchFacet.Type => "portal.search.type." + count.Value,
            SearchFacet.Kind => "portal.programmekind." + bare,
            SearchFacet.Status => "portal.projectstatus." + bare,
            SearchFacet.Role => "portal.participationrole." + bare,
            SearchFacet.Budget => "portal.search.budget." + bare,
            _ => null,
        };
        return facet == SearchFacet.Country && count.Value != "unknown" ? Country(count.Value)
            : count.Value == "unknown" ? T("portal.not_known")
            : key is not null && HasText(key) ? T(key)
            : count.Label;
    }

    /// <summary>The line under a result's title: an organisation's country by name (the index stores its code).</summary>
    public string Subtitle(SearchHit hit)
    {
        var parts = hit.Subtitle!.Split(" · ");
        if (hit.Type == SearchDocType.Organisation && parts.Length > 0 && parts[0].Length == 2 && Core.Common.CountryCodes.IsValid(parts[0]))
        {
            parts[0] = Country(parts[0]);
        }

        return string.Join(" · ", parts);
    }

    public string HitLink(SearchHit hit) => Link(hit.Type switch
    {
        SearchDocType.Programme => $"/programmes/{hit.Slug}",
        SearchDocType.Project => $"/projects/{hit.Slug}",
        _ => $"/organisations/{hit.Slug}",
    });
}
