using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Data;

public sealed class SqliteChangeFeedStartTests(PasserelleApp app) : ChangeFeedStartTests<PasserelleApp>(app);

public sealed class PostgresChangeFeedStartTests(PostgresApp app) : ChangeFeedStartTests<PostgresApp>(app);

/// <summary>
/// An instance's change-feed listener starts at the feed's end (what it builds at start already reflects the database),
/// read with plain SQL before the host serves (ADR 36): the end it starts from is the feed's last entry, on both databases.
/// </summary>
public abstract class ChangeFeedStartTests<TApp>(TApp app) : IClassFixture<TApp>
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
}
