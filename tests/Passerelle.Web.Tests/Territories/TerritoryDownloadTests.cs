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
        // The same file with one character changed (same size, another hash), as a changed or tampered release.
        var tampered = File.ReadAllBytes(nuts);
        tampered[Array.IndexOf(tampered, (byte)'N')] = (byte)'X';
        _publisher.MapGet("/tampered.geojson", () =>
        {
            Interlocked.Increment(ref _requests);
            return Results.Bytes(tampered, "application/geo+json");
        });
        await _publisher.StartAsync(TestContext.Current.CancellationToken);
        _baseUrl = _publisher.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async ValueTask DisposeAsync() => await _publisher.DisposeAsync();

    private static TerritoryFiles Files(string cache) => new(
        new TerritoryDataOptions { DataPath = null, CachePath = cache }, defaultDataFolder: cache,
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(), NullLogger.Instance);

    /// <summary>The real NUTS file as the import expects it (size and SHA-256), served by the loopback publisher.</summary>
    private GeodataFile Nuts(string path = "/nuts.geojson") =>
        new TerritoryDataOptions().NutsFile() with { RelativePath = Path.Combine("nuts", "file.geojson"), Url = _baseUrl + path };

    [Fact]
    public async Task Resolve_NoDataFolder_DownloadsOnceFromThePublisherIntoTheCache()
    {
        var cache = Directory.CreateTempSubdirectory("passerelle-cache-").FullName;
        var files = Files(cache);
        var path = await files.ResolveAsync(Nuts(), TestContext.Current.CancellationToken);
        var again = await files.ResolveAsync(Nuts(), TestContext.Current.CancellationToken);

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
            Files(cache).ResolveAsync(Nuts("/missing.geojson"), TestContext.Current.CancellationToken));
        Assert.Contains("HTTP 404", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories));
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task Resolve_DownloadWithAnotherHash_IsRejectedWithTheFixAndNotCached()
    {
        var cache = Directory.CreateTempSubdirectory("passerelle-cache-").FullName;
        var files = Files(cache);
        var expected = Nuts("/tampered.geojson");
        var error = await Assert.ThrowsAsync<TerritoryImportException>(() => files.ResolveAsync(expected, TestContext.Current.CancellationToken));

        Assert.Equal(expected.RelativePath, error.FileName);
        Assert.Contains($"{_baseUrl}/tampered.geojson", error.Message, StringComparison.Ordinal);
        Assert.Contains($"expected {expected.Size} bytes, SHA-256 {expected.Sha256}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"found {expected.Size} bytes, SHA-256 ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Territories:NutsSha256", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories));

        // Nothing was kept: asked again, it downloads again (and fails again) rather than trusting a cached copy.
        await Assert.ThrowsAsync<TerritoryImportException>(() => files.ResolveAsync(expected, TestContext.Current.CancellationToken));
        Assert.Equal(2, _requests);
        Assert.Empty(Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories));
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task Resolve_CachedFileNoLongerExpected_IsDownloadedAgain()
    {
        var cache = Directory.CreateTempSubdirectory("passerelle-cache-").FullName;
        var files = Files(cache);
        var cached = Path.Combine(cache, Nuts().RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        await File.WriteAllTextAsync(cached, "{\"type\":\"FeatureCollection\",\"features\":[]}", TestContext.Current.CancellationToken);

        var path = await files.ResolveAsync(Nuts(), TestContext.Current.CancellationToken);

        Assert.Equal(1, _requests);
        Assert.Equal(2010, NutsGeoJsonReader.Read(path).Count);
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task Resolve_PublisherUnreachable_FailsWithTheFolderToUse()
    {
        var cache = Directory.CreateTempSubdirectory("passerelle-cache-").FullName;
        // A port nothing listens on: the connection is refused at once.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var file = Nuts() with { Url = $"http://127.0.0.1:{port}/nuts.geojson" };

        var error = await Assert.ThrowsAsync<TerritoryImportException>(() => Files(cache).ResolveAsync(file, TestContext.Current.CancellationToken));

        Assert.Contains("Territories:DataPath", error.Message, StringComparison.Ordinal);
        Assert.Contains("Eurostat GISCO", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories));
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task Resolve_FolderOnlyFileMissing_SaysWhereToGetIt()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-geodata-").FullName;
        var files = new TerritoryFiles(new TerritoryDataOptions { DataPath = folder, CachePath = folder }, folder, null, NullLogger.Instance);
        var populations = files.Options.FrenchPopulationsFile();

        var error = await Assert.ThrowsAsync<TerritoryImportException>(() => files.ResolveAsync(populations, TestContext.Current.CancellationToken));

        Assert.Null(populations.Url);
        Assert.Contains(folder, error.Message, StringComparison.Ordinal);
        Assert.Contains("Territories:FrenchPopulationsUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains("INSEE, Populations légales 2021", error.Message, StringComparison.Ordinal);
        Assert.Contains(populations.Sha256, error.Message, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }
}
