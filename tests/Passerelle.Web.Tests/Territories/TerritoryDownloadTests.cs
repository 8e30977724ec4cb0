using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using Passerelle.Core.DefaultData;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Tests.Territories;

/// <summary>
/// A real installation has no ../shared/data: it downloads the publishers' files. A real HTTP server on the loopback
/// address plays the publisher.
/// </summary>
public sealed class TerritoryDownloadTests : IAsyncLifetime
{
    private WebApplication _publisher = null!;
    private int _requests;
    private string _baseUrl = "";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddLogging(l => l.ClearProviders());
        _publisher = builder.Build();
        var nuts = Path.Combine(DataPaths.FindSharedData()!, "nuts", NutsGeoJsonReader.DefaultFileName);
        _publisher.MapGet("/nuts.geojson", () =>
        {
            Interlocked.Increment(ref _requests);
            return Results.File(nuts, "application/geo+json");
        });
        await _publisher.StartAsync(TestContext.Current.CancellationToken);
        _baseUrl = _publisher.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async ValueTask DisposeAsync() => await _publisher.DisposeAsync();

    private static TerritoryFiles Files(string cache) => new(
        new TerritoryDataOptions { CachePath = cache }, sharedDataPath: null,
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(), NullLogger.Instance);

    [Fact]
    public async Task Resolve_NoDataFolder_DownloadsOnceFromThePublisherIntoTheCache()
    {
        var cache = Directory.CreateTempSubdirectory("passerelle-cache-").FullName;
        var files = Files(cache);
        var path = await files.ResolveAsync(Path.Combine("nuts", "file.geojson"), $"{_baseUrl}/nuts.geojson", TestContext.Current.CancellationToken);
        var again = await files.ResolveAsync(Path.Combine("nuts", "file.geojson"), $"{_baseUrl}/nuts.geojson", TestContext.Current.CancellationToken);

        Assert.Equal(path, again);
        Assert.Equal(1, _requests);
        Assert.Equal(2010, NutsGeoJsonReader.Read(path).Count);
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task Resolve_PublisherAnswers404_FailsWithTheAddressAndLeavesNoPartialFile()
    {
        var cache = Directory.CreateTempSubdirectory("passerelle-cache-").FullName;
        var error = await Assert.ThrowsAsync<TerritoryImportException>(() =>
            Files(cache).ResolveAsync("missing.geojson", $"{_baseUrl}/missing.geojson", TestContext.Current.CancellationToken));
        Assert.Contains("HTTP 404", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories));
        Directory.Delete(cache, recursive: true);
    }
}
