using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Html;

using Passerelle.Core.Search;
using Passerelle.Core.Sources;
using Passerelle.Core.Statistics;
using Passerelle.Web.Api;

namespace Passerelle.Web.Portal.Pages.Statistics;

/// <summary>
/// The statistics page: totals and charts of the projects a search finds (no filters: every project). It takes the
/// search's query string, so the search page links here with its own; a GET page that works without JavaScript.
/// </summary>
public sealed class IndexModel(StatisticsService statistics, SearchIndex index) : PortalPage
{
    /// <summary>A chart draws this many rows with a value at most; the others are one bar (the table lists each).</summary>
    public const int ChartRows = 15;

    /// <summary>A table cell lists this many sources at most; the chart's source line and the page's list have all.</summary>
    private const int MarkersPerCell = 6;

    private Dictionary<string, SourceRef>? _sources;

    public SearchQuery? Query { get; private set; }
    public StatisticsReport? Report { get; private set; }
    public string? Error { get; private set; }

    /// <summary>The search index is still being prepared (503).</summary>
    public bool NotReady { get; private set; }

    /// <summary>The words and filters as a query string ("?q=...&amp;theme=..." or "").</summary>
    public string QueryString => Query is null ? "" : StatisticsParameters.QueryString(Query);

    public bool Filtered => QueryString.Length > 0;

