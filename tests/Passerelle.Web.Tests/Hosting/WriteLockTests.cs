using System.Diagnostics;
using System.Net;

using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

public sealed class SqliteWriteLockTests(PasserelleApp app) : WriteLockTests<PasserelleApp>(app);

public sealed class PostgresWriteLockTests(PostgresApp app) : WriteLockTests<PostgresApp>(app);

/// <summary>
/// The bulk writers' lock on a real database: the host's registered lock and a second instance on the same database
/// stand for two processes (SQLite: two open files; PostgreSQL: two sessions). ConcurrentImportTests does the same with
/// real processes.
/// </summary>
public abstract class WriteLockTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WriteLock Other => new(app.Provider, app.ConnectionString);

    [Fact]
    public async Task AcquireAsync_WhileAnotherHolds_ThrowsWriteLockedSayingWhatHoldsItWithinSeconds()
    {
        _ = app.Server;
        await using (await app.Services.GetRequiredService<WriteLock>().AcquireAsync("import", Ct))
        {
            var clock = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<WriteLockedException>(() => Other.AcquireAsync("restore", Ct));
            clock.Stop();

            // A generous bound against a wait on the database's own locks (SQLite's busy timeout is 30 s).
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refused after {clock.Elapsed}");
            Assert.StartsWith($"another import is running (pid {Environment.ProcessId}, since ", e.Message, StringComparison.Ordinal);
            Assert.StartsWith("import; ", e.Holder, StringComparison.Ordinal);
        }

        // Released with the handle: the next writer gets it.
        await using (await Other.AcquireAsync("restore", Ct))
        {
            var e = await Assert.ThrowsAsync<WriteLockedException>(() => app.Services.GetRequiredService<WriteLock>().AcquireAsync("seed", Ct));
            Assert.StartsWith("another restore is running", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WebHost_WhileTheLockIsHeld_ServesPages()
    {
        using var client = app.CreateClient();
        await using (await Other.AcquireAsync("import", Ct))
        {
            var response = await client.GetAsync("/projects/tec", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
