using Passerelle.Core.Programmes;

namespace Passerelle.Core.Editing;

// What a form or an API call asks to change. For every property, null means "leave as it is"; an empty string clears
// an optional text attribute. Sourced values go in Values, as ValueEdits. A creation takes the same inputs: what a
// new record needs is reported as "required".

/// <summary>
/// A programme's attributes and values. Sourced fields: <see cref="Registry.Fields.Programme"/> (name.*, description.*,
/// cci, managing_authority, website, total_budget_eur, eu_contribution_eur, ...).
/// </summary>
public sealed record ProgrammeEdit
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

    /// <summary>The countries (ISO 3166-1 alpha-2, EL and UK): the whole list.</summary>
    public IReadOnlyList<string>? Countries { get; init; }

    /// <summary>Why the area is empty or partial; "" clears it.</summary>
    public string? AreaNote { get; init; }

    public IReadOnlyList<ValueEdit> Values { get; init; } = [];

    /// <summary>Units of the programme's area to add or remove (NUTS 2021 codes).</summary>
    public IReadOnlyList<AreaUnitEdit> AreaUnits { get; init; } = [];
}

/// <summary>A unit of a programme's area: added (or its role changed) with its source, or removed.</summary>
/// <param name="NutsCode">A NUTS 2021 code ("BE25"); checked against the territories when they are loaded, by its form otherwise.</param>
/// <param name="Role">eligible, core or partner (adding).</param>
/// <param name="Source">Where the area lists it (adding).</param>
/// <param name="Note">A note on the unit.</param>
/// <param name="Remove">Remove the unit instead.</param>
public sealed record AreaUnitEdit(string NutsCode, string? Role = "eligible", SourceChoice? Source = null, string? Note = null, bool Remove = false);

/// <summary>
/// A grouping's attributes and values. Sourced fields: <see cref="Registry.Fields.Grouping"/> (name.*, description.*,
/// founded_on, website, municipality_count, area_km2, population, ...).
/// </summary>
public sealed record GroupingEdit
{
    /// <summary>Lower-case letters, digits and hyphens; a creation without one gets one from the English (else first) name.</summary>
    public string? Slug { get; init; }

    /// <summary>The legal form ("EGTC"); required to create.</summary>
    public string? LegalForm { get; init; }

    /// <summary>The fields of action: the whole list.</summary>
    public IReadOnlyList<string>? FieldsOfAction { get; init; }

    public IReadOnlyList<ValueEdit> Values { get; init; } = [];

    /// <summary>Member authorities to add, change or remove.</summary>
    public IReadOnlyList<MemberEdit> Members { get; init; } = [];

    /// <summary>Units of the grouping's territory (municipalities) to add, change or remove.</summary>
    public IReadOnlyList<TerritoryUnitEdit> TerritoryUnits { get; init; } = [];
}

/// <summary>A member authority of a grouping.</summary>
/// <param name="Id">The member's id to change or remove it; null to add one.</param>
/// <param name="Name">Its name (required to add).</param>
/// <param name="Country">Its country (required to add).</param>
/// <param name="Level">national, regional, provincial, intermunicipal or local (required to add).</param>
/// <param name="OrganisationId">
/// The organisation of the registry it is, if any (0 unlinks it). A draft may be linked; a deleted one may not
/// (<see cref="RuleCodes.OrganisationDeleted"/>), unless the member is already linked to it.
/// </param>
/// <param name="Source">Where the membership is stated (required to add).</param>
/// <param name="Order">Its position in the list (adding: last).</param>
/// <param name="Remove">Remove the member.</param>
public sealed record MemberEdit(
    int? Id = null,
    string? Name = null,
    string? Country = null,
    string? Level = null,
    int? OrganisationId = null,
    SourceChoice? Source = null,
    int? Order = null,
    bool Remove = false);

