using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

/// <summary>
/// Locates the shared data folder (../shared/data: the publishers' geodata, not committed) by walking up from the test
/// binaries, and caches the parsed files: reading NUTS and both municipality sets takes a couple of seconds, once per
/// test run. The curated territory facts are the repository's (TestPaths.TerritoryFacts).
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string> Root = new(FindRoot);
    private static readonly Lazy<IReadOnlyList<ImportedTerritory>> NutsUnits =
        new(() => NutsGeoJsonReader.Read(Path.Combine(Folder, "nuts", NutsGeoJsonReader.DefaultFileName)));
    private static readonly Lazy<TerritoryLocator> NutsOnly = new(() => new TerritoryLocator(Nuts));
    private static readonly Lazy<IReadOnlyList<ImportedTerritory>> BelgianUnits = new(() =>
        BelgianMunicipalitiesReader.Read(Path.Combine(Folder, "municipalities", BelgianMunicipalitiesReader.DefaultFileName),
            NutsLocator));
    private static readonly Lazy<IReadOnlyList<ImportedTerritory>> FrenchUnits =
        new(() => FrenchCommunesReader.ReadNord(Path.Combine(Folder, "municipalities"), NutsLocator));
    private static readonly Lazy<TerritoryLocator> All =
        new(() => new TerritoryLocator([.. Nuts, .. Belgian, .. French]));

    public static string Folder => Root.Value;
    public static IReadOnlyList<ImportedTerritory> Nuts => NutsUnits.Value;
    public static TerritoryLocator NutsLocator => NutsOnly.Value;
    public static IReadOnlyList<ImportedTerritory> Belgian => BelgianUnits.Value;
    public static IReadOnlyList<ImportedTerritory> French => FrenchUnits.Value;
    public static TerritoryLocator Locator => All.Value;

    private static string FindRoot() =>
        Passerelle.Core.DefaultData.DataPaths.FindSharedData() ?? throw new DirectoryNotFoundException(
            $"No shared/data folder above {AppContext.BaseDirectory} and {Passerelle.Core.DefaultData.DataPaths.SharedDataVariable} is not set; " +
            "the territory tests read the real source files.");
}

/// <summary>A temporary file deleted on dispose, named like the real source so error messages can be checked.</summary>
internal sealed class TempFile : IDisposable
{
    private readonly string _directory;

    public TempFile(string fileName, string content)
    {
        _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "passerelle-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, fileName);
        File.WriteAllText(Path, content);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
