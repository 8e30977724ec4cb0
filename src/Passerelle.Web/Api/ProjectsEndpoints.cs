using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Projects;

namespace Passerelle.Web.Api;

public static class ProjectsEndpoints
{
    public static RouteGroupBuilder MapProjectsEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/projects").WithTags("Projects");

        group.MapGet("/", async Task<Results<Ok<PageResponse<ProjectListItem>>, ProblemHttpResult>> (
            ProjectQueries projects, string? page, string? pageSize, string? programme, string? theme, string? organisation, string? after, string? before, CancellationToken ct) =>
        {
            var (request, error) = ApiPaging.Parse(page, pageSize, after, before);
            if (error is not null)
            {
                return error;
            }

            var result = await projects.ListAsync(new ProjectFilter(ApiQuery.Given(programme), ApiQuery.Given(theme), ApiQuery.Given(organisation)), request!, ct);
            return TypedResults.Ok(PageResponse<ProjectListItem>.From(result));
        })
        .WithName("ListProjects")
        .WithSummary("List projects")
        .WithDescription("Published projects, by acronym. Filter by programme (code or slug), theme slug or organisation slug. " +
            "To walk the whole list, pass each page's next as after: every page then costs the same. To walk it backwards, " +
            "pass a page's previous as before (before=end: the last page).");

        group.MapGet("/{slug}", async Task<Results<Ok<ProjectDetails>, ProblemHttpResult>> (ProjectQueries projects, string slug, CancellationToken ct) =>
            await projects.GetAsync(slug, ct) is { } project ? TypedResults.Ok(project) : ApiErrors.NotFound("project", slug))
        .WithName("GetProject")
        .WithSummary("One project with its partners and the source of every value");

        return api;
    }
}
