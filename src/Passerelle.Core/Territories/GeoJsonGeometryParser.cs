using System.Text.Json;

using NetTopologySuite.Geometries;

namespace Passerelle.Core.Territories;

/// <summary>
/// Turns a GeoJSON Polygon/MultiPolygon element into an NTS geometry, raising <see cref="TerritoryImportException"/>
/// with the feature index on any structural fault. Written by hand rather than through the GeoJSON4STJ converter because
/// the converter's JsonException does not say which feature or member was wrong.
/// </summary>
internal static class GeoJsonGeometryParser
{
    /// <summary>WGS84 lon/lat; SRID set so that consumers (EF, PostGIS) know what the WKB means.</summary>
    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    public static Geometry Parse(JsonElement geometry, string fileName, int featureIndex)
    {
        if (geometry.ValueKind != JsonValueKind.Object)
        {
            throw new TerritoryImportException(fileName, "geometry is missing or not an object", featureIndex,
                propertyName: "geometry");
        }

        if (!geometry.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw new TerritoryImportException(fileName, "geometry has no type", featureIndex,
                propertyName: "geometry.type");
        }

        if (!geometry.TryGetProperty("coordinates", out var coordinates) || coordinates.ValueKind != JsonValueKind.Array)
        {
            throw new TerritoryImportException(fileName, "geometry has no coordinates array", featureIndex,
                propertyName: "geometry.coordinates");
        }

        string type = typeElement.GetString()!;
        Geometry result = type switch
        {
            "Polygon" => ParsePolygon(coordinates, fileName, featureIndex),
            "MultiPolygon" => Factory.CreateMultiPolygon(
                [.. coordinates.EnumerateArray().Select(p => ParsePolygon(p, fileName, featureIndex))]),
            _ => throw new TerritoryImportException(fileName, $"geometry type '{type}' is not Polygon or MultiPolygon",
                featureIndex, propertyName: "geometry.type"),
        };
        if (result.IsEmpty)
        {
            throw new TerritoryImportException(fileName, "geometry is empty", featureIndex,
                propertyName: "geometry.coordinates");
        }

        return result;
    }

    private static Polygon ParsePolygon(JsonElement rings, string fileName, int featureIndex)
    {
        if (rings.ValueKind != JsonValueKind.Array || rings.GetArrayLength() == 0)
        {
            throw new TerritoryImportException(fileName, "polygon has no rings", featureIndex,
                propertyName: "geometry.coordinates");
        }

        var linearRings = new List<LinearRing>(rings.GetArrayLength());
        foreach (var ring in rings.EnumerateArray())
        {
            linearRings.Add(ParseRing(ring, fileName, featureIndex));
        }

        return Factory.CreatePolygon(linearRings[0], [.. linearRings.Skip(1)]);
    }

    private static LinearRing ParseRing(JsonElement ring, string fileName, int featureIndex)
    {
        if (ring.ValueKind != JsonValueKind.Array)
        {
            throw new TerritoryImportException(fileName, "ring is not an array", featureIndex,
                propertyName: "geometry.coordinates");
        }

        var points = new Coordinate[ring.GetArrayLength()];
        int i = 0;
        foreach (var position in ring.EnumerateArray())
        {
            if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2
                || position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number)
            {
                throw new TerritoryImportException(fileName, "position is not [lon, lat]", featureIndex,
                    propertyName: "geometry.coordinates");
            }

            double lon = position[0].GetDouble();
            double lat = position[1].GetDouble();
            if (lon is < -180 or > 180 || lat is < -90 or > 90 || !double.IsFinite(lon) || !double.IsFinite(lat))
            {
                throw new TerritoryImportException(fileName, $"position ({lon}, {lat}) is outside WGS84 range",
                    featureIndex, propertyName: "geometry.coordinates");
            }

            points[i++] = new Coordinate(lon, lat);
        }

