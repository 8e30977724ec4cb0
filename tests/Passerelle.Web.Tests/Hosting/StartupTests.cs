using System.Diagnostics;
using System.Net;

using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Npgsql;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.DefaultData;
using Passerelle.Core.History;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

/// <summary>The web host's start with the providers' own defaults (the fixtures elsewhere force MigrateOnStart).</summary>
public sealed class StartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_UnmigratedPostgres_ExitsWithMessageTellingToRunMigrate()
    {
        // The real executable, as an operator starts it: the check must stop Program before it serves anything.
        await using var app = new DefaultsPostgresApp();
        await app.CreateDatabaseOnlyAsync();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Passerelle.Web.dll"));
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        start.Environment["Database__Provider"] = "Postgres";
        start.Environment["ConnectionStrings__Passerelle"] = app.ConnectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // A bound, not a timing check: under a parallel test run a fresh process can take a while to start.
        timeout.CancelAfter(TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var error = await stderr;
        _ = await stdout;
        Assert.Equal(3, process.ExitCode);
        Assert.Contains("error: The Postgres database has ", error, StringComparison.Ordinal);
        Assert.Contains("pending migration(s)", error, StringComparison.Ordinal);
        Assert.Contains("Passerelle.Web migrate", error, StringComparison.Ordinal);
        // And it did not migrate on its own.
        Assert.False(await app.TableExistsAsync("__EFMigrationsHistory"));
    }

    [Fact]
    public async Task Start_PostgresAfterMigrateOnly_ServesDegradedUntilSeedAndTerritoryImport()
    {
        // On PostgreSQL, seeding and the territory import are deploy steps like `migrate`: an instance started before
        // them serves, and says on /healthz what is missing and which command adds it.
        await using var app = new DefaultsPostgresApp();
        await app.CreateAndMigrateAsync();
        await app.InitializeAsync();
        using var client = app.CreateClient();
        var health = await client.GetStringAsync("/healthz", Ct);
        Assert.Contains("\"status\":\"Degraded\"", health, StringComparison.Ordinal);
        Assert.Contains("run `Passerelle.Web seed`", health, StringComparison.Ordinal);
        Assert.Contains("import-territories", health, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/projects/tec", Ct)).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var initializer = scope.ServiceProvider.GetRequiredService<DatabaseInitializer>();
            await initializer.SeedAsync(Actor.Command("seed"), Ct);
            await initializer.ImportTerritoriesAsync(Actor.Command("import-territories"), Ct);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/projects/tec", Ct)).StatusCode);
        Assert.Contains("\"status\":\"Healthy\"", await client.GetStringAsync("/healthz", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_FreshSqliteFile_MigratesAndSeedsOnItsOwn()
    {
        await using var app = new DefaultsSqliteApp();
        await app.InitializeAsync();
        using var client = app.CreateClient();
        var response = await client.GetAsync("/projects/tec", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Created by EF, which puts a new SQLite database in WAL mode: readers never block a write's commit. A start
        // that opened the file before EF created it left it in rollback-journal mode, and concurrent requests' writes
        // failed with "database is locked" (ADR 36).
        Assert.Equal("wal", await app.WithDbAsync(db => db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync(Ct)) is [var mode] ? mode : null);
    }

    [Fact]
    public async Task Start_SqliteFileInRollbackJournalMode_PutInWalModeAndWritesBesideReads()
    {
        await using var app = new RollbackJournalApp();
        await app.InitializeAsync();

        Assert.Equal("wal", await app.WithDbAsync(db => db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync(Ct)) is [var mode] ? mode : null);
        // What rollback-journal mode broke: a commit while another connection is reading.
        await using var reader = new SqliteConnection(app.ConnectionString + ";Pooling=false");
        await reader.OpenAsync(Ct);
        await using var transaction = reader.BeginTransaction(deferred: true);
        await using (var read = reader.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT COUNT(*) FROM \"Projects\"";
            Assert.True((long)(await read.ExecuteScalarAsync(Ct))! > 0);
        }

        var slug = await app.WriteAsync(async session =>
        {
            var organisation = session.Create(new Passerelle.Core.Organisations.Organisation { Slug = $"wal-{Guid.NewGuid():N}"[..20], Name = "WAL", IsPublished = true });
            await session.FlushAsync();
            return organisation.Slug;
        });
        Assert.True(await app.WithDbAsync(db => db.Organisations.AnyAsync(o => o.Slug == slug, Ct)));
    }

    [Fact]
    public async Task Start_WithoutTheSharedFolder_SeedsEveryPartnerOfTheRepositoryFacts()
    {
        // A clone alone: no geodata folder (and no territory import, which would download), only data/default.
        await using var app = new NoSharedFolderApp();
        await app.InitializeAsync();
        var registry = await app.WithDbAsync(async db => (
            Projects: await db.Projects.AsNoTracking().ToDictionaryAsync(p => p.Acronym, p => p.Id, Ct),
            Names: (await db.Organisations.AsNoTracking().Select(o => new { o.Id, o.Name }).ToListAsync(Ct))
                .Concat(await db.OrganisationAliases.AsNoTracking().Select(a => new { Id = a.OrganisationId, a.Name }).ToListAsync(Ct)).ToList(),
            Participations: await db.Participations.AsNoTracking().Select(p => new { p.ProjectId, p.OrganisationId }).ToListAsync(Ct)));
        Assert.False(await app.WithDbAsync(db => db.TerritoryUnits.AnyAsync(Ct)));

        var rows = FactsCsv.Read(Path.Combine(new DataPathOptions().ResolveDefaultDataPath(), DefaultDataLoader.ProjectFactsFile))
            .Where(r => r.Field is "partner" or "lead_partner").ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var name = Slug.MatchKey(row.Value.Split('|')[0].Trim());
            var organisation = registry.Names.Where(n => Slug.MatchKey(n.Name) == name).Select(n => n.Id).Distinct();
            var id = Assert.Single(organisation);
            Assert.Contains(registry.Participations, p => p.ProjectId == registry.Projects[row.Project] && p.OrganisationId == id);
        }
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task PendingMigrations_NewOlderAndCurrentDatabase_ListedAsEfListsThem(string provider)
    {
        // A SQLite start lists them with plain SQL (ADR 36), PostgreSQL through EF; EF's own list is the reference.
        await using var app = new DefaultsPostgresApp();
        var folder = Directory.CreateTempSubdirectory("passerelle-pending-").FullName;
        try
        {
            PasserelleDbContext db;
            if (provider == "Sqlite")
            {
                db = new SqliteDbContext(new DbContextOptionsBuilder<SqliteDbContext>()
                    .UseSqlite($"Data Source={Path.Combine(folder, "p.db")};Pooling=false").Options);
            }
            else
            {
                await app.CreateDatabaseOnlyAsync();
                db = new PostgresDbContext(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(app.ConnectionString).Options);
            }

            await using (db)
            {
                var all = db.Database.GetMigrations().ToList();
                Assert.True(all.Count > 1);
                Assert.Equal(all, await DatabaseInitializer.PendingMigrationsAsync(db, Ct));
                Assert.Equal(await db.Database.GetPendingMigrationsAsync(Ct), await DatabaseInitializer.PendingMigrationsAsync(db, Ct));

                await db.Database.MigrateAsync(Ct);
                Assert.Empty(await DatabaseInitializer.PendingMigrationsAsync(db, Ct));

                // A database of the build before the last migration.
                await db.Database.ExecuteSqlAsync($"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = {all[^1]}", Ct);
                Assert.Equal([all[^1]], await DatabaseInitializer.PendingMigrationsAsync(db, Ct));
                Assert.Equal(await db.Database.GetPendingMigrationsAsync(Ct), await DatabaseInitializer.PendingMigrationsAsync(db, Ct));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class DefaultsSqliteApp : PasserelleApp
    {
        protected override string? MigrateOnStart => null;

        // No file at all, as a first start has: the run's template is not copied in.
        protected override bool UseTemplate => false;

        protected override string? LoadDataOnStart => null;
    }

    /// <summary>The run's template, switched to rollback-journal mode before the host starts on it.</summary>
    private sealed class RollbackJournalApp : PasserelleApp
    {
        protected override async Task PrepareDatabaseAsync()
        {
            await base.PrepareDatabaseAsync();
            await using var connection = new SqliteConnection(ConnectionString + ";Pooling=false");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = DELETE";
            Assert.Equal("delete", (string?)await command.ExecuteScalarAsync());
        }
    }

    private sealed class NoSharedFolderApp : PasserelleApp
    {
        protected override bool UseTemplate => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Territories:DataPath", "");
            builder.UseSetting("Territories:ImportOnStart", "false");
        }
    }

    private sealed class DefaultsPostgresApp : PostgresApp
    {
        private bool _created;

        protected override string? MigrateOnStart => null;

        protected override string? LoadDataOnStart => null;

        // An empty database, not a copy of the run's migrated template: these tests are about an unmigrated start.
        protected override bool UseTemplate => false;

        protected override async Task PrepareDatabaseAsync()
        {
            if (!_created)
            {
                await base.PrepareDatabaseAsync();
            }
        }

        public async Task CreateDatabaseOnlyAsync()
        {
            await base.PrepareDatabaseAsync();
            _created = true;
        }

        /// <summary>What `Passerelle.Web migrate` does, before the web host exists.</summary>
        public async Task CreateAndMigrateAsync()
        {
            await base.PrepareDatabaseAsync();
            _created = true;
            await using var db = new PostgresDbContext(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(ConnectionString).Options);
            await db.Database.MigrateAsync(Ct);
        }

        public async Task<bool> TableExistsAsync(string table)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", connection);
            command.Parameters.AddWithValue("t", $"\"{table}\"");
            return (bool)(await command.ExecuteScalarAsync(Ct))!;
        }
    }
}
