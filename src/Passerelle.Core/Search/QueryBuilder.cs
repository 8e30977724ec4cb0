using Lucene.Net.Index;
using Lucene.Net.Search;

using Passerelle.Core.Common;

namespace Passerelle.Core.Search;

/// <summary>One word of the query: its folded form, its stem per language, and how it may match loosely.</summary>
/// <param name="MaxEdits">Edits allowed against any word of the texts.</param>
/// <param name="NameEdits">Edits allowed against the words of names only: one for a word of four letters, too short to be loose in texts.</param>
internal sealed record QueryWord(string Plain, IReadOnlyDictionary<string, string> Stems, bool Prefix, int MaxEdits, bool Optional, int NameEdits = 0);

internal sealed record ParsedQuery(Query Query, IReadOnlyList<QueryWord> Words);

/// <summary>
/// Turns the user's words into a Lucene query. Every word must match (a stop word in some language is optional),
/// in any of: the boosted name field, the plain folded field, or a language field by its stem; the last word also
/// as a prefix ("cooperat"), and words of five letters or more within one or two edits ("biodiversty"). In names
/// (titles, acronyms, organisation, grouping and place names) a word of four letters may already be one edit off
/// ("lile" for Lille): a name has few words, so this finds places and partners misspelt without letting every
/// four-letter word of the summaries match its neighbours. A one-word query is also matched, exactly and loosely,
/// against whole names, so the record of exactly that name ranks first ("lille", "kortrik"). Loose matches carry
/// lower boosts than exact ones, so exact hits rank first (ADR 25).
/// </summary>
internal static class QueryBuilder
{
    private const float NameBoost = 4f;
    private const float PlainBoost = 2f;
    private const float StemBoost = 1.5f;
    private const float PrefixBoost = 0.8f;
    private const float FuzzyBoost = 0.4f;
    private const float NameFuzzyBoost = 0.6f;
    private const float WholeNameBoost = 6f;
    private const float WholeNameFuzzyBoost = 3f;

    public static ParsedQuery Build(string? text)
    {
        var words = Words(text);
        if (words.Count == 0)
        {
            return new ParsedQuery(new MatchAllDocsQuery(), words);
        }

        var query = new BooleanQuery(disableCoord: true);
        foreach (var word in words)
        {
            var clause = new BooleanQuery(disableCoord: true)
            {
                { new TermQuery(new Term(SearchAnalyzers.NameField, word.Plain)) { Boost = NameBoost }, Occur.SHOULD },
                { new TermQuery(new Term(SearchAnalyzers.PlainField, word.Plain)) { Boost = PlainBoost }, Occur.SHOULD },
            };
            foreach (var (language, stem) in word.Stems)
            {
                clause.Add(new TermQuery(new Term(SearchAnalyzers.TextField(language), stem)) { Boost = StemBoost }, Occur.SHOULD);
            }

            if (word.Prefix)
            {
                clause.Add(new PrefixQuery(new Term(SearchAnalyzers.PlainField, word.Plain)) { Boost = PrefixBoost }, Occur.SHOULD);
            }

            if (word.MaxEdits > 0)
            {
                clause.Add(new FuzzyQuery(new Term(SearchAnalyzers.PlainField, word.Plain), word.MaxEdits, prefixLength: 1) { Boost = FuzzyBoost }, Occur.SHOULD);
            }

            if (word.NameEdits > 0)
            {
                clause.Add(new FuzzyQuery(new Term(SearchAnalyzers.NameField, word.Plain), word.NameEdits, prefixLength: 1) { Boost = NameFuzzyBoost }, Occur.SHOULD);
            }

            query.Add(clause, word.Optional ? Occur.SHOULD : Occur.MUST);
        }

        // The query as a whole name ("lille", "nord", "kortrik"): the place, grouping or organisation of exactly that
        // name ranks above the records that merely contain the word (Lille before Marquette-lez-Lille and lille-design).
        // Loosely only for a one-word query (a place name mistyped): a fuzzy match of a long key costs a Levenshtein
        // walk of every name with its first letter, and the words of a longer query are matched loosely one by one.
        var key = Slug.MatchKey(text!);
        if (key.Length is >= 2 and <= 100)
        {
            query.Add(new TermQuery(new Term(SearchAnalyzers.NameKeyField, key)) { Boost = WholeNameBoost }, Occur.SHOULD);
            var edits = words.Count != 1 || key.Any(char.IsDigit) ? 0 : key.Length >= 8 ? 2 : key.Length >= 4 ? 1 : 0;
            if (edits > 0)
            {
                query.Add(new FuzzyQuery(new Term(SearchAnalyzers.NameKeyField, key), edits, prefixLength: 1) { Boost = WholeNameFuzzyBoost }, Occur.SHOULD);
            }
        }

        // A query of stop words only ("de la") still has to match something.
        if (words.All(w => w.Optional))
        {
            query.MinimumNumberShouldMatch = 1;
        }

        return new ParsedQuery(query, words);
    }

    public static IReadOnlyList<QueryWord> Words(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        // Bound the work one request can ask for.
        if (text.Length > 200)
        {
            text = text[..200];
        }

        var plain = SearchAnalyzers.Tokens(SearchAnalyzers.Plain, text);
        if (plain.Count > 10)
        {
            plain = plain[..10];
        }

        var stemsByStart = SearchAnalyzers.Languages.ToDictionary(
            l => l,
            l => SearchAnalyzers.Tokens(SearchAnalyzers.ForLanguage(l), text).GroupBy(t => t.Start).ToDictionary(g => g.Key, g => g.First().Term));
        var endsInWord = !char.IsWhiteSpace(text[^1]);
        var words = new List<QueryWord>(plain.Count);
        for (var i = 0; i < plain.Count; i++)
        {
            var (term, start, _) = plain[i];
            var stems = new Dictionary<string, string>(StringComparer.Ordinal);
            var stopWordSomewhere = false;
            foreach (var language in SearchAnalyzers.Languages)
            {
                if (stemsByStart[language].TryGetValue(start, out var stem))
                {
                    stems[language] = stem;
                }
                else
                {
                    stopWordSomewhere = true;
                }
            }

            var prefix = i == plain.Count - 1 && endsInWord && term.Length >= 2;
            var maxEdits = term.Length >= 8 ? 2 : term.Length >= 5 ? 1 : 0;
            // Four letters: one edit in names only (longer words are already loose everywhere, through the plain
            // field). Not for numbers and codes: "2014" one edit off is another year, "FRE11" another region.
            var nameEdits = term.Length == 4 && !term.Any(char.IsDigit) ? 1 : 0;
            words.Add(new QueryWord(term, stems, prefix, maxEdits, stopWordSomewhere && plain.Count > 1, nameEdits));
        }

        return words;
    }
}
