namespace Passerelle.Core.Territories;

/// <summary>
/// Where the territory import reads the publishers' geodata, and what each file must be. A folder wins when it holds
/// the file (in development and CI: ../shared/data); otherwise the file is downloaded from its publisher's address into
/// the cache. Either way the file must have the expected size and SHA-256: the import reads these files as they are
/// and hashes them to decide whether anything changed, so a different release must be a deliberate setting, never a
/// surprise. The curated territory facts (programme areas, the NUTS crosswalk, the Eurometropole's municipalities)
/// are not here: they are part of the repository's default data (data/default/territories).
/// </summary>
public sealed class TerritoryDataOptions
{
    public const string Section = "Territories";

    /// <summary>
    /// A folder laid out like shared/data (nuts/, municipalities/). The web host sets it to the first shared/data
    /// found above the working directory when unset; null means no folder (every file is downloaded).
    /// </summary>
    public string? DataPath { get; set; }

    /// <summary>Where downloaded files are kept.</summary>
    public string CachePath { get; set; } = "data/local/cache";

    /// <summary>
    /// Import the territories in the background after the web host starts, when the database has none. On by default
    /// for SQLite; off for PostgreSQL, where `import-territories` is a deploy step like `migrate`.
    /// </summary>
    public bool? ImportOnStart { get; set; }

    /// <summary><see cref="ImportOnStart"/>, or the provider's default when unset.</summary>
    public bool ImportsOnStart(Data.DatabaseProvider provider) => ImportOnStart ?? provider == Data.DatabaseProvider.Sqlite;

    // The expected sizes and hashes are those of the files documented in shared/data/SOURCES.md.

    /// <summary>Eurostat GISCO's official download of the NUTS 2021 regions, 1:10 million, EPSG:4326.</summary>
    public string? NutsUrl { get; set; } = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/NUTS_RG_10M_2021_4326.geojson";

    public long NutsSize { get; set; } = 2_679_680;

    public string NutsSha256 { get; set; } = "afd1fdfd63e20ed0057e22ef3c3f40eecf196ff72dfd87503818a3d790c91e65";

    public string? BelgianMunicipalitiesUrl { get; set; } =
        "https://raw.githubusercontent.com/bmesuere/belgium-topojson/a903fdab5a765822dafabf42c258809d4ad74e78/belgium.json";

    public long BelgianMunicipalitiesSize { get; set; } = 703_531;

    public string BelgianMunicipalitiesSha256 { get; set; } = "7ddc9dc111856b4ef9ad72e73f80ac94b8112fa0a7cd0a77c63c94f732bf9454";

    public string? NordCommunesUrl { get; set; } =
        "https://raw.githubusercontent.com/gregoiredavid/france-geojson/5d34ee6d0140c29f785fdb047d9329f1aab58833/departements/59-nord/communes-59-nord.geojson";

    public long NordCommunesSize { get; set; } = 657_516;

    public string NordCommunesSha256 { get; set; } = "40d3104bf4b5a9ecdebaad01c85da46e72849a864b46a498af0ec23c5b6f5946";

    /// <summary>
    /// None by default: INSEE publishes this table inside an archive on a web page, not at an address of the file
    /// itself, so the file is read from the folder unless an installation names an address here.
    /// </summary>
    public string? FrenchPopulationsUrl { get; set; }

    public long FrenchPopulationsSize { get; set; } = 2_172_790;

    public string FrenchPopulationsSha256 { get; set; } = "ffa2f77266d82f6f27c1c5e771ccd079b280c84dca29f48c0f87f1b751997ec2";

    /// <summary>None by default: the commune areas come from a compilation, not from a publisher's download.</summary>
    public string? FrenchAreasUrl { get; set; }

    public long FrenchAreasSize { get; set; } = 3_593_706;

    public string FrenchAreasSha256 { get; set; } = "2c2676845aa41545ea8b4420e6d3bebb818146d0f657ebb938cb4375751f1b65";

    /// <summary>Optional tile layer for maps (e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png"); none by default.</summary>
    public string? TileUrl { get; set; }

    public string? TileAttribution { get; set; }

    // Methods, not properties, so that the configuration binder leaves them alone.

    public GeodataFile NutsFile() => new(
        "Nuts", Path.Combine("nuts", NutsGeoJsonReader.DefaultFileName), NutsUrl, NutsSize, NutsSha256,
        "Eurostat GISCO, NUTS 2021 regions 1:10 million EPSG:4326 (gisco-services.ec.europa.eu/distribution/v2/nuts/); " +
        "the expected release is the one copied in github.com/jaste82/GeoJSON at commit 465b95f22c1eab3c30f840929ac72484d265383a");

    public GeodataFile BelgianMunicipalitiesFile() => new(
        "BelgianMunicipalities", Path.Combine("municipalities", BelgianMunicipalitiesReader.DefaultFileName),
        BelgianMunicipalitiesUrl, BelgianMunicipalitiesSize, BelgianMunicipalitiesSha256,
        "belgium.json of github.com/bmesuere/belgium-topojson at commit a903fdab5a765822dafabf42c258809d4ad74e78 " +
        "(Statbel REFNIS 2019 codes, population 1 January 2020)");

    public GeodataFile NordCommunesFile() => new(
        "NordCommunes", Path.Combine("municipalities", FrenchCommunesReader.NordGeoJsonFileName),
        NordCommunesUrl, NordCommunesSize, NordCommunesSha256,
        "departements/59-nord/communes-59-nord.geojson of github.com/gregoiredavid/france-geojson at commit " +
        "5d34ee6d0140c29f785fdb047d9329f1aab58833 (IGN Admin Express COG 2018)");

    public GeodataFile FrenchPopulationsFile() => new(
        "FrenchPopulations", Path.Combine("municipalities", FrenchCommunesReader.PopulationsFileName),
        FrenchPopulationsUrl, FrenchPopulationsSize, FrenchPopulationsSha256,
        "INSEE, Populations légales 2021 (insee.fr, statistiques/7739582), donnees_communes.csv of the 'ensemble' " +
        "archive; the expected file (INSEE's rows plus 3 city totals) is data/donnees_communes.csv of " +
        "github.com/sebastien-prudhomme/abbeville at commit 97c7e8f8c828903a0593d59cb640a6c959f1ec5f");

    public GeodataFile FrenchAreasFile() => new(
        "FrenchAreas", Path.Combine("municipalities", FrenchCommunesReader.AreasFileName),
        FrenchAreasUrl, FrenchAreasSize, FrenchAreasSha256,
        "France/communes.csv of github.com/rcarlier/datas.fun at commit b9874080432e11b943e93aeae75ee372a024697b " +
        "(compiled from INSEE's Code officiel géographique 2024 and Base du comparateur de territoires)");
}

/// <summary>
/// One publisher file the territory import reads: where it lies under the data folder, where to download it (none:
/// folder only), the size and SHA-256 it must have, and where a person can get it. <paramref name="Setting"/> is the
/// prefix of its settings (Territories:{Setting}Url, :{Setting}Size, :{Setting}Sha256).
/// </summary>
public sealed record GeodataFile(string Setting, string RelativePath, string? Url, long Size, string Sha256, string Origin);
