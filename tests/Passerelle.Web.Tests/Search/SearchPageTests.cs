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

    [Fact]
    public async Task SearchPage_NoWords_ShowsEachDimensionsTopValuesAndLinksToAll()
    {
        var (status, html, text) = await GetAsync("/search");
        Assert.Equal(HttpStatusCode.OK, status);
        var regions = Fieldset(html, "region");
        Assert.Equal(IndexModelTopValues, Checkboxes(regions).Count);
        var all = Regex.Match(regions, "<p class=\"facet-more\"><a href=\"([^\"]+)\">([^<]+)</a>");
        Assert.True(all.Success, "no show-all link");
        Assert.Equal("/search?expand=region", WebUtility.HtmlDecode(all.Groups[1].Value));
        var total = int.Parse(Regex.Match(WebUtility.HtmlDecode(all.Groups[2].Value), @"Show all (\d+) values").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(total > 200, $"{total} regions");
        // The most frequent first: Nord-Pas de Calais has the most records.
        Assert.Equal("FRE1", Checkboxes(regions)[0]);
        // A short dimension shows all its values and no link.
        Assert.DoesNotContain("facet-more", Fieldset(html, "period"), StringComparison.Ordinal);
        Assert.Contains("Show all", text, StringComparison.Ordinal);

        var (expandedStatus, expanded, _) = await GetAsync("/search?expand=region");
        Assert.Equal(HttpStatusCode.OK, expandedStatus);
        var allRegions = Fieldset(expanded, "region");
        Assert.Equal(total, Checkboxes(allRegions).Count);
        Assert.Contains("class=\"facet facet-long\"", expanded, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/search\">Show the 8 most frequent only</a>", allRegions, StringComparison.Ordinal);
        // The expanded list stays expanded when the form is submitted, and in the filter links.
        Assert.Contains("<input type=\"hidden\" name=\"expand\" value=\"region\" />", expanded, StringComparison.Ordinal);
        Assert.Contains("href=\"/search?theme=biodiversity&amp;expand=region\"", expanded, StringComparison.Ordinal);
        Assert.Equal(IndexModelTopValues, Checkboxes(Fieldset(expanded, "country")).Count);
    }

    [Fact]
    public async Task SearchPage_TickedValueBeyondTheTop_StaysShownToBeUnticked()
    {
        var (_, plain, _) = await GetAsync("/search");
        var (_, expanded, _) = await GetAsync("/search?expand=region");
        var beyond = Checkboxes(Fieldset(expanded, "region")).Except(Checkboxes(Fieldset(plain, "region"))).First();

        var (status, html, _) = await GetAsync("/search?region=" + beyond);
        Assert.Equal(HttpStatusCode.OK, status);
        var regions = Checkboxes(Fieldset(html, "region"));
        Assert.Contains(beyond, regions);
        Assert.Equal(IndexModelTopValues + 1, regions.Count);
    }

    [Fact]
    public async Task SearchPage_PlaceAndGrouping_AreLabelledByKindAndLinkToTheirPages()
    {
        var (_, html, text) = await GetAsync("/search?q=lile");
        Assert.Contains("<a href=\"/eligibility?lau=FR59350\" class=\"result-title\">Lille</a>", html, StringComparison.Ordinal);
        Assert.Contains("Municipality · FR59350 · Nord", text, StringComparison.Ordinal);

        (_, html, text) = await GetAsync("/search?q=nord&type=territory");
        Assert.Contains("<a href=\"/eligibility?nuts=FRE11\" class=\"result-title\">Nord</a>", html, StringComparison.Ordinal);
        Assert.Contains("Region (NUTS 3) · FRE11 · Nord-Pas de Calais", text, StringComparison.Ordinal);

        (_, html, text) = await GetAsync("/search?q=EGTC");
        Assert.Contains("<a href=\"/groupings/eurometropole\" lang=\"en\" class=\"result-title\">Lille-Kortrijk-Tournai Eurometropole</a>", html, StringComparison.Ordinal);
        Assert.Contains("European grouping of territorial cooperation (EGTC) · FR · BE · 2008", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchPage_InGerman_NamesKindsAndFiltersInGerman()
    {
        var (status, html, text) = await GetAsync("/de/search?q=kortrik");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<title>Suche: kortrik · Passerelle</title>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/de/eligibility?lau=BE34022\" class=\"result-title\">Kortrijk</a>", html, StringComparison.Ordinal);
        Assert.Contains("Gemeinde · Courtrai · BE34022 · Arr. Kortrijk", text, StringComparison.Ordinal);
        Assert.Contains("Ergebnisse für „kortrik“.", text, StringComparison.Ordinal);
        Assert.Contains("<legend>Region (NUTS 2)</legend>", html, StringComparison.Ordinal);
        Assert.Contains("Filter anwenden", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchPage_Results_HaveOneLinkPerBlockAndNoNestedControls()
    {
        var (_, html, _) = await GetAsync("/search?q=kortrijk");
        // Each result's title is its only link, alone in its block; the kind line and the snippet are blocks of their own.
        foreach (Match item in Regex.Matches(html, "<ol class=\"results\"[^>]*>(.*?)</ol>", RegexOptions.Singleline))
        {
            foreach (Match li in Regex.Matches(item.Groups[1].Value, "<li>(.*?)</li>", RegexOptions.Singleline))
            {
                Assert.Single(Regex.Matches(li.Groups[1].Value, "<a "));
                Assert.DoesNotMatch("<span class=\"sub\"", li.Groups[1].Value);
            }
        }

        // No control inside a label or a link.
        Assert.DoesNotMatch("<label[^>]*>[^<]*<(a|input|button|select)\\b", html);
        Assert.DoesNotMatch("<a [^>]*>[^<]*(<span[^>]*>[^<]*</span>[^<]*)?<(a|input|button|select)\\b", html);
    }

    private const int IndexModelTopValues = Passerelle.Web.Portal.Pages.Search.IndexModel.TopValues;

    /// <summary>The fieldset of one dimension.</summary>
    private static string Fieldset(string html, string facet)
    {
        var match = Regex.Match(html, $"<fieldset id=\"facet-{facet}\".*?</fieldset>", RegexOptions.Singleline);
        Assert.True(match.Success, $"no fieldset for {facet}");
        return match.Value;
    }

    /// <summary>The values of a fieldset's checkboxes, in order.</summary>
    private static List<string> Checkboxes(string fieldset) =>
        Regex.Matches(fieldset, "<input type=\"checkbox\" id=\"[^\"]+\" form=\"search-form\" name=\"[a-z]+\" value=\"([^\"]+)\"")
            .Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    [GeneratedRegex("<a href=\"([^\"]+)\" class=\"facet-link\"")]
    private static partial Regex FacetLink();
}
