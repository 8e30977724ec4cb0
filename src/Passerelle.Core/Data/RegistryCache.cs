using Microsoft.EntityFrameworkCore;

namespace Passerelle.Core.Data;

/// <summary>
/// The last value computed from the whole registry (the home page's key figures, the open-data catalogue), with the
/// registry's position then: the last change-feed entry and the last revision. Every write adds to them in its
/// transaction (ADR 5, ADR 10), so a value computed at the same position is the same, and a read between writes costs
/// two indexed reads of their ends. One per process (a singleton); each instance of a cluster computes its own.
/// </summary>
public sealed class RegistryCache<T>
    where T : class
{
    private volatile Entry? _last;

    public async Task<T> GetAsync(PasserelleDbContext db, Func<CancellationToken, Task<T>> compute, CancellationToken ct)
    {
        var feed = await db.ChangeFeed.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        var revisions = await db.Revisions.MaxAsync(r => (long?)r.Id, ct) ?? 0;
        if (_last is { } last && last.Feed == feed && last.Revisions == revisions)
        {
            return last.Value;
        }

        var value = await compute(ct);
        _last = new Entry(feed, revisions, value);
        return value;
    }

    private sealed record Entry(long Feed, long Revisions, T Value);
}
