using System.Text.Json;

namespace Passerelle.Core.Territories;

/// <summary>A Belgian administrative area of the municipalities file (region, province, arrondissement) with its names.</summary>
/// <param name="Level">The NUTS level the area corresponds to: 1 region, 2 province, 3 arrondissement.</param>
/// <param name="Key">The file's key of the area (the NIS code, or the first two NIS digits for an arrondissement).</param>
/// <param name="Municipalities">The unit codes (BE + NIS) of its municipalities.</param>
public sealed record BelgianArea(int Level, string Key, string? French, string? Dutch, IReadOnlyList<string> Municipalities);

/// <summary>The French and Dutch names the Belgian municipalities file gives, for municipalities and the areas above them.</summary>
public sealed record BelgianNames(IReadOnlyDictionary<string, (string? French, string? Dutch)> Municipalities, IReadOnlyList<BelgianArea> Areas)
{
    /// <summary>
    /// Reads the names of <see cref="BelgianMunicipalitiesReader.DefaultFileName"/>: each municipality's <c>name_fr</c> and
    /// <c>name_nl</c>, and the names of the areas above them from the file's <c>provinces</c> and <c>arrondissements</c>
    /// objects. Which area a municipality is in comes from its NIS code (arrondissement: the first two digits; province:
    /// the first digit, and the second for Brabant), not from its <c>reg_nis</c>, <c>prov_nis</c> and <c>arr_nis</c>,
    /// which are stale for Mesen and four more (see <see cref="Nuts3Assignment"/>). The geometry reader has checked the
    /// file's structure; this reads properties only.
    /// </summary>
    public static BelgianNames Read(string path)
    {
        string fileName = Path.GetFileName(path);
        using var document = GeoJsonGeometryParser.ParseDocument(path);
        var objects = document.RootElement.GetProperty("objects");
        var municipalities = new Dictionary<string, (string?, string?)>(StringComparer.Ordinal);
        var regions = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        var provinces = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        var arrondissements = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        int index = 0;
        foreach (var item in objects.GetProperty("municipalities").GetProperty("geometries").EnumerateArray())
        {
            var properties = GeoJsonGeometryParser.Properties(item, fileName, index);
            string nis = GeoJsonGeometryParser.RequiredString(properties, "nis", fileName, index++);
            string code = "BE" + nis;
            municipalities[code] = (GeoJsonGeometryParser.OptionalString(properties, "name_fr"), GeoJsonGeometryParser.OptionalString(properties, "name_nl"));
            Accumulate(regions, RegionKey(BelgianMunicipalitiesReader.RegionOfNis(nis))).Members.Add(code);
            if (BelgianMunicipalitiesReader.ProvinceOfNis(nis) is { } province)
            {
                Accumulate(provinces, province).Members.Add(code);
            }

            Accumulate(arrondissements, nis[..2]).Members.Add(code);
        }

        // Names: a province's and its region's from the provinces object (Brussels is there as a region without a
        // province), an arrondissement's from the arrondissements object (keyed by its first two digits).
        foreach (var item in Geometries(objects, "provinces"))
        {
            if (GeoJsonGeometryParser.OptionalString(item, "nis") is { } nis && provinces.TryGetValue(nis, out var province))
            {
                province.Name(item, "name");
            }

            if (GeoJsonGeometryParser.OptionalString(item, "reg_nis") is { } reg && regions.TryGetValue(reg, out var region))
            {
                region.Name(item, "reg");
            }
        }

        foreach (var item in Geometries(objects, "arrondissements"))
        {
            if (GeoJsonGeometryParser.OptionalString(item, "nis") is { Length: 5 } nis && arrondissements.TryGetValue(nis[..2], out var arrondissement))
            {
                arrondissement.Name(item, "name");
            }
        }

        var areas = regions.Select(r => r.Value.ToArea(1, r.Key))
            .Concat(provinces.Select(p => p.Value.ToArea(2, p.Key)))
            .Concat(arrondissements.Select(a => a.Value.ToArea(3, a.Key)))
            .Where(a => a.French is not null || a.Dutch is not null)
            .ToList();
        return new BelgianNames(municipalities, areas);
    }