        return CreateRing(points, fileName, featureIndex, "geometry.coordinates");
    }

    public static LinearRing CreateRing(Coordinate[] points, string fileName, int featureIndex, string propertyName)
    {
        if (points.Length < 4)
        {
            throw new TerritoryImportException(fileName, $"ring has {points.Length} positions; at least 4 needed",
                featureIndex, propertyName: propertyName);
        }

        if (!points[0].Equals2D(points[^1]))
        {
            throw new TerritoryImportException(fileName, "ring is not closed", featureIndex, propertyName: propertyName);
        }

        return Factory.CreateLinearRing(points);
    }

    /// <summary>
    /// Rejects topologically invalid outlines (self-intersections, ...), which would make containment answers wrong
    /// without any error.
    /// </summary>
    public static void EnsureValid(Geometry geometry, string fileName, int featureIndex)
    {
        var validator = new NetTopologySuite.Operation.Valid.IsValidOp(geometry);
        if (!validator.IsValid)
        {
            var error = validator.ValidationError;
            throw new TerritoryImportException(fileName,
                $"invalid geometry: {error.Message} at {error.Coordinate}", featureIndex, propertyName: "geometry");
        }
    }

    /// <summary>
    /// Like <see cref="EnsureValid"/>, but repairs instead of rejecting when <paramref name="repair"/> is set. Used for
    /// municipality sources that were quantised or simplified by their publisher (TopoJSON quantisation and mapshaper
    /// both leave a few rings touching themselves at a vertex): GeometryFixer keeps the area and removes the defect.
    /// A repair that loses the polygon (empty or non-areal result) is still an error.
    /// </summary>
    public static Geometry ValidOrRepaired(Geometry geometry, string fileName, int featureIndex, bool repair)
    {
        if (!repair || geometry.IsValid)
        {
            EnsureValid(geometry, fileName, featureIndex);
            return geometry;
        }

        var fixedGeometry = NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(geometry);
        if (fixedGeometry is not (Polygon or MultiPolygon) || fixedGeometry.IsEmpty
            || Math.Abs(fixedGeometry.Area - geometry.Area) > 0.01 * geometry.Area)
        {
            EnsureValid(geometry, fileName, featureIndex);
        }

        fixedGeometry.SRID = geometry.SRID;
        return fixedGeometry;
    }

    public static JsonDocument ParseDocument(string path)
    {
        string fileName = Path.GetFileName(path);
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new TerritoryImportException(fileName, $"not valid JSON: {ex.Message}",
                lineNumber: ex.LineNumber is { } l ? (int)l + 1 : null, innerException: ex);
        }
        catch (IOException ex)
        {
            throw new TerritoryImportException(fileName, $"cannot read file: {ex.Message}", innerException: ex);
        }
    }

    public static JsonElement.ArrayEnumerator Features(JsonDocument document, string fileName)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("features", out var features)
            || features.ValueKind != JsonValueKind.Array)
        {
            throw new TerritoryImportException(fileName, "not a GeoJSON FeatureCollection (no features array)",
                propertyName: "features");
        }

        return features.EnumerateArray();
    }

    public static JsonElement Properties(JsonElement feature, string fileName, int featureIndex)
    {
        if (feature.ValueKind != JsonValueKind.Object || !feature.TryGetProperty("properties", out var properties)
            || properties.ValueKind != JsonValueKind.Object)
        {
            throw new TerritoryImportException(fileName, "feature has no properties object", featureIndex,
                propertyName: "properties");
        }

        return properties;
    }

    public static string RequiredString(JsonElement properties, string name, string fileName, int featureIndex)
    {
        if (!properties.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new TerritoryImportException(fileName, "required property missing", featureIndex, propertyName: name);
        }

        string? text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text)
            ? throw new TerritoryImportException(fileName, $"expected a non-empty string, found {value.ValueKind}",
                featureIndex, propertyName: name)
            : text.Trim();
    }

    public static string? OptionalString(JsonElement properties, string name)
    {
        if (!properties.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        string? text = value.GetString()?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public static int RequiredInt32(JsonElement properties, string name, string fileName, int featureIndex)
    {
        if (!properties.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new TerritoryImportException(fileName, "required property missing", featureIndex, propertyName: name);
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(),
                System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture,
                out number))
        {
            return number;
        }

        throw new TerritoryImportException(fileName, $"expected an integer, found {value.GetRawText()}", featureIndex,
            propertyName: name);
    }
}
