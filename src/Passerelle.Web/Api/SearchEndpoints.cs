using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Common;
using Passerelle.Core.Search;

namespace Passerelle.Web.Api;

/// <summary>The query string of GET /api/v1/search; the portal's /search takes the same names.</summary>
public sealed record SearchApiParameters(
    string? Q,
    string[]? Type,
    string[]? Programme,
    string[]? Period,
    string[]? Kind,
    string[]? Theme,
    string[]? Country,
    string[]? Status,
    string[]? Role,
    string[]? Budget,
    string[]? Region,
    string? Sort,
    string? Page,
    string? PageSize,
    string? Lang,
    string? FacetLimit,
    string? Expand)
{
    public string[]? Values(SearchFacet facet) => facet switch
    {
        SearchFacet.Type => Type,
        SearchFacet.Programme => Programme,
        SearchFacet.Period => Period,
        SearchFacet.Kind => Kind,
        SearchFacet.Theme => Theme,
        SearchFacet.Country => Country,
        SearchFacet.Status => Status,
        SearchFacet.Role => Role,
        SearchFacet.Budget => Budget,
        SearchFacet.Region => Region,
        _ => null,
    };
}

/// <summary>Validation shared by the API and the portal page, so one address means the same search in both.</summary>
public static class SearchParameters
{
    private static readonly IReadOnlyList<string> TypeValues = SearchFacets.TypeValues;

    public static (SearchQuery? Query, string? Error) Parse(
        string? q, Func<SearchFacet, IReadOnlyList<string>?> values, string? sort, int? page, int? pageSize, string? lang, int defaultPageSize)
    {
        if (SearchSorts.Parse(sort) is not { } parsedSort)
        {
            return (null, $"sort must be one of {string.Join(", ", SearchSorts.Names)}");
        }

        if (SearchQuery.Validate(page ?? 1, pageSize ?? defaultPageSize) is { } paging)
        {
            return (null, paging);
        }

        if (lang is not null && !LocalizedText.Languages.Contains(lang))
        {
            return (null, $"lang must be one of {string.Join(", ", LocalizedText.Languages)}");
        }

        var filters = new Dictionary<SearchFacet, IReadOnlyList<string>>();
        foreach (var facet in SearchFacets.All)
        {
            var selected = values(facet)?.Where(v => !string.IsNullOrWhiteSpace(v)).Distinct(StringComparer.Ordinal).ToList();
            if (selected is not { Count: > 0 })
            {
                continue;
            }

            if (selected.Count > 50 || selected.Any(v => v.Length > 100))
            {
                return (null, $"{facet.Name()} takes at most 50 values of at most 100 characters");
            }

            if (facet == SearchFacet.Type && selected.FirstOrDefault(v => !TypeValues.Contains(v)) is { } badType)
            {
                return (null, $"type '{badType}' is not one of {string.Join(", ", TypeValues)}");
            }

            filters[facet] = selected;
        }

        if (q is { Length: > 200 })
        {
            return (null, "q must be at most 200 characters");
        }

        return (new SearchQuery(q, filters, parsedSort, page ?? 1, pageSize ?? defaultPageSize, lang ?? "en"), null);
    }
}

/// <summary>The API's answer; <paramref name="FacetSizes"/> says how many values each facet has in all.</summary>
public sealed record SearchResponse(
    IReadOnlyList<SearchHit> Items,
    int Page,
    int PageSize,
    int Total,
    IReadOnlyDictionary<string, IReadOnlyList<FacetCount>> Facets,
    IReadOnlyDictionary<string, int> FacetSizes);

public static class SearchEndpoints
{
    public const int MaxFacetLimit = 10_000;

    /// <summary>facetLimit and expand: how many values each facet lists, and the one facet listed in full.</summary>
    public static (int Limit, SearchFacet? Expand, string? Error) ParseFacetDisplay(string? facetLimit, string? expand)
    {
        // Without facetLimit every value is listed, as v1 always answered (README, API versioning: additive only).
        var limit = SearchQuery.AllFacetValues;
        if (facetLimit is not null
            && (!int.TryParse(facetLimit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit)
                || limit is < 1 or > MaxFacetLimit))
        {
            return (0, null, $"facetLimit must be a whole number between 1 and {MaxFacetLimit}");
        }

        SearchFacet? expanded = null;
        if (expand is not null && (expanded = SearchFacets.Parse(expand)) is null)
        {
            return (0, null, $"expand must be one of {string.Join(", ", SearchFacets.All.Select(f => f.Name()))}");
        }

        return (limit, expanded, null);
    }

    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
#pragma warning disable RDG002 // a handler left to the runtime on purpose (RuntimeBound)
        app.MapGroup("/api/v1/search").WithTags("Search").WithApiConventions()
#pragma warning restore RDG002
            .MapGet("/", RuntimeBound.Handler(async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> (
                [AsParameters] SearchApiParameters p, SearchIndex index, HttpContext http, CancellationToken ct) =>
            {
                // Paging errors first, with their own code, as on every list route.
                var (page, pageSize, pagingError) = ApiPaging.ParseNumbers(p.Page, p.PageSize);
                if ((pagingError ?? SearchQuery.Validate(page!.Value, pageSize!.Value)) is { } paging)
                {
                    return ApiErrors.BadRequest(ErrorCodes.InvalidPaging, paging);
                }

                var (query, error) = SearchParameters.Parse(p.Q, p.Values, p.Sort, page, pageSize, p.Lang, PageRequest.DefaultSize);
                var (facetLimit, expand, facetError) = ParseFacetDisplay(p.FacetLimit, p.Expand);
                error ??= facetError;
                if (error is not null)
                {
                    return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, error);
                }

                // The index is built in the background after a start; a request never waits for it.
                if (!index.IsReady)
                {
                    return Readiness.NotReady(http, SearchNotReadyException.ErrorCode,
                        $"The search index is being prepared; try again in {Readiness.RetryAfterSeconds} seconds.");
                }

                var result = await index.SearchAsync(query! with { FacetLimit = facetLimit, FacetExpanded = expand }, ct);
                return TypedResults.Ok(new SearchResponse(result.Items, result.Page, result.PageSize, result.Total, result.Facets, result.FacetSizes));
            }))
            .WithName("Search")
            .WithSummary("Search programmes, groupings, projects, organisations and places")
            .WithDescription(
                "Full text in English, French, Dutch and German (case- and accent-insensitive, stemmed, typo-tolerant, " +
                "the last word as a prefix; names also one letter off from four letters: lile finds Lille). " +
                "type: programme, grouping, project, organisation, territory (a country, NUTS region or municipality; slug is its code). " +
                "Without q, only the registry's records are listed unless type asks for territories. Filters repeat a parameter for several values (theme=water&theme=biodiversity: " +
                "either); different parameters must all hold. Each facet's counts ignore its own filter. " +
                "sort: relevance, start-desc, start-asc, budget-desc, budget-asc. " +
                $"Each facet lists every value it counts, or with facetLimit (1 to {MaxFacetLimit}) only that many, the most frequent, plus every ticked one; " +
                "expand names one facet to list in full whatever facetLimit says; facetSizes gives each facet's number of values. " +
                $"Paging: page × pageSize at most {SearchQuery.MaxWindow} (400 invalid_paging beyond); a page after the last hit has no items.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
