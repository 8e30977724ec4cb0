using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Territories;

/// <summary>How precisely an organisation is placed on a map.</summary>
public enum LocationPrecision
{
    /// <summary>At the coordinates a source or an editor gives.</summary>
    Exact = 0,

    /// <summary>
    /// Only its municipality is known (the city a source gives, matched to exactly one municipality): drawn at a point
    /// inside the municipality and always said to be approximate.
    /// </summary>
    Municipality = 1,
}

/// <summary>Where an organisation is drawn; <see cref="MunicipalityCode"/> is set when it is placed at its municipality.</summary>
public sealed record PlaceLocation(double Latitude, double Longitude, LocationPrecision Precision, string? MunicipalityCode, string? MunicipalityName)
{
    public bool IsApproximate => Precision != LocationPrecision.Exact;
}

/// <summary>
/// Places organisations: at their coordinates when known, else at their municipality when the city a source gives names
/// exactly one municipality of their country among the territories loaded (never a guess between two, never a
/// geocoder). Reads the territory index's current snapshot; while it is being built or when there are no territories,
/// only coordinates place anything.
/// </summary>
public sealed class OrganisationLocator(TerritoryIndex index)
{
    public PlaceLocation? Locate(double? latitude, double? longitude, string? city, string? country)
    {
        if (latitude is { } lat && longitude is { } lon && double.IsFinite(lat) && double.IsFinite(lon)
            && lat is >= -90 and <= 90 && lon is >= -180 and <= 180)
        {
            return new PlaceLocation(lat, lon, LocationPrecision.Exact, null, null);
        }

        if (string.IsNullOrWhiteSpace(city) || string.IsNullOrWhiteSpace(country) || index.Current is not { HasUnits: true } snapshot
            || snapshot.Places.MunicipalityNamed(city, country) is not { } municipality || snapshot.PointOf(municipality.Code) is not { } point)
        {
            return null;
        }

        return new PlaceLocation(point.Latitude, point.Longitude, LocationPrecision.Municipality, municipality.Code, municipality.Name);
    }

    /// <summary>The NUTS 2 region a location lies in (the municipality's, for one placed there), or null.</summary>
    public string? RegionOf(PlaceLocation location)
    {
        if (index.Current is not { HasUnits: true } snapshot)
        {
            return null;
        }

        var nuts3 = location.MunicipalityCode is { } code
            ? snapshot.Units.GetValueOrDefault(code)?.ParentCode
            : snapshot.Locator.Locate(location.Latitude, location.Longitude).LastOrDefault(u => u.Kind == TerritoryKind.Nuts3)?.Code;
        return nuts3 is { Length: 5 } ? nuts3[..4] : null;
    }
}

/// <summary>An organisation on a partner map: its role in the project (or, around an organisation, the shared projects).</summary>
public sealed record MapPartner(
    string Slug, string Name, string? Country, string? City, ParticipationRole? Role, int SharedProjects, bool IsSubject, PlaceLocation? Location);

/// <summary>A partner map's organisations; <see cref="Total"/> counts those beyond the limit too.</summary>
public sealed record PartnerMap(IReadOnlyList<MapPartner> Partners, int Total)
{
    public IEnumerable<MapPartner> Located => Partners.Where(p => p.Location is not null);

    public int NotLocated => Partners.Count(p => p.Location is null);
}

/// <summary>The partners of a project, or of an organisation's projects, placed for a map (published records only).</summary>
public sealed class PartnerMaps(PasserelleDbContext db, OrganisationLocator locator)
{
    /// <summary>At most this many organisations around one organisation (the most shared projects first): a map and its list stay readable.</summary>
    public const int OrganisationLimit = 500;

    /// <summary>The project's partners, lead partner first; null when there is no such published project.</summary>
    public async Task<PartnerMap?> ForProjectAsync(string projectSlug, CancellationToken ct = default)
    {
        if (!await db.Projects.AnyAsync(p => p.Slug == projectSlug && p.IsPublished, ct))
        {
            return null;
        }

        var rows = await db.Participations.AsNoTracking()
            .Where(x => x.Project.Slug == projectSlug && x.Project.IsPublished && x.Organisation.IsPublished)
            .OrderBy(x => x.Role).ThenBy(x => x.Organisation.Name)
            .Select(x => new { x.Organisation.Slug, x.Organisation.Name, x.Organisation.Country, x.Organisation.City, x.Organisation.Latitude, x.Organisation.Longitude, x.Role })
            .ToListAsync(ct);
        var partners = rows.Select(r => new MapPartner(r.Slug, r.Name, r.Country, r.City, r.Role, 1, false,
            locator.Locate(r.Latitude, r.Longitude, r.City, r.Country))).ToList();
        return new PartnerMap(partners, partners.Count);
    }

    /// <summary>
    /// The organisation and the partners of its published projects, the most shared projects first, at most
    /// <see cref="OrganisationLimit"/>; null when there is no such published organisation. Counted and ranked in the
    /// database (an organisation with thousands of projects does not load them, nor its thousands of co-partners: the
    /// first 499 are read, with the number of all of them).
    /// </summary>
    public Task<PartnerMap?> ForOrganisationAsync(string organisationSlug, CancellationToken ct = default) =>
        ForOrganisationAsync(organisationSlug, OrganisationLimit, ct);

    /// <summary>As above, with at most <paramref name="limit"/> organisations (a test passes fewer than it has).</summary>
    internal async Task<PartnerMap?> ForOrganisationAsync(string organisationSlug, int limit, CancellationToken ct)
    {
        // The subject and at least one co-partner: a statement that ranks none would not count them either.
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 2);
        var subject = await db.Organisations.AsNoTracking().Where(o => o.Slug == organisationSlug && o.IsPublished)
            .Select(o => new { o.Id, o.Slug, o.Name, o.Country, o.City, o.Latitude, o.Longitude }).SingleOrDefaultAsync(ct);
        if (subject is null)
        {
            return null;
        }

