using Passerelle.Core.Editing;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin;

/// <summary>The kinds of record the back office edits, by the plural that names them in addresses (/admin/projects/12).</summary>
public static class RecordTypes
{
    /// <summary>The route constraint for the plural segment.</summary>
    public const string Constraint = "regex(^(programmes|groupings|projects|organisations|sources)$)";

    private static readonly Dictionary<string, SubjectType> ByPlural = new(StringComparer.Ordinal)
    {
        ["programmes"] = SubjectType.Programme,
        ["groupings"] = SubjectType.Grouping,
        ["projects"] = SubjectType.Project,
        ["organisations"] = SubjectType.Organisation,
        ["sources"] = SubjectType.Source,
    };

    public static SubjectType? Parse(string? plural) => plural is not null && ByPlural.TryGetValue(plural, out var type) ? type : null;

    public static string Plural(SubjectType type) => ByPlural.First(p => p.Value == type).Key;

    /// <summary>The singular, as the history pages name the type (/admin/history/project/12).</summary>
    public static string Singular(SubjectType type) => type.ToString().ToLowerInvariant();

    public static RecordRef Ref(SubjectType type, int id) => new(type, id);
}

/// <summary>
/// The source picker's fields as a form posts them (Pages/Shared/_SourcePicker.cshtml): an existing source (the last
/// one used is offered first), a new document (title, address, date), or a statement by an organisation.
/// </summary>
public sealed class SourceInput
{
    public string Mode { get; set; } = "existing";
    public int? SourceId { get; set; }
    public string? Title { get; set; }
    public string? Url { get; set; }
    public string? Date { get; set; }
    public int? StatedBy { get; set; }
    public string? StatedDate { get; set; }

    /// <summary>The choice, or null when the chosen option lacks what it needs (the page then says "choose a source").</summary>
    public SourceChoice? ToChoice() => Mode switch
    {
        "existing" when SourceId is { } id => SourceChoice.Existing(id),
        "document" when !string.IsNullOrWhiteSpace(Title) || !string.IsNullOrWhiteSpace(Url) =>
            SourceChoice.Document(string.IsNullOrWhiteSpace(Title) ? Url!.Trim() : Title.Trim(), Blank(Url), Blank(Date)),
        "statement" when StatedBy is { } organisation => SourceChoice.StatedBy(organisation, Blank(StatedDate)),
        _ => null,
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>What the source picker offers: the user's recent sources (the last first) and organisations that may state a value.</summary>
public sealed record SourcePicker(AdminPage Page, SourceInput Input, IReadOnlyList<SourceSummary> Recent, IReadOnlyList<(int Id, string Name)> Organisations, string? Error);
