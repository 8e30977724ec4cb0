using System.Globalization;
using System.Text;

namespace Passerelle.Core.Territories;

/// <summary>How a place name matched a query, best first.</summary>
public enum PlaceMatchKind
{
    /// <summary>The whole name ("Tournai", "doornik").</summary>
    Exact = 0,

    /// <summary>The beginning of the name ("Moesk" for Moeskroen): what suggestions as you type need.</summary>
    Prefix = 1,

    /// <summary>The beginning of a word of the name ("Kortrijk" in "Arr. Kortrijk").</summary>
    Word = 2,

    /// <summary>The name, or its beginning, or one of its words, within a small typo ("kortrik" for Kortrijk).</summary>
    Typo = 3,
}

/// <summary>A unit found by name: the name that matched (in its language when a source gives it) and how.</summary>
public sealed record PlaceMatch(TerritoryUnit Unit, string MatchedName, string? MatchedLanguage, PlaceMatchKind Match, int Distance)
{
    /// <summary>How much of the matched name the query covers (0-1): "hainaut" is most of "Prov. Hainaut", less of "Leuze-en-Hainaut".</summary>
    internal double Coverage { get; init; }
}

/// <summary>
/// Finds territory units by any of their names: the publishers' names (NUTS_NAME and its Latin form, a municipality's
/// name) and the names in other languages a source gives (<see cref="TerritoryName"/>: "Moeskroen", "Courtrai").
/// Case, accents, punctuation and spacing are ignored ("Comines Warneton", "comines-warnéton"), and a small typo is
/// tolerated (one edit up to 7 letters, two from 8) when no name matches as typed. A few thousand names are searched in memory per query, well under a
/// millisecond; the directory is built with each territory index snapshot.
/// </summary>
public sealed class PlaceDirectory
{
    /// <summary>The shortest query (letters and digits) that is searched: one letter matches too much to help.</summary>
    public const int MinimumQueryLength = 2;

