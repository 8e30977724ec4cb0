using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Passerelle.Core.Data;
using Passerelle.Core.DefaultData;
using Passerelle.Core.Territories;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

/// <summary>
/// The first start of a clone, as a new user makes it, on a machine without the publishers' geodata and without the
/// network: the real executable, a new SQLite file, the one-command start's defaults (seeding and territory import at
/// start), an empty geodata folder and the download addresses on a closed loopback port.
/// </summary>
public sealed class NoGeodataStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_WithoutGeodataOrNetwork_ServesEverythingElseAndSaysWhatIsMissingThenAStartWithTheFolderCompletesIt()
    {
        await using var database = await ProcessDatabase.CreateAsync(DatabaseProvider.Sqlite, fromTemplate: false);
        var settings = database.Settings();
        settings.Remove("Database:SeedOnStart");
        settings.Remove("Territories:ImportOnStart");
        settings["Territories:DataPath"] = Directory.CreateDirectory(Path.Combine(database.Folder, "no-geodata")).FullName;
        await using var template = await ProcessDatabase.CreateAsync(DatabaseProvider.Sqlite, fromTemplate: true);
        var everyOrganisation = await template.SlugsAsync("Organisations");

        ProcessResult first;
        using (var host = await WebHostProcess.StartAsync(settings))
        {
            var health = await host.Client.GetFromJsonAsync<JsonElement>("/healthz", Ct);
            Assert.Equal("Degraded", health.GetProperty("status").GetString());
            var data = health.GetProperty("checks").GetProperty("data");
            Assert.Equal("Degraded", data.GetProperty("status").GetString());
            var reason = data.GetProperty("description").GetString()!;
            Assert.StartsWith("territories: territories not imported, so maps and the eligibility finder are off: ", reason, StringComparison.Ordinal);
            Assert.Contains("nuts/NUTS_RG_10M_2021_4326.geojson", reason, StringComparison.Ordinal); // what is missing
            Assert.Contains(ProcessDatabase.Unreachable, reason, StringComparison.Ordinal); // why it could not be downloaded
            Assert.Contains("Territories:DataPath", reason, StringComparison.Ordinal); // how to add it
            Assert.Contains("import-territories", reason, StringComparison.Ordinal);

            foreach (var path in new[] { "/", "/projects/tec", "/organisations/lille-metropole", "/organisations" })
            {
                using var page = await host.Client.GetAsync(path, Ct);
                Assert.True(page.StatusCode == HttpStatusCode.OK, $"{path}: {page.StatusCode}");
            }

            // The pages that need territories serve, and say what is missing and how to add it.
            foreach (var path in new[] { "/eligibility", "/eligibility?lat=50.6292&lon=3.0573", "/groupings/eurometropole", "/programmes/fwv-2021-2027", "/projects/tec" })
            {
                using var page = await host.Client.GetAsync(path, Ct);
                Assert.True(page.StatusCode == HttpStatusCode.OK, $"{path}: {page.StatusCode}");
                var text = HtmlText.Of(await page.Content.ReadAsStringAsync(Ct));
                Assert.Contains(TerritoriesMissing.Summary, text, StringComparison.Ordinal);
                Assert.Contains("Territories:DataPath and restarting the site", text, StringComparison.Ordinal);
            }

            using (var api = await host.Client.GetAsync("/api/v1/places/eligibility?lat=50.6292&lon=3.0573", Ct))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
                Assert.Equal(TerritoriesMissing.ErrorCode, (await api.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errorCode").GetString());
            }

            first = await host.StopAsync();
        }

        Assert.True(first.ExitCode == 0, $"a graceful stop; {first}");
        Assert.DoesNotContain("error:", first.Stderr, StringComparison.Ordinal);
        ProcessResult.AssertNoStackTrace(first.Stdout);
        ProcessResult.AssertNoStackTrace(first.Stderr);
        // One line in the log for it: the warning's message, under its "warn: <category>" header.
        var log = first.Stdout.Split('\n');
        var line = Assert.Single(log, l => l.Contains("Degraded:", StringComparison.Ordinal));
        Assert.StartsWith("warn: Passerelle.Core.Data.DatabaseInitializer", log[Array.IndexOf(log, line) - 1], StringComparison.Ordinal);
        Assert.Contains("nuts/NUTS_RG_10M_2021_4326.geojson", line, StringComparison.Ordinal);
        // Every organisation of the default data, as a start with the geodata has them.
        Assert.Equal(everyOrganisation, await database.SlugsAsync("Organisations"));
        Assert.Equal(0, await database.CountAsync("TerritoryUnits"));

        // The same database, started again with the folder: the territories are imported, no `seed` needed.
        settings["Territories:DataPath"] = DataPaths.FindSharedData()!;
        using (var host = await WebHostProcess.StartAsync(settings))
        {
            Assert.StartsWith("{\"status\":\"Healthy\"", await host.Client.GetStringAsync("/healthz", Ct), StringComparison.Ordinal);
            using (var page = await host.Client.GetAsync("/eligibility?lat=50.6292&lon=3.0573", Ct))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                var text = HtmlText.Of(await page.Content.ReadAsStringAsync(Ct));
                Assert.Contains("FR59350", text, StringComparison.Ordinal);
                Assert.DoesNotContain(TerritoriesMissing.Summary, text, StringComparison.Ordinal);
            }

            using (var api = await host.Client.GetAsync("/api/v1/places/eligibility?lat=50.6292&lon=3.0573", Ct))
            {
                Assert.Equal(HttpStatusCode.OK, api.StatusCode);
            }

            var second = await host.StopAsync();
            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.DoesNotContain("Degraded:", second.Stdout, StringComparison.Ordinal);
        }

        Assert.Equal(everyOrganisation, await database.SlugsAsync("Organisations"));
        Assert.Equal(await template.CountAsync("TerritoryUnits"), await database.CountAsync("TerritoryUnits"));
        // The default data was written once, by the first start.
        Assert.Equal(1L, Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM \"ChangeSets\" WHERE \"Detail\" LIKE 'default data %'"), System.Globalization.CultureInfo.InvariantCulture));
    }
}
