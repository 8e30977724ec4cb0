using System.Net;
using System.Text;

using Passerelle.Core.Common;

namespace Passerelle.Core.Search;

internal sealed record Snippet(string Html, string? Language);

/// <summary>
/// Highlighted snippets, made from the stored text with the same analysis as the query: a word is marked when its
/// folded form is a query word, starts with the last (prefix) word, has as stem in the text's language one of the
/// word's forms (the stem field matches across languages, ADR 7), or is within the fuzzy distance of a word that
/// fell back to loose matching. Everything else is HTML-escaped, so the only markup is &lt;mark&gt;.
/// </summary>
internal static class Snippets
{
    private const int MaxLength = 220;
    private const int Lead = 60;

    public static Snippet? Best(ParsedQuery query, string language, LocalizedText summary, LocalizedText title, string name)
    {
        // The page language first, the summary before the title; then any other language where a word matches.
        var candidates = new List<(string Text, string? Language)>();
        if (summary.Resolve(language) is { } s)
        {
            candidates.Add((s.Text, s.Language));
        }

        if (title.Resolve(language) is { } t)
        {
            candidates.Add((t.Text, t.Language));
        }

        foreach (var (lang, text) in summary.All().Concat(title.All()))
        {
            candidates.Add((text, lang));
        }

        candidates.Add((name, null));
        if (query.Words.Count > 0)
        {
            // The page language's summary and title come again among all languages: each text is analysed once.
            var tried = new HashSet<(string, string?)>();
            foreach (var (text, lang) in candidates)
            {
                if (!tried.Add((text, lang)))
                {
                    continue;
                }

                if (Highlight(query.Words, text, lang) is { } html)
                {
                    return new Snippet(html, lang);
                }
            }
        }

        return candidates.Count > 1 || summary.Resolve(language) is not null
            ? new Snippet(WebUtility.HtmlEncode(Truncate(candidates[0].Text, 0)), candidates[0].Language)
            : null;
    }

    public static string? Highlight(IReadOnlyList<QueryWord> words, string text, string? language)
    {
        // One analysis (the plain one); a token's stem in the text's language is looked up only when no cheaper test
        // marked it (SearchAnalyzers.Stem keeps the stems of the words it has seen).
        var marks = new List<(int Start, int End)>();
        foreach (var (term, start, end) in SearchAnalyzers.Tokens(SearchAnalyzers.Plain, text))
        {
            if (words.Any(w => MatchesAsWritten(w, term))
                || (language is not null && SearchAnalyzers.Stem(language, term) is { } stem && words.Any(w => w.Forms.Contains(stem))))
            {
                marks.Add((start, end));
            }
        }

        if (marks.Count == 0)
        {
            return null;
        }

        var from = text.Length <= MaxLength ? 0 : WordStart(text, Math.Max(0, marks[0].Start - Lead));
        var to = Math.Min(text.Length, from + MaxLength);
        if (to < text.Length)
        {
            var space = text.LastIndexOf(' ', to - 1, to - from);
            to = space > marks[0].End ? space : to;
        }

        var html = new StringBuilder();
        if (from > 0)
        {
            html.Append('…');
        }

        var at = from;
        foreach (var (start, end) in marks)
        {
            if (start < from || end > to)
            {
                continue;
            }

            html.Append(WebUtility.HtmlEncode(text[at..start])).Append("<mark>")
                .Append(WebUtility.HtmlEncode(text[start..end])).Append("</mark>");
            at = end;
        }

        html.Append(WebUtility.HtmlEncode(text[at..to]));
        if (to < text.Length)
        {
            html.Append('…');
        }

        return html.ToString();
    }

    private static bool MatchesAsWritten(QueryWord word, string term) =>
        term == word.Plain
        || (word.Prefix && term.StartsWith(word.Plain, StringComparison.Ordinal))
        || (word.MaxEdits > 0 && term.Length > 1 && term[0] == word.Plain[0] && WithinEdits(term, word.Plain, word.MaxEdits));

    private static int WordStart(string text, int at)
    {
        while (at > 0 && !char.IsWhiteSpace(text[at - 1]))
        {
            at--;
        }

        return at;
    }

    private static string Truncate(string text, int from) =>
        text.Length - from <= MaxLength ? text[from..] : text.Substring(from, MaxLength) + "…";

    /// <summary>Levenshtein distance bounded by <paramref name="max"/>, with early exit.</summary>
    internal static bool WithinEdits(string a, string b, int max)
    {
        if (Math.Abs(a.Length - b.Length) > max)
        {
            return false;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }

            if (rowMin > max)
            {
                return false;
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length] <= max;
    }
}
