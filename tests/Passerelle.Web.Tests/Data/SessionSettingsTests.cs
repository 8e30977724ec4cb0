using Microsoft.EntityFrameworkCore;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Data;

/// <summary>
/// The application's PostgreSQL sessions plan without parallel workers and without JIT compilation (ADR 40): on a small
/// server either costs more than a page's whole query. Read from the server itself, in a session the application's own
/// context opened, so that a connection string the server ignored, or a context built without it, fails here.
/// </summary>
public sealed class SessionSettingsTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApplicationSession_Postgres_PlansWithoutWorkersOrJit()
    {
        var settings = await app.WithDbAsync(db => db.Database.SqlQueryRaw<string>(
            "SELECT name || '=' || setting || ' from ' || source AS \"Value\" FROM pg_settings WHERE name IN ('max_parallel_workers_per_gather', 'jit') ORDER BY name")
            .ToListAsync(Ct));

        // "client": set by the session's connection, not by the test server's configuration.
        Assert.Equal(["jit=off from client", "max_parallel_workers_per_gather=0 from client"], settings);
    }
}
