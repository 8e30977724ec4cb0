using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.DefaultData;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Data;

public sealed class SqliteStartQueriesTests(PasserelleApp app) : StartQueriesTests<PasserelleApp>(app);

public sealed class PostgresStartQueriesTests(PostgresApp app) : StartQueriesTests<PostgresApp>(app);

/// <summary>
/// The reads a start makes with plain SQL before the host serves (ADR 36), on both databases: the change feed's end,
/// where an instance's listener starts (what it builds at start already reflects the database), and whether the
/// default data is the one the database holds.
/// </summary>
public abstract class StartQueriesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_FeedWithEntries_BeginsAtItsLastEntry()
    {
        var before = await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => (long?)e.Id, Ct)) ?? 0;
        // The seeded registry wrote to the feed: a start at 0 would be told apart.
        Assert.True(before > 0);
        using var listener = new ChangeFeedListener(
            app.Services.GetRequiredService<IServiceScopeFactory>(), [], new ChangeFeedOptions(), TimeProvider.System,
            NullLogger<ChangeFeedListener>.Instance);

        await listener.StartAsync(Ct);
        await listener.StopAsync(Ct);

        var after = await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => (long?)e.Id, Ct)) ?? 0;
        Assert.InRange(listener.LastSeen, before, after);
    }

    [Fact]
    public async Task IsCurrentAsync_RecordedHashOrAnother_TrueOnlyForTheRecorded()
    {
        var recorded = await app.WithDbAsync(db => db.AppSettings.Where(s => s.Key == DefaultDataSeeder.HashSetting).Select(s => s.Value).SingleAsync(Ct));
        await using var scope = app.Services.CreateAsyncScope();
        var seeder = scope.ServiceProvider.GetRequiredService<DefaultDataSeeder>();

        Assert.True(await seeder.IsCurrentAsync(recorded, Ct));
        Assert.False(await seeder.IsCurrentAsync(recorded + "0", Ct));
        Assert.False(await seeder.IsCurrentAsync("", Ct));
    }
}
