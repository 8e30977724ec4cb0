using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Themes;

namespace Passerelle.Web.Api;

public static class ThemesEndpoints
{
    public static RouteGroupBuilder MapThemesEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/themes").WithTags("Themes");

        group.MapGet("/", async Task<Results<Ok<PageResponse<ThemeListItem>>, ProblemHttpResult>> (
            ThemeQueries themes, string? page, string? pageSize, CancellationToken ct) =>
        {
            var (request, error) = ApiPaging.Parse(page, pageSize);
            return error is not null ? error : TypedResults.Ok(PageResponse<ThemeListItem>.From(await themes.ListAsync(request!, ct)));
        })
        .WithName("ListThemes")
        .WithSummary("List themes with labels in EN, FR, NL and DE");

        group.MapGet("/{slug}", async Task<Results<Ok<ThemeListItem>, ProblemHttpResult>> (ThemeQueries themes, string slug, CancellationToken ct) =>
            await themes.GetAsync(slug, ct) is { } theme ? TypedResults.Ok(theme) : ApiErrors.NotFound("theme", slug))
        .WithName("GetTheme")
        .WithSummary("One theme");

        return api;
    }
}
