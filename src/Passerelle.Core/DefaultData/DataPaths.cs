namespace Passerelle.Core.DefaultData;

/// <summary>Settings for where the default and shared data are read from.</summary>
public sealed class DataPathOptions
{
    public const string Section = "DefaultData";

    /// <summary>The repository's default data (data/default); copied next to the binaries by the build.</summary>
    public string? Path { get; set; }

    /// <summary>The shared, sourced facts folder (project facts); found as ../shared/data/facts when unset.</summary>
    public string? FactsPath { get; set; }

    /// <summary>The shared public data (NUTS, municipalities); found as ../shared/data when unset.</summary>
    public string? SharedDataPath { get; set; }

    public string ResolveDefaultDataPath() =>
        Path ?? System.IO.Path.Combine(AppContext.BaseDirectory, "data", "default");

    public string? ResolveSharedDataPath() => SharedDataPath ?? DataPaths.FindSharedData();

    public string? ResolveFactsPath() =>
        FactsPath ?? (ResolveSharedDataPath() is { } shared ? System.IO.Path.Combine(shared, "facts") : null);
}

public static class DataPaths
{
    /// <summary>
    /// The shared data folder: the first "shared/data" found walking up from the working directory or the binaries
    /// (a clone at work/main reads work/shared/data). A real installation sets the path or the publisher's address.
    /// </summary>
    public static string? FindSharedData()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
