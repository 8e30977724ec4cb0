using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Search;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Search;

/// <summary>
/// The rebuild reads projects and organisations in pages by id: with pages of a few records (many round trips) the
/// index holds the same documents and answers the same as with the default page size (the whole seed in one page), and
/// as when every project is read again by id (an update).
/// </summary>
public sealed class SearchRebuildPagesTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rebuild_SmallPages_IndexesTheSameDocumentsAsOnePage()
    {
        await app.Services.WaitUntilReadyAsync();
        await using var paged = app.WithWebHostBuilder(b => b.UseSetting("Search:RebuildPageSize", "3"));
        await paged.Services.WaitUntilReadyAsync();

        var whole = app.Services.GetRequiredService<SearchIndex>();
        var pages = paged.Services.GetRequiredService<SearchIndex>();
        Assert.Equal(SearchIndexOpening.Rebuilt, pages.LastOpen);
        Assert.True(pages.DocumentCount > 10);
        Assert.Equal(whole.DocumentCount, pages.DocumentCount);
        using var wholeClient = app.CreateClient();
        using var pagedClient = paged.CreateClient();
        foreach (var path in new[] { "/api/v1/search?type=project&pageSize=100", "/api/v1/search?type=organisation&pageSize=100", "/api/v1/search?q=biodiversity" })
        {
            var expected = await wholeClient.GetFromJsonAsync<JsonElement>(path, Ct);
            var actual = await pagedClient.GetFromJsonAsync<JsonElement>(path, Ct);
            Assert.Equal(expected.GetProperty("total").GetInt32(), actual.GetProperty("total").GetInt32());
            Assert.Equal(Slugs(expected), Slugs(actual));
        }
    }

    [Fact]
    public async Task Update_EveryProject_IndexesTheSameDocumentsAsTheRebuildsPages()
    {
        // A rebuild reads projects by ranges of ids, an update by a list of ids: both must make the same documents.
        await app.Services.WaitUntilReadyAsync();
        await using var updated = app.WithWebHostBuilder(b => b.UseSetting("Search:RebuildPageSize", "4"));
        await updated.Services.WaitUntilReadyAsync();
        int[] ids;
        await using (var scope = updated.Services.CreateAsyncScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<Passerelle.Core.Data.PasserelleDbContext>().Projects
                .Select(p => p.Id).ToArrayAsync(Ct);
        }

        var rebuilt = app.Services.GetRequiredService<SearchIndex>();
        var index = updated.Services.GetRequiredService<SearchIndex>();
        await index.UpdateAsync(new SearchChanges(Projects: ids), Ct);

        Assert.NotEmpty(ids);
        Assert.Equal(rebuilt.DocumentCount, index.DocumentCount);
        foreach (var text in new[] { null, "biodiversity", "water", "interreg" })
        {
            var query = new SearchQuery(text, PageSize: 1_000);
            var expected = await rebuilt.SearchAsync(query, Ct);
            var actual = await index.SearchAsync(query, Ct);
            Assert.Equal(expected.Total, actual.Total);
            // Updated documents get new sequence numbers, so equal scores may tie-break in another order: compare sets.
            Assert.Equal(expected.Items.Select(i => i.Slug).Order(StringComparer.Ordinal), actual.Items.Select(i => i.Slug).Order(StringComparer.Ordinal));
            Assert.Equal(JsonSerializer.Serialize(expected.Facets), JsonSerializer.Serialize(actual.Facets));
        }
    }

    private static List<string> Slugs(JsonElement result) =>
        [.. result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!)];
}
