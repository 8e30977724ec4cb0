using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Html;

namespace Passerelle.Web.Portal.Pages.Statistics;

/// <summary>
/// One bar of a chart: its label (in <paramref name="LabelLanguage"/> when that is not the page's), the value the bar
/// draws and how it reads, and optionally a second value drawn under it (EU funding under the total budget). A null
/// value draws no bar: its text says it is not known.
/// </summary>
public sealed record ChartBar(string Label, string? LabelLanguage, decimal? Value, string ValueText, decimal? Second = null, string? SecondText = null);

/// <summary>
/// A horizontal bar chart as server-rendered SVG: no script, readable at any width. Widths are percentages of the
/// chart's own width and text keeps its size, so a phone shows the same chart narrower rather than smaller. Each row is
/// its label, then its bar(s), each followed by its value; the chart has a title and a description for assistive
/// technology, and the page follows it with the table of its figures.
/// </summary>
public static class BarChart
{
    private const int LabelLine = 18;
    private const int Bar = 12;
    private const int Gap = 3;
    private const int RowGap = 16;
    private const int MaxLabel = 48;

    /// <summary>The longest bar, in percent of the width: the rest is room for the value after it.</summary>
    private const decimal Longest = 55m;

    public static IHtmlContent Render(string id, string title, string description, IReadOnlyList<ChartBar> bars, IReadOnlyList<string> legend)
    {
        var twoSeries = bars.Any(b => b.SecondText is not null);
        var max = bars.SelectMany(b => new[] { b.Value, b.Second }).Where(v => v is > 0).Select(v => v!.Value).DefaultIfEmpty(0m).Max();
        var svg = new StringBuilder();
        var y = 0;
        foreach (var (item, i) in legend.Select((l, i) => (l, i)))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"{y + 3}\" width=\"14\" height=\"12\" class=\"{(i == 0 ? "bar-1" : "bar-2")}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"20\" y=\"{y + 14}\">{Encode(item)}</text>");
            y += LabelLine + 2;
        }

        if (legend.Count > 0)
        {
            y += RowGap / 2;
        }

        foreach (var bar in bars)
        {
            var label = bar.Label.Length <= MaxLabel ? bar.Label : bar.Label[..(MaxLabel - 1)] + "…";
            var lang = bar.LabelLanguage is null ? "" : $" lang=\"{Encode(bar.LabelLanguage)}\"";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 14}\" class=\"chart-label\"{lang}>{Encode(label)}");
            if (label != bar.Label)
            {
                svg.Append("<title>").Append(Encode(bar.Label)).Append("</title>");
            }

            svg.Append("</text>");
            y += LabelLine;
            AppendBar(svg, ref y, bar.Value, bar.ValueText, max, "bar-1");
            if (twoSeries)
            {
                y += Gap;
                AppendBar(svg, ref y, bar.Second, bar.SecondText ?? "", max, "bar-2");
            }

            y += RowGap;
        }

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"100%\" height=\"{Math.Max(y, 1)}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">");
        html.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{Encode(title)}</title>");
        html.Append(CultureInfo.InvariantCulture, $"<desc id=\"{id}-desc\">{Encode(description)}</desc>");
        html.Append(svg).Append("</svg>");
        return new HtmlString(html.ToString());
    }

    private static void AppendBar(StringBuilder svg, ref int y, decimal? value, string text, decimal max, string css)
    {
        var width = value is > 0 && max > 0 ? Math.Max(0.5m, Math.Round(value.Value / max * Longest, 2)) : 0m;
        var w = width.ToString("0.##", CultureInfo.InvariantCulture);
        if (width > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"{y}\" width=\"{w}%\" height=\"{Bar}\" class=\"{css}\"/>");
        }

        // The value follows the bar's end (x in percent, then a few pixels).
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{w}%\" dx=\"{(width > 0 ? 5 : 0)}\" y=\"{y + Bar - 1}\" class=\"chart-value\">{Encode(text)}</text>");
        y += Bar;
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
