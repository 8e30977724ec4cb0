using System.Text.Json.Serialization;

using Passerelle.Core.Editing;

namespace Passerelle.Web.Api.Editing;

// The request bodies of the write routes. They mirror Core's edit inputs (Core/Editing/EditInputs.cs) with a JSON shape
// of their own: a source is an object with one of id, title or statedBy instead of a class hierarchy, actions are
// camelCase names, and a property the route does not know is refused (400 invalid_body) rather than ignored, so that a
// misspelt property never passes for "leave as it is". For every property, null or absent leaves it as it is.

/// <summary>
/// Where a value comes from; exactly one of <see cref="Id"/> (a source of the registry), <see cref="Title"/> (a
/// document, with its address, date and licence where known: the same document entered again is the same source) or
/// <see cref="StatedBy"/> (an organisation of the registry stated it, on <see cref="Date"/>, default today).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SourceInput
{
    /// <summary>An existing source's id (not a deleted one).</summary>
    public int? Id { get; init; }

    /// <summary>A document's title.</summary>
    public string? Title { get; init; }

    /// <summary>The document's absolute http(s) address.</summary>
    public string? Url { get; init; }

    /// <summary>The date the document shows, or of the statement: yyyy, yyyy-mm or yyyy-mm-dd.</summary>
    public string? Date { get; init; }

    /// <summary>The document's licence.</summary>
    public string? Licence { get; init; }

    /// <summary>The id of the organisation that stated the value.</summary>
    public int? StatedBy { get; init; }
}

/// <summary>What a value edit does.</summary>
public enum ValueActionInput
{
    /// <summary>The source says the field's value is <c>value</c>: it is shown first; what this source said before for the field is withdrawn; other sources' values stay.</summary>
    [JsonStringEnumMemberName("replace")]
    Replace = 1,

    /// <summary>A conflicting value, kept after the current ones: what is shown first does not change.</summary>
    [JsonStringEnumMemberName("addBeside")]
    AddBeside = 2,

    /// <summary>The current value <c>factId</c> becomes the one shown first.</summary>
    [JsonStringEnumMemberName("makeFirst")]
    MakeFirst = 3,

    /// <summary>The current value <c>factId</c> is withdrawn (kept in the history).</summary>
    [JsonStringEnumMemberName("retract")]
    Retract = 4,
}

/// <summary>
/// One change to a sourced value. replace and addBeside need <see cref="Value"/> and <see cref="Source"/>; makeFirst
/// and retract need <see cref="FactId"/>, a current value's id from the editing view (values[].id).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ValueEditInput
{
    /// <summary>The field: "total_budget_eur", "title.fr", "start_date", ... (per language for multilingual fields).</summary>
    public required string Field { get; init; }

    /// <summary>replace (the default), addBeside, makeFirst or retract.</summary>
    public ValueActionInput Action { get; init; } = ValueActionInput.Replace;

    /// <summary>The value as text: amounts in euros ("1250000.50"), dates yyyy-mm-dd (or yyyy-mm, yyyy), rates in percent.</summary>
    public string? Value { get; init; }

    public SourceInput? Source { get; init; }

    /// <summary>A note on the value (at most 2,000 characters), e.g. where in the document it is.</summary>
    public string? Note { get; init; }

    public long? FactId { get; init; }
}

/// <summary>The body of PATCH: value edits, applied in order in one version.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ValuesPatch
{
    public required IReadOnlyList<ValueEditInput> Values { get; init; }
}

/// <summary>
/// Turns the API's inputs into Core's. Shapes Core cannot see (a source object with none or several of its kinds) are
/// collected as rule violations, all reported at once like Core's own.
/// </summary>
internal sealed class InputMapper
{
    private readonly List<RuleViolation> _violations = [];

    public IReadOnlyList<ValueEdit> Values(IReadOnlyList<ValueEditInput>? values, string prefix = "") =>
        values is null ? [] : [.. values.Select(v => Value(v, prefix))];

    public ValueEdit Value(ValueEditInput v, string prefix = "") => new()
    {
        Field = v.Field,
        Action = (ValueAction)(int)v.Action,
        Value = v.Value,
        Source = Source(v.Source, $"{prefix}{v.Field}.source"),
        Note = v.Note,
        FactId = v.FactId,
    };

    /// <summary>The source choice, or null (Core then says where one is required).</summary>
    public SourceChoice? Source(SourceInput? s, string field)
    {
        if (s is null)
        {
            return null;
        }

        var kinds = (s.Id is null ? 0 : 1) + (s.Title is null ? 0 : 1) + (s.StatedBy is null ? 0 : 1);
        if (kinds != 1)
        {
            _violations.Add(new RuleViolation(field, kinds == 0 ? RuleCodes.Required : RuleCodes.InvalidValue,
                "a source is one of: {\"id\": …} (a source of the registry), {\"title\": …, \"url\": …, \"date\": …} (a document) or {\"statedBy\": organisation id, \"date\": …}"));
            return null;
        }

        if (s.Id is { } id)
        {
            return s.Url is null && s.Date is null && s.Licence is null
                ? SourceChoice.Existing(id)
                : Invalid(field, "a source given by id takes no url, date or licence: change the source itself (PUT /api/v1/sources/{id})");
        }

        if (s.StatedBy is { } organisation)
        {
            return s.Url is null && s.Licence is null
                ? SourceChoice.StatedBy(organisation, s.Date)
                : Invalid(field, "a statement takes only the organisation (statedBy) and a date");
        }

        return SourceChoice.Document(s.Title!, s.Url, s.Date, s.Licence);
    }

    private SourceChoice? Invalid(string field, string message)
    {
        _violations.Add(new RuleViolation(field, RuleCodes.InvalidValue, message));
        return null;
    }

    /// <summary>Throws the violations found while mapping, before anything reaches Core.</summary>
    public void ThrowIfViolations()
    {
        if (_violations.Count > 0)
        {
            throw new RuleViolationException(_violations);
        }
    }
}
