using Passerelle.Core.DefaultData;

namespace Passerelle.Core.Tests;

/// <summary>Where the tests find the repository's default data and the shared public data.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string DefaultData => Path.Combine(RepositoryRoot, "data", "default");

    public static string SharedData => DataPaths.FindSharedData()
        ?? throw new InvalidOperationException("../shared/data was not found: the tests read the real public data from there");

    public static string Facts => Path.Combine(SharedData, "facts");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Passerelle.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Passerelle.slnx not found above " + AppContext.BaseDirectory);
    }
}
