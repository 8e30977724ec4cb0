using System.Diagnostics;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

using Npgsql;

using Passerelle.Core.Data;
using Passerelle.Core.Data.Backup;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

public sealed class SqliteOlderBackupTests(PasserelleApp app) : OlderBackupTests<PasserelleApp>(app);

public sealed class PostgresOlderBackupTests(PostgresApp app) : OlderBackupTests<PostgresApp>(app);

/// <summary>
/// A backup made by an earlier build (before the History migration created its tables) restores into this one: the
/// database becomes exactly the backup, then the missing migrations run. (On PostgreSQL, restoring object by object
/// left the newer tables behind and the migration then failed on them.)
/// </summary>
public abstract class OlderBackupTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private const string FirstMigration = "Initial";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restore_BackupMadeBeforeALaterMigration_ReplacesTheDatabaseThenMigratesIt()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-older-").FullName;
        try
        {
            var file = Path.Combine(folder, "older.backup");
            await MakeBackupAtFirstMigrationAsync(file);
            var allMigrations = await app.WithDbAsync(db => Task.FromResult(db.Database.GetMigrations().ToList()));
            Assert.True(allMigrations.Count > 1, "this build has migrations after the first");
            Assert.True(await app.WithDbAsync(db => db.Projects.AnyAsync(Ct)), "the database holds the default data before the restore");

            RestoreResult result;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                result = await scope.ServiceProvider.GetRequiredService<DatabaseBackup>().RestoreAsync(file, Ct);
            }

            Assert.Equal(allMigrations.Count - 1, result.MigrationsApplied);
            var (applied, projects, changeSets) = await app.WithDbAsync(async db => (
                (await db.Database.GetAppliedMigrationsAsync(Ct)).ToList(),
                await db.Projects.CountAsync(Ct),
                await db.ChangeSets.CountAsync(Ct)));
            Assert.Equal(allMigrations, applied);
            Assert.Equal(0, projects); // the backup's content: an empty registry
            Assert.Equal(0, changeSets); // the newer tables are the migration's, not left over from before the restore
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A database migrated to the first migration only, backed up as the provider's backup does.</summary>
    private async Task<string> MakeBackupAtFirstMigrationAsync(string file)
    {
        if (app.Provider == DatabaseProvider.Sqlite)
        {
            await using var db = new SqliteDbContext(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={file};Pooling=False").Options);
            var first = db.Database.GetMigrations().First(m => m.EndsWith("_" + FirstMigration, StringComparison.Ordinal));
            await db.GetService<IMigrator>().MigrateAsync(first, Ct);
            return first;
        }

        var name = $"passerelle_test_{Guid.NewGuid():N}";
        await TestPostgres.CreateDatabaseAsync(name);
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString) { Database = name };
            string firstMigration;
            await using (var db = new PostgresDbContext(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(connection.ToString()).Options))
            {
                firstMigration = db.Database.GetMigrations().First(m => m.EndsWith("_" + FirstMigration, StringComparison.Ordinal));
                await db.GetService<IMigrator>().MigrateAsync(firstMigration, Ct);
            }

            NpgsqlConnection.ClearAllPools();
            var start = new ProcessStartInfo(DatabaseBackup.FindPgTool("pg_dump")) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "--format=custom", "--no-owner", "--no-privileges", "--file", file })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["PGHOST"] = connection.Host;
            start.Environment["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["PGDATABASE"] = name;
            start.Environment["PGUSER"] = connection.Username;
            using var process = Process.Start(start)!;
            var errors = await process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            Assert.True(process.ExitCode == 0, errors);
            return firstMigration;
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(name);
        }
    }
}
