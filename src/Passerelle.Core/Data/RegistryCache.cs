using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Passerelle.Core.Common;

namespace Passerelle.Core.Data;

/// <summary>How long a request waits for a value of the registry as it is now before it is given the previous one.</summary>
public sealed class RegistryCacheOptions
{
    public const string Section = "RegistryCache";

    /// <summary>
    /// A request that finds the registry moved since the last value waits for the new one (computed once, in the
    /// background, whoever asks) until this long after its computation began, and this long in all for every value it
    /// asks for (<see cref="RegistryRead"/>), then is given the previous value, marked as such. With a few thousand projects the new value comes in milliseconds and is always waited for; at Kohesio's
    /// size some values take minutes.
    /// </summary>
    public TimeSpan WaitForCurrent { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Whether the values are computed once the instance is ready, before anyone asks (<see cref="RegistryWarmUp"/>).</summary>
    public bool WarmUpAtStart { get; set; } = true;
}

/// <summary>A value computed from the whole registry, when, and whether the registry has moved since.</summary>
public sealed record Cached<T>(T Value, DateTimeOffset ComputedAt, bool IsCurrent);

/// <summary>A value computed from the whole registry, as <see cref="RegistryWarmUp"/> sees it.</summary>
public interface IRegistryValue
{
    string Name { get; }

    Task WarmAsync(CancellationToken ct);

    /// <summary>
    /// The writing of the last computed value to the database, if the value is kept (ADR 37). It runs after the
    /// computation and is cancelled when the host stops: what a host stopped on purpose (a test's template) waits for.
    /// </summary>
    Task Keeping { get; }
}

/// <summary>
/// What one request (one DI scope) knows of the registry's values: the registry's position, read once, again only
/// after this scope's context saved changes; and the time it may still wait for values that are being computed again,
/// one budget for all the values it asks for.
/// </summary>
public sealed class RegistryRead
{
    private readonly PasserelleDbContext _db;
    private RegistryPosition? _position;
    private long _spentTicks;

    public RegistryRead(PasserelleDbContext db, IOptions<RegistryCacheOptions> options)
    {
        _db = db;
        Wait = options.Value.WaitForCurrent;
        // A scope that writes and then reads must see its own write: the position is read again after it.
        db.SavedChanges += (_, _) => _position = null;
    }

    /// <summary>The wait for one value, and for the whole request (<see cref="RegistryCacheOptions.WaitForCurrent"/>).</summary>
    public TimeSpan Wait { get; }

    /// <summary>What is left of the request's wait.</summary>
    public TimeSpan Remaining => Wait - TimeSpan.FromTicks(Interlocked.Read(ref _spentTicks));

    /// <summary>The request's context (what is read beside the position, e.g. the database's id).</summary>
    internal PasserelleDbContext Db => _db;

    public async ValueTask<RegistryPosition> PositionAsync(CancellationToken ct) => _position ??= await RegistryPosition.ReadAsync(_db, ct);

    internal void Spent(TimeSpan waited) => Interlocked.Add(ref _spentTicks, waited.Ticks);
}

public static class RegistryCacheServiceCollectionExtensions
{
    /// <summary>
    /// Keeps a value computed from the whole registry in a <see cref="RegistryCache{T}"/>, computed by
    /// <paramref name="compute"/>, and computed once after each start by <see cref="RegistryWarmUp"/> (in the order of
    /// registration: the cheap ones first). With <paramref name="keep"/>, the options that write the value as JSON and
    /// read it back unchanged, the value is also kept in the database for the next start at the same position (ADR 37).
    /// </summary>
    public static IServiceCollection AddRegistryValue<T>(
        this IServiceCollection services, Func<PasserelleDbContext, CancellationToken, Task<T>> compute, JsonSerializerOptions? keep = null)
        where T : class
    {
        services.AddSingleton(sp => new RegistryCache<T>(
            sp.GetRequiredService<IServiceScopeFactory>(), compute, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RegistryCache<T>>>(), keep));
        services.AddSingleton<IRegistryValue>(sp => sp.GetRequiredService<RegistryCache<T>>());
        return services;
    }
}

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
/// <para>
/// A value registered with JSON options (<paramref name="keep"/>) is also kept in the database once computed, and the
/// first computation after a start reads it when the registry has not moved since: a restart at two million projects
/// then costs no aggregate (ADR 37).
/// </para>
/// </summary>
public sealed class RegistryCache<T>(
    IServiceScopeFactory scopes,
    Func<PasserelleDbContext, CancellationToken, Task<T>> compute,
    TimeProvider clock,
    ILogger<RegistryCache<T>> logger,
    JsonSerializerOptions? keep = null) : IRegistryValue, IDisposable
    where T : class
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private volatile Entry? _last;
    private Computing? _computing;
    private long _moments;
    private int _disposed;
    private Task _keeping = Task.CompletedTask;

    /// <summary>Whether a value has been computed (tests of the warm-up).</summary>
    internal bool HasValue => _last is not null;

    /// <summary>Whether the last value was read from the database rather than computed (tests of ADR 37).</summary>
    internal bool LastWasKept { get; private set; }

    public Task Keeping => _keeping;

    public string Name => typeof(T).Name;

    /// <summary>
    /// The value as the registry is now, or, when computing it takes longer than the request's wait, the previous one;
    /// when there is none yet, waits for the first.
    /// </summary>
    public async Task<Cached<T>> GetAsync(RegistryRead read, CancellationToken ct) =>
        (await GetAsync(read, waitForFirst: true, ct))!;

