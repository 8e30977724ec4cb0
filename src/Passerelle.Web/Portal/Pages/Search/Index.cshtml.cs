using System.Text;

using Passerelle.Core.Groupings;
using Passerelle.Core.Search;
using Passerelle.Web.Api;

namespace Passerelle.Web.Portal.Pages.Search;

/// <summary>
/// The search page: a GET form, so every search (words, ticked filters, sort, page) is an address that can be shared
/// and works without JavaScript. Facet values are both checkboxes (to tick several, then submit; js/search.js submits
/// at each tick) and links (one click). Each dimension shows its <see cref="TopValues"/> most frequent values and
/// links to all of them (<c>expand=region</c>), so the filter column stays short however many regions there are.
/// </summary>
public sealed class IndexModel(SearchIndex index) : PortalPage
{
    public const int PageSize = 20;

    /// <summary>Values shown per dimension until the visitor asks for all of them.</summary>
    public const int TopValues = 8;

    public SearchQuery? Query { get; private set; }
    public SearchResult? Result { get; private set; }
    public string? Error { get; private set; }

    /// <summary>The dimension whose values are all shown (the <c>expand</c> parameter), if any.</summary>
    public SearchFacet? Expanded { get; private set; }

    /// <summary>The search index is still being prepared (503).</summary>
    public bool NotReady { get; private set; }

    public async Task OnGetAsync(string? q, string? sort, int? page, string? expand, CancellationToken ct)
    {
        // A display choice, not a filter: an unknown dimension shows every list at its top values.
        Expanded = expand is null ? null : SearchFacets.Parse(expand);
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

        // Only the values shown are labelled and sorted (a programme list has hundreds at Kohesio's scale).
        Result = await index.SearchAsync(query! with { FacetLimit = TopValues, FacetExpanded = Expanded }, ct);
    }

    public bool IsSelected(SearchFacet facet, string value) =>
        Query?.Filters?.GetValueOrDefault(facet)?.Contains(value) ?? false;

    /// <summary>
    /// The values shown for a dimension: all when it is expanded, else its <see cref="TopValues"/> most frequent
    /// ones and every ticked value (a ticked value must stay visible to be unticked).
    /// </summary>
    /// <summary>How many values <paramref name="facet"/> has for this search, shown or not.</summary>
    public int Size(SearchFacet facet) => Result!.FacetSizes[facet.Name()];

    /// <summary>This search's address with every value of <paramref name="facet"/> shown, or with the top values only (null).</summary>
    public string ExpandLink(SearchFacet? facet) =>
        Address(Query!.Filters!.ToDictionary(f => f.Key, f => f.Value.ToList()), Query.Sort, Query.Page, facet);
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

        return Address(filters, Query.Sort, 1, Expanded);
    }

    /// <summary>The statistics of the projects this search finds: the same words and filters on /statistics.</summary>
    public string StatisticsLink => Link("/statistics") + StatisticsParameters.QueryString(Query!);

    public string PageLink(int page) => Address(Query!.Filters!.ToDictionary(f => f.Key, f => f.Value.ToList()), Query.Sort, page, Expanded);

    private string Address(IReadOnlyDictionary<SearchFacet, List<string>> filters, SearchSort sort, int page, SearchFacet? expand)
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

        if (expand is { } expanded)
        {
            parts.Add("expand=" + expanded.Name());
        }

        var address = new StringBuilder(Link("/search"));
        if (parts.Count > 0)
        {
            address.Append('?').AppendJoin('&', parts);
        }

        return address.ToString();
    }

    /// <summary>A result's page; a place's is the eligibility finder's answer for it (the programmes and groupings covering it).</summary>
    public string HitLink(SearchHit hit) => Link(hit.Type switch
    {
        SearchDocType.Programme => $"/programmes/{hit.Slug}",
        SearchDocType.Project => $"/projects/{hit.Slug}",
        SearchDocType.Grouping => $"/groupings/{hit.Slug}",
        SearchDocType.Territory when hit.Kind == "municipality" => $"/eligibility?lau={Uri.EscapeDataString(hit.Slug)}",
        SearchDocType.Territory => $"/eligibility?nuts={Uri.EscapeDataString(hit.Slug)}",
        _ => $"/organisations/{hit.Slug}",
    });

    /// <summary>What a result is, in the page's language: its type, or for a grouping and a place its kind.</summary>
    public string KindLabel(SearchHit hit) => hit.Type switch
    {
        SearchDocType.Programme => T("portal.search.kind.programme"),
        SearchDocType.Project => T("portal.search.kind.project"),
        SearchDocType.Grouping when hit.Kind == GroupingKinds.Egtc => T("portal.search.kind.egtc"),
        SearchDocType.Grouping => T("portal.search.kind.grouping"),
        SearchDocType.Territory => hit.Kind switch
        {
            "country" => T("portal.search.kind.country"),
            "nuts1" => T("portal.search.kind.nuts1"),
            "nuts2" => T("portal.search.kind.nuts2"),
            "nuts3" => T("portal.search.kind.nuts3"),
            _ => T("portal.search.kind.municipality"),
        },
        _ => T("portal.search.kind.organisation"),
    };

    /// <summary>"12 results for “lille”", in the page's language.</summary>
    public string ResultsLine()
    {
        var total = Result!.Total.ToString("N0", Culture);
        var key = Result.Total == 1 ? "portal.search.result" : "portal.search.results";
        return string.IsNullOrWhiteSpace(Query?.Text) ? T(key, total) : T(key + "_for", total, Query.Text);
    }

    /// <summary>A dimension's title.</summary>
    public string FacetTitle(SearchFacet facet) => T("portal.search.facet." + facet.Name());

    /// <summary>
    /// A filter value's name in the page's language: the index labels themes and regions in each language; the fixed
    /// values (types, kinds of programme, grouping and place, statuses, roles, budget bands) and countries are named
    /// here, from their codes.
    /// </summary>
    public string FacetLabel(SearchFacet facet, FacetCount count)
    {
        var bare = count.Value.Replace("-", "", StringComparison.Ordinal);
        var key = facet switch
        {
            SearchFacet.Type => "portal.search.type." + count.Value,
            SearchFacet.Kind when HasText("portal.programmekind." + bare) => "portal.programmekind." + bare,
            SearchFacet.Kind => "portal.search.kind." + bare,
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
}
