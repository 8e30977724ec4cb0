using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.De;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Fr;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Nl;
using Lucene.Net.Analysis.Snowball;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Tartarus.Snowball;
using Lucene.Net.Tartarus.Snowball.Ext;
using Lucene.Net.Util;

namespace Passerelle.Core.Search;

/// <summary>
/// The analysis chains. Every chain folds case and accents (ASCIIFoldingFilter), so "metropole europeenne" meets
/// "Métropole Européenne"; the stem field holds each text stemmed with its own language's Snowball stemmer (all four
/// languages in one field, as PostgreSQL's one tsvector per row), while the plain field keeps whole words for exact,
/// prefix and fuzzy matching (a fuzzy match on a stem would match odd words). Stop words are removed before folding
/// because the stop lists are written with accents.
/// </summary>
internal static class SearchAnalyzers
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    public static IReadOnlyList<string> Languages => Common.Language.Codes;

    public const string PlainField = "plain";
    public const string NameField = "name";

    /// <summary>Each whole name as one term, in <see cref="Common.Slug.MatchKey"/> form: a query that is a record's whole name ranks it first.</summary>
    public const string NameKeyField = "name_key";

    /// <summary>
    /// The stems of every text, each text stemmed in its own language, in one field: a query word is then its few
    /// distinct forms (its stems in the four languages and itself) on this one field, not one field per language
    /// (issue 17: per-language fields cost a term lookup and a scorer per language for every word).
    /// </summary>
    public const string StemField = "stem";

    /// <summary>The stop words of the four languages, folded as the plain field folds words: never a fuzzy target.</summary>
    public static IReadOnlySet<string> StopWords => LazyStopWords.Value;

    // Lazy: the set is made with Plain, declared further down (static initialisers run in textual order).
    private static readonly Lazy<HashSet<string>> LazyStopWords = new(FoldedStopWords);

    private static HashSet<string> FoldedStopWords()
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var set in new[] { EnglishAnalyzer.DefaultStopSet, FrenchAnalyzer.DefaultStopSet, DutchAnalyzer.DefaultStopSet, GermanAnalyzer.DefaultStopSet })
        {
            foreach (var word in set)
            {
                foreach (var (term, _, _) in Tokens(Plain, word))
                {
                    result.Add(term);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The stem field's tokens of the texts of one language, as one value: one token stream per language and document
    /// (an analyzer reuses one stream per thread, so a document must not hold two unread streams of one analyzer).
    /// </summary>
    public static TokenStream StemStream(string language, IEnumerable<string> texts) =>
        ForLanguage(language).GetTokenStream(StemField, string.Join('\n', texts));

    public static Analyzer Plain { get; } = Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new StandardTokenizer(Version, reader);
        TokenStream stream = new ElisionFilter(source, FrenchAnalyzer.DEFAULT_ARTICLES);
        stream = new LowerCaseFilter(Version, stream);
        stream = new ASCIIFoldingFilter(stream);
        return new TokenStreamComponents(source, stream);
    });

    public static Analyzer ForLanguage(string language) => language switch
    {
        "fr" => French,
        "nl" => Dutch,
        "de" => German,
        _ => English,
    };

    private static readonly Analyzer English = Stemming(EnglishAnalyzer.DefaultStopSet, () => new EnglishStemmer(), elision: false);
    private static readonly Analyzer French = Stemming(FrenchAnalyzer.DefaultStopSet, () => new Lucene.Net.Tartarus.Snowball.Ext.FrenchStemmer(), elision: true);
    private static readonly Analyzer Dutch = Stemming(DutchAnalyzer.DefaultStopSet, () => new Lucene.Net.Tartarus.Snowball.Ext.DutchStemmer(), elision: false);
    private static readonly Analyzer German = Stemming(GermanAnalyzer.DefaultStopSet, () => new German2Stemmer(), elision: false);

    private static Analyzer Stemming(CharArraySet stopWords, Func<SnowballProgram> stemmer, bool elision)
    {
        // One cache of stems per language, shared by the threads' chains (CachedStemFilter).
        var stems = CachedStemFilter.NewCache();
        return Analyzer.NewAnonymous((_, reader) =>
        {
            var source = new StandardTokenizer(Version, reader);
            TokenStream stream = elision ? new ElisionFilter(source, FrenchAnalyzer.DEFAULT_ARTICLES) : source;
            stream = new LowerCaseFilter(Version, stream);
            stream = new StopFilter(Version, stream, stopWords);
            stream = new ASCIIFoldingFilter(stream);
            stream = new CachedStemFilter(stream, stemmer(), stems);
            return new TokenStreamComponents(source, stream);
        });
    }

    // Stems by language of folded words, for snippets: a page of hits analyses its texts once (plain) and looks the
    // stems up here, instead of a second, stemming analysis of every text (snowball is the costly part). Bounded: past
    // the cap, stems are computed and not kept.
    private const int MaxKeptStems = 200_000;
    private static readonly Dictionary<string, System.Collections.Concurrent.ConcurrentDictionary<string, string?>> StemsByLanguage =
        Common.Language.Codes.ToDictionary(l => l, _ => new System.Collections.Concurrent.ConcurrentDictionary<string, string?>(StringComparer.Ordinal));

    /// <summary>
    /// The stem of one folded word (a token of <see cref="Plain"/>) in <paramref name="language"/>, as the stem field
    /// holds it; null for a stop word. The stop words are recognised in their folded form.
    /// </summary>
    public static string? Stem(string language, string foldedWord)
    {
        var stems = StemsByLanguage.GetValueOrDefault(language) ?? StemsByLanguage["en"];
        if (stems.TryGetValue(foldedWord, out var stem))
        {
            return stem;
        }

        var tokens = Tokens(ForLanguage(language), foldedWord);
        stem = tokens.Count == 1 ? tokens[0].Term : null;
        if (stems.Count < MaxKeptStems)
        {
            stems.TryAdd(foldedWord, stem);
        }

        return stem;
    }

    /// <summary>
    /// Index-time analyzer of the text fields given as strings (plain, name); the stem field comes analysed
    /// (<see cref="StemStream"/>).
    /// </summary>
    public static Analyzer PerField => Plain;

    /// <summary>The terms (with their character offsets) an analyzer makes of a text.</summary>
    public static List<(string Term, int Start, int End)> Tokens(Analyzer analyzer, string text)
    {
        var result = new List<(string, int, int)>();
        using var stream = analyzer.GetTokenStream("f", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            result.Add((term.ToString(), offset.StartOffset, offset.EndOffset));
        }

        stream.End();
        return result;
    }
}
