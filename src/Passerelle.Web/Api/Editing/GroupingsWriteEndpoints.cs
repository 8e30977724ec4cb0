using System.Text.Json.Serialization;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Web.Areas.Admin;

namespace Passerelle.Web.Api.Editing;

/// <summary>
/// A grouping's edit (POST and PUT). Sourced fields: name.{en,fr,nl,de}, description.*, founded_on, website,
/// municipality_count, area_km2, population, seat, ...
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record GroupingInput
{
    /// <summary>Lower-case letters, digits and hyphens; a creation without one gets one from the English (else first) name.</summary>
    public string? Slug { get; init; }

    /// <summary>The legal form ("EGTC"); required to create.</summary>
    public string? LegalForm { get; init; }

    /// <summary>The fields of action: the whole list.</summary>
    public IReadOnlyList<string>? FieldsOfAction { get; init; }

    /// <summary>Value edits; a creation needs a name in at least one language.</summary>
    public IReadOnlyList<ValueEditInput>? Values { get; init; }

    /// <summary>Member authorities to add, change or remove.</summary>
    public IReadOnlyList<MemberInput>? Members { get; init; }

    /// <summary>Units of its territory (LAU codes with their country prefix, or NUTS codes) to add, change or remove.</summary>
    public IReadOnlyList<TerritoryUnitInput>? TerritoryUnits { get; init; }
}

/// <summary>A member authority of a grouping: without id, added (name, country, level and source required); with id, changed or removed.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemberInput
{
    public int? Id { get; init; }

    public string? Name { get; init; }

    public string? Country { get; init; }

    /// <summary>national, regional, provincial, intermunicipal or local.</summary>
    public string? Level { get; init; }

    /// <summary>The organisation of the registry it is, if any (0 unlinks it); a deleted organisation is refused (422 organisation_deleted).</summary>
    public int? OrganisationId { get; init; }

    /// <summary>Where the membership is stated.</summary>
    public SourceInput? Source { get; init; }

    /// <summary>Its position in the list (adding: last).</summary>
    public int? Order { get; init; }

    public bool Remove { get; init; }
}

/// <summary>A unit of a grouping's territory.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TerritoryUnitInput
{
    /// <summary>The LAU code with its country prefix ("FR59350") or a NUTS code.</summary>
    public required string UnitCode { get; init; }

    /// <summary>Space-separated perimeter flags ("mel95 y2025"); "" clears them.</summary>
    public string? Perimeters { get; init; }

    /// <summary>Where the territory lists it (to add it).</summary>
    public SourceInput? Source { get; init; }

    public bool Remove { get; init; }
}

/// <summary>A grouping as it is edited.</summary>
/// <param name="Record">Id, slug, version, published and deleted state, and what the token's user may do.</param>
/// <param name="Values">Its current sourced values, by field, shown first first.</param>
public sealed record GroupingEditing(RecordState Record, string LegalForm, IReadOnlyList<string> FieldsOfAction, IReadOnlyList<EditorFact> Values,
    IReadOnlyList<MemberEditing> Members, IReadOnlyList<TerritoryUnitEditing> TerritoryUnits);

public sealed record MemberEditing(int Id, string Name, string Country, string Level, int? OrganisationId, int? SourceId, int Order);

public sealed record TerritoryUnitEditing(string UnitCode, string? Name, string Country, string? Perimeters, int? SourceId);

public static class GroupingsWriteEndpoints
{
    public static RouteGroupBuilder MapGroupingWrites(this RouteGroupBuilder api)
    {
        var kind = EditingKind.Groupings;
        var writes = EditingEndpoints.Writes(api, kind);
        var reads = EditingEndpoints.Reads(api, kind.Path, kind.Tag);

        writes.MapPost("/", (JsonBody<GroupingInput> body, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
                EditingEndpoints.CreateAsync(http, kind, body, current, (access, input) => editor.CreateGroupingAsync(access, Edit(input), ct)))
            .WithName("CreateGrouping")
            .WithSummary("Create a grouping, as a draft")
            .WithDescription("Administrators only. Needs legalForm and a name value (name.en, ...) with its source.");

        EditingEndpoints.MapUpdate<GroupingInput>(writes, kind, (editor, access, id, version, input, ct) => editor.UpdateGroupingAsync(access, id, version, Edit(input), ct));
        EditingEndpoints.MapValuesPatch(writes, kind, (editor, access, id, version, values, ct) =>
            editor.UpdateGroupingAsync(access, id, version, new GroupingEdit { Values = values }, ct));
        EditingEndpoints.MapEditingView(reads, kind, ViewAsync, v => v.Record.Version);
        EditingEndpoints.MapCommonRoutes(api, writes, reads, kind);
        return api;
    }

    private static GroupingEdit Edit(GroupingInput input)
    {
        var map = new InputMapper();
        var edit = new GroupingEdit
        {
            Slug = input.Slug,
            LegalForm = input.LegalForm,
            FieldsOfAction = input.FieldsOfAction,
            Values = map.Values(input.Values),
            Members = input.Members is null ? [] :
                [.. input.Members.Select((m, i) => new MemberEdit(m.Id, m.Name, m.Country, m.Level, m.OrganisationId,
                    map.Source(m.Source, $"member.{m.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "new" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)}.source"),
                    m.Order, m.Remove))],
            TerritoryUnits = input.TerritoryUnits is null ? [] :
                [.. input.TerritoryUnits.Select(t => new TerritoryUnitEdit(t.UnitCode, t.Perimeters, map.Source(t.Source, $"territory_unit.{t.UnitCode}.source"), t.Remove))],
        };
        map.ThrowIfViolations();
        return edit;
    }

    private static async Task<GroupingEditing?> ViewAsync(IServiceProvider services, Access access, int id, CancellationToken ct)
    {
        var queries = services.GetRequiredService<EditorQueries>();
        var found = await queries.GetGroupingAsync(access, id, ct);
        if (found is null)
        {
            return null;
        }

        var g = found.Record;
        var territory = await queries.TerritoryUnitsAsync(id, ct);
        return new GroupingEditing(
            new RecordState(g.Id, g.Slug, g.Version, g.IsPublished, g.DeletedAt, found.CanEdit, found.CanManage),
            g.LegalForm, g.FieldsOfAction, found.Facts,
            [.. g.Members.Select(m => new MemberEditing(m.Id, m.Name, m.Country, m.Level, m.OrganisationId, m.SourceId, m.Order))],
            [.. territory.Select(t => new TerritoryUnitEditing(t.UnitCode, t.Name, t.Country, t.Perimeters, t.SourceId))]);
    }
}
