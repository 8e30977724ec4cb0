using Passerelle.Web.Api.Editing;

namespace Passerelle.Web.Api;

public static class ApiEndpoints
{
    /// <summary>The open-data API, version 1: public reads, and the token-protected editing routes (Api/Editing, ADR 19).</summary>
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
            .MapMeEndpoints()
            .MapEditingEndpoints();

        // Unknown API routes answer ProblemDetails too, not the portal's HTML 404 page.
        api.MapFallback(() => ApiErrors.Problem(StatusCodes.Status404NotFound, ErrorCodes.RouteNotFound, "No API route matches this address."))
            .ExcludeFromDescription();
        return app;
    }
}
