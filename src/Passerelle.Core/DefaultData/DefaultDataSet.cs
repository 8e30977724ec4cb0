using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;
using Passerelle.Core.Themes;

namespace Passerelle.Core.DefaultData;

/// <summary>A sourced value before it is stored: the source is named by its key.</summary>
public sealed record LoadedFact(string Field, string Value, string SourceKey, string? Note);

public sealed record SeedAlias(string Name, string? SourceKey);

public sealed record SeedOrganisation(Organisation Entity, List<SeedAlias> Aliases, List<LoadedFact> Facts);

public sealed record SeedProgramme(Programme Entity, List<LoadedFact> Facts);

public sealed record SeedMember(GroupingMember Entity, string SourceKey, string? OrganisationSlug, string? Note);

public sealed record SeedGrouping(Grouping Entity, List<SeedMember> Members, List<LoadedFact> Facts);

public sealed record SeedParticipation(
    string OrganisationSlug,
    ParticipationRole Role,
    string? RoleLabel,
    string NameInSource,
    List<LoadedFact> Facts)
{
    public decimal? Budget { get; set; }
    public decimal? EuContribution { get; set; }
}

public sealed record SeedProject(
    Project Entity,
    string? ProgrammeSlug,
    List<string> ThemeSlugs,
    List<SeedParticipation> Participations,
    List<LoadedFact> Facts);

/// <summary>Everything the default data holds, validated and cross-referenced, ready to be written.</summary>
public sealed class DefaultDataSet
{
    public required List<Source> Sources { get; init; }
    public required List<Theme> Themes { get; init; }
    public required List<SeedProgramme> Programmes { get; init; }
    public required List<SeedOrganisation> Organisations { get; init; }
    public required List<SeedGrouping> Groupings { get; init; }
    public required List<SeedProject> Projects { get; init; }

    /// <summary>SHA-256 of every input file, so that seeding the same data twice does nothing.</summary>
    public required string Hash { get; init; }
}
