using System.Globalization;

namespace Passerelle.Core.Common;

/// <summary>
/// A language of the portal and of the registry's texts: its code (the address segment, /fr/projects, and the key of a
/// <see cref="LocalizedText"/>), the culture its numbers and dates are written in, and its name in itself (for the
/// language switch). <see cref="All"/> is the one list of supported languages: the route constraint, the interface
/// texts, the search analysers, Accept-Language negotiation and the back office's checks all derive from it.
/// </summary>
public sealed record Language(string Code, string CultureName, string NativeName)
{
    public static readonly Language English = new("en", "en-GB", "English");

    // Belgian French and Dutch: the cooperation area's own conventions (they write numbers and dates as France and the
    // Netherlands do). German as in Germany, whose formats the German-speaking Community of Belgium shares.
    public static readonly Language French = new("fr", "fr-BE", "Français");
    public static readonly Language Dutch = new("nl", "nl-BE", "Nederlands");
    public static readonly Language German = new("de", "de-DE", "Deutsch");

    /// <summary>Every supported language, English first (the default and the fallback of interface texts).</summary>
    public static readonly IReadOnlyList<Language> All = [English, French, Dutch, German];

    /// <summary>The codes of <see cref="All"/>, in its order.</summary>
    public static readonly IReadOnlyList<string> Codes = [.. All.Select(l => l.Code)];

    /// <summary>The language of an address without a language segment (/projects).</summary>
    public static Language Default => English;

    public CultureInfo Culture => CultureInfo.GetCultureInfo(CultureName);

    /// <summary>The route constraint of the language segment: exactly one of the codes.</summary>
    public static string RoutePattern => "^(" + string.Join('|', Codes) + ")$";

    /// <summary>The language with this code (lower case, as in addresses), or null.</summary>
    public static Language? Find(string? code) => All.FirstOrDefault(l => string.Equals(l.Code, code, StringComparison.Ordinal));

    public static bool IsSupported(string? code) => Find(code) is not null;

    /// <summary>The language with this code, or <see cref="Default"/>.</summary>
    public static Language Of(string? code) => Find(code) ?? Default;

    /// <summary>The language whose segment starts <paramref name="path"/> ("/fr", "/fr/projects"), or null.</summary>
    public static Language? OfPath(string? path) =>
        path is { Length: >= 3 } && path[0] == '/' && (path.Length == 3 || path[3] == '/') ? Find(path[1..3]) : null;

    /// <summary>The path without its language segment: "/fr/projects" → "/projects", "/fr" → "/", "/projects" unchanged.</summary>
    public static string WithoutSegment(string path) =>
        OfPath(path) is null ? path : path.Length == 3 ? "/" : path[3..];

    /// <summary>
    /// A decimal number as typed in this language: a dot is always accepted (coordinates are often pasted with one),
    /// and a comma too where the language writes its decimals with one (50,63 in French, Dutch and German). No
    /// thousands separators: in English "50,63" is refused rather than read as 5063.
    /// </summary>
    public bool TryParseDecimal(string? text, out double value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var typed = text.Trim();
        if (Culture.NumberFormat.NumberDecimalSeparator == ",")
        {
            if (typed.Contains('.', StringComparison.Ordinal) && typed.Contains(',', StringComparison.Ordinal))
            {
                return false;
            }

            typed = typed.Replace(',', '.');
        }

        return double.TryParse(typed, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>A decimal number written in this language (the example of an input's error message).</summary>
    public string FormatDecimal(double value) => value.ToString("0.0###", Culture);

    /// <summary>
    /// The supported language an Accept-Language header prefers, by quality (RFC 9110 §12.5.4; a tag's primary subtag
    /// decides: nl-BE is Dutch), the header's order breaking ties; null when it names none ("*" names none).
    /// </summary>
    public static Language? Preferred(IEnumerable<(string Tag, double Quality)> ranges)
    {
        Language? best = null;
        var bestQuality = 0.0;
        foreach (var (tag, quality) in ranges)
        {
            var primary = tag.Split('-', 2)[0].ToLowerInvariant();
            if (quality > bestQuality && Find(primary) is { } language)
            {
                best = language;
                bestQuality = quality;
            }
        }

        return best;
    }
}
