namespace Passerelle.Core.DefaultData;

/// <summary>Where the default data is read from.</summary>
public sealed class DataPathOptions
{
    public const string Section = "DefaultData";

    /// <summary>
    /// The repository's default data (data/default: the registry's curated facts with their sources, and the curated
    /// territory facts); copied next to the binaries by the build, so a clone or a published build has all of it.
    /// </summary>
    public string? Path { get; set; }

    public string ResolveDefaultDataPath() =>
        Path ?? System.IO.Path.Combine(AppContext.BaseDirectory, "data", "default");
}

public static class DataPaths
{
    /// <summary>The environment variable naming the shared public data folder, for a checkout that is not next to it.</summary>
    public const string SharedDataVariable = "PASSERELLE_SHARED_DATA";

    /// <summary>
    /// The shared public data folder (the publishers' geodata): the folder <see cref="SharedDataVariable"/> names, else
    /// the first "shared/data" found walking up from the working directory or the binaries (a clone at work/main reads
    /// work/shared/data). It is the default of Territories:DataPath; a real installation sets that path or lets the
    /// import download the publishers' files.
    /// </summary>
    public static string? FindSharedData()
    {
        if (Environment.GetEnvironmentVariable(SharedDataVariable) is { Length: > 0 } named && Directory.Exists(named))
        {
            return System.IO.Path.GetFullPath(named);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
