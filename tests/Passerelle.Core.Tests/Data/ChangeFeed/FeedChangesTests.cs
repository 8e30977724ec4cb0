using Passerelle.Core.Data.ChangeFeed;

namespace Passerelle.Core.Tests.Data.ChangeFeed;

/// <summary>The one reading of change-feed entries that the search index and the export parts address updates by.</summary>
public sealed class FeedChangesTests
{
    private static ChangeEntry Entry(string type, string id, ChangeKind kind = ChangeKind.Modified) =>
        new() { EntityType = type, EntityId = id, Kind = kind };

    [Fact]
    public void Of_ParticipationEntries_NameTheirProjectWhateverTheirKind()
    {
        var changes = FeedChanges.Of(
        [
            Entry("Participation", "alpha/org-1", ChangeKind.Added),
            Entry("Participation", "beta/org-2", ChangeKind.Deleted),
            Entry("Project", "gamma"),
        ]);

        Assert.Equal(["alpha", "beta", "gamma"], changes.Projects.Order(StringComparer.Ordinal));
        Assert.Equal(["Participation"], changes.Deleted);
        Assert.Empty(changes.Organisations);
        Assert.False(changes.Everything);
    }

    [Fact]
    public void Of_DeletedRecord_KeptAsItsTypeNotAsASlugToReadAgain()
    {
        var changes = FeedChanges.Of(
        [
            Entry("Project", "old-slug", ChangeKind.Deleted),
            Entry("Project", "new-slug", ChangeKind.Added),
            Entry("Organisation", "gone", ChangeKind.Deleted),
        ]);

        Assert.Equal(["new-slug"], changes.Projects);
        Assert.Empty(changes.Organisations);
        Assert.Equal(["Organisation", "Project"], changes.Deleted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Of_EachKindOfRecord_ItsSlugsAndTypes()
    {
        var changes = FeedChanges.Of(
        [
            Entry("Organisation", "org-1"),
            Entry("Programme", "interreg-vi-a"),
            Entry("Grouping", "eurometropole"),
            Entry("Theme", "climate"),
            Entry("Organisation", "org-1"),
        ]);

        Assert.Equal(["org-1"], changes.Organisations);
        Assert.Equal(["interreg-vi-a"], changes.Programmes);
        Assert.Equal(["eurometropole"], changes.Groupings);
        Assert.Equal(["Grouping", "Organisation", "Programme", "Theme"], changes.Types.Order(StringComparer.Ordinal));
        Assert.Empty(changes.Projects);
        Assert.Empty(changes.Deleted);
    }

    [Fact]
    public void Of_EverythingEntry_Everything()
    {
        var changes = FeedChanges.Of([Entry("Project", "alpha"), ChangeEntry.Everything(DateTime.UtcNow)]);

        Assert.True(changes.Everything);
        Assert.DoesNotContain(ChangeEntry.All, changes.Types);
        Assert.Equal(["alpha"], changes.Projects);
    }
}