    private readonly List<Entry> _entries = [];
    private readonly Dictionary<string, Dictionary<string, TerritoryName>> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Country, string Key), List<TerritoryUnit>> _municipalities = [];

    public PlaceDirectory(IEnumerable<TerritoryUnit> units, IEnumerable<TerritoryName> names)
    {
        foreach (var name in names)
        {
            if (!_names.TryGetValue(name.UnitCode, out var byLanguage))
            {
                _names[name.UnitCode] = byLanguage = new Dictionary<string, TerritoryName>(StringComparer.Ordinal);
            }

            byLanguage[name.Language] = name;
        }

        foreach (var unit in units)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            void Add(string text, string? language)
            {
                // NUTS writes a bilingual name with a slash ("Belgique/België"): each part is a name of its own.
                foreach (var part in text.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Append(text))
                {
                    var folded = Fold(part);
                    if (folded.Length > 0 && seen.Add(folded))
                    {
                        _entries.Add(new Entry(unit, part, language, folded));
                        if (unit.Kind == TerritoryKind.Municipality)
                        {
                            var key = (unit.CountryCode, Compact(folded));
                            if (!_municipalities.TryGetValue(key, out var list))
                            {
                                _municipalities[key] = list = [];
                            }

                            if (!list.Contains(unit))
                            {
                                list.Add(unit);
                            }
                        }
                    }
                }
            }

            // Names given with their language first, so a match on "Kortrijk" reports it as the Dutch name.
            if (_names.TryGetValue(unit.Code, out var own))
            {
                foreach (var name in own.Values.OrderBy(n => n.Language, StringComparer.Ordinal))
                {
                    Add(name.Name, name.Language);
                }
            }

            Add(unit.Name, null);
            if (unit.NameLocal is { } local)
            {
                Add(local, null);
            }
        }
    }

    /// <summary>The names a source gives a unit in other languages, by language (empty when none).</summary>
    public IReadOnlyDictionary<string, TerritoryName> NamesOf(string code) =>
        _names.TryGetValue(code, out var names) ? names : Empty;

    private static readonly Dictionary<string, TerritoryName> Empty = [];

    /// <summary>
    /// The unit's name in <paramref name="language"/> when a source gives one (with that language), else its own name
    /// (the publisher's, in the place's own language; <c>null</c> language: not known here).
    /// </summary>
    public (string Name, string? Language) NameIn(TerritoryUnit unit, string language) =>
        _names.TryGetValue(unit.Code, out var names) && names.TryGetValue(language, out var name)
            ? (name.Name, name.Language)
            : (unit.Name, null);

    /// <summary>
    /// The municipality of <paramref name="country"/> one of whose names is <paramref name="city"/> (case, accents and
    /// punctuation ignored), when exactly one has it; never a guess between two.
    /// </summary>
    public TerritoryUnit? MunicipalityNamed(string city, string country) =>
        _municipalities.TryGetValue((country, Compact(Fold(city))), out var units) && units.Count == 1 ? units[0] : null;

    /// <summary>The units with a name matching <paramref name="query"/>, best first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<PlaceMatch> Search(string query, int limit)
    {
        var folded = Fold(query);
        var compact = Compact(folded);
        if (compact.Length < MinimumQueryLength || limit <= 0)
        {
            return [];
        }

        int maxEdits = compact.Length switch { < 4 => 0, < 8 => 1, _ => 2 };
        var best = new Dictionary<string, PlaceMatch>(StringComparer.Ordinal);
        foreach (var entry in _entries)
        {
            if (Score(entry, folded, compact, maxEdits) is not { } match)
            {
                continue;
            }

            if (!best.TryGetValue(entry.Unit.Code, out var previous) || Better(match, previous))
            {
                best[entry.Unit.Code] = match;
            }
        }

        // Names within a typo help only when nothing has the name as typed: "lille" lists Lille and the Saint-André-lez-Lille
        // kind, not Killem and Willems.
        var found = best.Values.Any(m => m.Match != PlaceMatchKind.Typo) ? best.Values.Where(m => m.Match != PlaceMatchKind.Typo) : best.Values;
        return found
            .OrderBy(m => m.Match)
            .ThenBy(m => m.Distance)
            .ThenByDescending(m => Math.Round(m.Coverage, 1))
            // Municipalities first (what most people look for), then regions from the country down.
            .ThenBy(m => m.Unit.Kind == TerritoryKind.Municipality ? -1 : (int)m.Unit.Kind)
            .ThenByDescending(m => m.Unit.Population ?? 0)
            .ThenBy(m => m.Unit.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Unit.Code, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
    }

    private static bool Better(PlaceMatch candidate, PlaceMatch current) =>
        candidate.Match < current.Match || (candidate.Match == current.Match
            && (candidate.Distance < current.Distance || (candidate.Distance == current.Distance && candidate.Coverage > current.Coverage)));

    private static PlaceMatch? Score(Entry entry, string folded, string compact, int maxEdits)
    {
        PlaceMatch Match(PlaceMatchKind kind, int distance) =>
            new(entry.Unit, entry.Name, entry.Language, kind, distance) { Coverage = Math.Min(1.0, (double)compact.Length / entry.Compact.Length) };
        if (entry.Compact == compact)
        {
            return Match(PlaceMatchKind.Exact, 0);
        }

        if (entry.Compact.StartsWith(compact, StringComparison.Ordinal))
        {
            return Match(PlaceMatchKind.Prefix, 0);
        }

        if ((" " + entry.Folded).Contains(" " + folded, StringComparison.Ordinal))
        {
            return Match(PlaceMatchKind.Word, 0);
        }

        if (maxEdits == 0)
        {
            return null;
        }

        // A typo anywhere in a short query matches too many beginnings ("lile": Lier, Liège): beginnings from 5 letters.
        var prefix = compact.Length >= 5;
        var distance = Distance(compact, entry.Compact, maxEdits, prefix);
        foreach (var word in entry.Words)
        {
            if (word.Length >= MinimumQueryLength && word.Length != entry.Compact.Length)
            {
                distance = Math.Min(distance, Distance(compact, word, maxEdits, prefix));
            }
        }

        return distance <= maxEdits ? Match(PlaceMatchKind.Typo, distance) : null;
    }

    /// <summary>
    /// The fewest edits (insertion, deletion, substitution, transposition of neighbours) that turn <paramref name="query"/>
    /// into <paramref name="name"/> ("kortrik" is one edit from "kortrijk") or, with <paramref name="prefix"/>, into a
    /// beginning of it ("moeskron" is one from the start of "moeskroen"); more than <paramref name="max"/> when further.
    /// </summary>
    internal static int Distance(string query, string name, int max, bool prefix)
    {
        int n = query.Length;
        int m = prefix ? Math.Min(name.Length, n + max) : name.Length;
        if (m < n - max || m > n + max)
        {
            return max + 1;
        }

        // Optimal string alignment over the rows of the query; any column (a prefix of the name) may end the match.
        var previous2 = new int[m + 1];
        var previous = new int[m + 1];
        var current = new int[m + 1];
        for (int j = 0; j <= m; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= n; i++)
        {
            current[0] = i;
            int rowMin = current[0];
            for (int j = 1; j <= m; j++)
            {
                int cost = query[i - 1] == name[j - 1] ? 0 : 1;
                int value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && query[i - 1] == name[j - 2] && query[i - 2] == name[j - 1])
                {
                    value = Math.Min(value, previous2[j - 2] + 1);
                }

                current[j] = value;
                rowMin = Math.Min(rowMin, value);
            }

            if (rowMin > max)
            {
                return max + 1;
            }

            (previous2, previous, current) = (previous, current, previous2);
        }

        if (!prefix)
        {
            return Math.Min(previous[m], max + 1);
        }

        var best = max + 1;
        for (int j = Math.Max(0, n - max); j <= m; j++)
        {
            best = Math.Min(best, previous[j]);
        }

        return best;
    }

    /// <summary>
    /// Lower case, accents removed, letters without a decomposition spelt out (ß ss, æ ae, œ oe, ø o, ł l), anything
    /// else than a letter or digit turned into one space: "Villeneuve-d'Ascq" is "villeneuve d ascq".
    /// </summary>
    public static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool space = true;
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var lower = char.ToLowerInvariant(c);
            string? spelt = lower switch
            {
                'ß' => "ss",
                'æ' => "ae",
                'œ' => "oe",
                'ø' => "o",
                'ł' => "l",
                'đ' or 'ð' => "d",
                'þ' => "th",
                'ı' => "i",
                _ => null,
            };
            if (spelt is not null)
            {
                builder.Append(spelt);
                space = false;
            }
            else if (char.IsLetterOrDigit(lower))
            {
                builder.Append(lower);
                space = false;
            }
            else if (!space)
            {
                builder.Append(' ');
                space = true;
            }
        }

        return builder.ToString().TrimEnd();
    }

    private static string Compact(string folded) => folded.Replace(" ", "", StringComparison.Ordinal);

    private sealed class Entry(TerritoryUnit unit, string name, string? language, string folded)
    {
        public TerritoryUnit Unit { get; } = unit;
        public string Name { get; } = name;
        public string? Language { get; } = language;
        public string Folded { get; } = folded;
        public string Compact { get; } = PlaceDirectory.Compact(folded);
        public string[] Words { get; } = folded.Split(' ');
    }
}