        // Published projects' and organisations' participations without each row's flags when few records are
        // unpublished (ADR 31): for an organisation in 4,162 projects at 2 M, its co-partners' 18,446 participations
        // had each read their organisation's row (87 ms).
        var published = await Unpublished.PublishedAsync(db, ct);
        var projects = published.Where(x => x.OrganisationId == subject.Id).Select(x => x.ProjectId);
        // The co-partners counted in one pass: counting them and taking the first were two passes over every
        // participation of the organisation's projects, 236 ms for an organisation in 4,162 projects at 2 M (issue 17).
        // A project names an organisation once (the participations' unique index on project and organisation), so a
        // group's rows are its shared projects.
        var (ranked, total) = await RankAsync(
            published.Where(x => projects.Contains(x.ProjectId) && x.OrganisationId != subject.Id)
                .GroupBy(x => x.OrganisationId)
                .Select(g => new { OrganisationId = g.Key, Shared = g.Count() }),
            limit - 1, ct);
        var ids = ranked.Select(g => g.OrganisationId).ToList();
        var found = await db.Organisations.AsNoTracking().Where(o => ids.Contains(o.Id))
            .Select(o => new { o.Id, o.Slug, o.Name, o.Country, o.City, o.Latitude, o.Longitude })
            .ToDictionaryAsync(o => o.Id, ct);
        var own = await projects.Distinct().CountAsync(ct);
        var partners = new List<MapPartner>
        {
            new(subject.Slug, subject.Name, subject.Country, subject.City, null, own, true,
                locator.Locate(subject.Latitude, subject.Longitude, subject.City, subject.Country)),
        };
        partners.AddRange(ranked.Select(g => (O: found[g.OrganisationId], g.Shared))
            .OrderByDescending(t => t.Shared).ThenBy(t => t.O.Name, StringComparer.CurrentCulture)
            .Select(t => new MapPartner(t.O.Slug, t.O.Name, t.O.Country, t.O.City, null, t.Shared, false, locator.Locate(t.O.Latitude, t.O.Longitude, t.O.City, t.O.Country))));
        return new PartnerMap(partners, total + 1);
    }

    /// <summary>
    /// The first <paramref name="take"/> groups of <paramref name="grouped"/> by shared projects (then id), and how many
    /// groups there are, ranked and counted by the database in the statement that groups them. Materialised by EF and
    /// ranked in memory, the 16,906 co-partners of the organisation in 4,162 projects at 2 M took 11–17 ms more than the
    /// statement's own 21 ms, for 499 kept (ADR 31). EF writes the grouping (with its published filter,
    /// <see cref="Unpublished"/>); the ranking and the window count around it are the same SQL on SQLite and PostgreSQL.
    /// </summary>
    private async Task<(List<(int OrganisationId, int Shared)> Ranked, int Total)> RankAsync<T>(IQueryable<T> grouped, int take, CancellationToken ct)
    {
        string sql;
        List<KeyValuePair<string, object>> parameters;
        await using (var command = grouped.CreateDbCommand())
        {
            sql = $"""
                SELECT "g"."OrganisationId", "g"."Shared", COUNT(*) OVER ()
                FROM ({command.CommandText}) AS "g"
                ORDER BY "g"."Shared" DESC, "g"."OrganisationId"
                LIMIT {take}
                """;
            parameters = command.Parameters.Cast<System.Data.Common.DbParameter>()
                .Select(p => KeyValuePair.Create(p.ParameterName, p.Value ?? DBNull.Value))
                .ToList();
        }

        var ranked = new List<(int OrganisationId, int Shared)>();
        var total = 0;
        await foreach (var (organisationId, shared, count) in FlatQuery.ReadAsync(
            db, sql, parameters, rows => (rows.GetInt32(0), rows.GetInt32(1), rows.GetInt64(2)), ct))
        {
            ranked.Add((organisationId, shared));
            total = (int)count;
        }

        return (ranked, total);
    }
}

/// <summary>A partner map as an RFC 7946 GeoJSON FeatureCollection of the located organisations (Point features).</summary>
public static class PartnerMapGeoJson
{
    public static byte[] Write(PartnerMap map)
    {
        using var stream = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteStartArray("features");
            foreach (var partner in map.Located)
            {
                var location = partner.Location!;
                json.WriteStartObject();
                json.WriteString("type", "Feature");
                json.WriteString("id", partner.Slug);
                json.WriteStartObject("geometry");
                json.WriteString("type", "Point");
                json.WriteStartArray("coordinates");
                json.WriteNumberValue(Math.Round(location.Longitude, 6));
                json.WriteNumberValue(Math.Round(location.Latitude, 6));
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteStartObject("properties");
                json.WriteString("slug", partner.Slug);
                json.WriteString("name", partner.Name);
                WriteNullable(json, "country", partner.Country);
                WriteNullable(json, "city", partner.City);
                if (partner.Role is { } role)
                {
                    json.WriteString("role", role.ToString());
                }
                else
                {
                    json.WriteNumber("sharedProjects", partner.SharedProjects);
                    json.WriteBoolean("subject", partner.IsSubject);
                }

                json.WriteString("locationPrecision", location.Precision == LocationPrecision.Exact ? "exact" : "municipality");
                json.WriteBoolean("locationApproximate", location.IsApproximate);
                WriteNullable(json, "locationMunicipality", location.MunicipalityCode);
                WriteNullable(json, "locationMunicipalityName", location.MunicipalityName);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteNullable(System.Text.Json.Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
