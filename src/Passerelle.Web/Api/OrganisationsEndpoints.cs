using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Organisations;

namespace Passerelle.Web.Api;

public static class OrganisationsEndpoints
{
    public static RouteGroupBuilder MapOrganisationsEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/organisations").WithTags("Organisations");

        group.MapGet("/", async Task<Results<Ok<PageResponse<OrganisationListItem>>, ProblemHttpResult>> (
            OrganisationQueries organisations, string? page, string? pageSize, string? country, string? after, string? before, CancellationToken ct) =>
        {
            var (request, error) = ApiPaging.Parse(page, pageSize, after, before);
            if (error is not null)
            {
                return error;
            }

            country = ApiQuery.Given(country);
            if (country is not null && (country.Length != 2 || !country.All(char.IsAsciiLetterUpper)))
            {
                return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, "country must be a two-letter upper-case code, e.g. BE");
            }

            return TypedResults.Ok(PageResponse<OrganisationListItem>.From(await organisations.ListAsync(country, request!, ct)));
        })
        .WithName("ListOrganisations")
        .WithSummary("List partner organisations")
        .WithDescription("Published organisations, by name. Filter by country (two-letter code). To walk the whole list, pass " +
            "each page's next as after; backwards, a page's previous as before (before=end: the last page).");

        group.MapGet("/{slug}", async Task<Results<Ok<OrganisationDetails>, ProblemHttpResult>> (OrganisationQueries organisations, string slug, CancellationToken ct) =>
            await organisations.GetAsync(slug, ct) is { } organisation ? TypedResults.Ok(organisation) : ApiErrors.NotFound("organisation", slug))
        .WithName("GetOrganisation")
        .WithSummary("One organisation with its names in sources and its participations")
        .WithDescription($"participations holds its first {OrganisationQueries.ParticipationLimit} projects by acronym; summary.projectCount " +
            "counts them all, and GET /projects?organisation={slug} pages through all of them.");

        return api;
    }
}
