using NetTopologySuite.IO;

namespace Passerelle.Core.Territories;

/// <summary>
/// Reads French communes: outlines and names from a gregoiredavid/france-geojson department file (<c>code</c>,
/// <c>nom</c>), population municipale from INSEE's populations légales 2021 (<c>;</c>-separated, <c>COM</c>,
/// <c>PMUN</c>) and official areas from the INSEE-derived commune table (<c>insee_com</c>, <c>superficie_km2</c>).
/// </summary>
public static class FrenchCommunesReader
{
    public const string NordGeoJsonFileName = "communes-59-nord-2018.geojson";
    public const string PopulationsFileName = "fr-communes-populations-legales-2021.csv";
    public const string AreasFileName = "fr-communes-2024-superficie-population.csv";
    public const string Version = "COG 2018";
    public const string PopulationReference = "INSEE, populations légales 2021 (population municipale)";

    /// <summary>Reads the Nord department from the standard file names in <paramref name="municipalitiesFolder"/>.</summary>
    public static IReadOnlyList<ImportedTerritory> ReadNord(string municipalitiesFolder, TerritoryLocator nuts) =>
        Read(Path.Combine(municipalitiesFolder, NordGeoJsonFileName),
            Path.Combine(municipalitiesFolder, PopulationsFileName),
            Path.Combine(municipalitiesFolder, AreasFileName), nuts);

    /// <summary>
    /// Reads the communes of <paramref name="geoJsonPath"/>. A commune missing from the population or area table keeps a
    /// null value rather than failing, because commune mergers between the outline year and the table year are normal.
    /// </summary>
    /// <param name="nuts">Locator over NUTS 2021 units, to set each commune's NUTS 3 parent from its geometry.</param>
    public static IReadOnlyList<ImportedTerritory> Read(string geoJsonPath, string populationsCsvPath,
        string areasCsvPath, TerritoryLocator nuts)
    {
        ArgumentNullException.ThrowIfNull(nuts);
        var populations = ReadPopulations(populationsCsvPath);
        var areas = ReadAreas(areasCsvPath);
        string fileName = Path.GetFileName(geoJsonPath);
        using var document = GeoJsonGeometryParser.ParseDocument(geoJsonPath);
        var writer = new WKBWriter(ByteOrder.LittleEndian, handleSRID: false);
        var result = new List<ImportedTerritory>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (var feature in GeoJsonGeometryParser.Features(document, fileName))
        {
            var properties = GeoJsonGeometryParser.Properties(feature, fileName, index);
            string code = GeoJsonGeometryParser.RequiredString(properties, "code", fileName, index);
            if (!IsInseeCode(code))
            {
                throw new TerritoryImportException(fileName, $"'{code}' is not a 5-character INSEE code", index,
                    propertyName: "code");
            }

            if (!seen.Add(code))
            {
                throw new TerritoryImportException(fileName, $"duplicate code '{code}'", index, propertyName: "code");
            }

            string name = GeoJsonGeometryParser.RequiredString(properties, "nom", fileName, index);
            if (!feature.TryGetProperty("geometry", out var geometryElement))
            {
                throw new TerritoryImportException(fileName, "feature has no geometry", index, propertyName: "geometry");
            }

            var geometry = GeoJsonGeometryParser.Parse(geometryElement, fileName, index);
            geometry = GeoJsonGeometryParser.ValidOrRepaired(geometry, fileName, index, repair: true);
            long? population = populations.TryGetValue(code, out long p) ? p : null;
            var unit = new TerritoryUnit
            {
                Code = "FR" + code,
                Kind = TerritoryKind.Municipality,
                Name = name,
                CountryCode = "FR",
                Version = Version,
                Population = population,
                PopulationReference = population is null ? null : PopulationReference,
                // The official (cadastral) area when known; the outline is generalised and would be off by a few %.
                AreaKm2 = areas.TryGetValue(code, out double area) ? area : EqualAreaProjection.AreaKm2(geometry),
                Geometry = writer.Write(geometry),
            };
            result.Add(new ImportedTerritory(unit, geometry));
            index++;
        }

        // NUTS 3 = département: the INSEE prefix (3 characters overseas).
        Nuts3Assignment.AssignByMajority(result, nuts, t => t.Code[2..4] == "97" ? t.Code[2..5] : t.Code[2..4]);
        return result;
    }

    /// <summary>COM → PMUN from INSEE's populations légales file.</summary>
    public static IReadOnlyDictionary<string, long> ReadPopulations(string path)
    {
        var table = CsvTable.Load(path, ';', "COM", "PMUN");
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var record in table.Records)
        {
            string code = table.Required(record, "COM");
            if (!IsInseeCode(code))
            {
                throw table.Error(record, "COM", $"'{code}' is not a 5-character INSEE code");
            }

            long population = table.OptionalInt64(record, "PMUN") ?? throw table.Error(record, "PMUN", "value is empty");
            if (!result.TryAdd(code, population))
            {
                throw table.Error(record, "COM", $"duplicate code '{code}'");
            }
        }

        return result;
    }

    /// <summary>insee_com → superficie_km2, deduplicated (the table has one row per commune and postal code).</summary>
    public static IReadOnlyDictionary<string, double> ReadAreas(string path)
    {
        var table = CsvTable.Load(path, ',', "insee_com", "superficie_km2");
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var record in table.Records)
        {
            string code = table.Required(record, "insee_com");
            if (!IsInseeCode(code))
            {
                throw table.Error(record, "insee_com", $"'{code}' is not a 5-character INSEE code");
            }

            if (table.OptionalDouble(record, "superficie_km2") is not { } area)
            {
                continue;
            }

            if (result.TryGetValue(code, out double previous) && Math.Abs(previous - area) > 1e-9)
            {
                throw table.Error(record, "superficie_km2",
                    $"code '{code}' has area {area} here and {previous} on an earlier row");
            }

            result[code] = area;
        }

        return result;
    }

    // Five characters: digits, or 2A/2B for Corsica.
    private static bool IsInseeCode(string code) =>
        code.Length == 5 && char.IsAsciiDigit(code[0]) && (char.IsAsciiDigit(code[1]) || code[1] is 'A' or 'B')
        && code[2..].All(char.IsAsciiDigit);
}
