using System.Globalization;
using System.Text.Json.Serialization;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

using Passerelle.Core.Editions;
using Passerelle.Core.Exports;
using Passerelle.Web.Api.Editing;
using Passerelle.Web.Areas.Admin;

namespace Passerelle.Web.Api;

/// <summary>An edition as the API lists it, with where to download it and what changed since the one before.</summary>
/// <param name="Number">1, 2, 3... per programme.</param>
/// <param name="PublishedAt">When it was published (UTC).</param>
/// <param name="PublishedBy">Who published it (their name as it was then).</param>
/// <param name="OperationCount">How many operations it lists.</param>
/// <param name="ContentHash">SHA-256 of what it lists: two editions with the same hash list the same operations with the same fields.</param>
/// <param name="Csv">The edition's file (CSV; .xlsx and .json at the same address with that extension).</param>
/// <param name="ChangesSincePrevious">The diff from the previous edition; null for the first.</param>
public sealed record EditionItem(int Number, DateTime PublishedAt, string PublishedBy, int OperationCount, string ContentHash, string Csv, string? ChangesSincePrevious);

/// <summary>A programme's editions of its list of operations, newest first.</summary>
/// <param name="Programme">The programme's slug.</param>
/// <param name="IntervalMonths">The longest interval the regulation allows between two editions for the programme's period (4 from 2021-2027, 6 before).</param>
/// <param name="LastPublishedAt">The last edition's date, or null when none was published here.</param>
/// <param name="DueBy">The date by which the next edition is due, or null when none was published here.</param>
/// <param name="Overdue">Whether <paramref name="DueBy"/> has passed.</param>
public sealed record EditionList(string Programme, int IntervalMonths, DateTime? LastPublishedAt, DateTime? DueBy, bool Overdue, IReadOnlyList<EditionItem> Editions);

/// <summary>A body that publishes an edition.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PublishEditionInput
{
    /// <summary>The programme's id (the write routes address records by id, ADR 19).</summary>
    public required int ProgrammeId { get; init; }
}

/// <summary>
/// The dated editions of each programme's list of operations (Art. 49(3) CPR; ADR 26): the public reads under the
/// programme (list, one edition's file, the diff of two), and the publication, with an editor's or administrator's token.
/// </summary>
public static class EditionsEndpoints
{
    private static readonly string[] FileTypes =
        ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/json"];

    public static RouteGroupBuilder MapEditionsEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/programmes/{slug}/editions").WithTags("Editions");

        group.MapGet("/", async Task<Results<Ok<EditionList>, ProblemHttpResult>> (EditionService editions, string slug, CancellationToken ct) =>
                await editions.ListAsync(slug, ct) is { } list ? TypedResults.Ok(List(list)) : ApiErrors.NotFound("programme", slug))
            .WithName("ListEditions")
            .WithSummary("The editions of a programme's list of operations, newest first")
            .WithDescription("Each publication of the programme's list of operations (Art. 49(3) of Regulation (EU) 2021/1060) as it was published: " +
                             "date, publisher, number of operations, and where to download it. overdue is true when the last edition is older than " +
                             "the regulation allows (four months; six for programmes of 2014-2020, Art. 115(2) of Regulation (EU) No 1303/2013).");

        group.MapGet("/{number:int}/operations.{format}", async Task<Results<PushStreamHttpResult, ProblemHttpResult>> (
                EditionService editions, TimeProvider clock, string slug, int number, string format, CancellationToken ct) =>
            {
                if (ExportFormats.Parse(format) is not { } f || f == ExportFormat.GeoJson)
                {
                    return ApiErrors.BadRequest(ErrorCodes.UnsupportedFormat, $"'{format}' is not a format of an edition; use csv, xlsx or json.");
                }

                if (await editions.GetAsync(slug, number, ct) is not { } found)
                {
                    return EditionNotFound(slug, number);
                }

                var name = string.Create(CultureInfo.InvariantCulture, $"passerelle-operations-{slug}-edition-{number}-{found.Edition.PublishedAt:yyyy-MM-dd}.{f.Extension()}");
                return TypedResults.Stream(body => ExportRunner.WriteAsync(f, body, EditionService.FileColumns(found.Columns),
                    editions.OperationsAsync(slug, number, ct), "Operations", null, ct), ExportRunner.ContentType(f), name);
            })
            .WithName("DownloadEdition")
            .WithSummary("One edition's list of operations, as it was published (csv, xlsx, json)")
            .WithDescription("One row per operation: its stable code (the same in every edition), then the fields the edition published.")
            .Produces(StatusCodes.Status200OK, null, FileTypes[0], FileTypes[1..]);

        group.MapGet("/{from:int}/diff/{to:int}", async Task<Results<Ok<EditionDiff>, ProblemHttpResult>> (
                EditionService editions, string slug, int from, int to, CancellationToken ct) =>
                await editions.DiffAsync(slug, from, to, ct) is { } diff ? TypedResults.Ok(diff) : EditionNotFound(slug, from, to))
            .WithName("DiffEditions")
            .WithSummary("What changed between two editions of a programme's list of operations")
            .WithDescription("Operations added (in 'to', not in 'from'), removed, and changed, each change with its field's key and header and the " +
                             "old and new value (null: not known). Operations are matched by their stable code.");

        api.MapPost("/editions", async Task<Results<Created<EditionItem>, ProblemHttpResult>> (
                JsonBody<PublishEditionInput> body, CurrentAccess current, EditionService editions, HttpContext http, CancellationToken ct) =>
            {
                if (body.Problem is { } problem)
                {
                    return problem;
                }

                var edition = await editions.PublishAsync(await current.RequireAsync(), body.Value!.ProgrammeId, ct);
                var list = await editions.ListAsync(body.Value.ProgrammeId, ct);
                var item = Item(list!.Programme.Slug, edition);
                return TypedResults.Created(item.Csv, item);
            })
            .RequireWriteAccess()
            .AddEndpointFilter(EditingProblems.FilterAsync)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status422UnprocessableEntity, typeof(RuleViolationProblem), ["application/problem+json"]))
            .WithTags("Editions")
            .WithName("PublishEdition")
            .WithSummary("Publish the programme's list of operations as it is now, as a new dated edition")
            .WithDescription("Editors of the programme and administrators. Copies every published operation of the programme with the fields of the " +
                             "list of operations (GET /api/v1/exports/operations.csv); an operation listed for the first time gets its code, which it keeps. " +
                             "A draft or deleted programme: 422 rule_violation (programme_not_published). Location: the edition's file.");
        return api;
    }

    private static EditionList List(ProgrammeEditions list)
    {
        var slug = list.Programme.Slug;
        return new EditionList(slug, list.Status.IntervalMonths, list.Status.LastPublishedAt, list.Status.DueBy, list.Status.IsOverdue,
            [.. list.Editions.Select(e => Item(slug, e))]);
    }

    private static EditionItem Item(string slug, EditionInfo e) => new(e.Number, e.PublishedAt, e.PublishedBy, e.OperationCount, e.ContentHash,
        string.Create(CultureInfo.InvariantCulture, $"/api/v1/programmes/{slug}/editions/{e.Number}/operations.csv"),
        e.Number > 1 ? string.Create(CultureInfo.InvariantCulture, $"/api/v1/programmes/{slug}/editions/{e.Number - 1}/diff/{e.Number}") : null);

    private static ProblemHttpResult EditionNotFound(string slug, params int[] numbers) => ApiErrors.Problem(StatusCodes.Status404NotFound, ErrorCodes.NotFound,
        $"The programme '{slug}' has no edition {string.Join(" or ", numbers.Distinct())} (or no published programme has that slug).");
}
