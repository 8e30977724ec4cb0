using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing.Patterns;

using Passerelle.Web.Api.Editing;
using Passerelle.Web.Security;

namespace Passerelle.Web.Api;

public static class ApiEndpoints
{
    /// <summary>The open-data API, version 1: public reads, and the token-protected editing routes (Api/Editing, ADR 19).</summary>
    public static IEndpointRouteBuilder MapApiV1(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .WithApiConventions()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapProgrammesEndpoints()
            .MapGroupingsEndpoints()
            .MapProjectsEndpoints()
            .MapOrganisationsEndpoints()
            .MapThemesEndpoints()
            .MapStatisticsEndpoints()
            .MapTerritoriesEndpoints()
            .MapExportsEndpoints()
            .MapEditionsEndpoints()
            .MapMeEndpoints()
            .MapEditingEndpoints();

        // Every address under /api/v1 that no route takes, whatever its method and even with a dot (export.csv):
        // problem details, never the portal's HTML page. An address a route has, with another method, is a 405.
        var methods = new Lazy<RouteMethodLookup>(() => new RouteMethodLookup(
            app.ServiceProvider.GetRequiredService<EndpointDataSource>(), app.ServiceProvider.GetRequiredService<ParameterPolicyFactory>()));
#pragma warning disable RDG002 // a handler left to the runtime on purpose (RuntimeBound)
        api.MapFallback("{*path}", RuntimeBound.Handler((HttpContext http) => Unmatched(http, methods.Value)))
#pragma warning restore RDG002
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// What every group of API routes has: HEAD wherever GET is mapped, the API's rate limit (429 documented) and the
    /// paging parameters documented as integers. A group of routes mapped elsewhere under /api calls it too (a test
    /// checks that every /api endpoint has HEAD beside GET and the rate limit).
    /// </summary>
    public static TBuilder WithApiConventions<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithHeadForGet().RequireRateLimiting(RateLimits.Api).WithPagingDocumentation()
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), ["application/problem+json"]));

    private static IResult Unmatched(HttpContext http, RouteMethodLookup methods)
    {
        if (methods.Allowed(http) is { Count: > 0 } allowed)
        {
            http.Response.Headers.Allow = string.Join(", ", allowed);
            return ApiErrors.Problem(StatusCodes.Status405MethodNotAllowed, ErrorCodes.MethodNotAllowed,
                $"{http.Request.Method} is not allowed on this address; it accepts {string.Join(", ", allowed)}.");
        }

        return ApiErrors.Problem(StatusCodes.Status404NotFound, ErrorCodes.RouteNotFound, "No API route matches this address.");
    }
}
