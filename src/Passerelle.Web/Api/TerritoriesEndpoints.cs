using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Common;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Api;

/// <summary>A place found by name: the unit, its name in the language asked for, the name that matched, and where it is.</summary>
/// <param name="Name">The name in the language asked for when a source gives one, else the unit's own name.</param>
/// <param name="NameLanguage">The language of <paramref name="Name"/>; null when not known (a publisher's name in the place's own language).</param>
/// <param name="Match">exact, prefix, word or typo.</param>
public sealed record PlaceSuggestion(
    string Code, string Name, string? NameLanguage, string MatchedName, string? MatchedLanguage, string Match, TerritoryKind Kind,
    string CountryCode, string? ParentCode, string? ParentName, double? Latitude, double? Longitude);

public sealed record PlaceSearchResponse(string Query, IReadOnlyList<PlaceSuggestion> Items);

public static class TerritoriesEndpoints
{
    public const string GeoJsonType = "application/geo+json";
    private const int DefaultZoom = 8;

    /// <summary>Suggestions as one types: a handful is what a list under a search box shows.</summary>
    public const int DefaultPlaceLimit = 8;
    public const int MaxPlaceLimit = 20;
    private const int MaxQueryLength = 100;

    public static RouteGroupBuilder MapTerritoriesEndpoints(this RouteGroupBuilder api)
    {
        var territories = api.MapGroup("/territories").WithTags("Territories").RequireTerritoryIndex();

        territories.MapGet("/", async Task<Results<Ok<PageResponse<UnitView>>, ProblemHttpResult>> (
            TerritoryQueries queries, string? page, string? pageSize, string? kind, string? country, string? parent, CancellationToken ct) =>
        {
            var (request, error) = ApiPaging.Parse(page, pageSize);
            if (error is not null)
            {
                return error;
            }

            TerritoryKind? parsedKind = null;
            if (kind is not null)
            {
                if (!Enum.TryParse<TerritoryKind>(kind, ignoreCase: true, out var k) || int.TryParse(kind, out _))
                {
                    return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, "kind must be one of Nuts0, Nuts1, Nuts2, Nuts3, Municipality");
                }

                parsedKind = k;
            }

            var all = await queries.ListAsync(parsedKind, country?.ToUpperInvariant(), parent?.ToUpperInvariant(), ct);
            return TypedResults.Ok(new PageResponse<UnitView>(all.Skip(request!.Skip).Take(request.PageSize).ToList(), request.Page, request.PageSize, all.Count));
        })
        .WithName("ListTerritories")
        .WithSummary("List NUTS 2021 regions and municipalities, filtered by kind, country and parent");

        territories.MapGet("/{code}", async Task<Results<Ok<TerritoryDetails>, ProblemHttpResult>> (TerritoryQueries queries, string code, CancellationToken ct) =>
            await queries.GetAsync(code.ToUpperInvariant(), ct) is { } unit ? TypedResults.Ok(unit) : ApiErrors.NotFound("territory", code))
        .WithName("GetTerritory")
        .WithSummary("One territory unit with its parents, population and area");

        territories.MapGet("/{code}/geometry", async Task<Results<ContentHttpResult, ProblemHttpResult>> (
            TerritoryQueries queries, string code, int? zoom, CancellationToken ct) =>
        {
            if (ZoomError(zoom) is { } error)
            {
                return error;
            }

            return await queries.GeometryAsync(code.ToUpperInvariant(), zoom ?? DefaultZoom, ct) is { } json
                ? TypedResults.Content(json, GeoJsonType)
                : ApiErrors.NotFound("territory", code);
        })
        .WithName("GetTerritoryGeometry")
        .WithSummary("The unit's outline as a GeoJSON Feature, simplified for a map zoom level (0-22)")
        .Produces(StatusCodes.Status200OK, contentType: GeoJsonType);

        api.MapGet("/programmes/{slug}/area.geojson", async Task<Results<ContentHttpResult, ProblemHttpResult>> (
            TerritoryQueries queries, string slug, int? zoom, CancellationToken ct) =>
        {
            if (ZoomError(zoom) is { } error)
            {
                return error;
            }

            return await queries.ProgrammeAreaGeoJsonAsync(slug, zoom ?? 6, ct) is { } json
                ? TypedResults.Content(json, GeoJsonType)
                : ApiErrors.NotFound("programme", slug);
        })
        .WithTags("Programmes")
        .WithName("GetProgrammeAreaGeoJson")
        .RequireTerritoryIndex()
        .WithSummary("The programme's area as GeoJSON: the NUTS 2021 units its sources list, simplified for the zoom")
        .Produces(StatusCodes.Status200OK, contentType: GeoJsonType);

