using System.Globalization;
using System.Text;

namespace Passerelle.Core.Common;

public static class Slug
{
    /// <summary>A lower-case ASCII slug: accents dropped, anything else that is not a letter or digit becomes a hyphen.</summary>
    public static string From(string text)
    {
        var normalized = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(normalized.Length);
        var lastWasHyphen = true;
        foreach (var c in normalized)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
                lastWasHyphen = false;
            }
            else if (!lastWasHyphen)
            {
                builder.Append('-');
                lastWasHyphen = true;
            }
        }

        return builder.ToString().TrimEnd('-');
    }

    /// <summary>A key for matching names across sources: slug form, so case, accents and punctuation are ignored.</summary>
    public static string MatchKey(string name) => From(name);
}
