using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Search;

public sealed class SearchApiTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> SearchAsync(string query)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/api/v1/search?" + query, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static List<string> Slugs(JsonElement result) =>
        result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!).ToList();

    private static int Count(JsonElement result, string facet, string value) =>
        result.GetProperty("facets").GetProperty(facet).EnumerateArray()
            .Where(f => f.GetProperty("value").GetString() == value).Select(f => f.GetProperty("count").GetInt32()).SingleOrDefault();

    [Fact]
    public async Task Search_Biodiversity_RanksTheThreeBiodiversityProjectsFirst()
    {
        var result = await SearchAsync("q=biodiversity");
        var slugs = Slugs(result);
        Assert.True(slugs.Count >= 3, string.Join(", ", slugs));
        Assert.Equal(["nicivalys", "tec", "valys"], slugs.Take(3).Order().ToList());
        Assert.Equal("tec", slugs[0]);
    }

    [Fact]
    public async Task Search_RegionFilter_FindsRecordsOfPartnersInThatNutsRegion()
    {
        // Lille Métropole's city, Lille, lies in Nord (FRE11), part of Nord-Pas de Calais (FRE1); so do its projects.
        var result = await SearchAsync("region=FRE1&pageSize=100");
        var slugs = Slugs(result);
        Assert.Contains("lille-metropole", slugs);
        Assert.Contains("eyes", slugs);
        Assert.Contains("fwv-2014-2020", slugs);
        Assert.DoesNotContain("nicivalys", slugs);
        Assert.Equal(slugs.Count, Count(result, "region", "FRE1"));
        var label = result.GetProperty("facets").GetProperty("region").EnumerateArray()
            .Single(f => f.GetProperty("value").GetString() == "FRE1").GetProperty("label").GetString();
        Assert.Equal("Nord-Pas de Calais (FRE1)", label);
    }

    [Fact]
    public async Task Search_ThemeFilter_GivesThreeProjectsAndDrillsSideways()
    {
        var all = await SearchAsync("type=project");
        Assert.Equal(8, all.GetProperty("total").GetInt32());
        Assert.Equal(3, Count(all, "theme", "biodiversity"));

        var filtered = await SearchAsync("type=project&theme=biodiversity");
        Assert.Equal(3, filtered.GetProperty("total").GetInt32());
        Assert.Equal(["nicivalys", "tec", "valys"], Slugs(filtered).Order().ToList());
        // The theme facet ignores its own filter: the other themes keep their counts over all projects.
        Assert.Equal(Count(all, "theme", "water"), Count(filtered, "theme", "water"));
        Assert.Equal(3, Count(filtered, "theme", "biodiversity"));
        // The type facet applies the theme filter: only the three projects.
        Assert.Equal(3, Count(filtered, "type", "project"));
        Assert.Equal(0, Count(filtered, "type", "organisation"));
        var theme = filtered.GetProperty("facets").GetProperty("theme").EnumerateArray()
            .Single(f => f.GetProperty("value").GetString() == "biodiversity");
        Assert.Equal("Biodiversity", theme.GetProperty("label").GetString());
    }

    [Fact]
    public async Task Search_TypeFacet_CountsEveryKindOfRecordAndThePlacesApart()
    {
        var result = await SearchAsync("");
        Assert.Equal(8, Count(result, "type", "project"));
        Assert.Equal(7, Count(result, "type", "programme"));
        Assert.Equal(1, Count(result, "type", "grouping"));
        Assert.True(Count(result, "type", "organisation") > 50);
        // Without words the registry's records are listed; the places are counted under their type, to tick.
        Assert.Equal(result.GetProperty("total").GetInt32(),
            Count(result, "type", "project") + Count(result, "type", "programme") + Count(result, "type", "organisation") + Count(result, "type", "grouping"));
        Assert.True(Count(result, "type", "territory") > 3000);
    }

    [Theory]
    [InlineData("Eco-Citoyens", "tec")]
    [InlineData("ooievaarsnesten", "nicivalys")]
    [InlineData("Leievallei", "valys")]
    [InlineData("Leievallei", "nicivalys")]
    [InlineData("biodiversité", "tec")]
    [InlineData("biodiversty", "tec")]
    [InlineData("BIODIVERSITY", "tec")]
    public async Task Search_MultilingualAccentAndTypo_FindsTheRecord(string q, string slug)
    {
        var result = await SearchAsync("q=" + Uri.EscapeDataString(q));
        Assert.Contains(slug, Slugs(result));
    }

    [Fact]
    public async Task Search_GermanProgrammeName_FindsNorthWestEurope()
    {
        var result = await SearchAsync("q=Nordwesteuropa&type=programme");
        var items = result.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.Contains("NWE", i.GetProperty("subtitle").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Search_WithoutAccents_FindsMetropoleEuropeenneDeLille()
    {
        var result = await SearchAsync("q=metropole%20europeenne&type=organisation");
        var first = result.GetProperty("items")[0];
        Assert.Equal("Métropole Européenne de Lille", first.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Search_Prefix_FindsCooperation()
    {
        var result = await SearchAsync("q=cooperat&type=project");
        Assert.Contains("alarm-fwv", Slugs(result));
    }

    [Fact]
    public async Task Search_Typo_RanksBelowTheExactWord()
    {
        var exact = await SearchAsync("q=biodiversity");
        var typo = await SearchAsync("q=biodiversty");
        Assert.Contains("tec", Slugs(typo));
        Assert.True(typo.GetProperty("items")[0].GetProperty("score").GetSingle() < exact.GetProperty("items")[0].GetProperty("score").GetSingle());
    }

    [Fact]
    public async Task Search_Snippet_MarksTheMatchedWordAndEscapesTheRest()
    {
        var result = await SearchAsync("q=biodiversity&type=project");
        var tec = result.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("slug").GetString() == "tec");
        Assert.Equal("action plan to protect local <mark>biodiversity</mark>.", tec.GetProperty("snippetHtml").GetString());
    }

    [Fact]
    public async Task Search_SortByBudget_PutsLargestKnownBudgetFirst()
    {
        var result = await SearchAsync("type=project&sort=budget-desc&pageSize=100");
        var budgets = result.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("budget").ValueKind == JsonValueKind.Null ? (decimal?)null : i.GetProperty("budget").GetDecimal()).ToList();
        var known = budgets.TakeWhile(b => b is not null).ToList();
        Assert.NotEmpty(known);
        Assert.Equal(known.OrderByDescending(b => b).ToList(), known);
        Assert.All(budgets.Skip(known.Count), b => Assert.Null(b));
    }

    [Fact]
    public async Task Search_Paging_ReturnsTheRequestedWindow()
    {
        var first = await SearchAsync("pageSize=5&page=1");
        var second = await SearchAsync("pageSize=5&page=2");
        Assert.Equal(5, first.GetProperty("items").GetArrayLength());
        Assert.Empty(Slugs(first).Intersect(Slugs(second)));
        Assert.Equal(2, second.GetProperty("page").GetInt32());
        Assert.Equal(5, second.GetProperty("pageSize").GetInt32());
    }

    [Fact]
    public async Task Search_FacetLimit_ListsTheMostFrequentValuesAndSaysHowManyThereAre()
    {
        var all = await SearchAsync("type=project");
        var top = await SearchAsync("type=project&facetLimit=1");
        var expanded = await SearchAsync("type=project&facetLimit=1&expand=theme");

        static List<string?> Values(JsonElement result, string facet) =>
            result.GetProperty("facets").GetProperty(facet).EnumerateArray().Select(f => f.GetProperty("value").GetString()).ToList();
        var themes = Values(all, "theme");
        Assert.True(themes.Count > 1, string.Join(", ", themes));
        // Without facetLimit every value is listed (v1's answer before the parameter existed).
        Assert.Equal(themes, Values(await SearchAsync("type=project&facetLimit=10000"), "theme"));
        Assert.Equal(themes.Count, all.GetProperty("facetSizes").GetProperty("theme").GetInt32());
        // facetLimit=1: the most frequent value only, and the same number of values in all.
        Assert.Equal(themes.Take(1), Values(top, "theme"));
        Assert.Equal(themes.Count, top.GetProperty("facetSizes").GetProperty("theme").GetInt32());
        Assert.All(top.GetProperty("facets").EnumerateObject().Where(f => f.Name != "type"), f => Assert.True(f.Value.GetArrayLength() <= 1, f.Name));
        // The ticked type stays listed beside the most frequent one, so it can be unticked.
        Assert.Equal(Values(all, "type").Take(1).Append("project").Distinct(), Values(top, "type"));
        // expand lists that one facet in full.
        Assert.Equal(themes, Values(expanded, "theme"));
        Assert.Equal(Values(top, "country"), Values(expanded, "country"));
    }

    [Theory]
    [InlineData("sort=cheapest", "invalid_parameter")]
    [InlineData("pageSize=101", "invalid_paging")]
    [InlineData("pageSize=0", "invalid_paging")]
    [InlineData("page=0", "invalid_paging")]
    [InlineData("type=event", "invalid_parameter")]
    [InlineData("lang=es", "invalid_parameter")]
    [InlineData("page=1000&pageSize=100", "invalid_paging")]
    [InlineData("facetLimit=0", "invalid_parameter")]
    [InlineData("facetLimit=10001", "invalid_parameter")]
    [InlineData("facetLimit=ten", "invalid_parameter")]
    [InlineData("expand=colour", "invalid_parameter")]
    public async Task Search_BadParameter_Returns400WithItsErrorCode(string query, string errorCode)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/api/v1/search?" + query, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(errorCode, problem.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Search_OpenApi_DescribesTheSearchRoute()
    {
        using var client = app.CreateClient();
        var document = await client.GetStringAsync("/openapi/v1.json", Ct);
        Assert.Contains("\"/api/v1/search\"", document, StringComparison.Ordinal);
        Assert.Contains("\"operationId\": \"Search\"", document, StringComparison.Ordinal);
    }
}
