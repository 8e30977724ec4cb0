using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Passerelle.Core.Data;
using Passerelle.Core.Organisations;
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

    private RegistryCache<Box> Cache(TimeSpan wait) => new(
        app.Services.GetRequiredService<IServiceScopeFactory>(),
        Options.Create(new RegistryCacheOptions { WaitForCurrent = wait }),
        TimeProvider.System,
        NullLogger<RegistryCache<Box>>.Instance);

    private Task WriteAsync() => app.WriteAsync(session =>
    {
        session.Create(new Organisation { Slug = "registry-cache-" + Guid.NewGuid().ToString("N"), Name = "Registry cache test" });
        return Task.FromResult(0);
    });

    private Task<Cached<Box>> GetAsync(RegistryCache<Box> cache, Func<PasserelleDbContext, CancellationToken, Task<Box>> compute) =>
        app.WithDbAsync(db => cache.GetAsync(db, compute, Ct));

    private Task<Cached<Box>?> TryGetAsync(RegistryCache<Box> cache, Func<PasserelleDbContext, CancellationToken, Task<Box>> compute) =>
        app.WithDbAsync(db => cache.TryGetAsync(db, compute, Ct));

    [Fact]
    public async Task GetAsync_RegistryUnchanged_ReturnsTheValueWithoutComputingAgain()
    {
        using var cache = Cache(TimeSpan.FromSeconds(30));
        var calls = 0;
        Task<Box> Compute(PasserelleDbContext db, CancellationToken ct) => Task.FromResult(new Box(Interlocked.Increment(ref calls)));

        var first = await GetAsync(cache, Compute);
        var second = await GetAsync(cache, Compute);

        Assert.Equal((1, true), (first.Value.N, first.IsCurrent));
        Assert.Equal((1, true), (second.Value.N, second.IsCurrent));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task GetAsync_RegistryMovedAndComputingSlowerThanTheWait_ReturnsThePreviousValueNotCurrentThenTheNewOne()
    {
        using var cache = Cache(TimeSpan.FromMilliseconds(100));
        var computations = new HeldAfterFirst();
        var gate = computations.Gate;

        var first = await GetAsync(cache, computations.ComputeAsync);
        await WriteAsync();
        var stale = await GetAsync(cache, computations.ComputeAsync);
        gate.SetResult();
        // The computation now ends; requests are given the previous value until it has.
        var after = await GetAsync(cache, computations.ComputeAsync);
        for (var i = 0; i < 100 && !after.IsCurrent; i++)
        {
            await Task.Delay(50, Ct);
            after = await GetAsync(cache, computations.ComputeAsync);
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
        using var cache = Cache(wait);
        var computations = new HeldAfterFirst();
        var gate = computations.Gate;

        await GetAsync(cache, computations.ComputeAsync);
        await WriteAsync();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var first = await GetAsync(cache, computations.ComputeAsync);
        var firstTook = waited.Elapsed;
        // The computation has now run for longer than the wait: a later request is not kept waiting for it again.
        var later = System.Diagnostics.Stopwatch.StartNew();
        var second = await GetAsync(cache, computations.ComputeAsync);
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
        using var cache = Cache(TimeSpan.FromSeconds(30));
        var calls = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<Box> Compute(PasserelleDbContext db, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref calls);
            await gate.Task.WaitAsync(ct);
            return new Box(n);
        }

        var requests = Enumerable.Range(0, 8).Select(_ => GetAsync(cache, Compute)).ToList();
        await Task.Delay(200, Ct);
        gate.SetResult();
        var values = await Task.WhenAll(requests);

        Assert.All(values, v => Assert.Equal((1, true), (v.Value.N, v.IsCurrent)));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task TryGetAsync_NothingComputedYetAndSlowerThanTheWait_ReturnsNullWhileGetAsyncWaits()
    {
        using var cache = Cache(TimeSpan.FromMilliseconds(50));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<Box> Compute(PasserelleDbContext db, CancellationToken ct)
        {
            await gate.Task.WaitAsync(ct);
            return new Box(7);
        }

        var none = await TryGetAsync(cache, Compute);
        var waiting = GetAsync(cache, Compute);
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
        using var cache = Cache(TimeSpan.FromSeconds(30));
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

        var before = GetAsync(cache, Compute);
        await entered.Task.WaitAsync(Ct);
        await WriteAsync();
        var after = GetAsync(cache, Compute);
        await Task.Delay(100, Ct);
        gate.SetResult();

        Assert.Equal((1, true), ((await before).Value.N, (await before).IsCurrent));
        Assert.Equal((2, true), ((await after).Value.N, (await after).IsCurrent));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task GetAsync_ComputationFails_ThrowsAndTheNextRequestComputesAgain()
    {
        using var cache = Cache(TimeSpan.FromSeconds(30));
        var calls = 0;
        Task<Box> Compute(PasserelleDbContext db, CancellationToken ct) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("first computation fails")
            : Task.FromResult(new Box(calls));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GetAsync(cache, Compute));
        var next = await GetAsync(cache, Compute);

        Assert.Equal("first computation fails", error.Message);
        Assert.Equal((2, true), (next.Value.N, next.IsCurrent));
    }
}
