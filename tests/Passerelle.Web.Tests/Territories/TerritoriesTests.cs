using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.DefaultData;
using Passerelle.Core.Territories;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Territories;

public sealed class SqliteTerritoriesTests(PasserelleApp app) : TerritoriesTests<PasserelleApp>(app);

public sealed class PostgresTerritoriesTests(PostgresApp app) : TerritoriesTests<PostgresApp>(app);

public abstract class TerritoriesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpStatusCode Status, JsonElement Json)> GetJsonAsync(string path)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    private static List<string> Codes(JsonElement result, string property = "units") =>
        result.GetProperty(property).EnumerateArray().Select(u => u.GetProperty(property == "units" ? "code" : "slug").GetString()!).ToList();

    [Fact]
    public async Task Eligibility_Lille_IsInNordAndCoveredByFwv()
    {
        var (status, json) = await GetJsonAsync("/api/v1/places/eligibility?lat=50.6292&lon=3.0573");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["FR", "FRE", "FRE1", "FRE11", "FR59350"], Codes(json));
        var programmes = Codes(json, "programmes");
        Assert.Contains("fwv-2014-2020", programmes);
        Assert.Contains("fwv-2021-2027", programmes);
        Assert.Contains("eurometropole", json.GetProperty("groupings").EnumerateArray().Select(g => g.GetString()));
    }

    [Theory]
    [InlineData(50.8279, 3.2649, "BE254", "BE34022")]
    [InlineData(50.6058, 3.3881, "BE328", "BE57081")]
    public async Task Eligibility_KortrijkAndTournai_LieInTheEurometropole(double lat, double lon, string nuts3, string municipality)
    {
        var (_, json) = await GetJsonAsync(FormattableString.Invariant($"/api/v1/places/eligibility?lat={lat}&lon={lon}"));
        var codes = Codes(json);
        Assert.Contains(nuts3, codes);
        Assert.Contains(municipality, codes);
        Assert.Contains("eurometropole", json.GetProperty("groupings").EnumerateArray().Select(g => g.GetString()));
        Assert.Contains("fwv-2021-2027", Codes(json, "programmes"));
    }

    [Fact]
    public async Task Eligibility_Paris_IsNotCoveredByFwv()
    {
        var (_, json) = await GetJsonAsync("/api/v1/places/eligibility?lat=48.8566&lon=2.3522");
        Assert.Contains("FR101", Codes(json));
        Assert.DoesNotContain(Codes(json, "programmes"), p => p.StartsWith("fwv", StringComparison.Ordinal));
        Assert.Empty(json.GetProperty("groupings").EnumerateArray());
    }

    [Theory]
    [InlineData(54.0, 3.0)]
    [InlineData(40.7128, -74.0060)]
    public async Task Eligibility_SeaOrOutsideEurope_Returns200WithEmptyLists(double lat, double lon)
    {
        var (status, json) = await GetJsonAsync(FormattableString.Invariant($"/api/v1/places/eligibility?lat={lat}&lon={lon}"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(json.GetProperty("units").EnumerateArray());
        Assert.Empty(json.GetProperty("programmes").EnumerateArray());
    }

    [Theory]
    [InlineData("lat=91&lon=3", "latitude_out_of_range")]
    [InlineData("lat=50&lon=-181", "longitude_out_of_range")]
    [InlineData("lat=abc&lon=3", "invalid_parameter")]
    [InlineData("lat=50", "invalid_parameter")]
    [InlineData("nuts=FRE11&lat=50&lon=3", "invalid_parameter")]
    [InlineData("", "invalid_parameter")]
    [InlineData("nuts=fre-11", "malformed_code")]
    [InlineData("nuts=XX999", "unknown_code")]
    [InlineData("lau=59350", "malformed_code")]
    [InlineData("lau=FR99999", "unknown_code")]
    public async Task Eligibility_BadInput_Returns400ProblemWithErrorCode(string query, string errorCode)
    {
        var (status, json) = await GetJsonAsync("/api/v1/places/eligibility?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(errorCode, json.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Eligibility_ByNutsAndByMunicipalityCode_GiveTheChainAndProgrammes()
    {
        var (_, byNuts) = await GetJsonAsync("/api/v1/places/eligibility?nuts=BE254");
        Assert.Equal(["BE", "BE2", "BE25", "BE254"], Codes(byNuts));
        Assert.Contains("fwv-2014-2020", Codes(byNuts, "programmes"));
        var (_, byLau) = await GetJsonAsync("/api/v1/places/eligibility?lau=BE34022");
        Assert.Equal(["BE", "BE2", "BE25", "BE254", "BE34022"], Codes(byLau));
    }

    [Fact]
    public async Task Units_Hierarchy_EveryParentExistsOneLevelUp()
    {
        var problems = await app.WithDbAsync(async db =>
        {
            var units = await db.TerritoryUnits.AsNoTracking().Select(u => new { u.Code, u.Kind, u.ParentCode }).ToListAsync(Ct);
            var byCode = units.ToDictionary(u => u.Code);
            return units.Where(u => u.Kind != TerritoryKind.Nuts0).Where(u =>
                u.ParentCode is null || !byCode.TryGetValue(u.ParentCode, out var parent) ||
                parent.Kind != (u.Kind == TerritoryKind.Municipality ? TerritoryKind.Nuts3 : u.Kind - 1))
                .Select(u => u.Code).ToList();
        });
        Assert.Empty(problems);
        var counts = await app.WithDbAsync(db => db.TerritoryUnits.GroupBy(u => u.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(Ct));
        Assert.Equal(1514, counts.Single(c => c.Key == TerritoryKind.Nuts3).Count);
        Assert.Equal(581 + 648, counts.Single(c => c.Key == TerritoryKind.Municipality).Count);
    }

    [Fact]
    public async Task Import_SameFilesAgain_ChangesNothing()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().ImportTerritoriesAsync(Passerelle.Core.History.Actor.Command("test"), Ct);
        Assert.False(result.Changed);
    }

    [Fact]
    public async Task Import_MalformedFile_WritesNothingAndNamesFeatureAndProperty()
    {
        // A copy of the geodata with one NUTS feature whose code is missing, declared as the expected release (its size
        // and hash configured): the checks pass, and the reader must stop the import before it writes.
        var folder = CopyOfGeodata();
        var nuts = Path.Combine(folder, "nuts", NutsGeoJsonReader.DefaultFileName);
        var text = await File.ReadAllTextAsync(nuts, Ct);
        var first = text.IndexOf("\"NUTS_ID\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(nuts, string.Concat(text.AsSpan(0, first), "\"NOT_NUTS_ID\"", text.AsSpan(first + 9)), Ct);
        var options = new TerritoryDataOptions
        {
            DataPath = folder,
            NutsSize = new FileInfo(nuts).Length,
            NutsSha256 = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(nuts, Ct))),
        };

        var before = await app.WithDbAsync(db => db.TerritoryUnits.CountAsync(Ct));
        var error = await Assert.ThrowsAsync<TerritoryImportException>(() => ImportAsync(options));
        Assert.Equal(0, error.FeatureIndex);
        Assert.Equal("NUTS_ID", error.PropertyName);
        Assert.Equal(before, await app.WithDbAsync(db => db.TerritoryUnits.CountAsync(Ct)));
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Import_GeodataFileNotTheExpectedOne_FailsNamingFileAndHashesAndWritesNothing(bool sameSize)
    {
        var folder = CopyOfGeodata();
        var belgian = Path.Combine(folder, "municipalities", BelgianMunicipalitiesReader.DefaultFileName);
        var bytes = await File.ReadAllBytesAsync(belgian, Ct);
        if (sameSize)
        {
            bytes[bytes.Length / 2] ^= 1;
        }
        else
        {
            bytes = [.. bytes, (byte)'\n'];
        }

        await File.WriteAllBytesAsync(belgian, bytes, Ct);
        var expected = new TerritoryDataOptions();
        var before = await app.WithDbAsync(async db => (await db.TerritoryUnits.CountAsync(Ct),
            await db.AppSettings.Where(s => s.Key == TerritoryImporter.HashSetting).Select(s => s.Value).SingleAsync(Ct)));

        var error = await Assert.ThrowsAsync<TerritoryImportException>(() => ImportAsync(new TerritoryDataOptions { DataPath = folder }));

        Assert.Equal(Path.Combine("municipalities", BelgianMunicipalitiesReader.DefaultFileName), error.FileName);
        Assert.Contains(belgian, error.Message, StringComparison.Ordinal);
        Assert.Contains($"expected {expected.BelgianMunicipalitiesSize} bytes, SHA-256 {expected.BelgianMunicipalitiesSha256}", error.Message, StringComparison.Ordinal);
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        Assert.Contains($"found {bytes.Length} bytes, SHA-256 {actual}", error.Message, StringComparison.Ordinal);
        Assert.Contains("bmesuere/belgium-topojson", error.Message, StringComparison.Ordinal);
        Assert.Contains("Territories:BelgianMunicipalitiesSha256", error.Message, StringComparison.Ordinal);
        var after = await app.WithDbAsync(async db => (await db.TerritoryUnits.CountAsync(Ct),
            await db.AppSettings.Where(s => s.Key == TerritoryImporter.HashSetting).Select(s => s.Value).SingleAsync(Ct)));
        Assert.Equal(before, after);
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Imports with <paramref name="options"/> and the host's default data, as the command does.</summary>
    private async Task<TerritoryImportResult> ImportAsync(TerritoryDataOptions options)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<TerritoryImporter>();
        var defaultData = scope.ServiceProvider.GetRequiredService<DataPathOptions>().ResolveDefaultDataPath();
        var files = new TerritoryFiles(options, defaultData, null, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        return await importer.ImportAsync(files, Passerelle.Core.History.Actor.Command("test"), Ct);
    }

    /// <summary>A copy of the publishers' geodata of the shared folder, to damage one file of it.</summary>
    private static string CopyOfGeodata()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-geodata-").FullName;
        var shared = DataPaths.FindSharedData()!;
        foreach (var sub in new[] { "nuts", "municipalities" })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
            foreach (var file in Directory.EnumerateFiles(Path.Combine(shared, sub)))
            {
                var target = Path.Combine(folder, sub, Path.GetFileName(file));
                File.Copy(file, target);
                File.SetAttributes(target, FileAttributes.Normal); // the shared files are read-only
            }
        }

        return folder;
    }

    [Fact]
    public async Task Profile_Eurometropole_ComputedBesideTheSeedFigures()
    {
        var (status, json) = await GetJsonAsync("/api/v1/groupings/eurometropole/profile");
        Assert.Equal(HttpStatusCode.OK, status);
        var mel95 = json.EnumerateArray().Single(p => p.GetProperty("perimeter").GetString() == "mel95");
        Assert.Equal(155, mel95.GetProperty("count").GetInt32());
        Assert.InRange(mel95.GetProperty("areaKm2").GetDouble(), 3400, 3800);
        Assert.InRange(mel95.GetProperty("population").GetInt64(), 2_000_000, 2_300_000);
        var countries = mel95.GetProperty("byCountry").EnumerateArray().ToDictionary(c => c.GetProperty("key").GetString()!, c => c.GetProperty("count").GetInt32());
        Assert.Equal(95, countries["FR"]);
        Assert.Equal(60, countries["BE"]);

        using var client = app.CreateClient();
        var page = HtmlText.Of(await client.GetStringAsync("/groupings/eurometropole", Ct));
        Assert.Matches(@"Municipalities 155 157 -2", page);
        Assert.Contains("© EuroGeographics", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Border_LilleMetropole_ComputedFigureShownBesideThePublishedOnes()
    {
        using var client = app.CreateClient();
        var page = HtmlText.Of(await client.GetStringAsync("/organisations/lille-metropole", Ct));
        var match = System.Text.RegularExpressions.Regex.Match(page, @"86 km ?\[\d+\] · 67 km ?\[\d+\] · (\d\d\.\d) km");
        Assert.True(match.Success, page);
        Assert.InRange(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 50, 90);
    }

    [Theory]
    [InlineData("/api/v1/territories/FRE11/geometry?zoom=8", 1)]
    [InlineData("/api/v1/programmes/fwv-2021-2027/area.geojson?zoom=6", 13)]
    [InlineData("/api/v1/groupings/eurometropole/territory.geojson?zoom=9", 155)]
    public async Task GeoJson_Endpoints_OpenInARealGisReader(string path, int features)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        var file = Path.Combine(Path.GetTempPath(), $"passerelle-{Guid.NewGuid():N}.geojson");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync(Ct), Ct);
        try
        {
            // The same runner as the export tests: it fails the test, with stderr, when ogrinfo does.
            var output = Exports.ExportTestSupport.Run("ogrinfo", "-ro", "-al", "-so", file);
            Assert.Contains($"Feature Count: {features}", output, StringComparison.Ordinal);
            Assert.Contains("Geometry: ", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task GeoJson_HigherZoom_KeepsMoreDetail()
    {
        using var client = app.CreateClient();
        var coarse = await client.GetStringAsync("/api/v1/territories/FRE11/geometry?zoom=4", Ct);
        var fine = await client.GetStringAsync("/api/v1/territories/FRE11/geometry?zoom=12", Ct);
        Assert.True(fine.Length > coarse.Length * 1.5, $"zoom 12: {fine.Length} bytes, zoom 4: {coarse.Length} bytes");
        var (status, json) = await GetJsonAsync("/api/v1/territories/FRE11/geometry?zoom=40");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_parameter", json.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Pages_WithMaps_ListUnitsWithoutJavaScriptAndShowTheLicence()
    {
        using var client = app.CreateClient();
        var programme = HtmlText.Of(await client.GetStringAsync("/programmes/fwv-2014-2020", Ct));
        Assert.Contains("FR301", programme, StringComparison.Ordinal);
        Assert.Contains("© EuroGeographics", programme, StringComparison.Ordinal);
        var eligibility = await client.GetAsync("/eligibility?nuts=FRE11", Ct);
        var text = HtmlText.Of(await eligibility.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, eligibility.StatusCode);
        Assert.Contains("FRE11 Nord", text, StringComparison.Ordinal);
        Assert.Contains("Interreg France-Wallonie-Vlaanderen", text, StringComparison.Ordinal);
        var bad = await client.GetAsync("/eligibility?lat=95&lon=3", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("The latitude must be between -90 and 90", HtmlText.Of(await bad.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
    }
}
