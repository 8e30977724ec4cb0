using System.Text.Json.Serialization;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.Programmes;
using Passerelle.Web.Areas.Admin;

namespace Passerelle.Web.Api.Editing;

/// <summary>
/// A programme's edit (POST and PUT). Sourced fields: name.{en,fr,nl,de}, description.*, cci, managing_authority,
/// website, total_budget_eur, eu_contribution_eur, adopted_on, ...
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ProgrammeInput
{
    /// <summary>Lower-case letters, digits and hyphens; a creation without one gets "{code}-{period}".</summary>
    public string? Slug { get; init; }

    /// <summary>The code shared by the periods of one programme ("FWV"); required to create.</summary>
    public string? Code { get; init; }

    /// <summary>The programming period ("2021-2027"); required to create.</summary>
    public string? Period { get; init; }

    /// <summary>Required to create.</summary>
    public ProgrammeKind? Kind { get; init; }

    /// <summary>The funds ("ERDF"): the whole list.</summary>
    public IReadOnlyList<string>? Funds { get; init; }

    /// <summary>The countries (ISO 3166-1 alpha-2, with EL and UK): the whole list.</summary>
    public IReadOnlyList<string>? Countries { get; init; }

    /// <summary>Why the area is empty or partial; "" clears it.</summary>
    public string? AreaNote { get; init; }

    /// <summary>Value edits; a creation needs a name in at least one language (name.en, ...).</summary>
    public IReadOnlyList<ValueEditInput>? Values { get; init; }

    /// <summary>Units of the programme's area (NUTS 2021) to add, change or remove.</summary>
    public IReadOnlyList<AreaUnitInput>? AreaUnits { get; init; }
}

/// <summary>A unit of a programme's area.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AreaUnitInput
{
    /// <summary>A NUTS 2021 code ("BE25").</summary>
    public required string NutsCode { get; init; }

    /// <summary>eligible (the default), core or partner.</summary>
    public string? Role { get; init; } = "eligible";

    /// <summary>Where the area lists it (to add it).</summary>
    public SourceInput? Source { get; init; }

    public string? Note { get; init; }

    /// <summary>Remove the unit.</summary>
    public bool Remove { get; init; }
}

/// <summary>A programme as it is edited.</summary>
/// <param name="Record">Id, slug, version, published and deleted state, and what the token's user may do.</param>
/// <param name="Values">Its current sourced values, by field, shown first first.</param>
/// <param name="AreaUnits">Its area.</param>
public sealed record ProgrammeEditing(RecordState Record, string Code, string Period, ProgrammeKind Kind, IReadOnlyList<string> Funds,
    IReadOnlyList<string> Countries, string? AreaNote, IReadOnlyList<EditorFact> Values, IReadOnlyList<AreaUnitEditing> AreaUnits);

public sealed record AreaUnitEditing(string NutsCode, string? Name, string Role, string? Note, int? SourceId);

public static class ProgrammesWriteEndpoints
{
    public static RouteGroupBuilder MapProgrammeWrites(this RouteGroupBuilder api)
    {
        var kind = EditingKind.Programmes;
        var writes = EditingEndpoints.Writes(api, kind);
        var reads = EditingEndpoints.Reads(api, kind.Path, kind.Tag);

        writes.MapPost("/", (JsonBody<ProgrammeInput> body, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
                EditingEndpoints.CreateAsync(http, kind, body, current, (access, input) => editor.CreateProgrammeAsync(access, Edit(input), ct)))
            .WithName("CreateProgramme")
            .WithSummary("Create a programme, as a draft")
            .WithDescription("Administrators only. Needs code, period, kind and a name value (name.en, ...) with its source.");

        EditingEndpoints.MapUpdate<ProgrammeInput>(writes, kind, (editor, access, id, version, input, ct) => editor.UpdateProgrammeAsync(access, id, version, Edit(input), ct));
        EditingEndpoints.MapValuesPatch(writes, kind, (editor, access, id, version, values, ct) =>
            editor.UpdateProgrammeAsync(access, id, version, new ProgrammeEdit { Values = values }, ct));
        EditingEndpoints.MapEditingView(reads, kind, ViewAsync, v => v.Record.Version);
        EditingEndpoints.MapCommonRoutes(api, writes, reads, kind);
        return api;
    }

    private static ProgrammeEdit Edit(ProgrammeInput input)
    {
        var map = new InputMapper();
        var edit = new ProgrammeEdit
        {
            Slug = input.Slug,
            Code = input.Code,
            Period = input.Period,
            Kind = input.Kind,
            Funds = input.Funds,
            Countries = input.Countries,
            AreaNote = input.AreaNote,
            Values = map.Values(input.Values),
            AreaUnits = input.AreaUnits is null ? [] :
                [.. input.AreaUnits.Select(a => new AreaUnitEdit(a.NutsCode, a.Role, map.Source(a.Source, $"area_unit.{a.NutsCode}.source"), a.Note, a.Remove))],
        };
        map.ThrowIfViolations();
        return edit;
    }

    private static async Task<ProgrammeEditing?> ViewAsync(IServiceProvider services, Access access, int id, CancellationToken ct)
    {
        var queries = services.GetRequiredService<EditorQueries>();
        var found = await queries.GetProgrammeAsync(access, id, ct);
        if (found is null)
        {
            return null;
        }

        var p = found.Record;
        var area = await queries.AreaUnitsAsync(id, ct);
        return new ProgrammeEditing(
            new RecordState(p.Id, p.Slug, p.Version, p.IsPublished, p.DeletedAt, found.CanEdit, found.CanManage),
            p.Code, p.Period, p.Kind, p.Funds, p.Countries, p.AreaNote, found.Facts,
            [.. area.Select(a => new AreaUnitEditing(a.NutsCode, a.Name, a.Role, a.Note, a.SourceId))]);
    }
}
