using System.Globalization;
using System.Net;
using System.Text;

using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Web.Tests.Imports;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

public sealed class SqliteCrashTests : CrashTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresCrashTests : CrashTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}

/// <summary>
/// kill -9 during each bulk writer (an import, the seeding, the territory import), as a power cut or the OOM killer
/// does it: the real command runs with Registry:PauseBeforeCommitSeconds, so it is killed with everything written but
/// not committed. The database must then hold exactly what it held before (every table, row for row), the write lock
/// must be free, and the next start (or the same command again) completes the work.
/// </summary>
public abstract class CrashTests : IAsyncDisposable
{
    private const int ImportedProjects = 300;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly List<ProcessDatabase> _databases = [];

    protected abstract DatabaseProvider Provider { get; }

    [Fact]
    public async Task Import_KilledBeforeCommit_LeavesEveryTableAsBeforeAndTheImportRunsAgain()
    {
        var database = await DatabaseAsync(fromTemplate: true);
        var csv = ImportSupport.SyntheticProjects(database.Folder, ImportedProjects, "CRASH");
        var before = await database.SnapshotAsync();

        await KillBeforeCommitAsync(database, "import", "projects", csv);

        ProcessDatabase.AssertSame(before, await database.SnapshotAsync(), "after kill -9 during the import, tables differ from before it");
        await AssertWriteLockFreeAsync(database);

        var again = await PasserelleProcess.RunAsync(database.Settings(), "import", "projects", csv);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"projects imported: {ImportedProjects} created, 0 updated, 0 unchanged", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(before["Projects"].Rows + ImportedProjects, await database.CountAsync("Projects"));

        using var host = await WebHostProcess.StartAsync(database.Settings());
        await AssertServesTheWholeRegistryAsync(host, database);
        var slug = (string)(await database.ScalarAsync("SELECT \"Slug\" FROM \"Projects\" WHERE \"Acronym\" = 'CRASH-00007'"))!;
        using var imported = await host.Client.GetAsync($"/projects/{slug}", Ct);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
    }

    [Fact]
    public async Task Seed_KilledBeforeCommitOnAnEmptyDatabase_LeavesItEmptyAndTheNextStartSeeds()
    {
        var database = await DatabaseAsync(fromTemplate: false);
        var migrated = await PasserelleProcess.RunAsync(database.Settings(), "migrate");
        Assert.True(migrated.ExitCode == 0, migrated.ToString());
        var before = await database.SnapshotAsync();

        await KillBeforeCommitAsync(database, "seed");

        ProcessDatabase.AssertSame(before, await database.SnapshotAsync(), "after kill -9 during the seeding, tables differ from the migrated database");
        foreach (var table in new[] { "Programmes", "Projects", "Organisations", "Facts", "Sources", "ChangeSets", "Revisions" })
        {
            Assert.True(await database.CountAsync(table) == 0, $"{table} is not empty after the seeding was killed");
        }

        await AssertWriteLockFreeAsync(database);

        // The next start completes it: the web host seeds (and imports the territories) itself when told to, the
        // default on SQLite.
        var settings = database.Settings();
        settings["Database:SeedOnStart"] = "true";
        settings["Territories:ImportOnStart"] = "true";
        using var host = await WebHostProcess.StartAsync(settings);
        await AssertServesTheWholeRegistryAsync(host, database);
    }

    [Fact]
    public async Task ImportTerritories_KilledBeforeCommit_LeavesEveryTableAsBeforeAndTheNextStartImportsThem()
    {
        var database = await DatabaseAsync(fromTemplate: false);
        foreach (var command in new[] { "migrate", "seed" })
        {
            var result = await PasserelleProcess.RunAsync(database.Settings(), command);
            Assert.True(result.ExitCode == 0, $"{command}: {result}");
        }

        var before = await database.SnapshotAsync();
        Assert.Equal(0, before["TerritoryUnits"].Rows);

        await KillBeforeCommitAsync(database, "import-territories");

        ProcessDatabase.AssertSame(before, await database.SnapshotAsync(), "after kill -9 during the territory import, tables differ from before it");
        await AssertWriteLockFreeAsync(database);

        var settings = database.Settings();
        settings["Territories:ImportOnStart"] = "true";
        using var host = await WebHostProcess.StartAsync(settings);
        await AssertServesTheWholeRegistryAsync(host, database);
    }

    /// <summary>
    /// Runs the command with the pause before its commit, waits until it says it is pausing (everything written,
    /// nothing committed), checks that it holds the write lock, and kills it with SIGKILL.
    /// </summary>
    private static async Task KillBeforeCommitAsync(ProcessDatabase database, params string[] command)
    {
        var settings = database.Settings();
        settings["Registry:PauseBeforeCommitSeconds"] = "120";
        using var running = PasserelleProcess.Start(settings, command);
        await running.WaitForOutputAsync("Pausing 120 s before commit (Registry:PauseBeforeCommitSeconds)");

        var locked = await Assert.ThrowsAsync<WriteLockedException>(async () => await database.WriteLock.AcquireAsync("probe", Ct));
        Assert.Contains($"pid {running.Process.Id}", locked.Message, StringComparison.Ordinal);

        var killed = await running.KillAsync();
        Assert.True(killed.ExitCode == 128 + 9, $"not ended by SIGKILL; {killed}");
    }

    /// <summary>
    /// The operating system (SQLite's lock file) or the server (PostgreSQL's advisory lock, when it sees the dead
    /// client's connection close) releases the lock; the wait is a bound against a hang, not a timing check.
    /// </summary>
    private static async Task AssertWriteLockFreeAsync(ProcessDatabase database)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await using (await database.WriteLock.AcquireAsync("probe", Ct))
                {
                    return;
                }
            }
            catch (WriteLockedException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, Ct);
            }
        }
    }

    /// <summary>
    /// The web host serves the complete registry: every organisation and project of the default data, the
    /// territories (the eligibility finder places Lille), and /healthz reports nothing missing.
    /// </summary>
    private static async Task AssertServesTheWholeRegistryAsync(WebHostProcess host, ProcessDatabase database)
    {
        await using var template = await ProcessDatabase.CreateAsync(DatabaseProvider.Sqlite, fromTemplate: true);
        Assert.Equal(await template.SlugsAsync("Organisations"), await database.SlugsAsync("Organisations"));
        Assert.Empty((await template.SlugsAsync("Projects")).Except(await database.SlugsAsync("Projects")));
        Assert.Equal(await template.CountAsync("TerritoryUnits"), await database.CountAsync("TerritoryUnits"));

        foreach (var path in new[] { "/", "/projects/tec", "/organisations/lille-metropole", "/groupings/eurometropole" })
        {
            using var page = await host.Client.GetAsync(path, Ct);
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{path}: {page.StatusCode}");
        }

        using (var eligibility = await host.Client.GetAsync("/eligibility?lat=50.6292&lon=3.0573", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, eligibility.StatusCode);
            var text = HtmlText.Of(await eligibility.Content.ReadAsStringAsync(Ct));
            Assert.Contains("FR59350", text, StringComparison.Ordinal);
            Assert.Contains("fwv-2021-2027", await eligibility.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        var health = await host.Client.GetStringAsync("/healthz", Ct);
        Assert.StartsWith("{\"status\":\"Healthy\"", health, StringComparison.Ordinal);
    }

    private async Task<ProcessDatabase> DatabaseAsync(bool fromTemplate)
    {
        var database = await ProcessDatabase.CreateAsync(Provider, fromTemplate);
        _databases.Add(database);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
