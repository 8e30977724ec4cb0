using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

using Passerelle.Core.Common;
using Passerelle.Core.DefaultData;
using Passerelle.Core.History;
using Passerelle.Core.Territories;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Territories;

/// <summary>The default data without territories: no geodata folder, and no territory import at start.</summary>
public sealed class NoTerritoriesApp : PasserelleApp
{
    protected override bool UseTemplate => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        NoTerritories.Configure(builder);
    }
}

public sealed class NoTerritoriesPostgresApp : PostgresApp
{
    protected override bool UseTemplate => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        NoTerritories.Configure(builder);
    }
}

internal static class NoTerritories
{
    public static void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Territories:DataPath", "");
        builder.UseSetting("Territories:ImportOnStart", "false");
    }
}

public sealed class SqliteTerritoriesMissingTests(NoTerritoriesApp app) : TerritoriesMissingTests<NoTerritoriesApp>(app);

public sealed class PostgresTerritoriesMissingTests(NoTerritoriesPostgresApp app) : TerritoriesMissingTests<NoTerritoriesPostgresApp>(app);

/// <summary>
/// An instance whose database has no territories (built, not being prepared): the pages that need them serve and say
/// what is missing and how an administrator adds it; the API routes that need them answer 503 territories_missing.
/// </summary>
public abstract class TerritoriesMissingTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] ApiRoutes =
    [
        "/api/v1/places/eligibility?lat=50.6292&lon=3.0573", "/api/v1/places/eligibility?lau=FR59350", "/api/v1/territories/FRE11",
        "/api/v1/territories?kind=Nuts2", "/api/v1/territories/FRE11/geometry?zoom=6", "/api/v1/programmes/fwv-2021-2027/area.geojson",
        "/api/v1/groupings/eurometropole/territory.geojson", "/api/v1/groupings/eurometropole/profile",
    ];

    [Fact]
    public async Task Pages_NoTerritoriesInTheDatabase_Answer200SayingWhatIsMissingAndHowToAddIt()
    {
        Assert.Equal(TerritoryAvailability.Missing, app.Services.GetRequiredService<TerritoryIndex>().Availability);
        using var client = app.CreateClient();
        foreach (var path in new[]
        {
            "/eligibility", "/eligibility?lat=50.6292&lon=3.0573", "/fr/eligibility?lau=FR59350", "/groupings/eurometropole",
            "/programmes/fwv-2021-2027", "/organisations/lille-metropole", "/projects/tec",
        })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            var text = HtmlText.Of(await response.Content.ReadAsStringAsync(Ct));
            // In the page's language (/fr/... in French).
            string Words(string key) => PageWords.ForPath(path, key);
            Assert.Contains(Words("portal.territories.missing"), text, StringComparison.Ordinal);
            // No import at start here: restarting would not add them, the command does.
            Assert.Contains(Words("portal.territories.how_to_add_command"), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Words("portal.map.preparing"), text, StringComparison.Ordinal);
            // Not the answers that would be true of a loaded registry.
            Assert.DoesNotContain(Words("portal.eligibility.no_unit"), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Words("portal.grouping.no_municipalities"), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Words("portal.programme.no_area"), text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Api_NoTerritoriesInTheDatabase_Answers503TerritoriesMissingWithoutRetryAfter()
    {
        using var client = app.CreateClient();
        foreach (var path in ApiRoutes)
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Null(response.Headers.RetryAfter); // waiting does not help: an administrator must add them
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("territories_missing", problem.GetProperty("errorCode").GetString());
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.StartsWith(TerritoriesMissing.Summary, detail, StringComparison.Ordinal);
            Assert.Contains("import-territories", detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Health_NoTerritoriesInTheDatabase_IsDegradedButTheInstanceIsReady()
    {
        using var client = app.CreateClient();
        var health = await client.GetFromJsonAsync<JsonElement>("/healthz", Ct);
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        Assert.Contains("import-territories", health.GetProperty("checks").GetProperty("data").GetProperty("description").GetString(), StringComparison.Ordinal);
        using var ready = await client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Territories_ImportedBesideTheRunningInstance_ItsPagesAndHealthFollowWithoutARestart()
    {
        // An instance of its own: this test adds the territories to its database.
        await using var instance = new TApp();
        await instance.InitializeAsync();
        var index = instance.Services.GetRequiredService<TerritoryIndex>();
        Assert.Equal(TerritoryAvailability.Missing, index.Availability);

        // What `import-territories` in another process does: the import, and its change-feed entry; nothing of this
        // instance's own state is touched, so only the change feed can tell it.
        await using (var scope = instance.Services.CreateAsyncScope())
        {
            var files = new TerritoryFiles(new TerritoryDataOptions { DataPath = DataPaths.FindSharedData() },
                new DataPathOptions().ResolveDefaultDataPath(), http: null, NullLogger.Instance);
            await scope.ServiceProvider.GetRequiredService<TerritoryImporter>().ImportAsync(files, Actor.Command("import-territories"), Ct);
        }

        var status = instance.Services.GetRequiredService<ServiceStatus>();
        await ReadinessExtensions.WaitUntilAsync(
            () => index.Availability == TerritoryAvailability.Available && status.Get(ServiceStatus.Territories)?.State == ComponentState.Ready,
            "the territory index rebuilt with the imported territories");

        using var client = instance.CreateClient();
        Assert.StartsWith("{\"status\":\"Healthy\"", await client.GetStringAsync("/healthz", Ct), StringComparison.Ordinal);
        var text = HtmlText.Of(await client.GetStringAsync("/eligibility?lat=50.6292&lon=3.0573", Ct));
        Assert.Contains("FR59350", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TerritoriesMissing.Summary, text, StringComparison.Ordinal);
    }
}
