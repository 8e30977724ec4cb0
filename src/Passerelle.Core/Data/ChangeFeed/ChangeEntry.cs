namespace Passerelle.Core.Data.ChangeFeed;

/// <summary>
/// One row of the change feed: a record of <see cref="EntityType"/> identified by <see cref="EntityId"/> (its slug;
/// "projectSlug/organisationSlug" for a participation) was added, modified or deleted. Written in the same transaction
/// as the change, so an instance that reads the feed never learns of a change that was rolled back.
/// </summary>
public sealed class ChangeEntry
{
    /// <summary><see cref="EntityType"/> and <see cref="EntityId"/> of an entry that means "anything may have changed".</summary>
    public const string All = "*";

    public long Id { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public required ChangeKind Kind { get; set; }

    /// <summary>UTC.</summary>
    public DateTime ChangedAt { get; set; }

    public bool IsAll => EntityType == All;

    /// <summary>An entry telling every instance to reload everything: written by set-based writers (seeding, restore).</summary>
    public static ChangeEntry Everything(DateTime changedAt) =>
        new() { EntityType = All, EntityId = All, Kind = ChangeKind.Modified, ChangedAt = changedAt };
}

public enum ChangeKind
{
    Added = 1,
    Modified = 2,
    Deleted = 3,
}