        api.MapGet("/groupings/{slug}/territory.geojson", async Task<Results<ContentHttpResult, ProblemHttpResult>> (
            TerritoryQueries queries, string slug, int? zoom, CancellationToken ct) =>
        {
            if (ZoomError(zoom) is { } error)
            {
                return error;
            }

            return await queries.GroupingTerritoryGeoJsonAsync(slug, zoom ?? 9, ct) is { } json
                ? TypedResults.Content(json, GeoJsonType)
                : ApiErrors.NotFound("grouping", slug);
        })
        .WithTags("Groupings")
        .WithName("GetGroupingTerritoryGeoJson")
        .RequireTerritoryIndex()
        .WithSummary("The grouping's municipalities as GeoJSON, simplified for the zoom")
        .Produces(StatusCodes.Status200OK, contentType: GeoJsonType);

        api.MapGet("/groupings/{slug}/profile", async Task<Results<Ok<IReadOnlyList<TerritoryProfile>>, ProblemHttpResult>> (
            TerritoryQueries queries, string slug, CancellationToken ct) =>
        {
            var profiles = await queries.ProfilesAsync(slug, ct);
            return profiles.Count > 0 ? TypedResults.Ok(profiles) : ApiErrors.NotFound("grouping territory", slug);
        })
        .WithTags("Groupings")
        .WithName("GetGroupingProfile")
        .RequireTerritoryIndex()
        .WithSummary("The grouping's territory computed from its municipalities: count, area, population, by country and region");

        api.MapGet("/places", async Task<Results<Ok<PlaceSearchResponse>, ProblemHttpResult>> (
            TerritoryIndex index, string? q, string? lang, string? limit, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(q) || PlaceDirectory.Fold(q).Replace(" ", "", StringComparison.Ordinal).Length < PlaceDirectory.MinimumQueryLength)
            {
                return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, $"q is a place name of at least {PlaceDirectory.MinimumQueryLength} letters, e.g. q=Kortrijk");
            }

