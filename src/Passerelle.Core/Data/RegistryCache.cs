using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Passerelle.Core.Data;

/// <summary>How long a request waits for a value of the registry as it is now before it is given the previous one.</summary>
public sealed class RegistryCacheOptions
{
    public const string Section = "RegistryCache";

    /// <summary>
    /// A request that finds the registry moved since the last value waits for the new one (computed once, in the
    /// background, whoever asks) until this long after its computation began, then is given the previous value, marked
    /// as such. With a few thousand projects the new value comes in milliseconds and is always waited for; at Kohesio's
    /// size some values take minutes.
    /// </summary>
    public TimeSpan WaitForCurrent { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Whether the values are computed once the instance is ready, before anyone asks (<see cref="RegistryWarmUp"/>).</summary>
    public bool WarmUpAtStart { get; set; } = true;
}

/// <summary>A value computed from the whole registry, when, and whether the registry has moved since.</summary>
public sealed record Cached<T>(T Value, DateTimeOffset ComputedAt, bool IsCurrent);

/// <summary>
/// The last value computed from the whole registry (the home page's key figures, the open-data catalogue, the lists'
/// totals), with the registry's position then (<see cref="RegistryPosition"/>): a value computed at the same position
/// is the same, and a read between writes costs two indexed reads.
/// <para>
/// After a write, the value is computed again once, in the background, in its own scope (ADR 33): a request waits
/// for it up to <see cref="RegistryCacheOptions.WaitForCurrent"/>, then is given the previous value marked as not
/// current, so that no page waits minutes behind an aggregate over two million projects, and twenty visitors after an
/// import start one computation, not twenty. One per process (a singleton); each instance of a cluster computes its own.
/// </para>
/// </summary>
public sealed class RegistryCache<T>(
    IServiceScopeFactory scopes,
    IOptions<RegistryCacheOptions> options,
    TimeProvider clock,
    ILogger<RegistryCache<T>> logger) : IDisposable
    where T : class
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private volatile Entry? _last;
    private Computing? _computing;
    private long _moments;

    /// <summary>Whether a value has been computed (tests of the warm-up).</summary>
    internal bool HasValue => _last is not null;

    /// <summary>
    /// The value as the registry is now, or, when computing it takes longer than the wait, the previous one; when there
    /// is none yet, waits for the first.
    /// </summary>
    public async Task<Cached<T>> GetAsync(
        PasserelleDbContext db, Func<PasserelleDbContext, CancellationToken, Task<T>> compute, CancellationToken ct) =>
        (await GetAsync(db, compute, waitForFirst: true, ct))!;

    /// <summary>As <see cref="GetAsync"/>, but null when there is no value yet and the first is not ready within the wait.</summary>
    public Task<Cached<T>?> TryGetAsync(
        PasserelleDbContext db, Func<PasserelleDbContext, CancellationToken, Task<T>> compute, CancellationToken ct) =>
        GetAsync(db, compute, waitForFirst: false, ct);

    private async Task<Cached<T>?> GetAsync(
        PasserelleDbContext db, Func<PasserelleDbContext, CancellationToken, Task<T>> compute, bool waitForFirst, CancellationToken ct)
    {
        var position = await RegistryPosition.ReadAsync(db, ct);
        // A computation that starts after this moment reads the registry after this request did: its value is current
        // for this request even if more writes came in between. (A counter, not a clock: a test's clock may stand still.)
        var readAt = Interlocked.Increment(ref _moments);
        var waitingSince = clock.GetTimestamp();
        var wait = options.Value.WaitForCurrent;
        while (true)
        {
            var last = _last;
            if (last is not null && (last.Position == position || last.StartedAt > readAt))
            {
                return new Cached<T>(last.Value, last.ComputedAt, true);
            }

            var computing = Start(compute);
            // The wait counts from the computation's start, not the request's: while one that takes minutes runs,
            // the requests after the first are given the previous value at once instead of each waiting in vain.
            var remaining = Min(wait - clock.GetElapsedTime(waitingSince), wait - clock.GetElapsedTime(computing.Began));
            try
            {
                if (last is null && waitForFirst)
                {
                    await computing.Task.WaitAsync(ct);
                }
                else if (remaining > TimeSpan.Zero)
                {
                    await computing.Task.WaitAsync(remaining, clock, ct);
                }
                else
                {
                    break;
                }
            }
            catch (TimeoutException)
            {
                break;
            }
        }

        return _last is { } previous ? new Cached<T>(previous.Value, previous.ComputedAt, false) : null;
    }

    /// <summary>The computation under way, or a new one: one at a time, whatever the number of requests waiting.</summary>
    private Computing Start(Func<PasserelleDbContext, CancellationToken, Task<T>> compute)
    {
        lock (_gate)
        {
            if (_computing is { Task.IsCompleted: false } running)
            {
                return running;
            }

            var startedAt = Interlocked.Increment(ref _moments);
            return _computing = new Computing(Task.Run(() => ComputeAsync(startedAt, compute)), clock.GetTimestamp());
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task<Entry> ComputeAsync(long startedAt, Func<PasserelleDbContext, CancellationToken, Task<T>> compute)
    {
        var ct = _stopping.Token;
        var began = clock.GetTimestamp();
        try
        {
            // Its own scope and context: the request that started it may have ended long before it does.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            var position = await RegistryPosition.ReadAsync(db, ct);
            var value = await compute(db, ct);
            var entry = new Entry(position, startedAt, clock.GetUtcNow(), value);
            _last = entry;
            logger.LogDebug("{Value} computed in {Seconds:F2} s", typeof(T).Name, clock.GetElapsedTime(began).TotalSeconds);
            return entry;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Logged here: when every request waiting for it has stopped waiting, nobody else sees it.
            logger.LogError(e, "Computing {Value} failed", typeof(T).Name);
            throw;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private sealed record Computing(Task<Entry> Task, long Began);

    private sealed record Entry(RegistryPosition Position, long StartedAt, DateTimeOffset ComputedAt, T Value);
}
