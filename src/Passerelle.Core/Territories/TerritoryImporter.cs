using System.Globalization;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

using NetTopologySuite.Geometries;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Territories;

public sealed record TerritoryImportResult(bool Changed, int Nuts, int Municipalities, int ProgrammeAreaUnits, int GroupingUnits, double? BorderKm);

/// <summary>
/// Imports NUTS regions, the municipalities of the Eurometropole area, the programme areas and the Eurometropole's
/// territory. Every file is read and checked before anything is written, and the whole import is one transaction:
/// a malformed file leaves the database as it was. The same files imported again change nothing.
/// </summary>
public sealed class TerritoryImporter(PasserelleDbContext db, RegistryWriter writer, TerritoryDataOptions options, ILogger<TerritoryImporter> logger)
{
    public const string HashSetting = "territories-hash";
    public const string EuroGeographics = "© EuroGeographics for the administrative boundaries";
    public const string GroupingSlug = "eurometropole";
    public const string MelSlug = "lille-metropole";
    public const string BorderField = "border_with_belgium_km";
    public const double BorderToleranceMetres = 200;

    private static readonly Dictionary<string, string> ProgrammeCodes = new(StringComparer.Ordinal)
    {
        ["Interreg France-Wallonie-Vlaanderen"] = "FWV",
        ["Interreg North-West Europe"] = "NWE",
        ["Interreg 2 Seas"] = "2SEAS",
        ["ESPON 2020"] = "ESPON",
        ["ESPON 2030"] = "ESPON",
    };