            if (q.Length > MaxQueryLength)
            {
                return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, $"q is at most {MaxQueryLength} characters");
            }

            var language = lang ?? "en";
            if (!LocalizedText.Languages.Contains(language))
            {
                return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, $"lang is one of {string.Join(", ", LocalizedText.Languages)}");
            }

            var count = DefaultPlaceLimit;
            if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxPlaceLimit))
            {
                return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, $"limit is a whole number from 1 to {MaxPlaceLimit}");
            }

            var snapshot = await index.GetAsync(ct);
            var items = snapshot.Places.Search(q, count).Select(m =>
            {
                var (name, nameLanguage) = snapshot.Places.NameIn(m.Unit, language);
                var parent = m.Unit.ParentCode is { } p ? snapshot.Units.GetValueOrDefault(p) : null;
                var point = snapshot.PointOf(m.Unit.Code);
                return new PlaceSuggestion(m.Unit.Code, name, nameLanguage, m.MatchedName, m.MatchedLanguage, m.Match.ToString().ToLowerInvariant(),
                    m.Unit.Kind, m.Unit.CountryCode, parent?.Code, parent is null ? null : snapshot.Places.NameIn(parent, language).Name,
                    point is { } x ? Math.Round(x.Latitude, 5) : null, point is { } y ? Math.Round(y.Longitude, 5) : null);
            }).ToList();
            return TypedResults.Ok(new PlaceSearchResponse(q, items));
        })
        .WithTags("Territories")
        .WithName("FindPlaces")
        .RequireTerritoryIndex()
        .WithSummary("Find municipalities and NUTS regions by name, in any language a source names them")
        .WithDescription("Case, accents and punctuation are ignored and a small typo is tolerated (q=kortrik finds Kortrijk; q=Doornik finds Tournai). " +
            "Best matches first: the whole name, its beginning, the beginning of one of its words, then names within a typo. lang (en, fr, nl, de) chooses " +
            "the language of each name where a source gives one (the Belgian municipalities and regions have French and Dutch names); limit 1-20, 8 by default. " +
            "Latitude and longitude are a point inside the unit.");

        api.MapGet("/projects/{slug}/partners.geojson", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (
            PartnerMaps maps, HttpContext http, string slug, CancellationToken ct) =>
        {
            if (await maps.ForProjectAsync(slug, ct) is not { } map)
            {
                return ApiErrors.NotFound("project", slug);
            }

            http.Response.Headers[ExportsEndpoints.SkippedHeader] = map.NotLocated.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.File(PartnerMapGeoJson.Write(map), GeoJsonType);
        })
        .WithTags("Projects")
        .WithName("GetProjectPartnersGeoJson")
        .WithSummary("The project's partners as GeoJSON points: at their coordinates, or approximately at their municipality")
        .WithDescription("An organisation whose coordinates are not known but whose city names exactly one municipality of its country is placed at a " +
            "point inside that municipality, with locationPrecision \"municipality\" and locationApproximate true. Partners placed neither way are " +
            $"left out and counted in the {ExportsEndpoints.SkippedHeader} header.")
        .Produces(StatusCodes.Status200OK, contentType: GeoJsonType);

        api.MapGet("/organisations/{slug}/partners.geojson", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (
            PartnerMaps maps, HttpContext http, string slug, CancellationToken ct) =>
        {
            if (await maps.ForOrganisationAsync(slug, ct) is not { } map)
            {
                return ApiErrors.NotFound("organisation", slug);
            }

            http.Response.Headers[ExportsEndpoints.SkippedHeader] = (map.NotLocated + map.Total - map.Partners.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.File(PartnerMapGeoJson.Write(map), GeoJsonType);
        })
        .WithTags("Organisations")
        .WithName("GetOrganisationPartnersGeoJson")
        .WithSummary("The organisation and the partners of its projects as GeoJSON points (subject true: the organisation itself)")
        .WithDescription($"The {PartnerMaps.OrganisationLimit} organisations sharing the most projects at most, each with sharedProjects; placed as in " +
            $"/projects/{{slug}}/partners.geojson. The {ExportsEndpoints.SkippedHeader} header counts those left out.")
        .Produces(StatusCodes.Status200OK, contentType: GeoJsonType);

        api.MapGet("/places/eligibility", async Task<Results<Ok<EligibilityResult>, ProblemHttpResult>> (
            EligibilityFinder finder, string? lat, string? lon, string? nuts, string? lau, CancellationToken ct) =>
        {
            var given = (lat is not null || lon is not null ? 1 : 0) + (nuts is not null ? 1 : 0) + (lau is not null ? 1 : 0);
            if (given != 1)
            {
                return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, "give either lat and lon, or nuts, or lau");
            }

            (EligibilityResult? Result, EligibilityError Error) answer;
            if (nuts is not null || lau is not null)
            {
                answer = await finder.ByCodeAsync(nuts ?? lau!, municipality: lau is not null, ct);
            }
            else
            {
                if (!TryCoordinate(lat, out var latitude) || !TryCoordinate(lon, out var longitude))
                {
                    return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, "lat and lon must both be decimal numbers, e.g. lat=50.6292&lon=3.0573");
                }

                answer = await finder.ByPointAsync(latitude, longitude, ct);
            }

            return answer.Error switch
            {
                EligibilityError.None => TypedResults.Ok(answer.Result!),
                EligibilityError.LatitudeOutOfRange => ApiErrors.BadRequest("latitude_out_of_range", "lat must be between -90 and 90"),
                EligibilityError.LongitudeOutOfRange => ApiErrors.BadRequest("longitude_out_of_range", "lon must be between -180 and 180"),
                EligibilityError.MalformedCode => ApiErrors.BadRequest("malformed_code",
                    lau is not null ? "lau is a country prefix and the municipality code, e.g. FR59350 or BE34022" : "nuts is a NUTS 2021 code, e.g. FRE11"),
                _ => ApiErrors.BadRequest("unknown_code", $"no territory unit has the code '{nuts ?? lau}'"),
            };
        })
        .WithTags("Territories")
        .WithName("FindEligibility")
        .RequireTerritoryIndex()
        .WithSummary("Which territory units contain a place, and which programmes cover it")
        .WithDescription("Give a point (lat, lon in WGS84), a NUTS 2021 code or a municipality code (FR + INSEE code, BE + NIS code). A point at sea or outside the covered area answers 200 with empty lists.");

        return api;
    }

    /// <summary>
    /// 503 (territories_not_ready, Retry-After) until the territory index's first build in the background completes:
    /// a request never builds it. 503 (territories_missing, no Retry-After: waiting does not help) when the database has
    /// no territories, saying how an administrator adds them, rather than empty answers that look like "nothing here".
    /// </summary>
    private static TBuilder RequireTerritoryIndex<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var services = context.HttpContext.RequestServices;
            return services.GetRequiredService<TerritoryIndex>().Availability switch
            {
                TerritoryAvailability.Available => await next(context),
                TerritoryAvailability.Missing => ApiErrors.Problem(StatusCodes.Status503ServiceUnavailable, TerritoriesMissing.ErrorCode,
                    TerritoriesMissing.Message(services.GetRequiredService<TerritoryDataOptions>()
                        .ImportsOnStart(services.GetRequiredService<Passerelle.Core.Data.DatabaseOptions>().Provider))),
                _ => Readiness.NotReady(context.HttpContext, TerritoryIndexNotReadyException.ErrorCode,
                    $"The territory index (maps, eligibility) is being prepared; try again in {Readiness.RetryAfterSeconds} seconds."),
            };
        });
        builder.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
        return builder;
    }

    private static ProblemHttpResult? ZoomError(int? zoom) =>
        zoom is < 0 or > GeometrySimplifier.MaxZoom ? ApiErrors.BadRequest(ErrorCodes.InvalidParameter, $"zoom must be between 0 and {GeometrySimplifier.MaxZoom}") : null;

    private static bool TryCoordinate(string? text, out double value) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
