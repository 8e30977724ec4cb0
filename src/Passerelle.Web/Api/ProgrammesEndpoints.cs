using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Programmes;

namespace Passerelle.Web.Api;

public static class ProgrammesEndpoints
{
    public static RouteGroupBuilder MapProgrammesEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/programmes").WithTags("Programmes");

        group.MapGet("/", async Task<Results<Ok<PageResponse<ProgrammeListItem>>, ProblemHttpResult>> (
            ProgrammeQueries programmes, string? page, string? pageSize, CancellationToken ct) =>
        {
            var (request, error) = ApiPaging.Parse(page, pageSize);
            return error is not null ? error : TypedResults.Ok(PageResponse<ProgrammeListItem>.From(await programmes.ListAsync(request!, ct)));
        })
        .WithName("ListProgrammes")
        .WithSummary("List programmes, one record per programming period");

        group.MapGet("/{slug}", async Task<Results<Ok<ProgrammeDetails>, ProblemHttpResult>> (ProgrammeQueries programmes, string slug, CancellationToken ct) =>
            await programmes.GetAsync(slug, ct) is { } programme ? TypedResults.Ok(programme) : ApiErrors.NotFound("programme", slug))
        .WithName("GetProgramme")
        .WithSummary("One programme with its projects and the source of every value");

        return api;
    }
}
