using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Registry;
using Passerelle.Core.Search;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Search;

public sealed class SqliteSearchPlacesAndGroupingsTests(PasserelleApp app) : SearchPlacesAndGroupingsTests<PasserelleApp>(app);

public sealed class PostgresSearchPlacesAndGroupingsTests(PostgresApp app) : SearchPlacesAndGroupingsTests<PostgresApp>(app);

/// <summary>
/// Groupings and territory units are searchable (issue 15): by every name a source gives, the legal form's names in
/// four languages, a place's name in its other language, and one letter off. Once per provider.
/// </summary>
public abstract class SearchPlacesAndGroupingsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> SearchAsync(string query)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/api/v1/search?" + query, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static List<JsonElement> Items(JsonElement result) => result.GetProperty("items").EnumerateArray().ToList();

    private static int Count(JsonElement result, string facet, string value) =>
        result.GetProperty("facets").GetProperty(facet).EnumerateArray()
            .Where(f => f.GetProperty("value").GetString() == value).Select(f => f.GetProperty("count").GetInt32()).SingleOrDefault();

    [Theory]
    [InlineData("Eurometropole")]
    [InlineData("eurometropool")]
    [InlineData("Eurométropole")]
    [InlineData("EGTC")]
    [InlineData("GECT")]
    [InlineData("EGTS")]
    [InlineData("EVTZ")]
    [InlineData("Rijsel-Kortrijk-Doornik")]
    public async Task Search_GroupingNameOrLegalForm_FindsTheEurometropoleFirst(string q)
    {
        var first = Items(await SearchAsync("q=" + Uri.EscapeDataString(q)))[0];

        Assert.Equal("eurometropole", first.GetProperty("slug").GetString());
        Assert.Equal("Grouping", first.GetProperty("type").GetString());
        Assert.Equal("egtc", first.GetProperty("kind").GetString());
        Assert.Equal("Lille-Kortrijk-Tournai Eurometropole", first.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Search_GroupingInDutch_ShowsItsDutchName()
    {
        var first = Items(await SearchAsync("q=eurometropool&lang=nl"))[0];

        Assert.Equal("Eurometropool Lille-Kortrijk-Tournai", first.GetProperty("title").GetString());
        Assert.Equal("nl", first.GetProperty("titleLanguage").GetString());
    }

    [Fact]
    public async Task Search_MemberMunicipality_FindsThePlaceThenItsGrouping()
    {
        var slugs = Items(await SearchAsync("q=Halluin")).Select(i => i.GetProperty("slug").GetString()).ToList();

        Assert.Equal("FR59279", slugs[0]);
        Assert.Contains("eurometropole", slugs);
    }

    [Theory]
    [InlineData("lile", "FR59350", "Lille")]
    [InlineData("kortrik", "BE34022", "Kortrijk")]
    [InlineData("Lille", "FR59350", "Lille")]
    [InlineData("Kortrijk", "BE34022", "Kortrijk")]
    [InlineData("Courtrai", "BE34022", "Kortrijk")]
    [InlineData("Doornik", "BE57081", "Tournai")]
    [InlineData("moeskroen", "BE57096", "Mouscron")]
    [InlineData("Nord", "FRE11", "Nord")]
    [InlineData("Belgium", "BE", "Belgique/België")]
    [InlineData("FRE11", "FRE11", "Nord")]
    public async Task Search_PlaceNameCodeOrTypo_FindsTheTerritoryFirst(string q, string code, string name)
    {
        var first = Items(await SearchAsync("q=" + Uri.EscapeDataString(q)))[0];

        Assert.Equal(code, first.GetProperty("slug").GetString());
        Assert.Equal("Territory", first.GetProperty("type").GetString());
        Assert.Equal(name, first.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Search_Typo_RanksBelowTheExactName()
    {
        var exact = Items(await SearchAsync("q=lille"))[0].GetProperty("score").GetSingle();
        var typo = Items(await SearchAsync("q=lile"))[0].GetProperty("score").GetSingle();

        Assert.True(typo < exact, $"lile scored {typo}, lille {exact}");
    }

    [Fact]
    public async Task Search_FourLetterTypo_DoesNotMatchTheWordsOfSummaries()
    {
        // "plan" is in TEC!'s summary ("action plan to protect local biodiversity"); one edit off, "plon" is in no
        // name: loose matching of short words is for names only.
        Assert.Contains("tec", Items(await SearchAsync("q=plan")).Select(i => i.GetProperty("slug").GetString()));
        Assert.DoesNotContain("tec", Items(await SearchAsync("q=plon")).Select(i => i.GetProperty("slug").GetString()));
    }

    [Fact]
    public async Task Search_TerritoryKinds_AreFacetValuesAndHitKinds()
    {
        var result = await SearchAsync("q=kortrijk&type=territory");

        Assert.Equal(["municipality", "nuts3"], Items(result).Select(i => i.GetProperty("kind").GetString()!).Order().ToList());
        Assert.Equal(1, Count(result, "kind", "municipality"));
        Assert.Equal(1, Count(result, "kind", "nuts3"));
        var arrondissement = Items(result).Single(i => i.GetProperty("kind").GetString() == "nuts3");
        Assert.Equal("BE254", arrondissement.GetProperty("slug").GetString());
        Assert.Equal("BE254 · Prov. West-Vlaanderen", arrondissement.GetProperty("subtitle").GetString());
    }

    [Fact]
    public async Task Search_NoWords_ListsRecordsAndTypeTerritoryListsEveryUnit()
    {
        var units = await app.WithDbAsync(db => db.TerritoryUnits.CountAsync(Ct));
        var browse = await SearchAsync("pageSize=100");
        Assert.DoesNotContain(Items(browse), i => i.GetProperty("type").GetString() == "Territory");
        Assert.Equal(units, Count(browse, "type", "territory"));
        Assert.DoesNotContain(browse.GetProperty("facets").GetProperty("type").EnumerateArray(), f => f.GetProperty("selected").GetBoolean());

        var places = await SearchAsync("type=territory&pageSize=5");
        Assert.Equal(units, places.GetProperty("total").GetInt32());
        Assert.All(Items(places), i => Assert.Equal("Territory", i.GetProperty("type").GetString()));

        // Another filter without words keeps the places out too: the region's records, not its municipalities.
        var region = await SearchAsync("region=FRE1&pageSize=100");
        Assert.DoesNotContain(Items(region), i => i.GetProperty("type").GetString() == "Territory");
        Assert.Contains("eurometropole", Items(region).Select(i => i.GetProperty("slug").GetString()));
    }

    [Fact]
    public async Task Search_GroupingNameAdded_IsFoundAfterTheChangeFeedWithoutARebuild()
    {
        var index = app.Services.GetRequiredService<SearchIndex>();
        var builds = index.Builds;

        await app.WriteAsync(async session =>
        {
            var grouping = await session.Db.Groupings.SingleAsync(g => g.Slug == "eurometropole", Ct);
            await session.LoadValuesAsync([grouping], Ct);
            return session.AddValue(grouping, Fields.Grouping.Name["de"], "Zaunkönigverbund Lille-Kortrijk-Tournai", await PasserelleApp.TestSourceAsync(session));
        });
        var feedEnd = await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => e.Id, Ct));
        await ReadinessExtensions.WaitUntilAsync(() => index.Position >= feedEnd, "the search index to read the new name");

        var first = Items(await SearchAsync("q=zaunkonigverbund"))[0];
        Assert.Equal("eurometropole", first.GetProperty("slug").GetString());
        Assert.Equal(builds, index.Builds);
    }
}
