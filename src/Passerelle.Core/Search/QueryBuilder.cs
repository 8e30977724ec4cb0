using Lucene.Net.Index;
using Lucene.Net.Queries;
using Lucene.Net.Search;
using Lucene.Net.Util;

using Passerelle.Core.Common;

namespace Passerelle.Core.Search;

/// <summary>One word of the query: its folded form, its stem per language, and how it may match loosely.</summary>
/// <param name="MaxEdits">Edits allowed against any word of the texts (0 unless the word found nothing exactly).</param>
/// <param name="NameEdits">Edits allowed against the words of names only: one for a word of four letters, too short to be loose in texts.</param>
/// <param name="StopWord">The word is a stop word in at least one language: never matched loosely.</param>
internal sealed record QueryWord(
    string Plain, IReadOnlyDictionary<string, string> Stems, bool Prefix, int MaxEdits, bool Optional, int NameEdits = 0, bool StopWord = false)
{
    /// <summary>The word's distinct forms on the stem field: its stems in the four languages and the word itself.</summary>
    public IReadOnlyList<string> Forms { get; } = [.. Stems.Values.Append(Plain).Distinct(StringComparer.Ordinal)];
}

internal sealed record ParsedQuery(Query Query, IReadOnlyList<QueryWord> Words);

/// <summary>
/// Turns the user's words into a Lucene query (ADR 7, "Kohesio scale: the query"; ADR 25). Every word must match (a
/// stop word in some language is optional), in any of: the boosted name field, the plain folded field, or the stem
/// field by one of its distinct forms (its stem in each language, itself): a handful of term queries on three fields.
/// <list type="bullet">
/// <item>The last word, when it is still being typed (no space after it, at least <see cref="MinPrefix"/> letters),
/// also as a prefix, bounded: the <see cref="MaxExpansions"/> most frequent words of the plain field that start with
/// it ("cooperat").</item>
/// <item>Loose matching is a fallback only: a word that finds nothing exactly (no document for any of its forms nor,
/// being typed, for its prefix) is matched within one edit (five letters or more) or two (eight or more) in any text
/// ("biodiversty"); a four-letter word within one edit in names only ("lile" for Lille: a name has few words, so
/// this finds places and partners misspelt without letting four-letter words of summaries match their neighbours).
/// A word that exists is never widened to its neighbours ("danse" does not match "dans", "salaire" not "solaire",
/// "storm" not "store"), a stop word is never matched loosely, and a loose match is never a stop word.</item>
/// <item>A one-word query is also matched against whole names, exactly (and loosely when the word found nothing), so
/// the record of exactly that name ranks first ("lille", "kortrik").</item>
/// </list>
/// Ranking: exact (name > plain) > stem > prefix > loose (ADR 25).
/// Building needs the index reader: the fallback and the prefix expansion depend on the words the index holds.
/// </summary>
internal static class QueryBuilder
{
    /// <summary>
    /// The fields whose terms are scored with their documents' norms (the whole-name key is a keyword without norms):
    /// what a search of a common word loads (<see cref="SearchEngine.WarmUp"/>).
    /// </summary>
    internal static readonly string[] NormedFields = [SearchAnalyzers.NameField, SearchAnalyzers.PlainField, SearchAnalyzers.StemField];

    private const float NameBoost = 4f;
    private const float PlainBoost = 2f;
    private const float StemBoost = 1.5f;
    private const float PrefixBoost = 0.8f;
    private const float FuzzyBoost = 0.4f;
    private const float NameFuzzyBoost = 0.6f;
    private const float WholeNameBoost = 6f;
    private const float WholeNameFuzzyBoost = 3f;

    /// <summary>Shortest word being typed that is expanded as a prefix: two letters match a good part of a language.</summary>
    public const int MinPrefix = 3;

    /// <summary>Most words a prefix or a loose word expands to (the most frequent ones; the closest first for loose words).</summary>
    public const int MaxExpansions = 50;

