using Passerelle.Core.Common;

namespace Passerelle.Core.DefaultData;

// The shapes of the JSON files in data/default/. Identity and classification (slug, code, kind, period, themes) are
// editorial; every fact-bearing value is a FactDto with the key of its source, so no value can enter without one.

public sealed record SourceDto(string Key, string Title, string? Url, string? Date, string? Licence = null);

/// <summary>One sourced value. Values of the same field keep file order: the first is shown first.</summary>
public sealed record FactDto(string Field, string Value, string Source, string? Note = null);

public sealed record ThemeDto(string Slug, LocalizedText Label);

public sealed record ProgrammeDto(
    string Slug,
    string Code,
    string Kind,
    string Period,
    List<string>? Funds,
    List<string>? Countries,
    string? AreaNote,
    List<FactDto> Facts);

public sealed record GroupingMemberDto(string Name, string Country, string Level, string Source, string? Organisation = null, string? Note = null);

public sealed record GroupingDto(
    string Slug,
    string LegalForm,
    List<string>? FieldsOfAction,
    List<GroupingMemberDto>? Members,
    List<FactDto> Facts);

public sealed record AliasDto(string Name, string? Source = null);

public sealed record OrganisationDto(
    string Slug,
    string Name,
    string? LegalStatus,
    List<AliasDto>? Aliases,
    List<FactDto>? Facts);

public sealed record ProjectDto(
    string Slug,
    string Acronym,
    string Programme,
    List<string>? Themes,
    List<FactDto>? Facts);

public sealed record DefaultDataFile<T>(List<T> Items);
