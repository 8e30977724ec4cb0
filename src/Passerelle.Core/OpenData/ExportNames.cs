using System.Text;

namespace Passerelle.Core.OpenData;

/// <summary>Machine names derived from column headers.</summary>
public static class ExportNames
{
    /// <summary>
    /// camelCase of a header: words are split on anything that is not a letter or digit; the first word is
    /// lower-cased (only its first letter when it is mixed case, so "ProjectId" gives "projectId"), following words get
    /// an upper-case first letter: "total_budget_eur" gives "totalBudgetEur", "ID" gives "id".
    /// </summary>
    public static string ToCamelCase(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var builder = new StringBuilder(header.Length);
        var words = header.Split(static c => !char.IsLetterOrDigit(c));
        foreach (var word in words)
        {
            if (builder.Length == 0)
            {
                builder.Append(word.All(static c => !char.IsLower(c))
                    ? word.ToLowerInvariant()
                    : char.ToLowerInvariant(word[0]) + word[1..]);
            }
            else
            {
                builder.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
            }
        }

        return builder.Length == 0 ? "column" : builder.ToString();
    }

    private static List<string> Split(this string text, Func<char, bool> isSeparator)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var separator = i == text.Length || isSeparator(text[i]);
            if (separator && start >= 0)
            {
                words.Add(text[start..i]);
                start = -1;
            }
            else if (!separator && start < 0)
            {
                start = i;
            }
        }

        return words;
    }
}
