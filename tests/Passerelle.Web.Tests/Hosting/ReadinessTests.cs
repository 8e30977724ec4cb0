using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Common;
using Passerelle.Core.Search;
using Passerelle.Core.Territories;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

/// <summary>/readyz, and what the territory pages and API do while the territory index is built in the background.</summary>
public sealed class ReadinessTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readyz_EverythingBuilt_Answers200ListingEachComponent()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("ready", json.GetProperty("status").GetString());
        var components = json.GetProperty("components").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("state").GetString());
        Assert.Equal("ready", components["search"]);
        Assert.Equal("ready", components["territory-index"]);
        // The fixture's index is a copy of the template host's, made for the same database: opened, not rebuilt.
        Assert.Equal(SearchIndexOpening.Reused, app.Services.GetRequiredService<SearchIndex>().LastOpen);
    }

    [Fact]
    public async Task Territories_BeforeTheTerritoryIndexIsReady_ApiAnswers503AndPagesSayMapsAreBeingPrepared()
    {
        await using var held = new HeldApp(ServiceStatus.TerritoryIndex);
        await held.InitializeAsync();
        var index = held.Services.GetRequiredService<TerritoryIndex>();
        using var client = held.CreateClient();

        foreach (var path in new[]
        {
            "/api/v1/places/eligibility?lat=50.6292&lon=3.0573", "/api/v1/territories/FRE11", "/api/v1/territories?kind=Nuts2",
            "/api/v1/territories/FRE11/geometry?zoom=6", "/api/v1/programmes/fwv-2021-2027/area.geojson",
            "/api/v1/groupings/eurometropole/territory.geojson", "/api/v1/groupings/eurometropole/profile",
        })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(Readiness.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("territories_not_ready", problem.GetProperty("errorCode").GetString());
        }

        foreach (var path in new[]
        {
            "/eligibility", "/eligibility?lat=50.6292&lon=3.0573", "/fr/eligibility?lau=FR59350", "/groupings/eurometropole",
            "/programmes/fwv-2021-2027", "/organisations/lille-metropole",
        })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            var text = HtmlText.Of(await response.Content.ReadAsStringAsync(Ct));
            Assert.Contains(PageWords.ForPath(path, "portal.map.preparing"), text, StringComparison.Ordinal);
        }

        using (var ready = await client.GetAsync("/readyz", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var component = (await ready.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("components").EnumerateArray()
                .Single(c => c.GetProperty("name").GetString() == "territory-index");
            Assert.Equal("starting", component.GetProperty("state").GetString());
        }

        Assert.False(index.IsReady);
        Assert.Equal(0, index.Builds);

        held.Gate.Release(ServiceStatus.TerritoryIndex);
        await held.Services.WaitUntilReadyAsync();

        Assert.Equal(1, index.Builds);
        Assert.True(index.Current!.HasUnits);
        using (var api = await client.GetAsync("/api/v1/places/eligibility?lat=50.6292&lon=3.0573", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        }

        using (var page = await client.GetAsync("/eligibility?lat=50.6292&lon=3.0573", Ct))
        {
            var text = HtmlText.Of(await page.Content.ReadAsStringAsync(Ct));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("FR59350", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Maps are being prepared", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TerritoryIndex_Invalidated_RebuildsInTheBackgroundWhileTheOldSnapshotServes()
    {
        var index = app.Services.GetRequiredService<TerritoryIndex>();
        var before = index.Current!;
        var builds = index.Builds;
        using var client = app.CreateClient();

        index.Invalidate();
        // Every request meanwhile is answered from a snapshot, the old or the new one: never 503.
        var bound = DateTime.UtcNow + TimeSpan.FromSeconds(180); // against a hang only
        while (index.Builds == builds)
        {
            Assert.True(DateTime.UtcNow < bound, "the territory index was not rebuilt");
            using var response = await client.GetAsync("/api/v1/places/eligibility?nuts=FRE11", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.NotSame(before, index.Current);
        Assert.True(index.IsReady);
    }
}