    public async Task<TerritoryImportResult> ImportAsync(TerritoryFiles files, Actor actor, CancellationToken ct = default)
    {
        // 1. Read and check everything first.
        // The curated facts of the default data, then the publishers' geodata (checked by size and SHA-256).
        var areasPath = files.DefaultDataFile(ProgrammeAreaReader.DefaultFileName);
        var crosswalkPath = files.DefaultDataFile(NutsCrosswalk.DefaultFileName);
        var membersPath = files.DefaultDataFile(EurometropoleMunicipalitiesReader.DefaultFileName);
        var nutsPath = await files.ResolveAsync(files.Options.NutsFile(), ct);
        var bePath = await files.ResolveAsync(files.Options.BelgianMunicipalitiesFile(), ct);
        var frPath = await files.ResolveAsync(files.Options.NordCommunesFile(), ct);
        var frPopPath = await files.ResolveAsync(files.Options.FrenchPopulationsFile(), ct);
        var frAreaPath = await files.ResolveAsync(files.Options.FrenchAreasFile(), ct);
        string[] inputs = [nutsPath, bePath, frPath, frPopPath, frAreaPath, areasPath, crosswalkPath, membersPath];
        var hash = HashFiles(inputs);
        if (await db.AppSettings.AsNoTracking().AnyAsync(s => s.Key == HashSetting && s.Value == hash, ct))
        {
            logger.LogInformation("Territory files unchanged; nothing imported");
            return new TerritoryImportResult(false, 0, 0, 0, 0, null);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nuts = NutsGeoJsonReader.Read(nutsPath);
        var nutsLocator = new TerritoryLocator(nuts);
        var belgian = BelgianMunicipalitiesReader.Read(bePath, nutsLocator);
        var belgianNames = BelgianNames.Read(bePath);
        var french = FrenchCommunesReader.Read(frPath, frPopPath, frAreaPath, nutsLocator);
        var areaRows = ProgrammeAreaReader.Read(areasPath, NutsCrosswalk.Read(crosswalkPath));
        var members = EurometropoleMunicipalitiesReader.Read(membersPath);
        var unitCodes = nuts.Concat(belgian).Concat(french).Select(t => t.Code).ToHashSet(StringComparer.Ordinal);
        var programmes = await db.Programmes.AsNoTracking().Select(p => new { p.Id, p.Code, p.Period }).ToListAsync(ct);
        int ProgrammeId(ProgrammeAreaRow row) =>
            ProgrammeCodes.TryGetValue(row.Programme, out var code) && programmes.FirstOrDefault(p => p.Code == code && p.Period == row.Period) is { } p
                ? p.Id
                : throw new TerritoryImportException(ProgrammeAreaReader.DefaultFileName,
                    $"no programme '{row.Programme}' for period {row.Period} in the registry", lineNumber: row.Line, propertyName: "programme");
        foreach (var row in areaRows)
        {
            ProgrammeId(row);
            var missing = row.Nuts2021Codes.FirstOrDefault(c => !unitCodes.Contains(c));
            if (missing is not null)
            {
                throw new TerritoryImportException(ProgrammeAreaReader.DefaultFileName,
                    $"NUTS 2021 code '{missing}' is not among the imported regions", lineNumber: row.Line, propertyName: "nuts_code");
            }
        }

        var unknownMember = members.FirstOrDefault(m => !unitCodes.Contains(m.UnitCode) && !m.Perimeters.Contains("merged2025", StringComparison.Ordinal));
        if (unknownMember is not null)
        {
            throw new TerritoryImportException(EurometropoleMunicipalitiesReader.DefaultFileName,
                $"municipality '{unknownMember.UnitCode}' is not among the imported municipalities", propertyName: "lau_code");
        }

        var readMs = clock.ElapsedMilliseconds;
        var border = ComputeBorder(french, belgian, members);
        var borderMs = clock.ElapsedMilliseconds - readMs;

        // 2. Write what changed, through the write path (history of every unit, link and value), in one transaction.
        await using var session = await writer.BeginAsync(actor with { Detail = actor.Detail ?? files.Folder }, ct);
        var sources = await SourcesAsync(session, areaRows, ct);
        await session.FlushAsync(ct: ct);
        var allUnits = nuts.Concat(belgian).Concat(french).ToList();
        var changed = await WriteUnitsAsync(allUnits, sources, ct);
        changed |= await WriteNamesAsync(belgianNames.ToTerritoryNames(allUnits, sources["statbel"].Id), ct);
        changed |= await WriteProgrammeAreasAsync(areaRows, ProgrammeId, nuts, sources, ct);
        changed |= await WriteGroupingTerritoryAsync(members, sources["eurometropole-list"].Id, ct);
        await WriteBorderFactAsync(session, border, sources["border-computed"], ct);
        if (changed)
        {
            // Territorial units are not in the change feed record by record: every instance rebuilds its territory index.
            db.ChangeFeed.Add(Data.ChangeFeed.ChangeEntry.Everything(DateTime.UtcNow));
        }

        var setting = await db.AppSettings.FindAsync([HashSetting], ct);
        if (setting is null)
        {
            db.AppSettings.Add(new AppSetting { Key = HashSetting, Value = hash });
        }
        else
        {
            setting.Value = hash;
        }

        await session.CommitAsync(ct);

        logger.LogInformation("Territory import: read and checked in {Read} ms, border in {Border} ms, written in {Write} ms",
            readMs, borderMs, clock.ElapsedMilliseconds - readMs - borderMs);
        logger.LogInformation("Imported {Nuts} NUTS regions, {Municipalities} municipalities, {Areas} programme-area units; MEL-Belgium border {Border:F1} km",
            nuts.Count, belgian.Count + french.Count, areaRows.Count, border?.LengthKm);
        return new TerritoryImportResult(true, nuts.Count, belgian.Count + french.Count, areaRows.Count, members.Count, border?.LengthKm);
    }

    private static BorderLengthResult? ComputeBorder(
        IReadOnlyList<ImportedTerritory> french, IReadOnlyList<ImportedTerritory> belgian, IReadOnlyList<EurometropoleMunicipality> members)
    {
        var mel = members.Where(m => m.Country == "FR" && m.Perimeters.Contains("mel95", StringComparison.Ordinal)).Select(m => m.UnitCode).ToHashSet();
        var melGeometries = french.Where(f => mel.Contains(f.Code)).Select(f => f.Geometry).ToList();
        return melGeometries.Count == 0 ? null : BorderLength.Compute(melGeometries, belgian.Select(b => b.Geometry), BorderToleranceMetres);
    }

    /// <summary>Units added, changed (any property, the outline compared byte for byte) or gone from the publishers' files.</summary>
    private async Task<bool> WriteUnitsAsync(IEnumerable<ImportedTerritory> imported, Dictionary<string, SourceHandle> sources, CancellationToken ct)
    {
        var existing = await db.TerritoryUnits.ToDictionaryAsync(u => u.Code, StringComparer.Ordinal, ct);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changed = false;
        foreach (var t in imported)
        {
            var unit = t.Unit;
            unit.SourceId = t.Kind == TerritoryKind.Municipality
                ? (t.Code.StartsWith("BE", StringComparison.Ordinal) ? sources["statbel"].Id : sources["ign-insee"].Id)
                : sources["gisco"].Id;
            seen.Add(unit.Code);
            if (!existing.TryGetValue(unit.Code, out var current))
            {
                db.TerritoryUnits.Add(unit);
                changed = true;
                continue;
            }

            changed |= Editorial.Assign(current.Kind, unit.Kind, v => current.Kind = v);
            changed |= Editorial.Assign(current.Name, unit.Name, v => current.Name = v);
            changed |= Editorial.Assign(current.NameLocal, unit.NameLocal, v => current.NameLocal = v);
            changed |= Editorial.Assign(current.CountryCode, unit.CountryCode, v => current.CountryCode = v);
            changed |= Editorial.Assign(current.ParentCode, unit.ParentCode, v => current.ParentCode = v);
            changed |= Editorial.Assign(current.Version, unit.Version, v => current.Version = v);
            changed |= Editorial.Assign(current.Population, unit.Population, v => current.Population = v);
            changed |= Editorial.Assign(current.PopulationReference, unit.PopulationReference, v => current.PopulationReference = v);
            changed |= Editorial.Assign(current.AreaKm2, unit.AreaKm2, v => current.AreaKm2 = v);
            changed |= Editorial.Assign(current.SourceId, unit.SourceId, v => current.SourceId = v);
            if (!(current.Geometry ?? []).AsSpan().SequenceEqual(unit.Geometry ?? []))
            {
                current.Geometry = unit.Geometry;
                changed = true;
            }
        }

        foreach (var gone in existing.Values.Where(u => !seen.Contains(u.Code)))
        {
            db.TerritoryUnits.Remove(gone);
            changed = true;
        }

        return changed;
    }

    /// <summary>The names in other languages, synchronised with the files' (one per unit and language).</summary>
    private async Task<bool> WriteNamesAsync(IReadOnlyList<TerritoryName> names, CancellationToken ct)
    {
        var existing = await db.TerritoryNames.ToDictionaryAsync(n => (n.UnitCode, n.Language), ct);
        var seen = new HashSet<(string, string)>();
        var changed = false;
        foreach (var name in names)
        {
            var key = (name.UnitCode, name.Language);
            if (!seen.Add(key))
            {
                continue;
            }

            if (!existing.TryGetValue(key, out var current))
            {
                db.TerritoryNames.Add(name);
                changed = true;
                continue;
            }

            changed |= Editorial.Assign(current.Name, name.Name, v => current.Name = v);
            changed |= Editorial.Assign(current.SourceId, name.SourceId, v => current.SourceId = v);
        }

        foreach (var gone in existing.Where(e => !seen.Contains(e.Key)))
        {
            db.TerritoryNames.Remove(gone.Value);
            changed = true;
        }

        return changed;
    }

    private async Task<bool> WriteProgrammeAreasAsync(
        IReadOnlyList<ProgrammeAreaRow> rows, Func<ProgrammeAreaRow, int> programmeId, IReadOnlyList<ImportedTerritory> nuts,
        Dictionary<string, SourceHandle> sources, CancellationToken ct)
    {
        var names = nuts.ToDictionary(n => n.Code, n => n.Unit.Name, StringComparer.Ordinal);
        var existing = (await db.ProgrammeAreaUnits.ToListAsync(ct)).ToLookup(a => (a.ProgrammeId, a.NutsCode, a.Role));
        var kept = new HashSet<ProgrammeAreaUnit>(ReferenceEqualityComparer.Instance);
        var changed = false;
        foreach (var row in rows)
        {
            var wanted = row.ToEntity(programmeId(row), sources[AreaSourceKey(row)].Id, names.GetValueOrDefault(row.NutsCode));
            var current = existing[(wanted.ProgrammeId, wanted.NutsCode, wanted.Role)].FirstOrDefault(a => !kept.Contains(a));
            if (current is null)
            {
                db.ProgrammeAreaUnits.Add(wanted);
                changed = true;
                continue;
            }

            kept.Add(current);
            changed |= Editorial.Assign(current.NutsVersion, wanted.NutsVersion, v => current.NutsVersion = v);
            changed |= Editorial.Assign(current.Nuts2021Codes, wanted.Nuts2021Codes, v => current.Nuts2021Codes = v);
            changed |= Editorial.Assign(current.Name, wanted.Name, v => current.Name = v);
            changed |= Editorial.Assign(current.SourceId, wanted.SourceId, v => current.SourceId = v);
            changed |= Editorial.Assign(current.Note, wanted.Note, v => current.Note = v);
        }

        foreach (var gone in existing.SelectMany(g => g).Where(a => !kept.Contains(a)))
        {
            db.ProgrammeAreaUnits.Remove(gone);
            changed = true;
        }

        return changed;
    }

    private async Task<bool> WriteGroupingTerritoryAsync(IReadOnlyList<EurometropoleMunicipality> members, int sourceId, CancellationToken ct)
    {
        var groupingId = await db.Groupings.Where(g => g.Slug == GroupingSlug).Select(g => (int?)g.Id).SingleOrDefaultAsync(ct);
        if (groupingId is not { } gid)
        {
            return false;
        }

        var existing = await db.GroupingTerritoryUnits.Where(t => t.GroupingId == gid).ToDictionaryAsync(t => t.UnitCode, StringComparer.Ordinal, ct);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changed = false;
        foreach (var m in members)
        {
            var wanted = m.ToEntity(gid, sourceId);
            seen.Add(wanted.UnitCode);
            if (!existing.TryGetValue(wanted.UnitCode, out var current))
            {
                db.GroupingTerritoryUnits.Add(wanted);
                existing[wanted.UnitCode] = wanted;
                changed = true;
                continue;
            }

            changed |= Editorial.Assign(current.Name, wanted.Name, v => current.Name = v);
            changed |= Editorial.Assign(current.Country, wanted.Country, v => current.Country = v);
            changed |= Editorial.Assign(current.Perimeters, wanted.Perimeters, v => current.Perimeters = v);
            changed |= Editorial.Assign(current.SourceId, wanted.SourceId, v => current.SourceId = v);
        }

        foreach (var gone in existing.Values.Where(t => !seen.Contains(t.UnitCode)))
        {
            db.GroupingTerritoryUnits.Remove(gone);
            changed = true;
        }

        return changed;
    }

    /// <summary>The computed border is a figure beside the published ones, its source being the computation itself.</summary>
    private async Task WriteBorderFactAsync(WriteSession session, BorderLengthResult? border, SourceHandle source, CancellationToken ct)
    {
        var mel = await db.Organisations.SingleOrDefaultAsync(o => o.Slug == MelSlug, ct);
        if (mel is null)
        {
            return;
        }

        await session.LoadValuesAsync([mel], ct);
        var desired = border is null ? [] : new List<SourcedValue>
        {
            new(Math.Round(border.LengthKm, 1).ToString(CultureInfo.InvariantCulture), source,
                $"computed: MEL's outline (95 communes) where it lies within {border.ToleranceMetres:0} m of the Belgian municipalities; " +
                "the two sets of outlines come from different publishers and scales, so they do not coincide exactly"),
        };
        session.SyncValues(mel, Fields.Organisation.BorderWithBelgiumKm, desired, new HashSet<int> { source.Id });
    }

    private static string AreaSourceKey(ProgrammeAreaRow row) =>
        "area-" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(row.SourceUrl ?? row.SourceTitle ?? row.Programme)))[..10].ToLowerInvariant();

    private async Task<Dictionary<string, SourceHandle>> SourcesAsync(WriteSession session, IReadOnlyList<ProgrammeAreaRow> areaRows, CancellationToken ct)
    {
        var fixedSources = new Dictionary<string, Source>(StringComparer.Ordinal)
        {
            ["gisco"] = new() { Key = "gisco-nuts-2021", Title = "Eurostat GISCO, NUTS 2021 regions 1:10 million (EPSG:4326)", Url = options.NutsUrl, SourceDate = "NUTS 2021", Licence = EuroGeographics },
            ["statbel"] = new()
            {
                Key = "statbel-municipalities-2020",
                Title = "Belgian municipalities, REFNIS 2019 codes and Statbel population 1 January 2020 (bmesuere/belgium-topojson)",
                Url = options.BelgianMunicipalitiesUrl,
                SourceDate = "2020",
                Licence = "CC0 1.0",
            },
            ["ign-insee"] = new()
            {
                Key = "insee-communes-nord",
                Title = "Communes of Nord: IGN Admin Express COG 2018 outlines; INSEE populations légales 2021; INSEE areas",
                Url = options.NordCommunesUrl,
                SourceDate = "2018 (outlines), 2021 (population)",
                Licence = "Licence Ouverte / Open Licence (Etalab)",
            },
            ["eurometropole-list"] = new()
            {
                Key = "eurometropole-municipalities-derived",
                Title = "Eurometropole municipalities, derived list (DGCL EPCI composition files and Statbel arrondissements; no source lists the members)",
                SourceDate = "2026-11-25",
            },
            ["border-computed"] = new() { Key = "computed-mel-border", Title = "Computed by Passerelle from the IGN commune outlines and the Statbel municipality outlines" },
        };
        foreach (var row in areaRows)
        {
            fixedSources.TryAdd(AreaSourceKey(row), new Source
            {
                Key = AreaSourceKey(row),
                Title = row.SourceTitle ?? ProgrammeAreaReader.DefaultFileName,
                Url = row.SourceUrl,
                SourceDate = row.SourceDate,
            });
        }

        var byKey = await session.SourcesAsync(fixedSources.Values, ct);
        return fixedSources.ToDictionary(s => s.Key, s => byKey[s.Value.Key], StringComparer.Ordinal);
    }

    /// <summary>
    /// What the import keeps from the files, in the hash with them: a release that keeps more (the names in other
    /// languages since 2) imports the same files again once, instead of "unchanged".
    /// </summary>
    internal const string ImportFormat = "territory-import-2";

    private static string HashFiles(IEnumerable<string> paths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(ImportFormat));
        foreach (var path in paths)
        {
            hash.AppendData(File.ReadAllBytes(path));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
