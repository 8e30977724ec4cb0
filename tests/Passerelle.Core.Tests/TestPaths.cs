namespace Passerelle.Core.Tests;

/// <summary>Where the tests find the repository's default data (the publishers' geodata: see Territories/SharedData).</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string DefaultData => Path.Combine(RepositoryRoot, "data", "default");

    /// <summary>The curated territory facts of the default data (programme areas, crosswalk, Eurometropole).</summary>
    public static string TerritoryFacts => Path.Combine(DefaultData, "territories");

    public static string TerritoryFact(string fileName) => Path.Combine(TerritoryFacts, fileName);

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
