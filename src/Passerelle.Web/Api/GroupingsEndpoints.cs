using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Groupings;

namespace Passerelle.Web.Api;

public static class GroupingsEndpoints
{
    public static RouteGroupBuilder MapGroupingsEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/groupings").WithTags("Groupings");

        group.MapGet("/", async Task<Results<Ok<PageResponse<GroupingListItem>>, ProblemHttpResult>> (
            GroupingQueries groupings, string? page, string? pageSize, CancellationToken ct) =>
        {
            var (request, error) = ApiPaging.Parse(page, pageSize);
            return error is not null ? error : TypedResults.Ok(PageResponse<GroupingListItem>.From(await groupings.ListAsync(request!, ct)));
        })
        .WithName("ListGroupings")
        .WithSummary("List cooperation groupings (EGTCs and similar)");

        group.MapGet("/{slug}", async Task<Results<Ok<GroupingDetails>, ProblemHttpResult>> (GroupingQueries groupings, string slug, CancellationToken ct) =>
            await groupings.GetAsync(slug, ct) is { } grouping ? TypedResults.Ok(grouping) : ApiErrors.NotFound("grouping", slug))
        .WithName("GetGrouping")
        .WithSummary("One grouping with its members and every published figure with its source");

        return api;
    }
}
