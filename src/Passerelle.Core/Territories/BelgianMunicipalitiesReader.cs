using System.Text.Json;

using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace Passerelle.Core.Territories;

/// <summary>
/// Reads the Belgian municipalities (REFNIS 2019, Statbel population 1 January 2020) from the TopoJSON of
/// bmesuere/belgium-topojson: object <c>municipalities</c>, quantised arcs with a <c>transform</c>.
/// </summary>
public static class BelgianMunicipalitiesReader
{
    public const string DefaultFileName = "belgium-municipalities-2020.topojson";
    public const string Version = "REFNIS 2019";
    public const string PopulationReference = "Statbel, 1 January 2020";
    private const string ObjectName = "municipalities";

    /// <summary>
    /// Reads every municipality. <paramref name="nuts"/> (built from NUTS 2021 units) gives each its NUTS 3 parent from
    /// the geometry (majority of the NIS arrondissement, see <see cref="Nuts3Assignment"/>), because the file's
    /// <c>arr_nis</c> is stale for Mesen, Enghien, Lessines, Silly and La Louvière and the 2019 Hainaut arrondissements
    /// were recoded in NUTS 2021.
    /// </summary>
    public static IReadOnlyList<ImportedTerritory> Read(string path, TerritoryLocator nuts)
    {
        ArgumentNullException.ThrowIfNull(nuts);
        string fileName = Path.GetFileName(path);
        using var document = GeoJsonGeometryParser.ParseDocument(path);
        var root = document.RootElement;
        var arcs = DecodeArcs(root, fileName);
        if (!root.TryGetProperty("objects", out var objects) || objects.ValueKind != JsonValueKind.Object
            || !objects.TryGetProperty(ObjectName, out var collection)
            || !collection.TryGetProperty("geometries", out var geometries)
            || geometries.ValueKind != JsonValueKind.Array)
        {
            throw new TerritoryImportException(fileName, $"no objects.{ObjectName}.geometries array",
                propertyName: $"objects.{ObjectName}");
        }

        var writer = new WKBWriter(ByteOrder.LittleEndian, handleSRID: false);
        var result = new List<ImportedTerritory>(600);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (var item in geometries.EnumerateArray())
        {
            var territory = ReadMunicipality(item, arcs, fileName, index, nuts, writer);
            if (!seen.Add(territory.Code))
            {
                throw new TerritoryImportException(fileName, $"duplicate nis '{territory.Code[2..]}'", index,
                    propertyName: "nis");
            }

            result.Add(territory);
            index++;
        }

        Nuts3Assignment.AssignByMajority(result, nuts, t => t.Code[2..4]);
        return result;
    }

    private static ImportedTerritory ReadMunicipality(JsonElement item, Coordinate[][] arcs, string fileName, int index,
        TerritoryLocator nuts, WKBWriter writer)
    {
        var properties = GeoJsonGeometryParser.Properties(item, fileName, index);
        string nis = GeoJsonGeometryParser.RequiredString(properties, "nis", fileName, index);
        if (nis.Length != 5 || !nis.All(char.IsAsciiDigit))
        {
            throw new TerritoryImportException(fileName, $"nis '{nis}' is not a 5-digit code", index,
                propertyName: "nis");
        }

        string? nameNl = GeoJsonGeometryParser.OptionalString(properties, "name_nl");
        string? nameFr = GeoJsonGeometryParser.OptionalString(properties, "name_fr");
        if (nameNl is null && nameFr is null)
        {
            throw new TerritoryImportException(fileName, "neither name_nl nor name_fr is given", index,
                propertyName: "name_nl");
        }

        // Walloon municipalities are named in French, Flemish ones in Dutch. Brussels is bilingual; French comes first
        // there (as in Statbel's French lists), the Dutch name goes to NameLocal.
        bool french = RegionOf(properties, nis, fileName, index) != Region.Flanders;
        string name = (french ? nameFr ?? nameNl : nameNl ?? nameFr)!;
        string? other = french ? nameNl : nameFr;

        long? population = null;
        if (properties.TryGetProperty("population", out var pop) && pop.ValueKind != JsonValueKind.Null)
        {
            if (pop.ValueKind != JsonValueKind.Number || !pop.TryGetInt64(out long value) || value < 0)
            {
                throw new TerritoryImportException(fileName, $"population {pop.GetRawText()} is not a count", index,
                    propertyName: "population");
            }

            population = value;
        }

        var geometry = BuildGeometry(item, arcs, fileName, index);
        geometry = GeoJsonGeometryParser.ValidOrRepaired(geometry, fileName, index, repair: true);
        var unit = new TerritoryUnit
        {
            Code = "BE" + nis,
            Kind = TerritoryKind.Municipality,
            Name = name,
            NameLocal = other is not null && !string.Equals(other, name, StringComparison.Ordinal) ? other : null,
            CountryCode = "BE",
            Version = Version,
            Population = population,
            PopulationReference = population is null ? null : PopulationReference,
            AreaKm2 = EqualAreaProjection.AreaKm2(geometry),
            Geometry = writer.Write(geometry),
        };
        return new ImportedTerritory(unit, geometry);
    }

