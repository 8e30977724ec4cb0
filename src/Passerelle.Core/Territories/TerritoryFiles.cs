using Microsoft.Extensions.Logging;

namespace Passerelle.Core.Territories;

/// <summary>Finds each input file in the configured folder, or downloads it once from its publisher.</summary>
public sealed class TerritoryFiles(TerritoryDataOptions options, string? sharedDataPath, IHttpClientFactory? http, ILogger logger)
{
    public string? Folder => options.DataPath ?? sharedDataPath;

    /// <summary>Where the files are looked for, in words for an operator.</summary>
    public static string Describe(TerritoryDataOptions options, string? sharedDataPath) =>
        (options.DataPath ?? sharedDataPath) is { } folder ? $"the folder {folder}" : "a folder named by Territories:DataPath (none is configured or found as ../shared/data)";

    public async Task<string> ResolveAsync(string relativePath, string? url, CancellationToken ct)
    {
        if (Folder is { } folder && File.Exists(Path.Combine(folder, relativePath)))
        {
            return Path.Combine(folder, relativePath);
        }

        if (url is null || http is null)
        {
            throw new TerritoryImportException(relativePath,
                $"not found in {Folder ?? "(no data folder configured)"} and no download address is configured");
        }

        var cached = Path.GetFullPath(Path.Combine(options.CachePath, relativePath));
        if (File.Exists(cached))
        {
            return cached;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        logger.LogInformation("Downloading {File} from {Url}", relativePath, url);
        using var client = http.CreateClient(nameof(TerritoryFiles));
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new TerritoryImportException(relativePath, $"download from {url} failed: HTTP {(int)response.StatusCode}");
        }

        // Written to a temporary name first, so an interrupted download never passes for a complete file.
        var partial = cached + ".part";
        await using (var file = File.Create(partial))
        {
            await response.Content.CopyToAsync(file, ct);
        }

        File.Move(partial, cached, overwrite: true);
        return cached;
    }
}
