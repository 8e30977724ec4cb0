namespace Passerelle.Core.Data.ChangeFeed;

/// <summary>
/// Something an instance keeps in memory or on local disk that must follow the database (the search index, caches).
/// Register as a singleton; <see cref="ChangeFeedListener"/> calls it on every instance with the entries written by
/// any instance, in feed order. An entry with <see cref="ChangeEntry.IsAll"/> means: rebuild from the database.
/// </summary>
public interface IChangeFeedSubscriber
{
    Task OnChangesAsync(IReadOnlyList<ChangeEntry> changes, CancellationToken cancellationToken);
}
