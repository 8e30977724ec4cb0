using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;

using Passerelle.Core.Common;
using Passerelle.Core.Registry;
using Passerelle.Web.Localization;

namespace Passerelle.Web.Portal;

/// <summary>
/// Base of every portal page: the language (from the address), the interface's words in it (T), the human names of the
/// registry's codes (kinds, roles, statuses, levels, countries), and the page's source notes.
/// </summary>
public abstract partial class PortalPage : PageModel
{
    private Language? _language;
    private SourceNotes? _notes;

    /// <summary>
    /// The page's language: the address's language segment (/fr/projects), else English. The error page, reached by
    /// re-execution at /error/404, takes it from the address the visitor asked for, so /fr/no-such-page is answered in French.
    /// </summary>
    public Language Language => _language ??=
        Language.Find(RouteData.Values[LanguageRouteConvention.RouteKey] as string) ?? Language.OfPath(RequestedPath) ?? Language.Default;

    public string Lang => Language.Code;

    public CultureInfo Culture => Language.Culture;

    /// <summary>Numbered sources of the page's values (its words for "Not known" and the markers come from the page).</summary>
    public SourceNotes Notes => _notes ??= new SourceNotes(this);

    private UiText Texts => HttpContext.RequestServices.GetRequiredService<UiText>();

    /// <summary>
    /// The address the visitor asked for: the request's, or on the error page the one that failed (the status-code
    /// pages and the exception handler re-execute the request at /error).
    /// </summary>
    public string RequestedPath =>
        HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath
        ?? HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path
        ?? HttpContext.Request.Path.Value ?? "/";

    private string RequestedQuery =>
        HttpContext.Features.Get<IStatusCodeReExecuteFeature>() is { } reExecuted ? reExecuted.OriginalQueryString ?? ""
        : HttpContext.Features.Get<IExceptionHandlerPathFeature>() is not null ? ""
        : HttpContext.Request.QueryString.Value ?? "";

    /// <summary>The interface text for a key in the page's language (Localization/{en,fr,nl,de}.json).</summary>
    public string T(string key) => Texts.Get(Lang, key);

    /// <summary>A text with {0}-style arguments, formatted in the page's language.</summary>
    public string T(string key, params object?[] args) => Texts.Format(Lang, key, args);

    /// <summary>Whether the interface texts have a key (for the names of codes that may have none: the code is shown then).</summary>
    public bool HasText(string key) => Texts.Has(key);

    /// <summary>A link within the portal in the page's language: with a language segment when the page's address has one.</summary>
    public string Link(string path) => Language.OfPath(RequestedPath) is null ? path : $"/{Lang}{(path == "/" ? "" : path)}";

    /// <summary>
    /// This page in another language: the same address with that language's segment, with its query string, so
    /// that the switch keeps the search, the filters and the page number.
    /// </summary>
    public string LanguageLink(Language language) => "/" + language.Code + TrimRoot(Language.WithoutSegment(RequestedPath)) + RequestedQuery;

    private static string TrimRoot(string path) => path == "/" ? "" : path;

    public LocalizedValue? Text(LocalizedText? text) => text?.Resolve(Lang);

    /// <summary>
    /// Of a field written in each language (a description), the one to show: the page's language when a source gives
    /// it, else the first language that has one (shown marked with its lang); null when none has.
    /// </summary>
    public FieldDefinition? Pick(Core.Sources.FactSheet sheet, LocalizedField field) =>
        sheet.Has(field[Lang]) ? field[Lang] : field.All.FirstOrDefault(sheet.Has);

    /// <summary>A value no source gives.</summary>
    public IHtmlContent NotKnown() => FactHtml.NotKnown(T("portal.not_known"));

    /// <summary>Plain values joined by commas, or "Not known" when there are none.</summary>
    public IHtmlContent List(IReadOnlyCollection<string> values) =>
        values.Count == 0 ? NotKnown() : Encoded(string.Join(", ", values));

    /// <summary>A country's name in the page's language; the code itself for a country the interface texts do not name.</summary>
    public string Country(string code)
    {
        var key = "portal.country." + code.ToLowerInvariant();
        return HasText(key) ? T(key) : code;
    }

    /// <summary>Countries' names joined by commas, or "Not known".</summary>
    public IHtmlContent Countries(IReadOnlyCollection<string> codes) => List(codes.Select(Country).ToList());

    /// <summary>A country's name, or "Not known" when no source gives it.</summary>
    public IHtmlContent CountryOrNotKnown(string? code) =>
        code is null ? NotKnown() : Encoded(Country(code));

    /// <summary>
    /// The human name of a value of one of the registry's enums (a programme's kind, a partner's role, a project's
    /// status, an organisation's legal status, a territory unit's level): key portal.{type}.{value}, e.g.
    /// portal.programmekind.crossborder. A test checks that every value of these enums has one.
    /// </summary>
    public string Label<TEnum>(TEnum value) where TEnum : struct, Enum => T(EnumKey(value));

