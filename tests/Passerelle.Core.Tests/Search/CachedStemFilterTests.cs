using System.Collections.Concurrent;

using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Snowball;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Tartarus.Snowball;
using Lucene.Net.Tartarus.Snowball.Ext;

using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

public sealed class CachedStemFilterTests
{
    private const string English = "Cheaper energies for towns: the towns' energy, generated; generations of generators and happily happier cities.";
    private const string French = "Les énergies renouvelables des villes, l'énergie des fabrications locales et la fabrication régionale.";
    private const string Dutch = "De energie van de steden, energiebesparingen en besparing; fietsers fietsen op fietspaden.";
    private const string German = "Die Energieversorgung der Städte, erneuerbare Energien und die Häuser der Stadtwerke.";

    public static TheoryData<string, string> Texts => new()
    {
        { "en", English },
        { "fr", French },
        { "nl", Dutch },
        { "de", German },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void IncrementToken_WordsStemmedThenKept_SameTokensAsSnowballFilter(string language, string text)
    {
        var cache = CachedStemFilter.NewCache();
        var expected = Terms(text, input => new SnowballFilter(input, Stemmer(language)));

        // The first pass stems and keeps every word; the second finds them all kept.
        var first = Terms(text, input => new CachedStemFilter(input, Stemmer(language), cache));
        var kept = cache.Count;
        var second = Terms(text, input => new CachedStemFilter(input, Stemmer(language), cache));

        Assert.Equal(expected, first);
        Assert.Equal(expected, second);
        Assert.Equal(expected.Distinct().Count(), cache.Values.Distinct().Count());
        Assert.Equal(kept, cache.Count);
    }

    [Fact]
    public void IncrementToken_WordKept_GivesTheKeptStem()
    {
        // The filter reads the cache before the stemmer: a word kept gives what was kept for it.
        var cache = CachedStemFilter.NewCache();
        cache["energies"] = "kept";

        Assert.Equal(["kept", "energi"], Terms("energies energy", input => new CachedStemFilter(input, new EnglishStemmer(), cache)));
    }

    [Fact]
    public void IncrementToken_CacheFull_StemsWithoutKeeping()
    {
        var cache = new ConcurrentDictionary<string, string>(
            Enumerable.Range(0, CachedStemFilter.MaxKept).Select(i => KeyValuePair.Create("w" + i, "w" + i)), StringComparer.Ordinal);

        var terms = Terms(English, input => new CachedStemFilter(input, new EnglishStemmer(), cache));

        Assert.Equal(Terms(English, input => new SnowballFilter(input, new EnglishStemmer())), terms);
        Assert.Equal(CachedStemFilter.MaxKept, cache.Count);
    }

    [Fact]
    public void IncrementToken_KeywordToken_LeftAsItIs()
    {
        var cache = CachedStemFilter.NewCache();
        var keywords = new CharArraySet(SearchAnalyzers.Version, ["energies"], ignoreCase: false);

        var terms = Terms("energies generations", input => new CachedStemFilter(new SetKeywordMarkerFilter(input, keywords), new EnglishStemmer(), cache));

        Assert.Equal(["energies", "generat"], terms);
        Assert.False(cache.ContainsKey("energies"));
    }

    private static SnowballProgram Stemmer(string language) => language switch
    {
        "fr" => new FrenchStemmer(),
        "nl" => new DutchStemmer(),
        "de" => new German2Stemmer(),
        _ => new EnglishStemmer(),
    };

    private static List<string> Terms(string text, Func<TokenStream, TokenStream> stem)
    {
        using var analyzer = Analyzer.NewAnonymous((_, reader) =>
        {
            var source = new StandardTokenizer(SearchAnalyzers.Version, reader);
            TokenStream stream = new LowerCaseFilter(SearchAnalyzers.Version, source);
            stream = new ASCIIFoldingFilter(stream);
            return new TokenStreamComponents(source, stem(stream));
        });
        var result = new List<string>();
        using var stream = analyzer.GetTokenStream("f", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            result.Add(term.ToString());
        }

        stream.End();
        return result;
    }
}