    internal enum Region
    {
        Flanders,
        Wallonia,
        Brussels,
    }

    /// <summary>
    /// The region of a municipality from its NIS code (the province digit; Brabant needs the arrondissement digit). The
    /// file's <c>reg_nis</c> is only checked for being a known region: like <c>prov_nis</c> and <c>arr_nis</c> it is stale
    /// for Mesen (33016), a Flemish municipality the file places in Hainaut and Wallonia.
    /// </summary>
    private static Region RegionOf(JsonElement properties, string nis, string fileName, int index)
    {
        string? reg = GeoJsonGeometryParser.OptionalString(properties, "reg_nis");
        if (reg is not (null or "02000" or "03000" or "04000"))
        {
            throw new TerritoryImportException(fileName, $"unknown reg_nis '{reg}'", index, propertyName: "reg_nis");
        }

        return RegionOfNis(nis);
    }

    internal static Region RegionOfNis(string nis) => nis[0] switch
    {
        '5' or '6' or '8' or '9' => Region.Wallonia,
        '2' when nis[1] == '1' => Region.Brussels,
        '2' when nis[1] == '5' => Region.Wallonia,
        _ => Region.Flanders,
    };

    /// <summary>The NIS code of a municipality's province (Brussels has none), from its own NIS code.</summary>
    internal static string? ProvinceOfNis(string nis) => nis[0] switch
    {
        '2' when nis[1] == '1' => null,
        '2' when nis[1] is '3' or '4' => "20001",
        '2' when nis[1] == '5' => "20002",
        var digit => $"{digit}0000",
    };

    private static Geometry BuildGeometry(JsonElement item, Coordinate[][] arcs, string fileName, int index)
    {
        string type = GeoJsonGeometryParser.RequiredString(item, "type", fileName, index);
        if (!item.TryGetProperty("arcs", out var arcRefs) || arcRefs.ValueKind != JsonValueKind.Array)
        {
            throw new TerritoryImportException(fileName, "geometry has no arcs array", index, propertyName: "arcs");
        }

        var factory = GeoJsonGeometryParser.Factory;
        return type switch
        {
            "Polygon" => BuildPolygon(arcRefs, arcs, fileName, index),
            "MultiPolygon" => factory.CreateMultiPolygon(
                [.. arcRefs.EnumerateArray().Select(p => BuildPolygon(p, arcs, fileName, index))]),
            _ => throw new TerritoryImportException(fileName, $"geometry type '{type}' is not Polygon or MultiPolygon",
                index, propertyName: "type"),
        };
    }

