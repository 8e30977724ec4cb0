using Passerelle.Core.Common;
using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// Which records a query's words match (issue 17, ADR 7): a word matches its own forms; loose (fuzzy) matching is a
/// fallback for a word that finds nothing, never onto a stop word; a prefix being typed expands to a bounded set of words.
/// </summary>
public sealed class QueryRelevanceTests
{
    private static SearchDocument Project(int id, string? en = null, string? fr = null) => new()
    {
        Type = SearchDocType.Project,
        Id = id,
        Slug = "p" + id,
        Name = "P" + id,
        Title = new LocalizedText { En = "Project" },
        Summary = new LocalizedText { En = en, Fr = fr },
    };

    private static List<string> Slugs(SearchEngine engine, string text) =>
        engine.Search(new SearchQuery(text, PageSize: 100)).Items.Select(i => i.Slug).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Search_WordThatExists_DoesNotMatchItsOneEditNeighbours()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, en: "storm damage"), Project(2, en: "village store"), Project(3, en: "stork nests"), Project(4, en: "stormy weather")]);

        Assert.Equal(["p1"], Slugs(engine, "storm "));
    }

    [Fact]
    public void Search_FrenchWordThatExists_DoesNotMatchAnotherWordOneEditAway()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, fr: "le salaire minimum"), Project(2, fr: "énergie solaire"), Project(3, fr: "les salaires des jeunes")]);

        // Its stem finds the plural; "solaire" is one edit away and a word of its own.
        Assert.Equal(["p1", "p3"], Slugs(engine, "salaire "));
    }

    [Theory]
    [InlineData("biodiversty ")]
    [InlineData("biodversity")]
    [InlineData("biodiverstiy ")]
    public void Search_MisspeltWordWithoutExactMatch_FindsTheIntendedWord(string text)
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, en: "local biodiversity"), Project(2, en: "regional diversity")]);

        var hit = Assert.Single(engine.Search(new SearchQuery(text)).Items);
        Assert.Equal("p1", hit.Slug);
        Assert.Contains("<mark>biodiversity</mark>", hit.SnippetHtml, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_StopWord_IsNeverALooseMatch()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, fr: "la danse contemporaine"), Project(2, fr: "un atelier dans la ville")]);

        // "danse" exists: matched as itself and its stem, not widened to "dans" (a French stop word).
        Assert.Equal(["p1"], Slugs(engine, "danse "));
        // "danss" exists nowhere: loosely it finds "danse", never "dans".
        Assert.Equal(["p1"], Slugs(engine, "danss "));
    }

    [Fact]
    public void Search_StopWordTyped_IsNeverMatchedLoosely()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, en: "dance theatre"), Project(2, en: "a walk through the hills")]);

        // "durch" (German "through", a stop word) is in no text: it finds nothing rather than a neighbour.
        Assert.Empty(Slugs(engine, "durch "));
    }

    [Fact]
    public void Search_WordInCapitals_IsAnAcronymNotAStopWord()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, en: "taxation advice by EURES advisers"), Project(2, en: "taxation of cross-border workers")]);

        // "eures" is a German stop word ("yours"): in capitals it is the network's name, and required.
        Assert.Equal(["p1"], Slugs(engine, "taxation EURES "));
    }

    [Fact]
    public void Search_PrefixBeingTyped_ExpandsToABoundedSetOfTheMostFrequentWords()
    {
        var words = Enumerable.Range(0, QueryBuilder.MaxExpansions + 10).Select(i => $"zetaword{i:D3}").ToList();
        // Each word in one record; the first MaxExpansions words also in a second record (more frequent).
        var docs = words.Select((w, i) => Project(i + 1, en: w))
            .Concat(words.Take(QueryBuilder.MaxExpansions).Select((w, i) => Project(1000 + i, en: w + " again")))
            .ToList();
        using var engine = new SearchEngine();
        engine.Rebuild(docs);

        var result = engine.Search(new SearchQuery("zetaw"));

        Assert.Equal(2 * QueryBuilder.MaxExpansions, result.Total);
        // A finished word (space after it) is not a prefix.
        Assert.Equal(0, engine.Search(new SearchQuery("zetaw ")).Total);
    }

    [Fact]
    public void Search_TwoLettersBeingTyped_AreNotExpanded()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, en: "zebra crossing"), Project(2, en: "ze")]);

        Assert.Equal(["p2"], Slugs(engine, "ze"));
    }

    [Fact]
    public void Search_Ranking_ExactBeforeStemBeforePrefix()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, en: "gardenia"), Project(2, en: "garden"), Project(3, en: "gardens")]);

        // "garden" being typed: the word itself first, then its stem (gardens), then a longer word by prefix.
        Assert.Equal(["p2", "p3", "p1"], engine.Search(new SearchQuery("garden")).Items.Select(i => i.Slug));
    }

    [Fact]
    public void Search_WordInAnotherLanguagesStem_MatchesAcrossLanguages()
    {
        using var engine = new SearchEngine();
        engine.Rebuild([Project(1, fr: "coopération transfrontalière"), Project(2, en: "something else")]);

        // The stem field holds every language's stems: "cooperations" (English plural) meets the French word.
        Assert.Equal(["p1"], Slugs(engine, "cooperations "));
    }
}