    public static string EnumKey<TEnum>(TEnum value) where TEnum : struct, Enum =>
        $"portal.{typeof(TEnum).Name.ToLowerInvariant()}.{value.ToString().ToLowerInvariant()}";

    /// <summary>
    /// The name of a code kept as text in the registry (a grouping member's level, a programme area's role, a legal
    /// form, a perimeter): portal.{group}.{code}; the code itself when the interface texts do not name it.
    /// </summary>
    public string CodeName(string group, string code)
    {
        var key = $"portal.{group}.{KeyPart(code)}";
        return HasText(key) ? T(key) : code;
    }

    /// <summary>
    /// A programme priority as a source codes it: "axe3" (the FWV programme pages' label for its third priority axis)
    /// is "Priority axis 3" in the page's language; any other wording is shown as the source gives it.
    /// </summary>
    public string PriorityName(string value) =>
        PriorityAxis().Match(value) is { Success: true } axis ? T("portal.priority_axis", axis.Groups[1].Value) : value;

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:axe|axis|as|achse)\s*([0-9]{1,2})$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex PriorityAxis();

    /// <summary>An EU fund's name in the page's language with its abbreviation there (ERDF is FEDER in French); the code otherwise.</summary>
    public string FundName(string code) => CodeName("fund", code);

    /// <summary>A field's label in the page's language (the back office's field.* texts); the registry's label otherwise.</summary>
    public string FieldLabel(string field)
    {
        var definition = Fields.All.FirstOrDefault(f => f.Name == field);
        var bare = definition?.Language is null ? field : field[..field.LastIndexOf('.')];
        var key = "field." + bare;
        var label = HasText(key) ? T(key) : definition?.Label ?? field;
        return definition?.Language is { } language ? T("portal.in_language", label, LanguageName(language)) : label;
    }

    /// <summary>
    /// How a sourced value of a field is written in the page's language, by the field's kind: amounts, numbers, dates
    /// and percentages with the language's separators, countries and legal statuses by name; null (as the source
    /// words it) for text.
    /// </summary>
    public Func<string, string>? Formatter(string field, string? unit = null)
    {
        var kind = Fields.All.FirstOrDefault(f => f.Name == field)?.Kind;
        return kind switch
        {
            FieldKind.Amount => FactHtml.Money(Culture),
            FieldKind.Count or FieldKind.Number => FactHtml.Number(Culture, unit),
            FieldKind.Date => FactHtml.Date(Culture),
            FieldKind.Percent => FactHtml.Percent(Culture),
            FieldKind.Country => code => Country(code),
            FieldKind.LegalStatus => value => Enum.TryParse<Core.Organisations.LegalStatus>(value, ignoreCase: true, out var status) ? Label(status) : value,
            _ => null,
        };
    }

    /// <summary>A language's name in the page's language ("néerlandais" on a French page).</summary>
    public string LanguageName(string code) => T("portal.language." + code);

    /// <summary>
    /// A text shown in its own language: marked with its lang (for screen readers, translation tools and the check
    /// that no English interface text is left), and, when it is not the page's language, followed by which language it is.
    /// </summary>
    public IHtmlContent LocalizedWithNote(LocalizedValue? value) =>
        value is null ? NotKnown()
        : value.Language == Lang ? Marked(value)
        : new HtmlString($"{Marked(value)} <span class=\"fallback\">{Encode(T("portal.fallback", LanguageName(value.Language)))}</span>");

    /// <summary>A text marked with its own language when it is not the page's, without a note (titles, links, short names).</summary>
    public IHtmlContent Localized(LocalizedValue? value, string? otherwise = null) =>
        value is null ? Encoded(otherwise ?? "")
        : value.Language == Lang ? Encoded(value.Text)
        : Marked(value);

    // Immutable HTML: Razor moves the content of an HtmlContentBuilder when it writes it, so a builder shown twice
    // would be empty the second time.
    private static HtmlString Marked(LocalizedValue value) => new($"<span lang=\"{Encode(value.Language)}\">{Encode(value.Text)}</span>");

    private static HtmlString Encoded(string text) => new(Encode(text));

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    private static string KeyPart(string code)
    {
        var builder = new StringBuilder(code.Length);
        foreach (var c in code.Trim().ToLowerInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>The page that renders a partial view: partials take their words from it.</summary>
    public static PortalPage? Of(ViewContext context) =>
        context.ViewData.Model as PortalPage ?? context.HttpContext.Features.Get<PortalPage>();

    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        HttpContext.Features.Set(this);
        base.OnPageHandlerExecuting(context);
    }
}
