using System.Globalization;

using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Common;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Search;
using Passerelle.Core.Statistics;

namespace Passerelle.Web.Api;

/// <summary>The query string of GET /api/v1/statistics: the search's words and filters (the portal's /statistics takes the same).</summary>
public sealed record StatisticsApiParameters(
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
    string? Lang)
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

/// <summary>
/// The statistics' filters: the search's (so a search's address, on /statistics, gives the figures of what it found),
/// checked as the search checks them, and, for the dimensions whose values are a fixed list, against that list: a
/// misspelt status is an error here rather than a silent "0 projects".
/// </summary>
public static class StatisticsParameters
{
    private static readonly Dictionary<SearchFacet, string[]> Closed = new()
    {
        [SearchFacet.Type] = ["project"],
        [SearchFacet.Status] = ["planned", "ongoing", "closed", "unknown"],
        [SearchFacet.Budget] = ["unknown", "lt-100k", "100k-1m", "1m-5m", "gt-5m"],
        [SearchFacet.Kind] = ["cross-border", "transnational", "interregional", "network"],
        [SearchFacet.Role] = ["lead-partner", "partner", "associated-partner"],
    };

    public static (SearchQuery? Query, string? Error) Parse(string? q, Func<SearchFacet, IReadOnlyList<string>?> values, string? lang)
    {
        var (query, error) = SearchParameters.Parse(q, values, null, null, null, lang, PageRequest.DefaultSize);
        if (error is not null)
        {
            return (null, error);
        }

        foreach (var (facet, selected) in query!.Filters!)
        {
            if (Closed.TryGetValue(facet, out var allowed) && selected.FirstOrDefault(v => !allowed.Contains(v)) is { } bad)
            {
                return (null, facet == SearchFacet.Type
                    ? $"statistics are of projects: type can only be 'project', not '{Shorten(bad)}'"
                    : $"{facet.Name()} '{Shorten(bad)}' is not one of {string.Join(", ", allowed)}");
            }

            if (facet == SearchFacet.Country && selected.Select(CountryCodes.Problem).OfType<string>().FirstOrDefault() is { } problem)
            {
                return (null, "country " + problem);
            }
        }

        return (query, null);
    }

    /// <summary>The query string of a statistics or search address for these words and filters (no sort, no page), or "".</summary>
    public static string QueryString(SearchQuery query)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            parts.Add("q=" + Uri.EscapeDataString(query.Text));
        }

        foreach (var facet in SearchFacets.All)
        {
            if (facet != SearchFacet.Type && query.Filters?.GetValueOrDefault(facet) is { } values)
            {
                parts.AddRange(values.Select(v => facet.Name() + "=" + Uri.EscapeDataString(v)));
            }
        }

        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

public static class StatisticsEndpoints
{
    private const string FiltersDescription =
        "Filters are the search's (GET /api/v1/search): q for words, and programme, period, kind, theme, country, status, " +
        "role, budget, region, each repeatable (values of one parameter: either; different parameters: all). The figures " +
        "are those of the projects the search finds (published records only). lang (en, fr, nl, de) chooses the labels' language. ";

    private const string FiguresDescription =
        "Amounts are in EUR, the value each project shows first where sources disagree; a sum says how many values it " +
        "adds (known) and how many projects have none (unknown, never counted as 0), and cites the sources of the values " +
        "summed. A budget belongs to the year its project starts. A row whose value is null counts the projects (or " +
        "partners) without one. Budgets by country are by the lead partner's country; themes, and projects by country, " +
        "region and partner type, overlap (a project counts in each of its values).";

    public static RouteGroupBuilder MapStatisticsEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/statistics").WithTags("Statistics");

#pragma warning disable RDG002 // a handler left to the runtime on purpose (RuntimeBound)
        group.MapGet("/", RuntimeBound.Handler(async Task<Results<Ok<StatisticsReport>, ProblemHttpResult>> (
#pragma warning restore RDG002
            [AsParameters] StatisticsApiParameters p, StatisticsService statistics, SearchIndex index, HttpContext http, CancellationToken ct) =>
        {
            var (query, error) = StatisticsParameters.Parse(p.Q, p.Values, p.Lang);
            if (error is not null)
            {
                return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, error);
            }

            if (!index.IsReady)
            {
                return NotReady(http);
            }

            return TypedResults.Ok(await statistics.ReportAsync(query!, ct));
        }))
        .WithName("GetStatistics")
        .WithSummary("Totals and breakdowns of the projects a search finds")
        .WithDescription(FiltersDescription + FiguresDescription + " Each chart's table: GET /api/v1/statistics/{chart}.csv (or .xlsx).")
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

#pragma warning disable RDG002 // a handler left to the runtime on purpose (RuntimeBound)
        group.MapGet("/{chart}.{format}", RuntimeBound.Handler(async Task<Results<PushStreamHttpResult, ProblemHttpResult>> (
#pragma warning restore RDG002
            string chart, string format, [AsParameters] StatisticsApiParameters p, StatisticsService statistics, SearchIndex index,
            TimeProvider clock, HttpContext http, CancellationToken ct) =>
        {
            if (ExportFormats.Parse(format) is not { } f || f is not (ExportFormat.Csv or ExportFormat.Xlsx))
            {
                return ApiErrors.BadRequest(ErrorCodes.UnsupportedFormat, $"'{format}' is not a format of the statistics' tables; use csv or xlsx.");
            }

            if (!StatisticsCharts.All.Contains(chart))
            {
                return ApiErrors.Problem(StatusCodes.Status404NotFound, ErrorCodes.NotFound,
                    $"No chart is called '{(chart.Length <= 40 ? chart : chart[..40] + "…")}'; the charts are {string.Join(", ", StatisticsCharts.All)}.");
            }

            var (query, error) = StatisticsParameters.Parse(p.Q, p.Values, p.Lang);
            if (error is not null)
            {
                return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, error);
            }

            if (!index.IsReady)
            {
                return NotReady(http);
            }

            var report = await statistics.ReportAsync(query!, ct);
            var day = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var fileName = $"passerelle-statistics-{chart}-{day}.{f.Extension()}";
            if (report.Budget(chart) is { } budget)
            {
                return TypedResults.Stream(body => ExportRunner.WriteAsync(f, body, StatisticsTables.BudgetColumns(report.Sources),
                    StatisticsTables.Rows(budget, report.Total).ToAsyncEnumerable(), "Statistics", null, ct), ExportRunner.ContentType(f), fileName);
            }

            var count = report.Count(chart)!;
            return TypedResults.Stream(body => ExportRunner.WriteAsync(f, body, StatisticsTables.CountColumns,
                StatisticsTables.Rows(count).ToAsyncEnumerable(), "Statistics", null, ct), ExportRunner.ContentType(f), fileName);
        }))
        .WithName("GetStatisticsTable")
        .WithSummary("One chart's table of the statistics (csv, xlsx)")
        .WithDescription(
            $"chart: {string.Join(", ", StatisticsCharts.All)}. " + FiltersDescription +
            "Columns: row (value, not-known, or total: the total closes the table of a breakdown whose rows do not overlap), " +
            "value, label, then projects with total budget and EU funding (sum, known, not known) and the sources' titles, or count.")
        .Produces(StatusCodes.Status200OK, null, "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return api;
    }

    private static ProblemHttpResult NotReady(HttpContext http) =>
        Readiness.NotReady(http, SearchNotReadyException.ErrorCode,
            $"The search index, which the statistics count on, is being prepared; try again in {Readiness.RetryAfterSeconds} seconds.");
}
