using System.Security.Cryptography;
using System.Text;

using Passerelle.Core.Sources;

namespace Passerelle.Core.DefaultData;

/// <summary>The sources of the default data: those listed in sources.json and those named row by row in a facts CSV.</summary>
internal sealed class SourceRegistry
{
    public const string SeedKey = "seed";

    private readonly Dictionary<string, Source> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _keyByUrl = new(StringComparer.OrdinalIgnoreCase);

    public SourceRegistry(IEnumerable<SourceDto> listed)
    {
        foreach (var dto in listed)
        {
            if (!_byKey.TryAdd(dto.Key, new Source { Key = dto.Key, Title = dto.Title, Url = dto.Url, SourceDate = dto.Date, Licence = dto.Licence }))
            {
                throw new DefaultDataException("sources.json", null, $"source key '{dto.Key}' is listed twice");
            }

            if (dto.Url is not null)
            {
                _keyByUrl.TryAdd(Normalise(dto.Url), dto.Key);
            }
        }
    }

    public List<Source> All => [.. _byKey.Values];

    public string Require(string key, string file) =>
        _byKey.ContainsKey(key) ? key : throw new DefaultDataException(file, null, $"unknown source key '{key}' (not in sources.json)");

    /// <summary>The key of a CSV row's source: the listed source with the same address, else a key derived from it.</summary>
    public string FromRow(FactRow row)
    {
        if (row.SourceUrl is not null && _keyByUrl.TryGetValue(Normalise(row.SourceUrl), out var listed))
        {
            return listed;
        }

        var key = "h" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(row.SourceUrl ?? row.SourceTitle)))[..12].ToLowerInvariant();
        if (!_byKey.ContainsKey(key))
        {
            _byKey[key] = new Source { Key = key, Title = row.SourceTitle, Url = row.SourceUrl, SourceDate = row.SourceDate };
            if (row.SourceUrl is not null)
            {
                _keyByUrl[Normalise(row.SourceUrl)] = key;
            }
        }

        return key;
    }

    // http/https and a trailing slash or "www." do not make a different page.
    private static string Normalise(string url) =>
        url.Replace("https://", "", StringComparison.OrdinalIgnoreCase)
            .Replace("http://", "", StringComparison.OrdinalIgnoreCase)
            .Replace("www.", "", StringComparison.OrdinalIgnoreCase)
            .TrimEnd('/');
}
