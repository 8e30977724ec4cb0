using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Territories;

namespace Passerelle.Web.Api;

public static class TerritoriesEndpoints
{
    public const string GeoJsonType = "application/geo+json";
    private const int DefaultZoom = 8;

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
