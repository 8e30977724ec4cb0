using System.Globalization;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

using NetTopologySuite.Geometries;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Organisations;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Territories;

public sealed record TerritoryImportResult(bool Changed, int Nuts, int Municipalities, int ProgrammeAreaUnits, int GroupingUnits, double? BorderKm);

/// <summary>
/// Imports NUTS regions, the municipalities of the Eurometropole area, the programme areas and the Eurometropole's
/// territory. Every file is read and checked before anything is written, and the whole import is one transaction:
/// a malformed file leaves the database as it was. The same files imported again change nothing.
/// </summary>
public sealed class TerritoryImporter(PasserelleDbContext db, TerritoryDataOptions options, ILogger<TerritoryImporter> logger)
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

    public async Task<TerritoryImportResult> ImportAsync(TerritoryFiles files, CancellationToken ct = default)
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

        // 2. Write everything in one transaction.
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var sources = await SourcesAsync(ct);
            await db.GroupingTerritoryUnits.ExecuteDeleteAsync(ct);
            await db.ProgrammeAreaUnits.ExecuteDeleteAsync(ct);
            await db.TerritoryUnits.ExecuteDeleteAsync(ct);
            foreach (var batch in nuts.Concat(belgian).Concat(french).Chunk(500))
            {
                foreach (var t in batch)
                {
                    t.Unit.SourceId = t.Kind == TerritoryKind.Municipality
                        ? (t.Code.StartsWith("BE", StringComparison.Ordinal) ? sources["statbel"] : sources["ign-insee"])
                        : sources["gisco"];
                }

                db.TerritoryUnits.AddRange(batch.Select(t => t.Unit));
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }

            var areaSources = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var row in areaRows)
            {
                var key = "area-" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(row.SourceUrl ?? row.SourceTitle ?? row.Programme)))[..10].ToLowerInvariant();
                if (!areaSources.TryGetValue(key, out var sourceId))
                {
                    sourceId = await EnsureSourceAsync(key, row.SourceTitle ?? "programme-areas.csv", row.SourceUrl, row.SourceDate, null, ct);
                    areaSources[key] = sourceId;
                }

                db.ProgrammeAreaUnits.Add(row.ToEntity(ProgrammeId(row), sourceId, nuts.FirstOrDefault(n => n.Code == row.NutsCode)?.Unit.Name));
            }

            var groupingId = await db.Groupings.Where(g => g.Slug == GroupingSlug).Select(g => (int?)g.Id).SingleOrDefaultAsync(ct);
            if (groupingId is { } gid)
            {
                db.GroupingTerritoryUnits.AddRange(members.Select(m => m.ToEntity(gid, sources["eurometropole-list"])));
            }

            await db.SaveChangesAsync(ct);
            await WriteBorderFactAsync(border, sources["border-computed"], ct);
            // Other instances rebuild their territory index from the feed (this one is told directly).
            db.ChangeFeed.Add(Data.ChangeFeed.ChangeEntry.Everything(DateTime.UtcNow));
            var setting = await db.AppSettings.FindAsync([HashSetting], ct);
            if (setting is null)
            {
                db.AppSettings.Add(new AppSetting { Key = HashSetting, Value = hash });
            }
            else
            {
                setting.Value = hash;
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        });

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

    /// <summary>The computed border is a figure beside the published ones, its source being the computation itself.</summary>
    private async Task WriteBorderFactAsync(BorderLengthResult? border, int sourceId, CancellationToken ct)
    {
        var mel = await db.Organisations.Where(o => o.Slug == MelSlug).Select(o => (int?)o.Id).SingleOrDefaultAsync(ct);
        if (mel is null)
        {
            return;
        }

        await db.Facts.Where(f => f.SubjectType == SubjectType.Organisation && f.SubjectId == mel && f.SourceId == sourceId).ExecuteDeleteAsync(ct);
        if (border is null)
        {
            return;
        }

        var rank = await db.Facts.CountAsync(f => f.SubjectType == SubjectType.Organisation && f.SubjectId == mel && f.Field == BorderField, ct);
        db.Facts.Add(new Fact
        {
            SubjectType = SubjectType.Organisation,
            SubjectId = mel.Value,
            Field = BorderField,
            Value = Math.Round(border.LengthKm, 1).ToString(CultureInfo.InvariantCulture),
            SourceId = sourceId,
            Rank = rank,
            Note = $"computed: MEL's outline (95 communes) where it lies within {border.ToleranceMetres:0} m of the Belgian municipalities; " +
                   "the two sets of outlines come from different publishers and scales, so they do not coincide exactly",
        });
    }

    private async Task<Dictionary<string, int>> SourcesAsync(CancellationToken ct) => new()
    {
        ["gisco"] = await EnsureSourceAsync("gisco-nuts-2021", "Eurostat GISCO, NUTS 2021 regions 1:10 million (EPSG:4326)",
            options.NutsUrl, "NUTS 2021", EuroGeographics, ct),
        ["statbel"] = await EnsureSourceAsync("statbel-municipalities-2020",
            "Belgian municipalities, REFNIS 2019 codes and Statbel population 1 January 2020 (bmesuere/belgium-topojson)",
            options.BelgianMunicipalitiesUrl, "2020", "CC0 1.0", ct),
        ["ign-insee"] = await EnsureSourceAsync("insee-communes-nord",
            "Communes of Nord: IGN Admin Express COG 2018 outlines; INSEE populations légales 2021; INSEE areas",
            options.NordCommunesUrl, "2018 (outlines), 2021 (population)", "Licence Ouverte / Open Licence (Etalab)", ct),
        ["eurometropole-list"] = await EnsureSourceAsync("eurometropole-municipalities-derived",
            "Eurometropole municipalities, derived list (DGCL EPCI composition files and Statbel arrondissements; no source lists the members)",
            null, "2026-11-25", null, ct),
        ["border-computed"] = await EnsureSourceAsync("computed-mel-border",
            "Computed by Passerelle from the IGN commune outlines and the Statbel municipality outlines", null, null, null, ct),
    };

    private async Task<int> EnsureSourceAsync(string key, string title, string? url, string? date, string? licence, CancellationToken ct)
    {
        var source = await db.Sources.SingleOrDefaultAsync(s => s.Key == key, ct);
        if (source is null)
        {
            source = new Source { Key = key, Title = title, Url = url, SourceDate = date, Licence = licence };
            db.Sources.Add(source);
        }
        else
        {
            (source.Title, source.Url, source.SourceDate, source.Licence) = (title, url, date, licence);
        }

        await db.SaveChangesAsync(ct);
        return source.Id;
    }

    private static string HashFiles(IEnumerable<string> paths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in paths)
        {
            hash.AppendData(File.ReadAllBytes(path));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
