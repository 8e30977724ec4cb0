using System.Globalization;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

using Passerelle.Core.Accounts;
using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Editing;
using Passerelle.Core.Sources;
using Passerelle.Web.Areas.Admin;

namespace Passerelle.Web.Api.Editing;

/// <summary>What a write answers: the record as it is now, and where to read it for the next edit.</summary>
/// <param name="Id">The record's id: the write routes address records by id (ADR 19).</param>
/// <param name="Slug">Its slug (a source's key): the public routes' address once it is published.</param>
/// <param name="Version">Its version now, also the response's ETag: send it as If-Match with the next change.</param>
/// <param name="Changed">False when the edit changed nothing (nothing was written, the version is the same).</param>
/// <param name="ChangeSetId">The change set that recorded the edit in the history, when something was written.</param>
/// <param name="Editing">The editing view of the record (drafts and deleted records included).</param>
public sealed record WriteResult(int Id, string Slug, int Version, bool Changed, long? ChangeSetId, string Editing);

/// <summary>The state every editing view starts with.</summary>
/// <param name="Id">The record's id.</param>
/// <param name="Slug">Its slug.</param>
/// <param name="Version">Its version, also the response's ETag.</param>
/// <param name="IsPublished">Shown by the portal, search, exports and the public API.</param>
/// <param name="DeletedAt">When it was deleted (UTC), or null; a deleted record is only restored.</param>
/// <param name="CanEdit">Whether the token's user may change its values, attributes and links.</param>
/// <param name="CanManage">Whether they may delete, restore, publish or unpublish it.</param>
public sealed record RecordState(int Id, string Slug, int Version, bool IsPublished, DateTime? DeletedAt, bool CanEdit, bool CanManage);

/// <summary>A record kind of the write routes.</summary>
internal sealed record EditingKind(SubjectType Type, string Path, string Name, string Tag)
{
    public static readonly EditingKind Programmes = new(SubjectType.Programme, "/programmes", "Programme", "Programmes");
    public static readonly EditingKind Groupings = new(SubjectType.Grouping, "/groupings", "Grouping", "Groupings");
    public static readonly EditingKind Projects = new(SubjectType.Project, "/projects", "Project", "Projects");
    public static readonly EditingKind Organisations = new(SubjectType.Organisation, "/organisations", "Organisation", "Organisations");
    public static readonly EditingKind Sources = new(SubjectType.Source, "/sources", "Source", "Sources");

    public string Lower => Name.ToLowerInvariant();

    /// <summary>Sources have no published state: they show with the values that cite them.</summary>
    public bool Publishable => Type != SubjectType.Source;

    public RecordRef Ref(int id) => new(Type, id);

    public string EditingPath(int id) => string.Create(CultureInfo.InvariantCulture, $"/api/v1{Path}/{id}/editing");
}

/// <summary>
/// The API's write routes and the editing reads they go with (issue 14, ADR 14 and 19), for programmes, groupings,
/// projects, organisations and sources:
/// <code>
/// GET    /api/v1/editing/{kind}                          list, drafts and deleted records included (token: any role)
/// GET    /api/v1/{kind}/{id}/editing                     the editing view, with the version as ETag (token: any role)
/// GET    /api/v1/{kind}/{id}/versions                    the record's versions (token: any role)
/// POST   /api/v1/{kind}                                  create, as a draft (201)
/// PUT    /api/v1/{kind}/{id}                             the record's edit: attributes, values, links
/// PATCH  /api/v1/{kind}/{id}                             value edits only
/// DELETE /api/v1/{kind}/{id}                             soft delete
/// POST   /api/v1/{kind}/{id}/restore | publish | unpublish
/// POST   /api/v1/{kind}/{id}/versions/{changeSetId}/restore
/// </code>
/// Writes need an editor's or administrator's token; every change to an existing record needs If-Match.
/// </summary>
public static class EditingEndpoints
{
    public static RouteGroupBuilder MapEditingEndpoints(this RouteGroupBuilder api)
    {
        api.MapProgrammeWrites()
            .MapGroupingWrites()
            .MapProjectWrites()
            .MapOrganisationWrites()
            .MapSourceWrites();
        return api;
    }

