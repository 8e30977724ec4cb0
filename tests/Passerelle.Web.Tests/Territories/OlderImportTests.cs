using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Territories;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Territories;

/// <summary>
/// A database whose territories an earlier release imported: no names in other languages, and the files' hash of then
/// (which did not include the import's format). Made from the run's template by removing what the earlier release did
/// not write, outside the write path, as the earlier release's database simply lacks it.
/// </summary>
public sealed class OlderImportApp : PasserelleApp
{
    protected override async Task PrepareDatabaseAsync()
    {
        await base.PrepareDatabaseAsync();
        await using var connection = new SqliteConnection($"Data Source={SqliteFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM \"TerritoryNames\"; UPDATE \"AppSettings\" SET \"Value\" = 'hash-of-an-earlier-release' WHERE \"Key\" = '{TerritoryImporter.HashSetting}';";
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class OlderImportTests(OlderImportApp app) : IClassFixture<OlderImportApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_TerritoriesWithoutNamesInOtherLanguages_ImportsThemAgainAndTheSearchFindsDutchNames()
    {
        Assert.True(await app.WithDbAsync(db => db.TerritoryNames.AnyAsync(Ct)));
        Assert.Equal("Courtrai", await app.WithDbAsync(db => db.TerritoryNames.Where(n => n.UnitCode == "BE34022" && n.Language == "fr").Select(n => n.Name).SingleAsync(Ct)));

        using var client = app.CreateClient();
        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/places?q=Moeskroen&lang=nl", Ct);
        var first = json.GetProperty("items")[0];
        Assert.Equal("BE57096", first.GetProperty("code").GetString());
        Assert.Equal("nl", first.GetProperty("nameLanguage").GetString());
    }
}
