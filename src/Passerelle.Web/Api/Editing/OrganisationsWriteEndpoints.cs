using System.Text.Json.Serialization;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Web.Areas.Admin;

namespace Passerelle.Web.Api.Editing;

/// <summary>An organisation's edit (POST and PUT). Sourced fields: name, country, city, website, legal_status, ...</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record OrganisationInput
{
    /// <summary>Lower-case letters, digits and hyphens; a creation without one gets one from the name.</summary>
    public string? Slug { get; init; }

    /// <summary>Where it is (WGS 84 degrees); an editorial attribute without a source.</summary>
    public GeoPoint? Location { get; init; }

    /// <summary>Clears the location.</summary>
    public bool RemoveLocation { get; init; }

    /// <summary>Value edits; a creation needs a name.</summary>
    public IReadOnlyList<ValueEditInput>? Values { get; init; }

    /// <summary>Other names to add (with the source that uses them) or remove.</summary>
    public IReadOnlyList<AliasInput>? Aliases { get; init; }
}

/// <summary>Another name of the organisation.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AliasInput
{
    public required string Name { get; init; }

    /// <summary>A source that uses the name (to add it).</summary>
    public SourceInput? Source { get; init; }

    public bool Remove { get; init; }
}

/// <summary>An organisation as it is edited.</summary>
/// <param name="Record">Id, slug, version, published and deleted state, and what the token's user may do.</param>
/// <param name="Values">Its current sourced values, by field, shown first first.</param>
public sealed record OrganisationEditing(RecordState Record, GeoPoint? Location, IReadOnlyList<EditorFact> Values, IReadOnlyList<AliasEditing> Aliases);

public sealed record AliasEditing(string Name, int? SourceId);

public static class OrganisationsWriteEndpoints
{
    public static RouteGroupBuilder MapOrganisationWrites(this RouteGroupBuilder api)
    {
        var kind = EditingKind.Organisations;
        var writes = EditingEndpoints.Writes(api, kind);
        var reads = EditingEndpoints.Reads(api, kind.Path, kind.Tag);

        writes.MapPost("/", (JsonBody<OrganisationInput> body, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
                EditingEndpoints.CreateAsync(http, kind, body, current, (access, input) => editor.CreateOrganisationAsync(access, Edit(input), ct)))
            .WithName("CreateOrganisation")
            .WithSummary("Create an organisation, as a draft")
            .WithDescription("Administrators and editors. Needs a name value with its source.");

        EditingEndpoints.MapUpdate<OrganisationInput>(writes, kind, (editor, access, id, version, input, ct) => editor.UpdateOrganisationAsync(access, id, version, Edit(input), ct));
        EditingEndpoints.MapValuesPatch(writes, kind, (editor, access, id, version, values, ct) =>
            editor.UpdateOrganisationAsync(access, id, version, new OrganisationEdit { Values = values }, ct));
        EditingEndpoints.MapEditingView(reads, kind, ViewAsync, v => v.Record.Version);
        EditingEndpoints.MapCommonRoutes(api, writes, reads, kind);
        return api;
    }

    private static OrganisationEdit Edit(OrganisationInput input)
    {
        var map = new InputMapper();
        var edit = new OrganisationEdit
        {
            Slug = input.Slug,
            Location = input.Location,
            RemoveLocation = input.RemoveLocation,
            Values = map.Values(input.Values),
            Aliases = input.Aliases is null ? [] : [.. input.Aliases.Select(a => new AliasEdit(a.Name, map.Source(a.Source, $"alias.{a.Name}.source"), a.Remove))],
        };
        map.ThrowIfViolations();
        return edit;
    }

    private static async Task<OrganisationEditing?> ViewAsync(IServiceProvider services, Access access, int id, CancellationToken ct)
    {
        var found = await services.GetRequiredService<EditorQueries>().GetOrganisationAsync(access, id, ct);
        if (found is null)
        {
            return null;
        }

        var o = found.Record;
        return new OrganisationEditing(
            new RecordState(o.Id, o.Slug, o.Version, o.IsPublished, o.DeletedAt, found.CanEdit, found.CanManage),
            o.Latitude is { } lat && o.Longitude is { } lon ? new GeoPoint(lat, lon) : null,
            found.Facts,
            [.. o.Aliases.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => new AliasEditing(a.Name, a.SourceId))]);
    }
}
