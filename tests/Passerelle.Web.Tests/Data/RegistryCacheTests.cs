using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Core.Organisations;
using Passerelle.Core.Registry;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Data;

/// <summary>
/// The cache of values computed from the whole registry (ADR 33), on a real database: a write moves the registry, the
/// value is computed again once in the background, and a request waits for it only so long.
/// </summary>
public sealed class RegistryCacheTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Box(int N);

    /// <summary>Computations numbered from 1; all but the first wait for <see cref="Gate"/>.</summary>
    private sealed class HeldAfterFirst
    {
        private int _calls;

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => _calls;

        public async Task<Box> ComputeAsync(PasserelleDbContext db, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref _calls);
            if (n > 1)
            {
                await Gate.Task.WaitAsync(ct);
            }

            return new Box(n);
        }
    }

    /// <summary>A cache of its own for a test, and the wait its requests are given.</summary>
    private sealed record TestCache(RegistryCache<Box> Cache, TimeSpan Wait) : IDisposable
    {
        public void Dispose() => Cache.Dispose();
    }

    private TestCache Cache(TimeSpan wait, Func<PasserelleDbContext, CancellationToken, Task<Box>> compute) => new(
        new RegistryCache<Box>(
            app.Services.GetRequiredService<IServiceScopeFactory>(),
            compute,
            TimeProvider.System,
            NullLogger<RegistryCache<Box>>.Instance),
        wait);

    private static RegistryRead Read(PasserelleDbContext db, TimeSpan wait) =>
        new(db, Options.Create(new RegistryCacheOptions { WaitForCurrent = wait }));

    private Task WriteAsync() => app.WriteAsync(session =>
    {
        session.Create(new Organisation { Slug = "registry-cache-" + Guid.NewGuid().ToString("N"), Name = "Registry cache test" });
        return Task.FromResult(0);
    });

    /// <summary>One request: a scope, its context, and the value asked once.</summary>
    private Task<Cached<Box>> GetAsync(TestCache cache) =>
        app.WithDbAsync(db => cache.Cache.GetAsync(Read(db, cache.Wait), Ct));

    private Task<Cached<Box>?> TryGetAsync(TestCache cache) =>
        app.WithDbAsync(db => cache.Cache.TryGetAsync(Read(db, cache.Wait), Ct));

    [Fact]
    public async Task GetAsync_RegistryUnchanged_ReturnsTheValueWithoutComputingAgain()
    {
        var calls = 0;
        Task<Box> Compute(PasserelleDbContext db, CancellationToken ct) => Task.FromResult(new Box(Interlocked.Increment(ref calls)));
        using var cache = Cache(TimeSpan.FromSeconds(30), Compute);

        var first = await GetAsync(cache);
        var second = await GetAsync(cache);

        Assert.Equal((1, true), (first.Value.N, first.IsCurrent));
        Assert.Equal((1, true), (second.Value.N, second.IsCurrent));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task GetAsync_Computing_RunsOnALowPriorityThreadOfItsOwn()
    {
        (string? Name, bool Pooled) computedOn = default;
        Task<Box> Compute(PasserelleDbContext db, CancellationToken ct)
        {
            computedOn = (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread);
            return Task.FromResult(new Box(1));
        }

        using var cache = Cache(TimeSpan.FromSeconds(30), Compute);

        await GetAsync(cache);

        // LowPriority's thread (its priority is checked in Passerelle.Core.Tests' LowPriorityTests), not the pool's.
        Assert.Equal(("registry value Box", false), computedOn);
    }

    [Fact]
    public async Task GetAsync_RegistryMovedAndComputingSlowerThanTheWait_ReturnsThePreviousValueNotCurrentThenTheNewOne()
    {
        var computations = new HeldAfterFirst();
        using var cache = Cache(TimeSpan.FromMilliseconds(100), computations.ComputeAsync);
        var gate = computations.Gate;

        var first = await GetAsync(cache);
        await WriteAsync();
        var stale = await GetAsync(cache);
        gate.SetResult();
        // The computation now ends; requests are given the previous value until it has.
        var after = await GetAsync(cache);
        for (var i = 0; i < 100 && !after.IsCurrent; i++)
        {
            await Task.Delay(50, Ct);
            after = await GetAsync(cache);
        }

        Assert.Equal((1, true), (first.Value.N, first.IsCurrent));
        Assert.Equal((1, false), (stale.Value.N, stale.IsCurrent));
        Assert.Equal(first.ComputedAt, stale.ComputedAt);
        Assert.Equal((2, true), (after.Value.N, after.IsCurrent));
        Assert.True(after.ComputedAt >= first.ComputedAt);
        Assert.Equal(2, computations.Calls);
    }

    [Fact]
    public async Task GetAsync_ComputationRunningLongerThanTheWait_ReturnsThePreviousValueWithoutWaitingAgain()
    {
        var wait = TimeSpan.FromSeconds(3);
        var computations = new HeldAfterFirst();
        using var cache = Cache(wait, computations.ComputeAsync);
        var gate = computations.Gate;

        await GetAsync(cache);
        await WriteAsync();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var first = await GetAsync(cache);
        var firstTook = waited.Elapsed;
        // The computation has now run for longer than the wait: a later request is not kept waiting for it again.
        var later = System.Diagnostics.Stopwatch.StartNew();
        var second = await GetAsync(cache);
        var secondTook = later.Elapsed;
        gate.SetResult();

        Assert.Equal((1, false), (first.Value.N, first.IsCurrent));
        Assert.Equal((1, false), (second.Value.N, second.IsCurrent));
        Assert.True(firstTook >= wait - TimeSpan.FromMilliseconds(50), $"the first request waited {firstTook}");
        Assert.True(secondTook < wait / 2, $"the second request waited {secondTook}");
    }

    [Fact]
    public async Task GetAsync_ManyRequestsAfterAWrite_ComputeOnce()
    {
        var calls = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<Box> Compute(PasserelleDbContext db, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref calls);
            await gate.Task.WaitAsync(ct);
            return new Box(n);
        }

        using var cache = Cache(TimeSpan.FromSeconds(30), Compute);

        var requests = Enumerable.Range(0, 8).Select(_ => GetAsync(cache)).ToList();
        await Task.Delay(200, Ct);
        gate.SetResult();
        var values = await Task.WhenAll(requests);

        Assert.All(values, v => Assert.Equal((1, true), (v.Value.N, v.IsCurrent)));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task TryGetAsync_NothingComputedYetAndSlowerThanTheWait_ReturnsNullWhileGetAsyncWaits()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<Box> Compute(PasserelleDbContext db, CancellationToken ct)
        {
            await gate.Task.WaitAsync(ct);
            return new Box(7);
        }

        using var cache = Cache(TimeSpan.FromMilliseconds(50), Compute);

        var none = await TryGetAsync(cache);
        var waiting = GetAsync(cache);
        await Task.Delay(200, Ct);
        var stillWaiting = !waiting.IsCompleted;
        gate.SetResult();
        var first = await waiting;

        Assert.Null(none);
        Assert.True(stillWaiting);
        Assert.Equal((7, true), (first.Value.N, first.IsCurrent));
    }

    [Fact]
    public async Task GetAsync_ComputationStartedBeforeAWrite_IsNotCurrentForARequestAfterIt()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        async Task<Box> Compute(PasserelleDbContext db, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref calls);
            if (n == 1)
            {
                // The computation has read the registry's position: the write below comes after it.
                entered.SetResult();
                await gate.Task.WaitAsync(ct);
            }

            return new Box(n);
        }

        using var cache = Cache(TimeSpan.FromSeconds(30), Compute);
        var before = GetAsync(cache);
        await entered.Task.WaitAsync(Ct);
        await WriteAsync();
        var after = GetAsync(cache);
        await Task.Delay(100, Ct);
        gate.SetResult();

        // The request before the write may be given the first value or, if its wait ends after the second computation
        // has begun, the second (which read the registry after it did): either is current for it.
        Assert.True((await before).IsCurrent);
        Assert.Equal((2, true), ((await after).Value.N, (await after).IsCurrent));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task GetAsync_ComputationFails_ThrowsAndTheNextRequestComputesAgain()
    {
        var calls = 0;
        Task<Box> Compute(PasserelleDbContext db, CancellationToken ct) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("first computation fails")
            : Task.FromResult(new Box(calls));
        using var cache = Cache(TimeSpan.FromSeconds(30), Compute);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GetAsync(cache));
        var next = await GetAsync(cache);

        Assert.Equal("first computation fails", error.Message);
        Assert.Equal((2, true), (next.Value.N, next.IsCurrent));
    }

    [Fact]
    public async Task GetAsync_OneRequestAskingForTwoValuesAfterAWrite_WaitsOnceForBoth()
    {
        // A page asks for several values (the home page: five): after a write its wait is one budget, not one each.
        var wait = TimeSpan.FromSeconds(2);
        var first = new HeldAfterFirst();
        var second = new HeldAfterFirst();
        using var one = Cache(wait, first.ComputeAsync);
        using var other = Cache(wait, second.ComputeAsync);
        await GetAsync(one);
        await GetAsync(other);
        await WriteAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var read = Read(scope.ServiceProvider.GetRequiredService<PasserelleDbContext>(), wait);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var a = await one.Cache.GetAsync(read, Ct);
        var afterFirst = clock.Elapsed;
        var b = await other.Cache.GetAsync(read, Ct);
        var afterBoth = clock.Elapsed;
        first.Gate.SetResult();
        second.Gate.SetResult();

        Assert.Equal((false, false), (a.IsCurrent, b.IsCurrent));
        Assert.True(afterFirst >= wait - TimeSpan.FromMilliseconds(50), $"the first value was waited for {afterFirst}");
        Assert.True(afterBoth - afterFirst < wait / 2, $"the second value was waited for {afterBoth - afterFirst} more");
        // Timers count whole milliseconds, so a fraction of one may be left over; not a second wait.
        Assert.True(read.Remaining < TimeSpan.FromMilliseconds(50), $"{read.Remaining} of the request's wait left");
    }

    [Fact]
    public async Task GetAsync_SameRequestAfterItsOwnWrite_SeesTheRegistryMoved()
    {
        var calls = 0;
        Task<Box> Compute(PasserelleDbContext db, CancellationToken ct) => Task.FromResult(new Box(Interlocked.Increment(ref calls)));
        using var cache = Cache(TimeSpan.FromSeconds(30), Compute);
        await using var scope = app.Services.CreateAsyncScope();
        var read = Read(scope.ServiceProvider.GetRequiredService<PasserelleDbContext>(), cache.Wait);

        var before = await cache.Cache.GetAsync(read, Ct);
        var unchanged = await cache.Cache.GetAsync(read, Ct);
        // A write by another request: this request keeps the position it read (one read per request).
        await WriteAsync();
        var sameRequest = await cache.Cache.GetAsync(read, Ct);
        // A write through this request's own context: it reads the position again and sees its write.
        var writer = scope.ServiceProvider.GetRequiredService<RegistryWriter>();
        await using (var session = await writer.BeginAsync(Actor.Command("test"), Ct))
        {
            session.Create(new Organisation { Slug = "registry-cache-own-" + Guid.NewGuid().ToString("N"), Name = "Registry cache test" });
            await session.CommitAsync(Ct);
        }

        var afterOwnWrite = await cache.Cache.GetAsync(read, Ct);

        Assert.Equal([1, 1, 1, 2], new[] { before.Value.N, unchanged.Value.N, sameRequest.Value.N, afterOwnWrite.Value.N });
        Assert.True(afterOwnWrite.IsCurrent);
    }
}
