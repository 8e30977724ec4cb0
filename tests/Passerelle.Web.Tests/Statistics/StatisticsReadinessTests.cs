using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Common;
using Passerelle.Core.Search;
using Passerelle.Core.Statistics;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Statistics;

/// <summary>The statistics are counted on the search index: until it is ready after a start they say so, like search.</summary>
public sealed class StatisticsReadinessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Statistics_BeforeTheIndexIsReady_Answer503AndTheKeyFiguresAreAbsent()
    {
        await using var app = new HeldApp(ServiceStatus.Search);
        await app.InitializeAsync();
        using var client = app.CreateClient();

        foreach (var path in new[] { "/api/v1/statistics", "/api/v1/statistics/budget-by-year.csv?theme=water" })
        {
            using var api = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(Readiness.RetryAfterSeconds), api.Headers.RetryAfter?.Delta);
            Assert.Equal("search_not_ready", (await api.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errorCode").GetString());
        }

        foreach (var path in new[] { "/statistics", "/fr/statistics?theme=water" })
        {
            using var page = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.NotNull(page.Headers.RetryAfter);
            Assert.Contains("role=\"status\"", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        var index = app.Services.GetRequiredService<SearchIndex>();
        Assert.False(index.StatisticsLoaded);
        app.Gate.Release(ServiceStatus.Search);
        await app.Services.WaitUntilReadyAsync();
        Assert.True(index.IsReady);
        // Loaded by the start-up itself, not by the first request (the home page's key figures).
        Assert.True(index.StatisticsLoaded);
        using var ready = await client.GetAsync("/api/v1/statistics", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
