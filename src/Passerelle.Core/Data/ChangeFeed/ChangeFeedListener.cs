using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Passerelle.Core.Data.ChangeFeed;

/// <summary>
/// Runs in every web instance: polls the change feed for entries newer than the last one it has seen and hands them
/// to every <see cref="IChangeFeedSubscriber"/>. It starts at the feed's end: what an instance builds at start already
/// reflects the database, so only later changes matter.
/// </summary>
public sealed class ChangeFeedListener(
    IServiceScopeFactory scopes,
    IEnumerable<IChangeFeedSubscriber> subscribers,
    ChangeFeedOptions options,
    TimeProvider clock,
    ILogger<ChangeFeedListener> logger) : BackgroundService
{
    private readonly IChangeFeedSubscriber[] _subscribers = subscribers.ToArray();
    private long _lastSeen;

    /// <summary>The Id of the last entry handed to the subscribers.</summary>
    public long LastSeen => Interlocked.Read(ref _lastSeen);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Read the end of the feed before the host serves anything, so no change made after start is skipped.
        Interlocked.Exchange(ref _lastSeen, await ReadEndAsync(cancellationToken));
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.PollIntervalSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PollAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A database that is briefly away (failover, restart) must not stop the listener: retry next tick.
                logger.LogWarning(e, "Reading the change feed failed; retrying in {Seconds} s", options.PollIntervalSeconds);
            }
        }
    }

    /// <summary>Reads and dispatches every entry after <see cref="LastSeen"/>. Public so a caller can catch up at once.</summary>
    public async Task PollAsync(CancellationToken ct)
    {
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            var last = LastSeen;
            var batch = await db.ChangeFeed.AsNoTracking().Where(e => e.Id > last).OrderBy(e => e.Id).Take(options.BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return;
            }

            foreach (var subscriber in _subscribers)
            {
                try
                {
                    await subscriber.OnChangesAsync(batch, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One failing subscriber must not starve the others nor replay the batch to them forever.
                    logger.LogError(e, "Change feed subscriber {Subscriber} failed on entries {First}-{Last}",
                        subscriber.GetType().Name, batch[0].Id, batch[^1].Id);
                }
            }

            Interlocked.Exchange(ref _lastSeen, batch[^1].Id);
            if (batch.Count < options.BatchSize)
            {
                return;
            }
        }
    }

    /// <remarks>
    /// Plain SQL: this runs on the host's thread before it serves, where EF's first LINQ query would build its query
    /// pipeline (ADR 36, "At 2 M, what the start's path still paid for"); a warm-up thread builds that beside it.
    /// </remarks>
    private async Task<long> ReadEndAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
        return await FlatQuery.FirstAsync(db, "SELECT COALESCE(MAX(\"Id\"), 0) FROM \"ChangeFeed\"", [], r => r.GetInt64(0), 0L, ct);
    }
}
