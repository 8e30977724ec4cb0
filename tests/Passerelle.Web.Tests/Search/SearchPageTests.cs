using System.Net;
using System.Text.RegularExpressions;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Search;

public sealed partial class SearchPageTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private async Task<(HttpStatusCode Status, string Html, string Text)> GetAsync(string path)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, html, HtmlText.Of(html));
    }

    [Fact]
    public async Task SearchPage_Query_RendersTitleHeadingResultsAndCounts()
    {
        var (status, html, text) = await GetAsync("/search?q=biodiversity");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<title>Search: biodiversity · Passerelle</title>", html, StringComparison.Ordinal);
        Assert.Contains("<h1>Search</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<mark>biodiversity</mark>", html, StringComparison.Ordinal);
        Assert.Contains("TEC!", text, StringComparison.Ordinal);
        Assert.Matches(@"Biodiversity \( ?3 ?\)", text);
        Assert.Contains("name=\"theme\" value=\"biodiversity\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchPage_FilterLink_RoundTripsInTheAddress()
    {
        var (_, html, _) = await GetAsync("/search?type=project");
        var link = WebUtility.HtmlDecode(FacetLink().Matches(html).Select(m => m.Groups[1].Value)
            .Single(h => h.Contains("theme=biodiversity", StringComparison.Ordinal)));
        Assert.Equal("/search?type=project&theme=biodiversity", link);

        var (status, filteredHtml, text) = await GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("3 results", text, StringComparison.Ordinal);
        Assert.Contains("id=\"f-theme-biodiversity\" form=\"search-form\" name=\"theme\" value=\"biodiversity\" checked=\"checked\"", filteredHtml, StringComparison.Ordinal);
        foreach (var acronym in new[] { "TEC!", "VALYS", "NICIVALYS" })
        {
            Assert.Contains(acronym, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("BISEPS", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchPage_LanguageAddress_KeepsTheLanguageInLinks()
    {
        var (status, html, text) = await GetAsync("/fr/search?q=biodiversite");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<html lang=\"fr\">", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/fr/projects/tec\"", html, StringComparison.Ordinal);
        Assert.Matches(@"Biodiversité \( ?3 ?\)", text);
    }

    [Fact]
    public async Task SearchPage_UnknownSort_Returns400WithAMessage()
    {
        var (status, _, text) = await GetAsync("/search?sort=cheapest");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("This search cannot be run", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Layout_Nav_LinksToSearch()
    {
        var (_, html, _) = await GetAsync("/");
        Assert.Contains("<a href=\"/search\">Search</a>", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("<a href=\"([^\"]+)\" class=\"facet-link\"")]
    private static partial Regex FacetLink();
}
