namespace Passerelle.Web.Api;

public static class ApiEndpoints
{
    /// <summary>The read-only open-data API, version 1.</summary>
    public static IEndpointRouteBuilder MapApiV1(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapProgrammesEndpoints()
            .MapGroupingsEndpoints()
            .MapProjectsEndpoints()
            .MapOrganisationsEndpoints()
            .MapThemesEndpoints()
            .MapTerritoriesEndpoints()
            .MapExportsEndpoints()
            .MapMeEndpoints();

        // Unknown API routes answer ProblemDetails too, not the portal's HTML 404 page.
        api.MapFallback(() => ApiErrors.Problem(StatusCodes.Status404NotFound, ErrorCodes.RouteNotFound, "No API route matches this address."))
            .ExcludeFromDescription();
        return app;
    }
}
