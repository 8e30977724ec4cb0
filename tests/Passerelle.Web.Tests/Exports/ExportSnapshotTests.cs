using Microsoft.EntityFrameworkCore;

using Npgsql;

using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Exports;

/// <summary>
/// A full export's reads wait for their first row as long as the database needs: at 2 M projects the list of operations'
/// partners are all sorted before the first comes, 25–40 s on 2 cores, past the connection's command timeout (ADR 40).
/// Here the connection allows 1 s and the query sends its row after 1.5 s, on the caller's connection and on a second
/// reader's (PostgreSQL opens one per reader).
/// </summary>
public sealed class ExportSnapshotTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task ReadAsync_FirstRowAfterTheConnectionsTimeout_IsRead(int reader)
    {
        var connection = new NpgsqlConnectionStringBuilder(app.ConnectionString) { CommandTimeout = 1 }.ToString();
        await using var db = new PostgresDbContext(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(connection).Options);
        await using var snapshot = await ExportSnapshot.BeginAsync(db, readers: 2, Ct);

        var rows = new List<int>();
        await foreach (var row in snapshot.ReadAsync(reader, "SELECT 1 FROM pg_sleep(1.5)", [], r => r.GetInt32(0), Ct))
        {
            rows.Add(row);
        }

        Assert.Equal([1], rows);
    }

    /// <summary>
    /// An export's transactions may plan with parallel workers (PostgreSQL's default number), which the application's
    /// sessions otherwise do without (ADR 40): for those transactions only, on every reader's connection.
    /// </summary>
    [Fact]
    public async Task BeginAsync_Postgres_AllowsParallelWorkersForItsTransactionsOnly()
    {
        var settings = await app.WithDbAsync(async db =>
        {
            var during = new List<string>();
            await using (var snapshot = await ExportSnapshot.BeginAsync(db, readers: 2, Ct))
            {
                foreach (var reader in new[] { 0, 1 })
                {
                    await foreach (var value in snapshot.ReadAsync(reader, "SELECT current_setting('max_parallel_workers_per_gather')", [], r => r.GetString(0), Ct))
                    {
                        during.Add(value);
                    }
                }
            }

            var after = await db.Database.SqlQueryRaw<string>("SELECT current_setting('max_parallel_workers_per_gather') AS \"Value\"").SingleAsync(Ct);
            return (during, after);
        });

        Assert.Equal(["2", "2"], settings.during);
        Assert.Equal("0", settings.after);
    }
}
