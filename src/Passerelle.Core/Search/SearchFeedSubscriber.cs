using Passerelle.Core.Data.ChangeFeed;

namespace Passerelle.Core.Search;

/// <summary>
/// Keeps every instance's in-process index in step with the database: the change feed names the records changed by
/// any instance; <see cref="SearchIndex.ApplyFeedAsync"/> re-reads them, or rebuilds for what it cannot address by id.
/// The start-up catch-up goes through the same method's logic, so both treat an entry alike.
/// </summary>
public sealed class SearchFeedSubscriber(SearchIndex index) : IChangeFeedSubscriber
{
    public Task OnChangesAsync(IReadOnlyList<ChangeEntry> changes, CancellationToken cancellationToken) =>
        index.ApplyFeedAsync(changes, cancellationToken);
}
