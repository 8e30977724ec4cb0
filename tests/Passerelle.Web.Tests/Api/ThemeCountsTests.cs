using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Projects;
using Passerelle.Core.Themes;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Api;

public sealed class SqliteThemeCountsTests(PasserelleApp app) : ThemeCountsTests<PasserelleApp>(app);

public sealed class PostgresThemeCountsTests(PostgresApp app) : ThemeCountsTests<PostgresApp>(app);

/// <summary>
/// A theme's number of projects (GET /api/v1/themes, /api/v1/themes/{slug}) on both databases: its published projects
/// only, counted for all themes in one pass and kept until the registry moves, so a write is counted by the next read.
/// </summary>
public abstract class ThemeCountsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A theme of the test's own, with <paramref name="published"/> published projects and one draft.</summary>
    private async Task<string> WriteThemeAsync(int published)
    {
        var tag = "tc" + Guid.NewGuid().ToString("N")[..8];
        await app.WriteAsync(async session =>
        {
            var theme = session.Create(new Theme { Slug = tag });
            for (var i = 0; i <= published; i++)
            {
                var project = session.Create(new Project { Slug = $"{tag}-{i}", Acronym = $"TC-{i}", ProgrammeCode = "TC" + tag, IsPublished = i < published });
                project.Themes.Add(theme);
            }

            // A published project of another theme, counted there only.
            var other = session.Create(new Theme { Slug = tag + "-other" });
            session.Create(new Project { Slug = $"{tag}-other", Acronym = "TC-OTHER", ProgrammeCode = "TC" + tag, IsPublished = true }).Themes.Add(other);
            await session.FlushAsync();
            return 0;
        });
        return tag;
    }

    private async Task<int> CountAsync(string slug)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync($"/api/v1/themes/{slug}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("projectCount").GetInt32();
    }

    /// <summary>Every theme on every page of the list, with its count.</summary>
    private async Task<Dictionary<string, int>> ListAsync()
    {
        using var client = app.CreateClient();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var page = 1; ; page++)
        {
            var json = await client.GetFromJsonAsync<JsonElement>($"/api/v1/themes?pageSize=5&page={page}", Ct);
            foreach (var item in json.GetProperty("items").EnumerateArray())
            {
                counts.Add(item.GetProperty("slug").GetString()!, item.GetProperty("projectCount").GetInt32());
            }

            if (page * 5 >= json.GetProperty("total").GetInt32())
            {
                return counts;
            }
        }
    }

    [Fact]
    public async Task GetTheme_PublishedAndDraftProjects_CountsPublishedOnly()
    {
        var tag = await WriteThemeAsync(published: 2);

        Assert.Equal(2, await CountAsync(tag));
        Assert.Equal(1, await CountAsync(tag + "-other"));
    }

    [Fact]
    public async Task ListThemes_EveryPage_SameCountsAsEachTheme()
    {
        var tag = await WriteThemeAsync(published: 3);

        var list = await ListAsync();

        Assert.Equal(3, list[tag]);
        Assert.Equal(1, list[tag + "-other"]);
        foreach (var slug in list.Keys.Where(s => !s.StartsWith("tc", StringComparison.Ordinal)).Take(3))
        {
            Assert.Equal(list[slug], await CountAsync(slug));
        }
    }

    [Fact]
    public async Task GetTheme_AfterAProjectIsAdded_CountsIt()
    {
        var tag = await WriteThemeAsync(published: 1);
        Assert.Equal(1, await CountAsync(tag));

        await app.WriteAsync(async session =>
        {
            var theme = await session.Db.Themes.SingleAsync(t => t.Slug == tag, Ct);
            session.Create(new Project { Slug = $"{tag}-added", Acronym = "TC-ADDED", ProgrammeCode = "TC" + tag, IsPublished = true }).Themes.Add(theme);
            await session.FlushAsync();
            return 0;
        });

        Assert.Equal(2, await CountAsync(tag));
    }
}
