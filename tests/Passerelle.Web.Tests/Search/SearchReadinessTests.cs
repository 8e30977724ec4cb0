using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Common;
using Passerelle.Core.Search;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Search;

/// <summary>The search index is built in the background after a start; until then search says so (503), it never builds.</summary>
public sealed class SearchReadinessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Search_BeforeTheIndexIsReady_Answers503WithRetryAfterAndNeverBuildsInTheRequest()
    {
        await using var app = new HeldApp(ServiceStatus.Search);
        await app.InitializeAsync();
        var index = app.Services.GetRequiredService<SearchIndex>();
        var status = app.Services.GetRequiredService<ServiceStatus>();
        using var client = app.CreateClient();

        using (var api = await client.GetAsync("/api/v1/search?q=biodiversity", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(Readiness.RetryAfterSeconds), api.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
            var problem = await api.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("search_not_ready", problem.GetProperty("errorCode").GetString());
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
        }

        foreach (var (path, message) in new[]
        {
            ("/search?q=biodiversity", "Search is being prepared"), ("/fr/search", "La recherche est en préparation"),
            ("/nl/search?q=water", "Het zoeken wordt voorbereid"), ("/de/search", "Die Suche wird vorbereitet"),
        })
        {
            using var page = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.NotNull(page.Headers.RetryAfter);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            var text = HtmlText.Of(await page.Content.ReadAsStringAsync(Ct));
            Assert.StartsWith(message, PageWords.ForPath(path, "portal.search.not_ready"), StringComparison.Ordinal);
            Assert.Contains(PageWords.ForPath(path, "portal.search.not_ready"), text, StringComparison.Ordinal);
        }

        using (var ready = await client.GetAsync("/readyz", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.NotNull(ready.Headers.RetryAfter);
            var json = await ready.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("not ready", json.GetProperty("status").GetString());
            var search = json.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "search");
            Assert.Equal("starting", search.GetProperty("state").GetString());
        }

        // None of those requests built anything: the build belongs to the background service, still held.
        Assert.False(index.IsReady);
        Assert.Equal(0, index.Builds);
        Assert.Equal(ComponentState.Starting, status.Get(ServiceStatus.Search)?.State);

        app.Gate.Release(ServiceStatus.Search);
        await app.Services.WaitUntilReadyAsync();

        Assert.Equal(1, index.Builds);
        Assert.Equal(SearchIndexOpening.Rebuilt, index.LastOpen);
        using (var api = await client.GetAsync("/api/v1/search?q=biodiversity", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
            Assert.True((await api.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("total").GetInt32() >= 3);
        }

        using (var page = await client.GetAsync("/fr/search?q=biodiversite", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        using (var ready = await client.GetAsync("/readyz", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Null(ready.Headers.RetryAfter);
            Assert.Equal("ready", (await ready.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        }

        // Searching again reads the same index: still the one build.
        Assert.Equal(1, index.Builds);
    }

    [Fact]
    public async Task Search_InvalidParametersBeforeTheIndexIsReady_StillAnswer400()
    {
        await using var app = new HeldApp(ServiceStatus.Search);
        await app.InitializeAsync();
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/search?sort=sideways", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_parameter", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errorCode").GetString());
    }
}