    public async Task OnGetAsync(string? q, CancellationToken ct)
    {
        var (query, error) = StatisticsParameters.Parse(q, f => Request.Query[f.Name()].OfType<string>().ToList(), Lang);
        if (error is not null)
        {
            Error = error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Query = query;
        if (!index.IsReady)
        {
            NotReady = true;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Readiness.SetRetryAfter(Response);
            return;
        }

        Report = await statistics.ReportAsync(query!, ct);
    }

    /// <summary>A chart's table as a file: the API's address for the same words and filters, labels in the page's language.</summary>
    public string TableLink(string chart, string format = "csv") =>
        $"/api/v1/statistics/{chart}.{format}{QueryString}{(QueryString.Length == 0 ? "?" : "&")}lang={Lang}";

    public string SearchLink => Link("/search") + QueryString;

    /// <summary>The text of a key made of a prefix and a code ("budget-by-year" → stats.chart.budget_by_year).</summary>
    public string TKey(string prefix, string code) => T(prefix + "." + code.Replace('-', '_'));

    public string Money(decimal amount) => FactHtml.FormatMoney(amount, Culture);

    public string Number(int n) => n.ToString("N0", Culture);

    /// <summary>
    /// How a sum reads: the amount, or "not known" when every value it would add is unknown. A sum over no project at
    /// all (a year in which none started) is a true 0.
    /// </summary>
    public string SumText(AmountFigure figure) => figure is { Known: 0, Unknown: > 0 } ? T("stats.not_known") : Money(figure.Sum);

    /// <summary>A row's label in the page's language: the record's name, a code's human name, or what the row lacks.</summary>
    public string Label(string chart, string? value, string? label)
    {
        if (value is null)
        {
            return TKey("stats.none", chart);
        }

        return chart switch
        {
            "budget-by-programme" => label is null ? value : $"{label} ({value})",
            "budget-by-country" or "projects-by-country" or "partners-by-country" => CountryName(value),
            "projects-by-type" or "partners-by-type" => TKey("stats.type", value),
            _ => label ?? value,
        };
    }

    /// <summary>A country's name in the page's language where the interface text has it, else its code.</summary>
    public string CountryName(string code)
    {
        var key = $"stats.country.{code.ToLowerInvariant()}";
        var name = T(key);
        return name == key ? code : name;
    }

    /// <summary>A filter as people read it: its dimension and its values.</summary>
    public IEnumerable<(string Name, string Values)> FilterSummary()
    {
        if (Query is null)
        {
            yield break;
        }

        if (!string.IsNullOrWhiteSpace(Query.Text))
        {
            yield return (T("stats.filter.q"), $"“{Query.Text}”");
        }

        foreach (var facet in SearchFacets.All)
        {
            if (facet == SearchFacet.Type || Query.Filters?.GetValueOrDefault(facet) is not { Count: > 0 } values)
            {
                continue;
            }

            yield return (T($"stats.filter.{facet.Name()}"), string.Join(", ", values.Select(v => FilterValue(facet, v))));
        }
    }

    private string FilterValue(SearchFacet facet, string value)
    {
        switch (facet)
        {
            case SearchFacet.Country:
                return CountryName(value);
            case SearchFacet.Status or SearchFacet.Kind or SearchFacet.Role or SearchFacet.Budget:
                return TKey($"stats.value.{facet.Name()}", value);
            case SearchFacet.Theme:
                return Report?.Budget("budget-by-theme")?.Rows.FirstOrDefault(r => r.Value == value)?.Label ?? value;
            case SearchFacet.Programme:
                return Report?.Budget("budget-by-programme")?.Rows.FirstOrDefault(r => r.Value == value)?.Label is { } name ? $"{name} ({value})" : value;
            case SearchFacet.Region:
                return Report?.Count("projects-by-region")?.Rows.FirstOrDefault(r => r.Value == value)?.Label ?? value;
            default:
                return value;
        }
    }

    /// <summary>
    /// The bars a chart draws: its rows with a value, the smaller ones beyond <see cref="ChartRows"/> together as one
    /// bar (years are never merged: a year chart shows each year), then the row without a value.
    /// </summary>
    public IReadOnlyList<ChartBar> Bars(BudgetBreakdown breakdown)
    {
        var known = breakdown.Rows.Where(r => r.Value is not null).ToList();
        var bars = new List<ChartBar>();
        var shown = breakdown.Dimension == BudgetDimension.Year || known.Count <= ChartRows + 1 ? known : known.Take(ChartRows).ToList();
        bars.AddRange(shown.Select(r => BudgetBar(Label(breakdown.Key, r.Value, r.Label), r.LabelLanguage, r.Budget, r.EuFunding)));
        if (shown.Count < known.Count)
        {
            var rest = known.Skip(shown.Count).ToList();
            bars.Add(BudgetBar(T("stats.others", Number(rest.Count)), null, Merge(rest.Select(r => r.Budget)), Merge(rest.Select(r => r.EuFunding))));
        }

        if (breakdown.Rows.FirstOrDefault(r => r.Value is null) is { } none)
        {
            bars.Add(BudgetBar(Label(breakdown.Key, null, null), null, none.Budget, none.EuFunding));
        }

        return bars;
    }

    public IReadOnlyList<ChartBar> Bars(CountBreakdown breakdown)
    {
        var known = breakdown.Rows.Where(r => r.Value is not null).ToList();
        var shown = known.Count <= ChartRows + 1 ? known : known.Take(ChartRows).ToList();
        var bars = shown.Select(r => new ChartBar(Label(breakdown.Key, r.Value, r.Label), r.LabelLanguage, r.Count, Number(r.Count))).ToList();
        if (shown.Count < known.Count)
        {
            var rest = known.Skip(shown.Count).Sum(r => r.Count);
            bars.Add(new ChartBar(T("stats.others", Number(known.Count - shown.Count)), null, rest, Number(rest)));
        }

        if (breakdown.Rows.FirstOrDefault(r => r.Value is null) is { } none)
        {
            bars.Add(new ChartBar(Label(breakdown.Key, null, null), null, none.Count, Number(none.Count)));
        }

        return bars;
    }

    private ChartBar BudgetBar(string label, string? language, AmountFigure budget, AmountFigure eu) => new(
        label, language, budget.Known == 0 ? null : budget.Sum, SumText(budget), eu.Known == 0 ? null : eu.Sum, SumText(eu));

    private static AmountFigure Merge(IEnumerable<AmountFigure> figures)
    {
        var list = figures.ToList();
        return new AmountFigure(list.Sum(f => f.Sum), list.Sum(f => f.Known), list.Sum(f => f.Unknown), [.. list.SelectMany(f => f.Sources).Distinct()]);
    }

    /// <summary>Footnote markers for sources, numbered in the page's source list; a long list ends with "+ n".</summary>
    public IHtmlContent Markers(IEnumerable<string> keys, int? limit = MarkersPerCell)
    {
        _sources ??= Report!.Sources.ToDictionary(s => s.Key, StringComparer.Ordinal);
        // Every source is cited (so the page's list has them all), then shown in the list's order.
        var cited = keys.Distinct().Select(k => _sources.GetValueOrDefault(k)).OfType<SourceRef>()
            .Select(s => (Source: s, Number: Notes.Cite(s))).OrderBy(c => c.Number).ToList();
        var builder = new HtmlContentBuilder();
        foreach (var (source, n) in limit is { } l ? cited.Take(l) : cited)
        {
            var title = HtmlEncoder.Default.Encode(source.Title);
            var aria = HtmlEncoder.Default.Encode(T("stats.source_n", n, source.Title));
            builder.AppendHtml($"<sup class=\"cite\"><a href=\"#source-{n}\" title=\"{title}\" aria-label=\"{aria}\">[{n}]</a></sup>");
        }

        if (limit is { } max && cited.Count > max)
        {
            builder.AppendHtml("<span class=\"sub\"> ").Append(T("stats.more_sources", Number(cited.Count - max))).AppendHtml("</span>");
        }

        return builder;
    }
}
