using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

public sealed class SnippetsTests
{
    [Theory]
    // The word as written, folded (accents and case ignored).
    [InlineData("energie ", "Énergie solaire pour tous", "fr", "<mark>&#201;nergie</mark> solaire pour tous")]
    // Another form of the word in the text's language: marked by its stem.
    [InlineData("energy ", "Cheaper energies for towns", "en", "Cheaper <mark>energies</mark> for towns")]
    [InlineData("fabrication ", "Les fabrications locales", "fr", "Les <mark>fabrications</mark> locales")]
    // The last word of a query being typed marks the words it begins.
    [InlineData("river manu", "River manufacturing, manual work", "en", "<mark>River</mark> <mark>manufacturing</mark>, <mark>manual</mark> work")]
    public void Highlight_QueryWords_MarksTheirFormsInTheText(string query, string text, string language, string expected)
    {
        Assert.Equal(expected, Snippets.Highlight(QueryBuilder.Words(query), text, language));
    }

    [Fact]
    public void Highlight_NoWordInTheText_GivesNothing()
    {
        Assert.Null(Snippets.Highlight(QueryBuilder.Words("water "), "Cheaper energies for towns", "en"));
    }

    [Fact]
    public void Stem_SameWordTwice_GivesTheStemOrNothingForAStopWord()
    {
        Assert.Equal("energi", SearchAnalyzers.Stem("en", "energies"));
        Assert.Equal(SearchAnalyzers.Stem("en", "energies"), SearchAnalyzers.Stem("en", "energies"));
        Assert.Null(SearchAnalyzers.Stem("en", "the"));
        Assert.Null(SearchAnalyzers.Stem("fr", "les"));
    }
}
