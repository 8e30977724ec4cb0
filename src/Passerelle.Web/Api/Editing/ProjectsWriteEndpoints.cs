using System.Text.Json.Serialization;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Web.Areas.Admin;

namespace Passerelle.Web.Api.Editing;

/// <summary>
/// A project's edit (POST and PUT). Sourced fields: acronym, title.{en,fr,nl,de}, summary.*, start_date, end_date,
/// total_budget_eur, erdf_eur, erdf_rate, website, keep_eu_id, priority, specific_objective, ...
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ProjectInput
{
    /// <summary>Lower-case letters, digits and hyphens; a creation without one gets one from the acronym.</summary>
    public string? Slug { get; init; }

    /// <summary>The programme (period) it belongs to, by id; required to create.</summary>
    public int? ProgrammeId { get; init; }

    /// <summary>The themes, by slug: the whole list.</summary>
    public IReadOnlyList<string>? Themes { get; init; }

    /// <summary>Value edits; a creation needs an acronym.</summary>
    public IReadOnlyList<ValueEditInput>? Values { get; init; }

    /// <summary>Partners to add, change or remove.</summary>
    public IReadOnlyList<PartnerInput>? Partners { get; init; }
}

/// <summary>A partner of the project: the organisation, and its participation's sourced values (role, budget_eur, eu_contribution_eur).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PartnerInput
{
    /// <summary>The organisation's id.</summary>
    public required int OrganisationId { get; init; }

    /// <summary>Its role ("lead partner", "partner", ...; required to add it) and amounts, each with its source.</summary>
    public IReadOnlyList<ValueEditInput>? Values { get; init; }

    /// <summary>The name under which the source lists it; "" clears it.</summary>
    public string? NameInSource { get; init; }

    /// <summary>Remove the organisation from the project's partners.</summary>
    public bool Remove { get; init; }
}

/// <summary>A project as it is edited.</summary>
/// <param name="Record">Id, slug, version, published and deleted state, and what the token's user may do.</param>
/// <param name="ProgrammeId">Its programme's id.</param>
/// <param name="ProgrammeCode">Its programme's code.</param>
/// <param name="Themes">Its themes' slugs.</param>
/// <param name="Values">Its current sourced values, by field, shown first first.</param>
/// <param name="Partners">Its partners with their participation's values.</param>
public sealed record ProjectEditing(RecordState Record, int? ProgrammeId, string ProgrammeCode, IReadOnlyList<string> Themes,
    IReadOnlyList<EditorFact> Values, IReadOnlyList<PartnerEditing> Partners);

/// <param name="OrganisationId">What PartnerInput.organisationId takes.</param>
/// <param name="Values">Role and amounts, each with its id and source.</param>
public sealed record PartnerEditing(int OrganisationId, string OrganisationSlug, string OrganisationName, bool OrganisationIsPublished, string? NameInSource,
    IReadOnlyList<EditorFact> Values);

public static class ProjectsWriteEndpoints
{
    public static RouteGroupBuilder MapProjectWrites(this RouteGroupBuilder api)
    {
        var kind = EditingKind.Projects;
        var writes = EditingEndpoints.Writes(api, kind);
        var reads = EditingEndpoints.Reads(api, kind.Path, kind.Tag);

        writes.MapPost("/", (JsonBody<ProjectInput> body, CurrentAccess current, RecordEditor editor, HttpContext http, CancellationToken ct) =>
                EditingEndpoints.CreateAsync(http, kind, body, current, (access, input) => editor.CreateProjectAsync(access, Edit(input), ct)))
            .WithName("CreateProject")
            .WithSummary("Create a project, as a draft")
            .WithDescription("Administrators, and editors of the programme. Needs programmeId and an acronym value with its source. The public " +
                             "routes do not show it until it is published (POST /api/v1/projects/{id}/publish).");

        EditingEndpoints.MapUpdate<ProjectInput>(writes, kind, (editor, access, id, version, input, ct) => editor.UpdateProjectAsync(access, id, version, Edit(input), ct));
        EditingEndpoints.MapValuesPatch(writes, kind, (editor, access, id, version, values, ct) =>
            editor.UpdateProjectAsync(access, id, version, new ProjectEdit { Values = values }, ct));
        EditingEndpoints.MapEditingView(reads, kind, ViewAsync, v => v.Record.Version);
        EditingEndpoints.MapCommonRoutes(api, writes, reads, kind);
        return api;
    }

    private static ProjectEdit Edit(ProjectInput input)
    {
        var map = new InputMapper();
        var edit = new ProjectEdit
        {
            Slug = input.Slug,
            ProgrammeId = input.ProgrammeId,
            Themes = input.Themes,
            Values = map.Values(input.Values),
            Partners = input.Partners is null ? [] :
                [.. input.Partners.Select(p => new PartnerEdit(p.OrganisationId, map.Values(p.Values, $"partner.{p.OrganisationId}."), p.NameInSource, p.Remove))],
        };
        map.ThrowIfViolations();
        return edit;
    }

    private static async Task<ProjectEditing?> ViewAsync(IServiceProvider services, Access access, int id, CancellationToken ct)
    {
        var found = await services.GetRequiredService<EditorQueries>().GetProjectAsync(access, id, ct);
        if (found is null)
        {
            return null;
        }

        var p = found.Record;
        return new ProjectEditing(
            new RecordState(p.Id, p.Slug, p.Version, p.IsPublished, p.DeletedAt, found.CanEdit, found.CanManage),
            p.ProgrammeId, p.ProgrammeCode, [.. p.Themes.Select(t => t.Slug).Order(StringComparer.Ordinal)], found.Facts,
            [.. p.Participations.OrderBy(x => x.Organisation.Name, StringComparer.Ordinal).Select(x => new PartnerEditing(
                x.OrganisationId, x.Organisation.Slug, x.Organisation.Name, x.Organisation.IsPublished, x.NameInSource,
                found.ParticipationFacts.GetValueOrDefault(x.Id) ?? []))]);
    }
}
