using System.Text.Json.Serialization;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Web.Areas.Admin;

namespace Passerelle.Web.Api.Editing;

/// <summary>A source's own attributes (POST and PUT). A source is its own evidence: it has no sourced values, no PATCH.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SourceRecordInput
{
    /// <summary>Required to create.</summary>
    public string? Title { get; init; }

    /// <summary>An absolute http(s) address; "" clears it.</summary>
    public string? Url { get; init; }

    /// <summary>The date the source shows: yyyy, yyyy-mm or yyyy-mm-dd; "" clears it.</summary>
    public string? Date { get; init; }

    /// <summary>"" clears it.</summary>
    public string? Licence { get; init; }

    /// <summary>When the values were read from it.</summary>
    public DateOnly? RetrievedOn { get; init; }

    /// <summary>The organisation that made the statement, for a statement (0 clears it).</summary>
    public int? StatedBy { get; init; }
}

/// <summary>A source as it is edited.</summary>
/// <param name="Record">Id, key (as slug), version, deleted state (a source is never a draft), and what the token's user may do.</param>
public sealed record SourceEditing(RecordState Record, string Title, string? Url, string? Date, string? Licence, DateOnly? RetrievedOn, int? StatedBy);

public static class SourcesWriteEndpoints
{
    public static RouteGroupBuilder MapSourceWrites(this RouteGroupBuilder api)
    {
        var kind = EditingKind.Sources;
        var writes = EditingEndpoints.Writes(api, kind);
        var reads = EditingEndpoints.Reads(api, kind.Path, kind.Tag);

        writes.MapPost("/", (JsonBody<SourceRecordInput> body, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
                EditingEndpoints.CreateAsync(http, kind, body, current, (access, input) => editor.CreateSourceAsync(access, Edit(input), ct)))
            .WithName("CreateSource")
            .WithSummary("Add a source")
            .WithDescription("Administrators and editors. Needs a title. A value's source can also be given inline with the value.");

        EditingEndpoints.MapUpdate<SourceRecordInput>(writes, kind, (editor, access, id, version, input, ct) => editor.UpdateSourceAsync(access, id, version, Edit(input), ct));
        EditingEndpoints.MapEditingView(reads, kind, ViewAsync, v => v.Record.Version);
        EditingEndpoints.MapCommonRoutes(api, writes, reads, kind);

        // The source picker's first offers: a script entering many values from one document cites it by id.
        EditingEndpoints.Reads(api, "/editing", kind.Tag).MapGet("/sources/recent", async (CurrentAccess current, EditorQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.RecentSourcesAsync(await current.RequireAsync(), 10, ct)))
            .WithName("ListRecentSources")
            .WithSummary("The sources the token's user cited most recently, the last one first")
            .WithDescription("At most 10, deleted ones left out; cite one with {\"id\": …} as a value's source.");
        return api;
    }

    private static SourceEdit Edit(SourceRecordInput input) => new()
    {
        Title = input.Title,
        Url = input.Url,
        SourceDate = input.Date,
        Licence = input.Licence,
        RetrievedOn = input.RetrievedOn,
        StatedByOrganisationId = input.StatedBy,
    };

    private static async Task<SourceEditing?> ViewAsync(IServiceProvider services, Access access, int id, CancellationToken ct)
    {
        var found = await services.GetRequiredService<EditorQueries>().GetSourceAsync(access, id, ct);
        if (found is null)
        {
            return null;
        }

        var s = found.Record;
        return new SourceEditing(
            new RecordState(s.Id, s.Key, s.Version, IsPublished: s.DeletedAt is null, s.DeletedAt, found.CanEdit, found.CanManage),
            s.Title, s.Url, s.SourceDate, s.Licence, s.RetrievedOn, s.StatedByOrganisationId);
    }
}
