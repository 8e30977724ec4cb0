using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Core.Registry;
using Passerelle.Core.Search;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>
/// The real web host over a real database: a fresh SQLite file per fixture (PostgreSQL when the provider fixture says
/// so), migrated and seeded with the default data exactly as the one-command start does.
/// </summary>
public class PasserelleApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _sqliteTemplate;
    private static string? _sqliteTemplateIndex;
    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-web-").FullName;

    /// <summary>
    /// Whether this fixture starts from a copy of a database migrated, seeded and with territories imported once per
    /// test run: the start-up path is the same (it finds the data there and adds nothing), minus seconds per fixture.
    /// </summary>
    protected virtual bool UseTemplate => true;

    /// <summary>
    /// Whether the host keeps its search index in <see cref="SearchIndexFolder"/> (Search:IndexPath) rather than in
    /// memory. A fixture from the template starts with a copy of the template host's index, which matches its copy of
    /// the database, so it opens that index (the restart path of an instance with Search:IndexPath) instead of
    /// building one: about 0.7 s of CPU less per fixture, for more than a hundred fixtures a run. The rebuild itself is
    /// tested where it is the subject (SearchIndexOnDisk, SearchIndexRestart, SearchRebuildPages, readiness tests).
    /// </summary>
    protected virtual bool IndexOnDisk => UseTemplate;

    /// <summary>Whether disposing leaves the fixture's folder in place (the run's templates live for the whole run).</summary>
    protected virtual bool KeepsFolder => false;

    public virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    /// <summary>The Database:MigrateOnStart setting; null leaves the provider's default (on for SQLite, off for PostgreSQL).</summary>
    protected virtual string? MigrateOnStart => "true";

    /// <summary>
    /// Database:SeedOnStart and Territories:ImportOnStart; null leaves the provider's default (on for SQLite, off for
    /// PostgreSQL, where they are deploy steps). The fixtures turn them on so that both providers hold the default data.
    /// </summary>
    protected virtual string? LoadDataOnStart => "true";

    public string SqliteFile => Path.Combine(_folder, "passerelle.db");

    /// <summary>Where this fixture's search index is kept when <see cref="IndexOnDisk"/>.</summary>
    public string SearchIndexFolder => Path.Combine(_folder, "search-index");

    // The first host built by this factory takes the folder; hosts derived from it (WithWebHostBuilder), which run
    // beside it, keep their index in memory: one folder serves one instance (Search:IndexPath).
    private bool _indexFolderTaken;

    /// <summary>Where this fixture's published export files go (Exports:FilesPath).</summary>
    public string ExportFilesFolder => Path.Combine(_folder, "exports");

    public virtual string ConnectionString => $"Data Source={SqliteFile}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Provider.ToString());
        if (MigrateOnStart is { } migrate)
        {
            builder.UseSetting("Database:MigrateOnStart", migrate);
        }

        if (LoadDataOnStart is { } load)
        {
            builder.UseSetting("Database:SeedOnStart", load);
            builder.UseSetting("Territories:ImportOnStart", load);
        }

        builder.UseSetting("ConnectionStrings:Passerelle", ConnectionString);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Every fixture starts without an administrator, so each would print its setup link: more than a hundred
        // warnings in the output a failing run shows, around the failures themselves.
        builder.UseSetting("Logging:LogLevel:Passerelle.Web.Areas.Admin.SetupLinkService", "Error");
        // The automatic backups of `restore` in the fixture's folder, not under the content root (the source tree).
        builder.UseSetting("Backup:Folder", Path.Combine(_folder, "backups"));
        // The published export files too (ADR 34): the default is under the content root.
        builder.UseSetting("Exports:FilesPath", ExportFilesFolder);
        // The test server's requests have no client address, so every sign-in of a fixture shares one rate-limit
        // partition; classes that sign in a dozen users a minute would get 429. The limit is tested in ConfiguredApp.
        builder.UseSetting("RateLimits:SignInPerMinute", "10000");
        // The same for the API: a test polling a route while something rebuilds (ReadinessTests) passes 600 a minute.
        builder.UseSetting("RateLimits:ApiPerMinute", "1000000");
        // Pages assert the registry's figures right after a write: on a loaded CI machine, computing them on a small
        // registry can take longer than a production visitor is kept waiting. RegistryCacheTests cover the wait itself.
        builder.UseSetting("RegistryCache:WaitForCurrent", "00:01:00");
        if (IndexOnDisk && !_indexFolderTaken)
        {
            _indexFolderTaken = true;
            builder.UseSetting("Search:IndexPath", SearchIndexFolder);
            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new IndexKeeper(this)));
        }
    }

    // The search index of the host that keeps it in this fixture's folder, closed before the folder is removed.
    private SearchIndex? _folderIndex;

    /// <summary>Takes the search index of the host that keeps it in the folder, as that host builds its pipeline.</summary>
    private sealed class IndexKeeper(PasserelleApp app) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => pipeline =>
        {
            app._folderIndex = pipeline.ApplicationServices.GetRequiredService<SearchIndex>();
            next(pipeline);
        };
    }

    /// <summary>
    /// Whether <see cref="InitializeAsync"/> waits until the instance is ready (/readyz: the search and territory
    /// indexes are built in the background after the start). Tests of the time before that turn it off.
    /// </summary>
    protected virtual bool WaitForReadiness => true;

    public virtual async ValueTask InitializeAsync()
    {
        await PrepareDatabaseAsync();
        // Starting the server runs the same start-up as `dotnet run` (DatabaseStartupService): migrate, then seed.
        _ = Server;
        if (WaitForReadiness)
        {
            await Services.WaitUntilReadyAsync();
        }
    }

    /// <summary>Writes through the one write path, as a command named "test" (the tests' data builder).</summary>
    public async Task<T> WriteAsync<T>(Func<WriteSession, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<RegistryWriter>();
        await using var session = await writer.BeginAsync(Actor.Command("test"));
        var result = await action(session);
        await session.CommitAsync();
        return result;
    }

    /// <summary>The tests' own source, created the first time a value uses it.</summary>
    public static Task<SourceHandle> TestSourceAsync(WriteSession session) =>
        session.SourceAsync(new Source { Key = "test", Title = "Written by a test" });

    protected virtual async Task PrepareDatabaseAsync()
    {
        if (!UseTemplate || Provider != DatabaseProvider.Sqlite)
        {
            return;
        }

        File.Copy(await SqliteTemplateAsync(), SqliteFile);
        CopyTemplateIndex(_sqliteTemplateIndex);
    }

    /// <summary>Copies the template host's search index (left by its stop) into this fixture's folder.</summary>
    protected void CopyTemplateIndex(string? templateIndex)
    {
        if (!IndexOnDisk || templateIndex is null || !Directory.Exists(templateIndex))
        {
            return;
        }

        Directory.CreateDirectory(SearchIndexFolder);
        foreach (var file in Directory.GetFiles(templateIndex))
        {
            // Lucene's lock is the OS's lock on this file, not the file itself; a copy would only mislead a reader.
            if (Path.GetFileName(file) != "write.lock")
            {
                File.Copy(file, Path.Combine(SearchIndexFolder, Path.GetFileName(file)));
            }
        }
    }

    /// <summary>
    /// The run's SQLite template, built the first time it is asked for: migrated, seeded and with the territories
    /// imported by the one-command start. Copy it; never open it for writing.
    /// </summary>
    public static async Task<string> SqliteTemplateAsync()
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_sqliteTemplate is null)
            {
                var builder = new TemplateBuilder();
                await builder.InitializeAsync();
                // Its copies then read the registry's values as kept instead of computing them, as their index.
                await builder.Services.WaitUntilRegistryValuesKeptAsync();
                var file = builder.SqliteFile;
                await builder.DisposeAsync();
                _sqliteTemplateIndex = builder.SearchIndexFolder;
                _sqliteTemplate = file;
            }

            return _sqliteTemplate;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private sealed class TemplateBuilder : PasserelleApp
    {
        protected override bool UseTemplate => false;

        protected override bool IndexOnDisk => true;

        protected override bool KeepsFolder => true;
    }

    public async Task<T> WithDbAsync<T>(Func<PasserelleDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<PasserelleDbContext>());
    }

    /// <summary>
    /// The plan the database makes for the query <paramref name="build"/> returns: PostgreSQL's <c>EXPLAIN</c> lines, or
    /// the details of SQLite's <c>EXPLAIN QUERY PLAN</c>. On PostgreSQL sequential and bitmap scans, right for a fixture's
    /// few rows, are switched off for it, so the plan shows the index a large table is read by and what bounds it.
    /// </summary>
    public Task<List<string>> QueryPlanAsync(Func<PasserelleDbContext, Task<IQueryable>> build) => WithDbAsync(async db =>
    {
        var postgres = db.Database.IsNpgsql();
        var query = await build(db);
        await db.Database.OpenConnectionAsync();
        try
        {
            if (postgres)
            {
                await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off; SET enable_bitmapscan = off");
            }

            await using var command = query.CreateDbCommand();
            command.CommandText = (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + command.CommandText;
            await using var reader = await command.ExecuteReaderAsync();
            var lines = new List<string>();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(postgres ? 0 : 3));
            }

            return lines;
        }
        finally
        {
            if (postgres)
            {
                await db.Database.ExecuteSqlRawAsync("RESET enable_seqscan; RESET enable_bitmapscan");
            }

            await db.Database.CloseConnectionAsync();
        }
    });

    /// <inheritdoc cref="QueryPlanAsync(Func{PasserelleDbContext, Task{IQueryable}})"/>
    public Task<List<string>> QueryPlanAsync(Func<PasserelleDbContext, IQueryable> build) => QueryPlanAsync(db => Task.FromResult(build(db)));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // The factory stops and disposes the host while Program's own app.RunAsync, woken by that stop, does the same:
        // whichever disposes second returns at once, maybe while the first still closes the search index. This call
        // returns once the index is closed (SearchIndex.Dispose), so the folder is not removed under its last commit
        // (CI, 2 December: "error: File not found: .../search-index/_d_Lucene45_0.dvm" from the entry point).
        _folderIndex?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (KeepsFolder)
        {
            return; // the template's database and index live for the whole test run
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine is left in the temp folder rather than failing the run.
        }

        GC.SuppressFinalize(this);
    }
}