    /// <summary>The group of a kind's write routes: an editor's or administrator's token, refusals as problem details.</summary>
    internal static RouteGroupBuilder Writes(RouteGroupBuilder api, EditingKind kind)
    {
        var group = api.MapGroup(kind.Path).WithTags(kind.Tag).RequireWriteAccess();
        group.AddEndpointFilter(EditingProblems.FilterAsync);
        group.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status422UnprocessableEntity, typeof(RuleViolationProblem), ["application/problem+json"]))
            .AddOpenApiOperationTransformer(DescribeIfMatch);
        return group;
    }

    /// <summary>The group of a kind's editing reads: any active user's token (viewers see drafts and history).</summary>
    internal static RouteGroupBuilder Reads(RouteGroupBuilder api, string path, string tag)
    {
        var group = api.MapGroup(path).WithTags(tag).RequireTokenAccess();
        group.AddEndpointFilter(EditingProblems.FilterAsync);
        return group;
    }

    /// <summary>
    /// The routes every kind has: the list for editing, versions, delete, restore, publish and unpublish (not for
    /// sources), and restoring a version (not for sources, which have no sourced values).
    /// </summary>
    internal static void MapCommonRoutes(RouteGroupBuilder api, RouteGroupBuilder writes, RouteGroupBuilder reads, EditingKind kind)
    {
        Reads(api, "/editing", kind.Tag).MapGet(kind.Path, async Task<Results<Ok<PageResponse<EditingListItem>>, ProblemHttpResult>> (
                CurrentAccess current, EditorQueries queries, string? q, string? deleted, bool? published, int? programme, string? page, string? pageSize,
                CancellationToken ct) =>
            {
                var (request, error) = ApiPaging.Parse(page, pageSize);
                if (error is not null)
                {
                    return error;
                }

                bool? deletedFilter;
                switch (deleted)
                {
                    case null or "false":
                        deletedFilter = false;
                        break;
                    case "true":
                        deletedFilter = true;
                        break;
                    case "any":
                        deletedFilter = null;
                        break;
                    default:
                        return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, "deleted is false (the default), true or any");
                }

                var access = await current.RequireAsync();
                var result = await queries.ListAsync(access, kind.Type, new EditorListFilter(q, deletedFilter, published, programme), request!, ct);
                return TypedResults.Ok(new PageResponse<EditingListItem>(
                    [.. result.Items.Select(i => new EditingListItem(i.Record.Id, i.Slug, i.Title, i.IsPublished, i.DeletedAt, i.Version, i.CanEdit, kind.EditingPath(i.Record.Id)))],
                    result.Page, result.PageSize, result.Total));
            })
            .WithName($"List{kind.Tag}ForEditing")
            .WithSummary($"List {kind.Tag.ToLowerInvariant()} for editing, drafts included")
            .WithDescription($"Every {kind.Lower} the token's user may see, published or draft (deleted ones with deleted=true or any), by slug" +
                             (kind.Type == SubjectType.Source ? " (sources: newest first)" : "") +
                             ". q: part of the slug or title; published: true or false; programme: a programme's id (projects). Gives each record's id, " +
                             "by which the write routes address it.");

        reads.MapGet("/{id:int}/versions", async Task<Results<Ok<IReadOnlyList<RecordVersionInfo>>, ProblemHttpResult>> (
                int id, CurrentAccess current, EditorQueries queries, PasserelleDbContext db, CancellationToken ct) =>
            {
                var record = kind.Ref(id);
                if (await ExistsAsync(db, record, ct) is false)
                {
                    return EditingProblems.NotFound(record);
                }

                var access = await current.RequireAsync();
                if (access.Role == AccessRole.Editor && kind.Type != SubjectType.Source && !await queries.CanEditAsync(access, record, ct))
                {
                    return ApiErrors.Problem(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, $"This {kind.Lower} is outside the scope of {access.Name}.");
                }

                return TypedResults.Ok(await queries.VersionsAsync(record, ct));
            })
            .WithName($"List{kind.Name}Versions")
            .WithSummary($"The versions of a {kind.Lower}, newest first")
            .WithDescription("Each version with the change set that made it (who, when). A change set's id restores that version's values " +
                             $"(POST /api/v1{kind.Path}/{{id}}/versions/{{changeSetId}}/restore).");

        writes.MapDelete("/{id:int}", (int id, IfMatch ifMatch, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
                WriteAsync(http, kind, ifMatch, current, (access, version) => editor.DeleteAsync(access, kind.Ref(id), version, ct)))
            .WithName($"Delete{kind.Name}")
            .WithSummary($"Delete a {kind.Lower} (softly: kept, hidden, restorable)")
            .WithDescription("The record is unpublished and marked deleted; it keeps its history and can be restored (as a draft)." +
                             (kind.Type == SubjectType.Source ? " A source that current values or links cite is not deleted (422 source_in_use)." : ""));

        writes.MapPost("/{id:int}/restore", (int id, IfMatch ifMatch, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
                WriteAsync(http, kind, ifMatch, current, (access, version) => editor.RestoreAsync(access, kind.Ref(id), version, ct)))
            .WithName($"Restore{kind.Name}")
            .WithSummary($"Restore a deleted {kind.Lower}" + (kind.Publishable ? ", as a draft" : ""));

        if (kind.Publishable)
        {
            writes.MapPost("/{id:int}/publish", (int id, IfMatch ifMatch, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
                    WriteAsync(http, kind, ifMatch, current, (access, version) => editor.PublishAsync(access, kind.Ref(id), version, ct)))
                .WithName($"Publish{kind.Name}")
                .WithSummary($"Publish a {kind.Lower}: the portal, search, exports and the public API show it");

            writes.MapPost("/{id:int}/unpublish", (int id, IfMatch ifMatch, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
                    WriteAsync(http, kind, ifMatch, current, (access, version) => editor.UnpublishAsync(access, kind.Ref(id), version, ct)))
                .WithName($"Unpublish{kind.Name}")
                .WithSummary($"Unpublish a {kind.Lower}: a draft again, hidden from the public");

            writes.MapPost("/{id:int}/versions/{changeSetId:long}/restore", (int id, long changeSetId, IfMatch ifMatch, CurrentAccess current, RecordEditor editor,
                    HttpContext http, CancellationToken ct) =>
                    WriteAsync(http, kind, ifMatch, current, async (access, version) => (EditResult)await editor.RestoreVersionAsync(access, kind.Ref(id), changeSetId, version, ct)))
                .WithName($"Restore{kind.Name}Version")
                .WithSummary($"Restore the values a {kind.Lower} had after one of its change sets, as a new version")
                .WithDescription("Each field's values come back with their sources and order (values added since are withdrawn, values withdrawn since " +
                                 "come back), and attributes without a source (slug, kind, programme) are set back; links and the published state stay " +
                                 "as they are. A change set that did " +
                                 "not change the record: 422 not_in_history.");
        }
    }

    /// <summary>Maps PATCH: value edits only, for the kinds with sourced values.</summary>
    internal static void MapValuesPatch(RouteGroupBuilder writes, EditingKind kind,
        Func<RecordEditor, Access, int, int, IReadOnlyList<ValueEdit>, CancellationToken, Task<EditResult>> update)
    {
        writes.MapPatch("/{id:int}", (int id, IfMatch ifMatch, JsonBody<ValuesPatch> body, CurrentAccess current, RecordEditor editor, HttpContext http,
                CancellationToken ct) =>
            {
                if (body.Problem is { } problem)
                {
                    return Task.FromResult<Results<Ok<WriteResult>, ProblemHttpResult>>(problem);
                }

                var mapper = new InputMapper();
                var values = mapper.Values(body.Value!.Values);
                return WriteAsync(http, kind, ifMatch, current, (access, version) =>
                {
                    mapper.ThrowIfViolations();
                    return update(editor, access, id, version, values, ct);
                });
            })
            .WithName($"Edit{kind.Name}Values")
            .WithSummary($"Change some of a {kind.Lower}'s sourced values")
            .WithDescription("Value edits, applied in order as one new version: replace (the source says the value is this one; shown first), " +
                             "addBeside (a conflicting value, kept after the current ones), makeFirst and retract (a current value, by its id " +
                             "from the editing view). Every replaced or added value needs its source: {\"id\"}, a document {\"title\", \"url\", " +
                             "\"date\"} or {\"statedBy\": organisation id}.");
    }

    /// <summary>Runs a change to an existing record with the version from If-Match; answers the record's new state, its version as ETag.</summary>
    internal static async Task<Results<Ok<WriteResult>, ProblemHttpResult>> WriteAsync(HttpContext http, EditingKind kind, IfMatch ifMatch, CurrentAccess current,
        Func<Access, int, Task<EditResult>> write)
    {
        if (ifMatch.Problem is { } problem)
        {
            return problem;
        }

        var result = await write(await current.RequireAsync(), ifMatch.Version!.Value);
        http.Response.Headers.ETag = ETags.Of(result.Version);
        return TypedResults.Ok(Written(kind, result));
    }

    /// <summary>Runs a creation: 201, Location the editing view (the public routes do not show a draft).</summary>
    internal static async Task<Results<Created<WriteResult>, ProblemHttpResult>> CreateAsync<TInput>(HttpContext http, EditingKind kind, JsonBody<TInput> body,
        CurrentAccess current, Func<Access, TInput, Task<EditResult>> create)
        where TInput : class
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var result = await create(await current.RequireAsync(), body.Value!);
        http.Response.Headers.ETag = ETags.Of(result.Version);
        return TypedResults.Created(kind.EditingPath(result.Record.Id), Written(kind, result));
    }

    /// <summary>Maps PUT with the kind's edit: the same body as the creation.</summary>
    internal static RouteHandlerBuilder MapUpdate<TInput>(RouteGroupBuilder writes, EditingKind kind, Func<RecordEditor, Access, int, int, TInput, CancellationToken, Task<EditResult>> update)
        where TInput : class =>
#pragma warning disable RDG002 // a handler left to the runtime on purpose (RuntimeBound)
        writes.MapPut("/{id:int}", RuntimeBound.Handler((int id, IfMatch ifMatch, JsonBody<TInput> body, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
#pragma warning restore RDG002
                body.Problem is { } problem
                    ? Task.FromResult<Results<Ok<WriteResult>, ProblemHttpResult>>(problem)
                    : WriteAsync(http, kind, ifMatch, current, (access, version) => update(editor, access, id, version, body.Value!, ct))))
            .WithName($"Update{kind.Name}")
            .WithSummary($"Change a {kind.Lower}: attributes, values and links")
            .WithDescription("The same document as the creation. What it leaves out (or sets to null) stays as it is: a value is withdrawn with " +
                             "retract, a link with remove: true, an optional text attribute cleared with \"\". One new version.");

    /// <summary>Maps GET …/{id}/editing: the editing view, or 404; its version as ETag.</summary>
    internal static RouteHandlerBuilder MapEditingView<TView>(RouteGroupBuilder reads, EditingKind kind,
        Func<IServiceProvider, Access, int, CancellationToken, Task<TView?>> view, Func<TView, int> version)
        where TView : class =>
#pragma warning disable RDG002 // a handler left to the runtime on purpose (RuntimeBound)
        reads.MapGet("/{id:int}/editing", RuntimeBound.Handler(async Task<Results<Ok<TView>, ProblemHttpResult>> (int id, CurrentAccess current, HttpContext http, CancellationToken ct) =>
#pragma warning restore RDG002
            {
                var found = await view(http.RequestServices, await current.RequireAsync(), id, ct);
                if (found is null)
                {
                    return EditingProblems.NotFound(kind.Ref(id));
                }

                http.Response.Headers.ETag = ETags.Of(version(found));
                return TypedResults.Ok(found);
            }))
            .WithName($"Get{kind.Name}ForEditing")
            .WithSummary($"A {kind.Lower} as it is edited: drafts and deleted records included, every current value with its id and source")
            .WithDescription("The response's ETag is the record's version: send it back as If-Match with the next change. values[].id is what " +
                             "makeFirst and retract take.");

    private static WriteResult Written(EditingKind kind, EditResult result) =>
        new(result.Record.Id, result.Slug, result.Version, result.Changed, result.ChangeSetId, kind.EditingPath(result.Record.Id));

    private static async Task<bool> ExistsAsync(PasserelleDbContext db, RecordRef record, CancellationToken ct) => record.Type switch
    {
        SubjectType.Programme => await db.Programmes.AnyAsync(x => x.Id == record.Id, ct),
        SubjectType.Grouping => await db.Groupings.AnyAsync(x => x.Id == record.Id, ct),
        SubjectType.Project => await db.Projects.AnyAsync(x => x.Id == record.Id, ct),
        SubjectType.Organisation => await db.Organisations.AnyAsync(x => x.Id == record.Id, ct),
        _ => await db.Sources.AnyAsync(x => x.Id == record.Id, ct),
    };

    /// <summary>The If-Match header, required, in the OpenAPI description of the routes that need it.</summary>
    private static Task DescribeIfMatch(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IfMatchRequiredMetadata>().Any())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Required = true,
                Description = "The record's version as its ETag (\"3\"), from GET …/{id}/editing or the last write. Missing: 428 " +
                              "precondition_required; not the current version: 409 edit_conflict with the changes meanwhile.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        return Task.CompletedTask;
    }
}

/// <summary>A record in a list for editing.</summary>
/// <param name="Id">The id the write routes take.</param>
/// <param name="Slug">Its slug (a source's key).</param>
/// <param name="Title">Its name, acronym or title.</param>
/// <param name="IsPublished">Shown publicly.</param>
/// <param name="DeletedAt">When it was deleted (UTC), or null.</param>
/// <param name="Version">Its current version (If-Match).</param>
/// <param name="CanEdit">Whether the token's user may change it.</param>
/// <param name="Editing">Its editing view.</param>
public sealed record EditingListItem(int Id, string Slug, string Title, bool IsPublished, DateTime? DeletedAt, int Version, bool CanEdit, string Editing);