    private static string RegionKey(BelgianMunicipalitiesReader.Region region) => region switch
    {
        BelgianMunicipalitiesReader.Region.Flanders => "02000",
        BelgianMunicipalitiesReader.Region.Wallonia => "03000",
        _ => "04000",
    };

    /// <summary>The properties of each geometry of a TopoJSON object, when the file has the object.</summary>
    private static IEnumerable<JsonElement> Geometries(JsonElement objects, string name) =>
        objects.TryGetProperty(name, out var collection) && collection.TryGetProperty("geometries", out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Where(i => i.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                .Select(i => i.GetProperty("properties")).ToList()
            : [];

    /// <summary>
    /// The names as <see cref="TerritoryName"/> rows: every municipality's French and Dutch name, and an area's names
    /// on the NUTS unit that is the same territory. An area and a NUTS unit are the same when the municipalities placed
    /// in that unit (their computed NUTS 3 parent and its parents) are exactly the area's, and their areas agree within
    /// 10 %: the arrondissement of Verviers, split by NUTS into its French- and German-speaking parts, gets no NUTS
    /// name; NUTS 2 Brussels (a region without provinces) only the region's name through NUTS 1.
    /// </summary>
    public IReadOnlyList<TerritoryName> ToTerritoryNames(IReadOnlyList<ImportedTerritory> units, int? sourceId)
    {
        var byCode = units.ToDictionary(u => u.Code, u => u.Unit, StringComparer.Ordinal);
        var result = new List<TerritoryName>();
        void Add(string code, string language, string? name)
        {
            if (!string.IsNullOrWhiteSpace(name))
            {
                result.Add(new TerritoryName { UnitCode = code, Language = language, Name = name.Trim(), SourceId = sourceId });
            }
        }

        foreach (var (code, (french, dutch)) in Municipalities.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (byCode.ContainsKey(code))
            {
                Add(code, "fr", french);
                Add(code, "nl", dutch);
            }
        }

        // Each Belgian municipality's NUTS unit at levels 1 to 3, from its computed NUTS 3 parent.
        string? NutsAt(string municipality, int level) =>
            byCode.GetValueOrDefault(municipality)?.ParentCode is { Length: 5 } nuts3 ? nuts3[..(2 + level)] : null;
        var belgian = Municipalities.Keys.Where(byCode.ContainsKey).ToList();
        foreach (var area in Areas.OrderBy(a => a.Level).ThenBy(a => a.Key, StringComparer.Ordinal))
        {
            var targets = area.Municipalities.Select(m => NutsAt(m, area.Level)).Distinct().ToList();
            if (targets is not [{ } nuts] || !byCode.TryGetValue(nuts, out var unit))
            {
                continue;
            }

            var placedThere = belgian.Where(m => NutsAt(m, area.Level) == nuts).ToHashSet(StringComparer.Ordinal);
            if (!placedThere.SetEquals(area.Municipalities))
            {
                continue;
            }

            var memberArea = area.Municipalities.Sum(m => byCode[m].AreaKm2 ?? 0);
            if (unit.AreaKm2 is not > 0 || Math.Abs(memberArea - unit.AreaKm2.Value) > 0.1 * unit.AreaKm2.Value)
            {
                continue;
            }

            Add(nuts, "fr", area.French);
            Add(nuts, "nl", area.Dutch);
        }

        return result;
    }

    private static Accumulator Accumulate(Dictionary<string, Accumulator> areas, string key)
    {
        if (!areas.TryGetValue(key, out var area))
        {
            areas[key] = area = new Accumulator();
        }

        return area;
    }

    private sealed class Accumulator
    {
        public string? French { get; set; }
        public string? Dutch { get; set; }
        public List<string> Members { get; } = [];

        /// <summary>Takes the <c>{prefix}_fr</c> and <c>{prefix}_nl</c> properties, when this area has no name yet.</summary>
        public void Name(JsonElement properties, string prefix)
        {
            French ??= GeoJsonGeometryParser.OptionalString(properties, prefix + "_fr");
            Dutch ??= GeoJsonGeometryParser.OptionalString(properties, prefix + "_nl");
        }

        public BelgianArea ToArea(int level, string key) => new(level, key, French, Dutch, Members);
    }
}
