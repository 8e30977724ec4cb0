using Passerelle.Core.Common;

namespace Passerelle.Core.Groupings;

/// <summary>
/// The kinds of cooperation grouping recognised from a grouping's legal form, and the names each kind goes by in the
/// four languages. People search for a grouping by the abbreviation of their own language ("GECT" in Lille, "EGTS" in
/// Kortrijk, "EVTZ" in Aachen) whatever form the sources wrote, so search indexes every language's names of the kind.
/// </summary>
public static class GroupingKinds
{
    /// <summary>European Grouping of Territorial Cooperation, Regulation (EC) No 1082/2006.</summary>
    public const string Egtc = "egtc";

    /// <summary>
    /// The abbreviation and full name of an EGTC in each language version of Regulation (EC) No 1082/2006. Other
    /// languages' abbreviations are recognised in a legal form but not indexed as names (the portal has four languages).
    /// </summary>
    public static readonly IReadOnlyList<(string Language, string Abbreviation, string Name)> EgtcNames =
    [
        ("en", "EGTC", "European Grouping of Territorial Cooperation"),
        ("fr", "GECT", "Groupement européen de coopération territoriale"),
        ("nl", "EGTS", "Europese groepering voor territoriale samenwerking"),
        ("de", "EVTZ", "Europäischer Verbund für territoriale Zusammenarbeit"),
    ];

    // Abbreviations of some other language versions (Spanish and Portuguese AECT, Polish EUWT; Italian writes GECT as
    // French does), so a legal form written in them is recognised too.
    private static readonly HashSet<string> OtherAbbreviations = new(StringComparer.Ordinal) { "aect", "euwt" };

    /// <summary>The kind the legal forms name (<see cref="Egtc"/>), or null when none is recognised.</summary>
    public static string? KindOf(IEnumerable<string?> legalForms)
    {
        var abbreviations = EgtcNames.Select(n => n.Abbreviation.ToLowerInvariant()).Concat(OtherAbbreviations).ToHashSet(StringComparer.Ordinal);
        var names = EgtcNames.Select(n => Slug.MatchKey(n.Name)).ToList();
        foreach (var form in legalForms.OfType<string>())
        {
            var key = Slug.MatchKey(form);
            if (key.Split('-').Any(abbreviations.Contains) || names.Any(n => key.Contains(n, StringComparison.Ordinal)))
            {
                return Egtc;
            }
        }

        return null;
    }

    /// <summary>Every name of a kind in the four languages: abbreviations and full names.</summary>
    public static IReadOnlyList<string> Names(string? kind) =>
        kind == Egtc ? [.. EgtcNames.Select(n => n.Abbreviation), .. EgtcNames.Select(n => n.Name)] : [];
}