    /// <summary>As <see cref="GetAsync(RegistryRead, CancellationToken)"/>, but null when there is no value yet and the first is not ready within the wait.</summary>
    public Task<Cached<T>?> TryGetAsync(RegistryRead read, CancellationToken ct) => GetAsync(read, waitForFirst: false, ct);

    /// <summary>Computes the value now, in a scope of its own, if the registry moved since the last (<see cref="RegistryWarmUp"/>).</summary>
    public async Task WarmAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await GetAsync(scope.ServiceProvider.GetRequiredService<RegistryRead>(), waitForFirst: true, ct);
    }

    private async Task<Cached<T>?> GetAsync(RegistryRead read, bool waitForFirst, CancellationToken ct)
    {
        var position = await read.PositionAsync(ct);
        // A computation that starts after this moment reads the registry after this request did: its value is current
        // for this request even if more writes came in between. (A counter, not a clock: a test's clock may stand still.)
        var readAt = Interlocked.Increment(ref _moments);
        var waitingSince = clock.GetTimestamp();
        try
        {
            while (true)
            {
                var last = _last;
                if (last is not null && (last.Position == position || last.StartedAt > readAt))
                {
                    return new Cached<T>(last.Value, last.ComputedAt, true);
                }

                var computing = Start();
                // Two bounds: what is left of the request's wait, shared by every value it asks for (a page asking for
                // five values after a write waits once, not five times); and the wait counted from the computation's
                // start, so that while one that takes minutes runs, the requests after the first are given the
                // previous value at once instead of each waiting in vain.
                var remaining = Min(read.Remaining - clock.GetElapsedTime(waitingSince), read.Wait - clock.GetElapsedTime(computing.Began));
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
        }
        finally
        {
            read.Spent(clock.GetElapsedTime(waitingSince));
        }

        return _last is { } previous ? new Cached<T>(previous.Value, previous.ComputedAt, false) : null;
    }

    /// <summary>The computation under way, or a new one: one at a time, whatever the number of requests waiting.</summary>
    private Computing Start()
    {
        lock (_gate)
        {
            if (_computing is { Task.IsCompleted: false } running)
            {
                return running;
            }

            var startedAt = Interlocked.Increment(ref _moments);
            // At the lowest priority (ADR 33): at two million projects a value takes minutes of CPU, which the searches
            // and pages served meanwhile need more; requests are given the previous value after their wait. Blocking
            // is the point: on SQLite the provider's async calls run synchronously, so the aggregates run on this thread
            // (on PostgreSQL they run in the server, and this thread only waits).
            return _computing = new Computing(
                LowPriority.RunAsync($"registry value {Name}", () => ComputeAsync(startedAt).GetAwaiter().GetResult()),
                clock.GetTimestamp());
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task<Entry> ComputeAsync(long startedAt)
    {
        var ct = _stopping.Token;
        var began = clock.GetTimestamp();
        try
        {
            // Its own scope and context: the request that started it may have ended long before it does.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            var position = await RegistryPosition.ReadAsync(db, ct);
            if (keep is not null && await ReadKeptAsync(db, position, keep, ct) is { } kept)
            {
                var read = new Entry(position, startedAt, kept.ComputedAt, kept.Value);
                _last = read;
                LastWasKept = true;
                logger.LogDebug("{Value} read as kept in {Seconds:F2} s (computed at {ComputedAt:u} for the same position)", typeof(T).Name, clock.GetElapsedTime(began).TotalSeconds, kept.ComputedAt);
                return read;
            }

            var value = await compute(db, ct);
            var entry = new Entry(position, startedAt, clock.GetUtcNow(), value);
            _last = entry;
            LastWasKept = false;
            logger.LogDebug("{Value} computed in {Seconds:F2} s", typeof(T).Name, clock.GetElapsedTime(began).TotalSeconds);
            if (keep is not null)
            {
                // Written after the value is given to the requests waiting for it, in a scope of its own: a write can
                // wait on another writer's transaction (SQLite has one writer), which no request should wait for.
                _keeping = Task.Run(() => SaveKeptAsync(entry, keep, ct));
            }

            return entry;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Logged here: when every request waiting for it has stopped waiting, nobody else sees it.
            logger.LogError(e, "Computing {Value} failed", typeof(T).Name);
            throw;
        }
    }

    private async Task<(T Value, DateTimeOffset ComputedAt)?> ReadKeptAsync(
        PasserelleDbContext db, RegistryPosition position, JsonSerializerOptions json, CancellationToken ct)
    {
        try
        {
            return await KeptRegistryValues.ReadAsync<T>(db, Name, position, json, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A kept value is a cache: whatever keeps it from being read (text that is not the value's JSON, a value
            // of a shape this build does not read), it is computed as if none were kept, and the new one replaces it.
            logger.LogWarning(e, "The kept {Value} could not be read; computing it", typeof(T).Name);
            return null;
        }
    }

    private async Task SaveKeptAsync(Entry entry, JsonSerializerOptions json, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            await KeptRegistryValues.SaveAsync(db, Name, entry.Position, entry.ComputedAt, entry.Value, json, ct);
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            logger.LogDebug(e, "Keeping {Value} stopped with the host", typeof(T).Name);
        }
        catch (Exception e)
        {
            // Not fatal: the next start computes the value again.
            logger.LogWarning(e, "Keeping {Value} in the database failed", typeof(T).Name);
        }
    }

    public void Dispose()
    {
        // Registered twice (as itself and as an IRegistryValue), so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        _stopping.Dispose();
    }

    private sealed record Computing(Task<Entry> Task, long Began);

    private sealed record Entry(RegistryPosition Position, long StartedAt, DateTimeOffset ComputedAt, T Value);
}
