using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Search;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Search;

/// <summary>
/// The rebuild reads projects and organisations in pages by id: with pages of a few records (many round trips) the
/// index holds the same documents and answers the same as with the default page size (the whole seed in one page).
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

    private static List<string> Slugs(JsonElement result) =>
        [.. result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!)];
}
