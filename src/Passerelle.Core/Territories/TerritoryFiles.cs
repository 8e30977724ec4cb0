using System.Globalization;
using System.Security.Cryptography;

using Microsoft.Extensions.Logging;

namespace Passerelle.Core.Territories;

/// <summary>
/// Finds the territory import's inputs. The publishers' geodata comes from the configured folder, or is downloaded
/// once from the publisher into the cache; either way it is checked against its expected size and SHA-256 before it is
/// used. The curated territory facts come from the repository's default data (data/default/territories).
/// </summary>
public sealed class TerritoryFiles(TerritoryDataOptions options, string defaultDataFolder, IHttpClientFactory? http, ILogger logger)
{
    /// <summary>The folder of the default data that holds the territory facts.</summary>
    public const string DefaultDataSubfolder = "territories";

    // A response this many times larger than expected is not the file: stop reading rather than fill the disk.
    private const int OversizeFactor = 16;

    /// <summary>The settings these files are found and checked with (expected sizes and hashes, addresses).</summary>
    public TerritoryDataOptions Options => options;

    public string? Folder => string.IsNullOrWhiteSpace(options.DataPath) ? null : options.DataPath;

    /// <summary>A curated territory facts file of the default data (part of the repository, never downloaded).</summary>
    public string DefaultDataFile(string fileName)
    {
        var folder = Path.Combine(defaultDataFolder, DefaultDataSubfolder);
        var path = Path.Combine(folder, fileName);
        return File.Exists(path)
            ? path
            : throw new TerritoryImportException(fileName,
                $"not found in {folder}: it is part of the repository's default data (data/default/{DefaultDataSubfolder}); " +
                "check DefaultData:Path or reinstall");
    }

    /// <summary>The path of a checked copy of <paramref name="file"/>: the folder's, else the cache's, else a download.</summary>
    public async Task<string> ResolveAsync(GeodataFile file, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (Folder is { } folder && File.Exists(Path.Combine(folder, file.RelativePath)))
        {
            var path = Path.Combine(folder, file.RelativePath);
            var (size, sha256) = await MeasureAsync(path, ct);
            return Matches(file, size, sha256) ? path : throw Mismatch(file, $"the file {path}", Found(size, sha256));
        }

        if (string.IsNullOrWhiteSpace(file.Url) || http is null)
        {
            throw new TerritoryImportException(file.RelativePath,
                $"not found in {Folder ?? "(no data folder: set Territories:DataPath)"} and no download address is configured " +
                $"(Territories:{file.Setting}Url). Get it from {file.Origin} ({Expected(file)}) and put it in the data folder " +
                $"as {file.RelativePath.Replace('\\', '/')}");
        }

        var cached = Path.GetFullPath(Path.Combine(options.CachePath, file.RelativePath));
        if (File.Exists(cached))
        {
            var (size, sha256) = await MeasureAsync(cached, ct);
            if (Matches(file, size, sha256))
            {
                return cached;
            }

            // Left by a release that was expected before (or damaged on disk): fetch the expected one again.
            logger.LogWarning("Cached {File} is not the expected file ({Size} bytes, SHA-256 {Sha256}); downloading it again",
                file.RelativePath, size, sha256);
            File.Delete(cached);
        }

        return await DownloadAsync(file, file.Url, cached, ct);
    }

    private async Task<string> DownloadAsync(GeodataFile file, string url, string cached, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        logger.LogInformation("Downloading {File} from {Url}", file.RelativePath, url);
        using var client = http!.CreateClient(nameof(TerritoryFiles));
        using var response = await GetAsync(client, file, url, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new TerritoryImportException(file.RelativePath, $"download from {url} failed: HTTP {(int)response.StatusCode}");
        }

        // Written to a temporary name and hashed on the way, so that neither an interrupted download nor a file other
        // than the expected one ever lies in the cache under the real name.
        var partial = cached + ".part";
        var limit = Math.Max(file.Size, 1) * OversizeFactor;
        long size = 0;
        string sha256;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var target = File.Create(partial))
            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > limit)
                    {
                        throw Mismatch(file, $"the download from {url}",
                            string.Create(CultureInfo.InvariantCulture, $"more than {limit} bytes"));
                    }

                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }

            sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!Matches(file, size, sha256))
            {
                throw Mismatch(file, $"the download from {url}", Found(size, sha256));
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            File.Delete(partial);
            throw Unreachable(file, url, e);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }

        File.Move(partial, cached, overwrite: true);
        return cached;
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, GeodataFile file, string url, CancellationToken ct)
    {
        try
        {
            return await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw Unreachable(file, url, e);
        }
    }

    // No network, an unknown host, a timeout, a broken transfer: the same kind of error as a missing file, with the way out.
    private static TerritoryImportException Unreachable(GeodataFile file, string url, Exception e) =>
        new(file.RelativePath,
            $"download from {url} failed ({e.Message}). Put the file in the data folder (Territories:DataPath) " +
            $"as {file.RelativePath.Replace('\\', '/')}; it is {file.Origin}", innerException: e);

    private static async Task<(long Size, string Sha256)> MeasureAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(stream, ct);
        return (stream.Length, Convert.ToHexStringLower(hash));
    }

    private static bool Matches(GeodataFile file, long size, string sha256) =>
        size == file.Size && string.Equals(sha256, file.Sha256.Trim(), StringComparison.OrdinalIgnoreCase);

    private static string Expected(GeodataFile file) =>
        string.Create(CultureInfo.InvariantCulture, $"{file.Size} bytes, SHA-256 {file.Sha256}");

    private static string Found(long size, string sha256) =>
        string.Create(CultureInfo.InvariantCulture, $"{size} bytes, SHA-256 {sha256}");

    private static TerritoryImportException Mismatch(GeodataFile file, string what, string found) =>
        new(file.RelativePath,
            $"{what} is not the expected file: expected {Expected(file)}, found {found}. Replace it with {file.Origin}; " +
            $"or, to use a newer release of the publisher's file, set Territories:{file.Setting}Size and " +
            $"Territories:{file.Setting}Sha256 to that file's size and SHA-256");
}