    public static ParsedQuery Build(string? text, IndexReader reader)
    {
        var words = Words(text);
        if (words.Count == 0)
        {
            return new ParsedQuery(new MatchAllDocsQuery(), words);
        }

        var query = new BooleanQuery(disableCoord: true);
        var used = new List<QueryWord>(words.Count);
        var anyLoose = false;
        foreach (var word in words)
        {
            var clause = new BooleanQuery(disableCoord: true);
            var found = false;
            found |= AddTerm(clause, reader, SearchAnalyzers.NameField, word.Plain, NameBoost);
            found |= AddTerm(clause, reader, SearchAnalyzers.PlainField, word.Plain, PlainBoost);
            foreach (var form in word.Forms)
            {
                found |= AddTerm(clause, reader, SearchAnalyzers.StemField, form, StemBoost);
            }

            var prefix = word.Prefix && word.Plain.Length >= MinPrefix;
            if (prefix && PrefixTerms(reader, SearchAnalyzers.PlainField, word.Plain) is { Count: > 0 } expansions)
            {
                // One constant-score clause over the expansion's postings (a bitset), as Lucene's own PrefixQuery:
                // fifty scored term clauses would cost a disjunction of fifty scorers on every common prefix.
                var filter = new TermsFilter(expansions.Select(e => new Term(SearchAnalyzers.PlainField, e.Term)).ToList());
                clause.Add(new ConstantScoreQuery(filter) { Boost = PrefixBoost }, Occur.SHOULD);
                found = true;
            }

            var loose = !found && !word.StopWord;
            var maxEdits = loose ? word.MaxEdits : 0;
            var nameEdits = loose ? word.NameEdits : 0;
            if (maxEdits > 0)
            {
                foreach (var (term, edits) in LooseTerms(reader, SearchAnalyzers.PlainField, word.Plain, maxEdits))
                {
                    clause.Add(new TermQuery(new Term(SearchAnalyzers.PlainField, term)) { Boost = FuzzyBoost / edits }, Occur.SHOULD);
                }
            }

            if (nameEdits > 0)
            {
                foreach (var (term, edits) in LooseTerms(reader, SearchAnalyzers.NameField, word.Plain, nameEdits))
                {
                    clause.Add(new TermQuery(new Term(SearchAnalyzers.NameField, term)) { Boost = NameFuzzyBoost / edits }, Occur.SHOULD);
                }
            }

            anyLoose |= loose;
            used.Add(word with { Prefix = prefix, MaxEdits = maxEdits, NameEdits = nameEdits });
            query.Add(clause, word.Optional ? Occur.SHOULD : Occur.MUST);
        }

        // The query as a whole name ("lille", "nord", "kortrik"): the place, grouping or organisation of exactly that
        // name ranks above the records that merely contain the word (Lille before Marquette-lez-Lille and lille-design).
        // Loosely only for a one-word query that found nothing exactly (a place name mistyped): a word that exists is
        // never widened, and the words of a longer query are matched loosely one by one.
        var key = Slug.MatchKey(text!);
        if (key.Length is >= 2 and <= 100)
        {
            query.Add(new TermQuery(new Term(SearchAnalyzers.NameKeyField, key)) { Boost = WholeNameBoost }, Occur.SHOULD);
            var edits = words.Count != 1 || !anyLoose || key.Any(char.IsDigit) ? 0 : key.Length >= 8 ? 2 : key.Length >= 4 ? 1 : 0;
            if (edits > 0)
            {
                foreach (var (term, distance) in LooseTerms(reader, SearchAnalyzers.NameKeyField, key, edits))
                {
                    query.Add(new TermQuery(new Term(SearchAnalyzers.NameKeyField, term)) { Boost = WholeNameFuzzyBoost / distance }, Occur.SHOULD);
                }
            }
        }

        // A query of stop words only ("de la") still has to match something.
        if (words.All(w => w.Optional))
        {
            query.MinimumNumberShouldMatch = 1;
        }

        return new ParsedQuery(query, used);
    }

    /// <summary>
    /// Adds the term to the clause; whether any document holds it. The term is looked up once: its per-segment state
    /// both answers the question and goes into the query (which otherwise looks it up again when it runs).
    /// </summary>
    private static bool AddTerm(BooleanQuery clause, IndexReader reader, string field, string text, float boost)
    {
        var term = new Term(field, text);
        var states = TermContext.Build(reader.Context, term);
        clause.Add(new TermQuery(term, states) { Boost = boost }, Occur.SHOULD);
        return states.DocFreq > 0;
    }

