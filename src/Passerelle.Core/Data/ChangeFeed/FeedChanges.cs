namespace Passerelle.Core.Data.ChangeFeed;

/// <summary>
/// What a run of change-feed entries names, by kind of record: the one reading of the feed's entries that the search
/// index and the export parts (ADR 39) both address their updates by. Slugs are as written in the feed; a record
/// whose slug changed shows as a deletion of the old slug and an addition of the new one.
/// </summary>
public sealed class FeedChanges
{
    private FeedChanges()
    {
    }

    /// <summary>An entry meant "anything may have changed" (seeding, a restore, an import past the feed's limit).</summary>
    public bool Everything { get; private init; }

    /// <summary>The entity types of the deleted entries: a deleted slug no longer names a record to re-read.</summary>
    public IReadOnlySet<string> Deleted { get; private init; } = new HashSet<string>();

    /// <summary>Every entity type named, deletions included.</summary>
    public IReadOnlySet<string> Types { get; private init; } = new HashSet<string>();

    /// <summary>
    /// The projects added or modified, and the projects of a participation added, modified or deleted (their partner
    /// list changed): "projectSlug/organisationSlug" names the project first.
    /// </summary>
    public IReadOnlySet<string> Projects { get; private init; } = new HashSet<string>();

    /// <summary>The organisations added or modified.</summary>
    public IReadOnlySet<string> Organisations { get; private init; } = new HashSet<string>();

    /// <summary>The programmes added or modified.</summary>
    public IReadOnlySet<string> Programmes { get; private init; } = new HashSet<string>();

    /// <summary>The groupings added or modified.</summary>
    public IReadOnlySet<string> Groupings { get; private init; } = new HashSet<string>();

    public static FeedChanges Of(IEnumerable<ChangeEntry> entries)
    {
        var everything = false;
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var types = new HashSet<string>(StringComparer.Ordinal);
        var projects = new HashSet<string>(StringComparer.Ordinal);
        var organisations = new HashSet<string>(StringComparer.Ordinal);
        var programmes = new HashSet<string>(StringComparer.Ordinal);
        var groupings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (e.IsAll)
            {
                everything = true;
                continue;
            }

            types.Add(e.EntityType);
            if (e.EntityType == "Participation")
            {
                projects.Add(e.EntityId.Split('/')[0]);
            }

            if (e.Kind == ChangeKind.Deleted)
            {
                deleted.Add(e.EntityType);
                continue;
            }

            var slugs = e.EntityType switch
            {
                "Project" => projects,
                "Organisation" => organisations,
                "Programme" => programmes,
                "Grouping" => groupings,
                _ => null,
            };
            slugs?.Add(e.EntityId);
        }

        return new FeedChanges
        {
            Everything = everything,
            Deleted = deleted,
            Types = types,
            Projects = projects,
            Organisations = organisations,
            Programmes = programmes,
            Groupings = groupings,
        };
    }
}
