using System.Text.Json;

using NetTopologySuite.IO;

namespace Passerelle.Core.Territories;

/// <summary>
/// Reads Eurostat GISCO's NUTS regions GeoJSON (e.g. NUTS_RG_10M_2021_4326.geojson: all levels in one
/// FeatureCollection, lon/lat WGS84) into <see cref="TerritoryUnit"/>s.
/// </summary>
public static class NutsGeoJsonReader
{
    public const string DefaultFileName = "NUTS_RG_10M_2021_4326.geojson";
    public const string NutsVersion = "NUTS 2021";

    /// <summary>Reads every feature. Raises <see cref="TerritoryImportException"/> on the first malformed one.</summary>
    /// <param name="path">Path to the GeoJSON file.</param>
    /// <param name="version">Value for <see cref="TerritoryUnit.Version"/>; the file itself does not say.</param>
    public static IReadOnlyList<ImportedTerritory> Read(string path, string version = NutsVersion)
    {
        string fileName = Path.GetFileName(path);
        using var document = GeoJsonGeometryParser.ParseDocument(path);
        var result = new List<ImportedTerritory>(2048);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var writer = new WKBWriter(ByteOrder.LittleEndian, handleSRID: false);
        int index = 0;
        foreach (var feature in GeoJsonGeometryParser.Features(document, fileName))
        {
            result.Add(ReadFeature(feature, fileName, index, version, writer, seen));
            index++;
        }

        return result;
    }

    private static ImportedTerritory ReadFeature(JsonElement feature, string fileName, int index, string version,
        WKBWriter writer, HashSet<string> seen)
    {
        var properties = GeoJsonGeometryParser.Properties(feature, fileName, index);
        string code = GeoJsonGeometryParser.RequiredString(properties, "NUTS_ID", fileName, index);
        int level = GeoJsonGeometryParser.RequiredInt32(properties, "LEVL_CODE", fileName, index);
        if (level is < 0 or > 3)
        {
            throw new TerritoryImportException(fileName, $"LEVL_CODE {level} is not 0-3", index,
                propertyName: "LEVL_CODE");
        }

        // NUTS codes are the country code plus one character per level; a mismatch means the level or the code is wrong,
        // and ParentCode (code minus its last character) would then point at the wrong unit.
        if (code.Length != 2 + level)
        {
            throw new TerritoryImportException(fileName, $"NUTS_ID '{code}' does not have {2 + level} characters for level {level}",
                index, propertyName: "NUTS_ID");
        }

        if (!seen.Add(code))
        {
            throw new TerritoryImportException(fileName, $"duplicate NUTS_ID '{code}'", index, propertyName: "NUTS_ID");
        }

        string country = GeoJsonGeometryParser.RequiredString(properties, "CNTR_CODE", fileName, index);
        if (!code.StartsWith(country, StringComparison.Ordinal))
        {
            throw new TerritoryImportException(fileName, $"NUTS_ID '{code}' does not start with CNTR_CODE '{country}'",
                index, propertyName: "CNTR_CODE");
        }

        string name = GeoJsonGeometryParser.RequiredString(properties, "NAME_LATN", fileName, index);
        string? local = GeoJsonGeometryParser.OptionalString(properties, "NUTS_NAME");
        if (!feature.TryGetProperty("geometry", out var geometryElement))
        {
            throw new TerritoryImportException(fileName, "feature has no geometry", index, propertyName: "geometry");
        }

        var geometry = GeoJsonGeometryParser.Parse(geometryElement, fileName, index);
        GeoJsonGeometryParser.EnsureValid(geometry, fileName, index);

        var unit = new TerritoryUnit
        {
            Code = code,
            Kind = (TerritoryKind)level,
            Name = name,
            NameLocal = local is not null && !string.Equals(local, name, StringComparison.Ordinal) ? local : null,
            CountryCode = country,
            ParentCode = level == 0 ? null : code[..^1],
            Version = version,
            AreaKm2 = EqualAreaProjection.AreaKm2(geometry),
            Geometry = writer.Write(geometry),
        };
        return new ImportedTerritory(unit, geometry);
    }
}