    private static Polygon BuildPolygon(JsonElement rings, Coordinate[][] arcs, string fileName, int index)
    {
        if (rings.ValueKind != JsonValueKind.Array || rings.GetArrayLength() == 0)
        {
            throw new TerritoryImportException(fileName, "polygon has no rings", index, propertyName: "arcs");
        }

        var built = new List<LinearRing>();
        foreach (var ring in rings.EnumerateArray())
        {
            if (ring.ValueKind != JsonValueKind.Array)
            {
                throw new TerritoryImportException(fileName, "ring is not an array of arc indexes", index,
                    propertyName: "arcs");
            }

            var points = new List<Coordinate>();
            foreach (var reference in ring.EnumerateArray())
            {
                if (reference.ValueKind != JsonValueKind.Number || !reference.TryGetInt32(out int arcIndex))
                {
                    throw new TerritoryImportException(fileName, $"arc index {reference.GetRawText()} is not an integer",
                        index, propertyName: "arcs");
                }

                // A negative index ~i means arc i walked backwards (TopoJSON spec, "Arc Indexes").
                bool reversed = arcIndex < 0;
                int actual = reversed ? ~arcIndex : arcIndex;
                if (actual >= arcs.Length)
                {
                    throw new TerritoryImportException(fileName,
                        $"arc index {arcIndex} refers to arc {actual}, but the topology has {arcs.Length}", index,
                        propertyName: "arcs");
                }

                var arc = arcs[actual];
                // Consecutive arcs share their junction point: skip the first point of every arc after the first.
                int start = points.Count == 0 ? 0 : 1;
                for (int i = start; i < arc.Length; i++)
                {
                    points.Add(reversed ? arc[arc.Length - 1 - i] : arc[i]);
                }
            }

            built.Add(GeoJsonGeometryParser.CreateRing([.. points.Select(c => c.Copy())], fileName, index, "arcs"));
        }

        return GeoJsonGeometryParser.Factory.CreatePolygon(built[0], [.. built.Skip(1)]);
    }

    /// <summary>Decodes every arc to lon/lat: undo the delta encoding, then apply the quantisation transform.</summary>
    private static Coordinate[][] DecodeArcs(JsonElement root, string fileName)
    {
        double sx = 1, sy = 1, tx = 0, ty = 0;
        bool quantised = false;
        if (root.TryGetProperty("transform", out var transform))
        {
            try
            {
                sx = transform.GetProperty("scale")[0].GetDouble();
                sy = transform.GetProperty("scale")[1].GetDouble();
                tx = transform.GetProperty("translate")[0].GetDouble();
                ty = transform.GetProperty("translate")[1].GetDouble();
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException
                                           or FormatException)
            {
                throw new TerritoryImportException(fileName, "transform needs scale[2] and translate[2] numbers",
                    propertyName: "transform", innerException: ex);
            }

            quantised = true;
        }

        if (!root.TryGetProperty("arcs", out var arcsElement) || arcsElement.ValueKind != JsonValueKind.Array)
        {
            throw new TerritoryImportException(fileName, "topology has no arcs array", propertyName: "arcs");
        }

        var arcs = new Coordinate[arcsElement.GetArrayLength()][];
        int a = 0;
        foreach (var arc in arcsElement.EnumerateArray())
        {
            if (arc.ValueKind != JsonValueKind.Array || arc.GetArrayLength() < 2)
            {
                throw new TerritoryImportException(fileName, $"arc {a} is not an array of at least 2 positions",
                    propertyName: "arcs");
            }

            var points = new Coordinate[arc.GetArrayLength()];
            double x = 0, y = 0;
            int i = 0;
            foreach (var position in arc.EnumerateArray())
            {
                if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2
                    || position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number)
                {
                    throw new TerritoryImportException(fileName, $"arc {a} position {i} is not [x, y]",
                        propertyName: "arcs");
                }

                if (quantised)
                {
                    x += position[0].GetDouble();
                    y += position[1].GetDouble();
                    points[i] = new Coordinate((x * sx) + tx, (y * sy) + ty);
                }
                else
                {
                    points[i] = new Coordinate(position[0].GetDouble(), position[1].GetDouble());
                }

                i++;
            }

            arcs[a++] = points;
        }

        return arcs;
    }
}
