using System.Text;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Web.Tests.Imports;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

/// <summary>
/// Imports run as real processes on one SQLite file, with a projects table big enough (20,000 SYNTHETIC rows written
/// here, never committed) that an import holds the write lock for seconds.
/// </summary>
public sealed class ConcurrentImportTests(PasserelleApp app) : IClassFixture<PasserelleApp>, IDisposable
{
    private const int Rows = 20_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-concurrent-").FullName;

    [Fact]
    public async Task Import_TwoAtOnceOnOneDatabase_OneSucceedsTheOtherExits5AndNothingIsDuplicated()
    {
        var database = await CopyOfTheDatabaseAsync();
        var csv = ImportSupport.SyntheticProjects(_folder, Rows, "SYN");
        var before = await CountAsync(database, "SELECT count(*) FROM \"Projects\"");

        using var first = PasserelleProcess.Start(PasserelleProcess.Sqlite(database), "import", "projects", csv);
        using var second = PasserelleProcess.Start(PasserelleProcess.Sqlite(database), "import", "projects", csv);
        var results = await Task.WhenAll(first.WaitAsync(), second.WaitAsync());

        Assert.True(results.Select(r => r.ExitCode).Order().SequenceEqual([0, 5]), string.Join("\n\n", results.Select(r => r.ToString())));
        var winner = results.Single(r => r.ExitCode == 0);
        var loser = results.Single(r => r.ExitCode == 5);
        loser.AssertOneErrorLine(5);
        Assert.StartsWith("error: another import is running (pid ", loser.StderrLines[0], StringComparison.Ordinal);
        Assert.Contains($"projects imported: {Rows} created, 0 updated, 0 unchanged", winner.Stdout, StringComparison.Ordinal);
        Assert.Equal(before + Rows, await CountAsync(database, "SELECT count(*) FROM \"Projects\""));
        Assert.Equal(Rows, await CountAsync(database, "SELECT count(DISTINCT \"Acronym\") FROM \"Projects\" WHERE \"Acronym\" LIKE 'SYN-%'"));
    }

    [Fact]
    public async Task WriteLock_HolderKilledDuringImport_IsReleasedAndTheImportIsAllOrNothing()
    {
        var database = await CopyOfTheDatabaseAsync();
        var csv = ImportSupport.SyntheticProjects(_folder, Rows, "SYN");
        var writeLock = new WriteLock(DatabaseProvider.Sqlite, $"Data Source={database}");

        using var import = PasserelleProcess.Start(PasserelleProcess.Sqlite(database), "import", "projects", csv);
        // Until the import holds the lock (a bound, not a timing check: the process may start slowly).
        var deadline = DateTime.UtcNow.AddSeconds(180);
        var held = false;
        while (!held && !import.Process.HasExited && DateTime.UtcNow < deadline)
        {
            try
            {
                await using (await writeLock.AcquireAsync("probe", Ct))
                {
                }

                await Task.Delay(100, Ct);
            }
            catch (WriteLockedException e)
            {
                held = true;
                Assert.StartsWith("another import is running", e.Message, StringComparison.Ordinal);
            }
        }

        Assert.True(held, "the import never held the write lock");
        import.Process.Kill(); // SIGKILL: nothing of the process runs after it
        await import.Process.WaitForExitAsync(Ct);

        await using (await writeLock.AcquireAsync("import", Ct))
        {
            // Released by the operating system with the process.
        }

        var imported = await CountAsync(database, "SELECT count(*) FROM \"Projects\" WHERE \"Acronym\" LIKE 'SYN-%'");
        Assert.True(imported is 0 or Rows, $"{imported} of {Rows} projects: the import was not all-or-nothing");
    }

    private async Task<string> CopyOfTheDatabaseAsync()
    {
        var file = Path.Combine(_folder, "passerelle.db");
        await app.WithDbAsync(db => db.Database.ExecuteSqlAsync($"VACUUM INTO {file}", Ct));
        return file;
    }

    private static async Task<long> CountAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