/// <summary>A unit (municipality or region) of a grouping's territory.</summary>
/// <param name="UnitCode">The LAU code with its country prefix ("FR59350", "BE34022") or a NUTS code.</param>
/// <param name="Perimeters">Space-separated perimeter flags ("mel95 y2025"); "" clears them.</param>
/// <param name="Source">Where the territory lists it (required to add).</param>
/// <param name="Remove">Remove the unit.</param>
public sealed record TerritoryUnitEdit(string UnitCode, string? Perimeters = null, SourceChoice? Source = null, bool Remove = false);

/// <summary>
/// A project's attributes, values and partners. Sourced fields: <see cref="Registry.Fields.Project"/> (acronym,
/// title.*, summary.*, start_date, end_date, total_budget_eur, erdf_eur, erdf_rate, website, keep_eu_id, ...).
/// </summary>
public sealed record ProjectEdit
{
    /// <summary>Lower-case letters, digits and hyphens; a creation without one gets one from the acronym.</summary>
    public string? Slug { get; init; }

    /// <summary>The programme (period) the project belongs to; required to create. Its code becomes the project's programme code.</summary>
    public int? ProgrammeId { get; init; }

    /// <summary>The themes, by slug: the whole list.</summary>
    public IReadOnlyList<string>? Themes { get; init; }

    public IReadOnlyList<ValueEdit> Values { get; init; } = [];

    /// <summary>Partners to add, change or remove.</summary>
    public IReadOnlyList<PartnerEdit> Partners { get; init; } = [];
}

/// <summary>
/// A partner of a project: its participation's sourced values (<see cref="Registry.Fields.Participation"/>: role,
/// budget_eur, eu_contribution_eur). Adding a partner needs a role value with its source.
/// </summary>
/// <param name="OrganisationId">The organisation.</param>
/// <param name="Values">Its role and amounts.</param>
/// <param name="NameInSource">The name under which the source lists it; "" clears it.</param>
/// <param name="Remove">Remove the organisation from the project's partners.</param>
public sealed record PartnerEdit(int OrganisationId, IReadOnlyList<ValueEdit>? Values = null, string? NameInSource = null, bool Remove = false);

/// <summary>
/// An organisation's attributes and values. Sourced fields: <see cref="Registry.Fields.Organisation"/> (name, country,
/// city, website, legal_status, ...). Its identity in the registry is its slug; it has no other identifier yet.
/// </summary>
public sealed record OrganisationEdit
{
    /// <summary>Lower-case letters, digits and hyphens; a creation without one gets one from the name.</summary>
    public string? Slug { get; init; }

    /// <summary>Where it is (WGS 84); an editorial attribute without a source.</summary>
    public GeoPoint? Location { get; init; }

    /// <summary>Clears the location.</summary>
    public bool RemoveLocation { get; init; }

    /// <summary>A creation needs a "name" value.</summary>
    public IReadOnlyList<ValueEdit> Values { get; init; } = [];

    /// <summary>Other names to add (with the source that uses them) or remove.</summary>
    public IReadOnlyList<AliasEdit> Aliases { get; init; } = [];
}

/// <summary>A point in WGS 84 degrees.</summary>
public sealed record GeoPoint(double Latitude, double Longitude);

/// <summary>Another name of an organisation, with the source that uses it (adding), or removed.</summary>
public sealed record AliasEdit(string Name, SourceChoice? Source = null, bool Remove = false);

/// <summary>A source's own attributes (they are not sourced values: a source is its own evidence).</summary>
public sealed record SourceEdit
{
    /// <summary>Required to create.</summary>
    public string? Title { get; init; }

    /// <summary>An absolute http(s) address; "" clears it.</summary>
    public string? Url { get; init; }

    /// <summary>The date the source shows (yyyy, yyyy-mm or yyyy-mm-dd); "" clears it.</summary>
    public string? SourceDate { get; init; }

    /// <summary>"" clears it.</summary>
    public string? Licence { get; init; }

    /// <summary>When the values were read from it.</summary>
    public DateOnly? RetrievedOn { get; init; }

    /// <summary>The organisation that made the statement, for a statement (0 clears it).</summary>
    public int? StatedByOrganisationId { get; init; }
}
