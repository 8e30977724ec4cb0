using System.Globalization;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Html;

using Passerelle.Core.Common;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Portal;

/// <summary>
/// Renders sourced values: each value with its footnote marker; disagreeing sources side by side. The words (Not
/// known, sources disagree, Source n) are the page's, reached through its <see cref="SourceNotes"/>; numbers, amounts
/// and dates are written in the page's culture.
/// </summary>
public static class FactHtml
{
    /// <summary>A value no source gives, in the page's words (<see cref="PortalPage.NotKnown"/>).</summary>
    public static IHtmlContent NotKnown(string text) =>
        new HtmlString($"<span class=\"unknown\">{HtmlEncoder.Default.Encode(text)}</span>");

    /// <summary>
    /// An address that may become a link: absolute http or https only. Anything else (javascript:, data:, a relative
    /// path) is shown as text, never as an href, whatever wrote it (a source's address is not checked on save).
    /// </summary>
    public static string? WebAddress(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? url : null;

    /// <summary>A value as a link when it is a web address (<see cref="WebAddress"/>), else as text; always encoded.</summary>
    public static IHtmlContent Link(string? url, string text) => WebAddress(url) is { } href
        ? new HtmlString($"<a href=\"{HtmlEncoder.Default.Encode(href)}\" rel=\"external noopener\">{HtmlEncoder.Default.Encode(text)}</a>")
        : new HtmlString(HtmlEncoder.Default.Encode(text));

    public static IHtmlContent Marker(SourceNotes notes, FactView fact)
    {
        var n = notes.Cite(fact.Source, fact.Note);
        return Reference(notes, n, fact.Source);
    }

    /// <summary>The footnote marker [n] of a source already numbered on the page, linking to its entry in the list.</summary>
    public static IHtmlContent Reference(SourceNotes notes, int n, SourceRef source)
    {
        var title = HtmlEncoder.Default.Encode(source.Title);
        var label = HtmlEncoder.Default.Encode(notes.Page.T("portal.sources.marker", n, source.Title));
        return new HtmlString($"<sup class=\"cite\"><a href=\"#source-{n}\" title=\"{title}\" aria-label=\"{label}\">[{n}]</a></sup>");
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
            return notes.Page.NotKnown();
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
            builder.AppendHtml(" <span class=\"disagree\">").Append(notes.Page.T("portal.sources.disagree")).AppendHtml("</span>");
        }

        return builder;
    }

    public static Func<string, string> Money(CultureInfo culture) => value =>
        decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            ? FormatMoney(amount, culture)
            : value;

    /// <summary>
    /// An amount in euros as the language writes one: its separators, and the currency code where the language puts
    /// it (EUR 3,908,751 in English, 3 908 751 EUR in French, EUR 3.908.751 in Dutch, 3.908.751 EUR in German), as the
    /// EU's Interinstitutional Style Guide does. Cents only when there are any.
    /// </summary>
    public static string FormatMoney(decimal amount, CultureInfo culture)
    {
        var number = amount.ToString(amount == decimal.Truncate(amount) ? "N0" : "N2", culture);
        // .NET's currency patterns say where the symbol goes: 0 "$n" and 2 "$ n" before, 1 "n$" and 3 "n $" after.
        return culture.NumberFormat.CurrencyPositivePattern is 0 or 2 ? "EUR\u00a0" + number : number + "\u00a0EUR";
    }

    public static Func<string, string> Number(CultureInfo culture, string? unit = null) => value =>
        decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? number.ToString(number == decimal.Truncate(number) ? "N0" : "N1", culture) + (unit is null ? "" : "\u00a0" + unit)
            : value;

    public static Func<string, string> Date(CultureInfo culture) => value =>
        PartialDate.IsValid(value) ? PartialDate.Format(value, culture) : value;

    /// <summary>A percentage as a source states it ("50%", "60.5 %"), written as the language writes one (50 % in French).</summary>
    public static Func<string, string> Percent(CultureInfo culture) => value =>
        decimal.TryParse(value.Trim().TrimEnd('%').TrimEnd(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent)
            ? (percent / 100m).ToString(percent == decimal.Truncate(percent) ? "P0" : "P1", culture)
            : value;
}
