using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.OpenData.Catalog;
using Passerelle.Core.Organisations;
using Passerelle.Core.Statistics;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Data;

public sealed class SqliteKeptRegistryValuesTests(PasserelleApp app) : KeptRegistryValuesTests<PasserelleApp>(app);

public sealed class PostgresKeptRegistryValuesTests(PostgresApp app) : KeptRegistryValuesTests<PostgresApp>(app);

/// <summary>
/// Values computed from the whole registry kept in the database for the next start (ADR 37): a new cache (a restarted
/// instance) reads the value kept at the registry's position instead of computing it, and computes it again when the
/// registry moved, when another build kept it, or when what is kept cannot be read.
/// </summary>
public abstract class KeptRegistryValuesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Kept(int N, IReadOnlyList<string> Words, DateTime? At);

    /// <summary>Computations that count themselves; the value says which one it was.</summary>
    private sealed class Counted
    {
        private int _calls;

        public int Calls => _calls;

        public Task<Kept> ComputeAsync(PasserelleDbContext db, CancellationToken ct) =>
            Task.FromResult(new Kept(Interlocked.Increment(ref _calls), ["un", "deux"], new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc)));
    }

    private RegistryCache<T> Cache<T>(Func<PasserelleDbContext, CancellationToken, Task<T>> compute, JsonSerializerOptions keep)
        where T : class => new(app.Services.GetRequiredService<IServiceScopeFactory>(), compute, TimeProvider.System, NullLogger<RegistryCache<T>>.Instance, keep);

    private static Task<T> NeverComputed<T>(PasserelleDbContext db, CancellationToken ct) =>
        throw new InvalidOperationException("the kept value should have been read");

    private Task<Cached<T>> GetAsync<T>(RegistryCache<T> cache)
        where T : class =>
        app.WithDbAsync(db => cache.GetAsync(new RegistryRead(db, Options.Create(new RegistryCacheOptions { WaitForCurrent = TimeSpan.FromSeconds(30) })), Ct));

    /// <summary>Computes the value with a first cache, and waits until it is kept.</summary>
    private async Task<Cached<T>> ComputeAndKeepAsync<T>(Func<PasserelleDbContext, CancellationToken, Task<T>> compute, JsonSerializerOptions keep)
        where T : class
    {
        using var first = Cache(compute, keep);
        var value = await GetAsync(first);
        await first.Keeping;
        Assert.False(first.LastWasKept);
        return value;
    }

    /// <summary>A write, so that each test starts at a position of its own.</summary>
    private Task MoveAsync() => app.WriteAsync(session =>
    {
        session.Create(new Organisation { Slug = "kept-value-" + Guid.NewGuid().ToString("N"), Name = "Kept value test" });
        return Task.FromResult(0);
    });

    private Task<KeptRegistryValue> KeptAsync(string name) =>
        app.WithDbAsync(db => db.KeptRegistryValues.AsNoTracking().SingleAsync(v => v.Name == name, Ct));

    private Task UpdateKeptAsync(string name, Action<UpdateSettersBuilder<KeptRegistryValue>> set) =>
        app.WithDbAsync(db => db.KeptRegistryValues.Where(v => v.Name == name).ExecuteUpdateAsync(set, Ct));

    [Fact]
    public async Task GetAsync_ValueKeptAtTheSamePosition_IsReadWithoutComputing()
    {
        await MoveAsync();
        var computed = await ComputeAndKeepAsync(new Counted().ComputeAsync, KeptRegistryValues.Json);

        using var restarted = Cache<Kept>(NeverComputed<Kept>, KeptRegistryValues.Json);
        var read = await GetAsync(restarted);

        Assert.True(restarted.LastWasKept);
        Assert.True(read.IsCurrent);
        Assert.Equal(computed.Value.N, read.Value.N);
        Assert.Equal(["un", "deux"], read.Value.Words);
        Assert.Equal((computed.Value.At, DateTimeKind.Utc), (read.Value.At, read.Value.At!.Value.Kind));
        // When it was computed, not when it was read: the home page dates its figures by it (PostgreSQL keeps it to
        // the microsecond).
        Assert.InRange(read.ComputedAt, computed.ComputedAt - TimeSpan.FromMicroseconds(1), computed.ComputedAt);
    }

    [Fact]
    public async Task GetAsync_RegistryMovedSinceTheValueWasKept_ComputesAndKeepsTheNewValue()
    {
        await MoveAsync();
        await ComputeAndKeepAsync(new Counted().ComputeAsync, KeptRegistryValues.Json);
        await MoveAsync();

        var counted = new Counted();
        using (var restarted = Cache<Kept>(counted.ComputeAsync, KeptRegistryValues.Json))
        {
            await GetAsync(restarted);
            await restarted.Keeping;
            Assert.False(restarted.LastWasKept);
        }

        using var again = Cache<Kept>(NeverComputed<Kept>, KeptRegistryValues.Json);
        await GetAsync(again);

        Assert.Equal(1, counted.Calls);
        Assert.True(again.LastWasKept);
    }

    [Fact]
    public async Task SaveAsync_ValueOfAnOlderPositionEndingLater_DoesNotReplaceTheNewerOne()
    {
        await MoveAsync();
        var older = await app.WithDbAsync(db => RegistryPosition.ReadAsync(db, Ct));
        await MoveAsync();
        await ComputeAndKeepAsync(new Counted().ComputeAsync, KeptRegistryValues.Json);
        var newer = await KeptAsync(nameof(Kept));

        // A computation that read the registry before the last write, and ends after the newer value was kept.
        await app.WithDbAsync(async db =>
        {
            await KeptRegistryValues.SaveAsync(db, nameof(Kept), older, DateTimeOffset.UtcNow, new Kept(99, [], null), KeptRegistryValues.Json, Ct);
            return 0;
        });

        var kept = await KeptAsync(nameof(Kept));
        Assert.Equal((newer.Feed, newer.Revisions, newer.Value), (kept.Feed, kept.Revisions, kept.Value));
    }

    [Fact]
    public async Task GetAsync_ValueKeptByAnotherBuild_ComputesAgain()
    {
        await MoveAsync();
        await ComputeAndKeepAsync(new Counted().ComputeAsync, KeptRegistryValues.Json);
        await UpdateKeptAsync(nameof(Kept), u => u.SetProperty(v => v.Build, "an-earlier-build"));

        var counted = new Counted();
        using var restarted = Cache<Kept>(counted.ComputeAsync, KeptRegistryValues.Json);
        await GetAsync(restarted);

        Assert.Equal(1, counted.Calls);
        Assert.False(restarted.LastWasKept);
    }

    [Fact]
    public async Task GetAsync_KeptValueUnreadable_ComputesAgainWithoutFailing()
    {
        await MoveAsync();
        await ComputeAndKeepAsync(new Counted().ComputeAsync, KeptRegistryValues.Json);
        await UpdateKeptAsync(nameof(Kept), u => u.SetProperty(v => v.Value, "{\"n\": tr"));

        var counted = new Counted();
        using var restarted = Cache<Kept>(counted.ComputeAsync, KeptRegistryValues.Json);
        var value = await GetAsync(restarted);
        await restarted.Keeping;

        Assert.Equal((1, 1), (counted.Calls, value.Value.N));
        // The unreadable text was replaced by the new value.
        Assert.Equal(1, JsonNode.Parse((await KeptAsync(nameof(Kept))).Value)!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetAsync_CatalogueKept_ReadsBackTheSameCatalogue()
    {
        // Past the position of the host's own warm-up, which keeps these values too, in the background.
        await MoveAsync();
        var computed = await ComputeAndKeepAsync<DataCatalog>(CatalogQueries.ComputeAsync, CatalogJson.Options);

        using var restarted = Cache<DataCatalog>(NeverComputed<DataCatalog>, CatalogJson.Options);
        var read = await GetAsync(restarted);

        Assert.True(restarted.LastWasKept);
        Assert.Equal(JsonSerializer.Serialize(computed.Value, CatalogJson.Options), JsonSerializer.Serialize(read.Value, CatalogJson.Options));
        // The texts' arguments are read back as what they were: a programme's name in several languages, a nested text.
        var operations = read.Value.Datasets.First(d => d.Id.StartsWith("operations-", StringComparison.Ordinal));
        Assert.IsType<LocalizedText>(operations.Title.Args[0]);
        var chart = read.Value.Datasets.Single(d => d.Id == "statistics").Distributions.First(d => d.Title.Args.Length > 0);
        Assert.IsType<CatalogText>(chart.Title.Args[0]);
        Assert.Equal(computed.Value.Datasets.Select(d => d.Modified), read.Value.Datasets.Select(d => d.Modified));
    }

    [Fact]
    public async Task GetAsync_KeyFiguresKept_ReadsBackTheSameFigures()
    {
        // Past the position of the host's own warm-up, which keeps these values too, in the background.
        await MoveAsync();
        var computed = await ComputeAndKeepAsync<KeyFigureSet>(KeyFigures.ComputeAsync, KeptRegistryValues.Json);

        using var restarted = Cache<KeyFigureSet>(NeverComputed<KeyFigureSet>, KeptRegistryValues.Json);
        var read = await GetAsync(restarted);

        Assert.True(restarted.LastWasKept);
        Assert.Equal(JsonSerializer.Serialize(computed.Value), JsonSerializer.Serialize(read.Value));
        Assert.NotEmpty(read.Value.Projects.Sources);
    }
}
