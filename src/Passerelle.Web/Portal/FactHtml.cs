using System.Globalization;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Html;

using Passerelle.Core.Common;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Portal;

/// <summary>Renders sourced values: each value with its footnote marker; disagreeing sources side by side.</summary>
public static class FactHtml
{
    public static IHtmlContent NotKnown() => new HtmlString("<span class=\"unknown\">Not known</span>");

    /// <summary>
    /// An address that may become a link: absolute http or https only. Anything else (javascript:, data:, a relative
    /// path) is shown as text, never as an href, whatever wrote it (a source's address is not checked on save).
    /// </summary>
    public static string? WebAddress(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? url : null;

    /// <summary>A value as a link when it is a web address (<see cref="WebAddress"/>), else as text; always encoded.</summary>
    public static IHtmlContent Link(string? url, string text)
    {
        var builder = new HtmlContentBuilder();
        if (WebAddress(url) is { } href)
        {
            return builder.AppendHtml("<a href=\"").Append(href).AppendHtml("\" rel=\"external noopener\">").Append(text).AppendHtml("</a>");
        }

        return builder.Append(text);
    }

    /// <summary>A list of plain values joined by commas (encoded), or "Not known" when empty.</summary>
    public static IHtmlContent List(IReadOnlyCollection<string> values) =>
        values.Count == 0 ? NotKnown() : new HtmlContentBuilder().Append(string.Join(", ", values));

    public static IHtmlContent Marker(SourceNotes notes, FactView fact)
    {
        var n = notes.Cite(fact.Source, fact.Note);
        var title = HtmlEncoder.Default.Encode(fact.Source.Title);
        return new HtmlString($"<sup class=\"cite\"><a href=\"#source-{n}\" title=\"{title}\" aria-label=\"Source {n}: {title}\">[{n}]</a></sup>");
    }

    /// <summary>
    /// Every value the sources give for <paramref name="field"/>, in display order, each with its marker. Equal
    /// values from several sources are shown once with several markers; different values are all shown.
    /// </summary>
    public static IHtmlContent Values(SourceNotes notes, FactSheet sheet, FieldDefinition field, Func<string, string>? format = null) =>
        Values(notes, sheet, field.Name, format);

    /// <inheritdoc cref="Values(SourceNotes, FactSheet, FieldDefinition, Func{string, string}?)"/>
    public static IHtmlContent Values(SourceNotes notes, FactSheet sheet, string field, Func<string, string>? format = null)
    {
        var facts = sheet[field];
        if (facts.Count == 0)
        {
            return NotKnown();
        }

        var builder = new HtmlContentBuilder();
        var groups = facts.GroupBy(f => f.Value).ToList();
        for (var i = 0; i < groups.Count; i++)
        {
            if (i > 0)
            {
                builder.AppendHtml("<span class=\"sep\"> · </span>");
            }

            builder.AppendHtml("<span class=\"value\">");
            builder.Append(format is null ? groups[i].Key : format(groups[i].Key));
            foreach (var fact in groups[i])
            {
                builder.AppendHtml(Marker(notes, fact));
            }

            builder.AppendHtml("</span>");
        }

        if (groups.Count > 1)
        {
            builder.AppendHtml(" <span class=\"disagree\">(sources disagree)</span>");
        }

        return builder;
    }

    public static Func<string, string> Money(CultureInfo culture) => value =>
        decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            ? FormatMoney(amount, culture)
            : value;

    public static string FormatMoney(decimal amount, CultureInfo culture) =>
        "EUR " + amount.ToString(amount == decimal.Truncate(amount) ? "N0" : "N2", culture);

    public static Func<string, string> Number(CultureInfo culture, string? unit = null) => value =>
        decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? number.ToString(number == decimal.Truncate(number) ? "N0" : "N1", culture) + (unit is null ? "" : "\u00a0" + unit)
            : value;

    public static Func<string, string> Date(CultureInfo culture) => value =>
        PartialDate.IsValid(value) ? PartialDate.Format(value, culture) : value;

    /// <summary>The label of a field the page does not lay out itself, from the field registry.</summary>
    public static string Label(string field) => Fields.Label(field);
}
