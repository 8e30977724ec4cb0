namespace Passerelle.Core.Territories;

/// <summary>
/// Where the territory import reads the publishers' files. A folder wins when it holds the file (here: ../shared/data,
/// which CI has too); otherwise a real installation downloads the file from its publisher's address into the cache.
/// </summary>
public sealed class TerritoryDataOptions
{
    public const string Section = "Territories";

    /// <summary>A folder laid out like shared/data (nuts/, municipalities/, facts/); found above the working directory when unset.</summary>
    public string? DataPath { get; set; }

    /// <summary>Where downloaded files are kept.</summary>
    public string CachePath { get; set; } = "data/local/cache";

    /// <summary>
    /// Import the territories in the background after the web host starts, when the database has none. On by default
    /// for SQLite; off for PostgreSQL, where `import-territories` is a deploy step like `migrate`.
    /// </summary>
    public bool? ImportOnStart { get; set; }

    /// <summary>Eurostat GISCO's official download of the NUTS 2021 regions, 1:10 million, EPSG:4326.</summary>
    public string NutsUrl { get; set; } = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/NUTS_RG_10M_2021_4326.geojson";

    public string BelgianMunicipalitiesUrl { get; set; } =
        "https://raw.githubusercontent.com/bmesuere/belgium-topojson/a903fdab5a765822dafabf42c258809d4ad74e78/belgium.json";

    public string NordCommunesUrl { get; set; } =
        "https://raw.githubusercontent.com/gregoiredavid/france-geojson/5d34ee6d0140c29f785fdb047d9329f1aab58833/departements/59-nord/communes-59-nord.geojson";

    /// <summary>Optional tile layer for maps (e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png"); none by default.</summary>
    public string? TileUrl { get; set; }

    public string? TileAttribution { get; set; }
}