    /// <summary>
    /// The <see cref="MaxExpansions"/> most frequent terms of <paramref name="field"/> that start with
    /// <paramref name="prefix"/> (the prefix itself excluded: it is queried exactly).
    /// </summary>
    internal static List<(string Term, int DocFreq)> PrefixTerms(IndexReader reader, string field, string prefix)
    {
        var best = new PriorityQueue<(string Term, int DocFreq), (int, string)>(MaxExpansions + 1, Comparer<(int, string)>.Create(
            (a, b) => a.Item1 != b.Item1 ? a.Item1.CompareTo(b.Item1) : string.CompareOrdinal(b.Item2, a.Item2)));
        var terms = MultiFields.GetTerms(reader, field);
        if (terms is null)
        {
            return [];
        }

        var bytes = new BytesRef(prefix);
        var e = terms.GetEnumerator();
        if (e.SeekCeil(bytes) == TermsEnum.SeekStatus.END)
        {
            return [];
        }

        do
        {
            var term = e.Term;
            if (!StringHelper.StartsWith(term, bytes))
            {
                break;
            }

            if (term.Length == bytes.Length)
            {
                continue;
            }

            var docFreq = e.DocFreq;
            var text = term.Utf8ToString();
            best.Enqueue((text, docFreq), (docFreq, text));
            if (best.Count > MaxExpansions)
            {
                best.Dequeue();
            }
        }
        while (e.MoveNext());

        var result = new List<(string, int)>(best.Count);
        while (best.TryDequeue(out var item, out _))
        {
            result.Add(item);
        }

        result.Reverse();
        return result;
    }

    /// <summary>
    /// Terms of <paramref name="field"/> within <paramref name="maxEdits"/> of <paramref name="word"/> (same first
    /// letter), stop words left out: the closest, then the most frequent, at most <see cref="MaxExpansions"/>.
    /// </summary>
    internal static List<(string Term, int Edits)> LooseTerms(IndexReader reader, string field, string word, int maxEdits)
    {
        var terms = MultiFields.GetTerms(reader, field);
        if (terms is null)
        {
            return [];
        }

        var found = new List<(string Term, int Edits, int DocFreq)>();
        var e = new FuzzyTermsEnum(terms, new Lucene.Net.Util.AttributeSource(), new Term(field, word), maxEdits, prefixLength: 1, transpositions: true);
        while (e.MoveNext())
        {
            var text = e.Term.Utf8ToString();
            if (text == word || SearchAnalyzers.StopWords.Contains(text))
            {
                continue;
            }

            found.Add((text, Snippets.WithinEdits(text, word, 1) ? 1 : 2, e.DocFreq));
        }

        return found.OrderBy(f => f.Edits).ThenByDescending(f => f.DocFreq).ThenBy(f => f.Term, StringComparer.Ordinal)
            .Take(MaxExpansions).Select(f => (f.Term, f.Edits)).ToList();
    }

    private static readonly System.Buffers.SearchValues<char> UpperCase = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝ");
    private static readonly System.Buffers.SearchValues<char> LowerCase = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ");

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
            var (term, start, end) = plain[i];
            // A word typed in capitals is an acronym or a code ("EURES", "DIE"), not a stop word of some language.
            var capitals = end - start >= 2 && text.AsSpan(start, end - start).ContainsAny(UpperCase) && !text.AsSpan(start, end - start).ContainsAny(LowerCase);
            var stems = new Dictionary<string, string>(StringComparer.Ordinal);
            var stopWordSomewhere = false;
            foreach (var language in SearchAnalyzers.Languages)
            {
                if (stemsByStart[language].TryGetValue(start, out var stem))
                {
                    stems[language] = stem;
                }
                else if (!capitals)
                {
                    stopWordSomewhere = true;
                }
            }

            var prefix = i == plain.Count - 1 && endsInWord && term.Length >= 2;
            var maxEdits = term.Length >= 8 ? 2 : term.Length >= 5 ? 1 : 0;
            // Four letters: one edit in names only (longer words are already loose everywhere, through the plain
            // field). Not for numbers and codes: "2014" one edit off is another year, "FRE11" another region.
            var nameEdits = term.Length == 4 && !term.Any(char.IsDigit) ? 1 : 0;
            words.Add(new QueryWord(term, stems, prefix, maxEdits, stopWordSomewhere && plain.Count > 1, nameEdits, stopWordSomewhere));
        }

        return words;
    }
}
