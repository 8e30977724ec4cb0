using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.Data.Backup;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

/// <summary>
/// `restore` run as an operator runs it, on a copy of a seeded SQLite database: a file that is not a restorable
/// backup is refused with one line and exit code 2 before anything is opened for writing, so the database stays
/// byte for byte what it was.
/// </summary>
public sealed class SafeRestoreTests(PasserelleApp app) : IClassFixture<PasserelleApp>, IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-restore-").FullName;

    [Theory]
    [InlineData("empty", "it is empty (0 bytes)")]
    [InlineData("random", "it is not a SQLite database")]
    [InlineData("truncated", "cannot be restored: it is ")]
    [InlineData("unrelated", "it is not a Passerelle database")]
    [InlineData("newer", "it was made by a newer version of Passerelle (migrations this build does not know: 29991231235959_FromTheFuture)")]
    [InlineData("postgres", "it is a PostgreSQL backup")]
    public async Task Restore_FileThatIsNotARestorableBackup_Exits2WithOneLineAndTheDatabaseByteIdentical(string kind, string reason)
    {
        var database = await CopyOfTheDatabaseAsync();
        var backup = Path.Combine(_folder, kind + ".backup");
        switch (kind)
        {
            case "empty":
                await File.WriteAllBytesAsync(backup, [], Ct);
                break;
            case "random":
                var bytes = new byte[64 * 1024];
                new Random(13).NextBytes(bytes);
                await File.WriteAllBytesAsync(backup, bytes, Ct);
                break;
            case "truncated":
                // A real backup, cut in half (a transfer interrupted, a disk full).
                var full = await BackupAsync("full.backup");
                var content = await File.ReadAllBytesAsync(full, Ct);
                await File.WriteAllBytesAsync(backup, content[..(content.Length / 2)], Ct);
                break;
            case "unrelated":
                await ExecuteAsync(backup, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 12.5);");
                break;
            case "newer":
                File.Copy(await BackupAsync("current.backup"), backup);
                await ExecuteAsync(backup, "INSERT INTO \"__EFMigrationsHistory\" VALUES ('29991231235959_FromTheFuture', '99.0.0');");
                break;
            case "postgres":
                // The first bytes of a pg_dump custom-format archive.
                await File.WriteAllBytesAsync(backup, [.. "PGDMP"u8, 1, 16, 0, 4, 8, 8, 1, 1], Ct);
                break;
        }

        var before = PasserelleProcess.Hash(database);

        var result = await PasserelleProcess.RunAsync(PasserelleProcess.Sqlite(database), "restore", backup);

        result.AssertOneErrorLine(2);
        Assert.Contains(backup, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, PasserelleProcess.Hash(database));
        Assert.False(Directory.Exists(Path.Combine(_folder, "backups")), "a refused restore backed up the database, so it went further than the checks");
    }

    [Fact]
    public async Task Restore_ValidBackup_RestoresAndKeepsTheReplacedDatabaseInTheBackupsFolder()
    {
        var database = await CopyOfTheDatabaseAsync();
        var backup = await BackupAsync("good.backup");
        await ExecuteAsync(database, "UPDATE \"Projects\" SET \"Acronym\" = 'CHANGED AFTER BACKUP' WHERE \"Slug\" = 'tec';");

        var result = await PasserelleProcess.RunAsync(PasserelleProcess.Sqlite(database), "restore", backup);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("TEC!", await AcronymAsync(database));
        // The replaced content is kept, in the folder next to the database, and the command says where.
        var kept = Assert.Single(Directory.GetFiles(Path.Combine(_folder, "backups"), "before-restore-*.backup"));
        Assert.Contains(kept, result.Stdout, StringComparison.Ordinal);
        Assert.Equal("CHANGED AFTER BACKUP", await AcronymAsync(kept));
    }

    [Fact]
    public async Task Restore_WhileAnotherProcessHoldsTheWriteLock_Exits5AndChangesNothing()
    {
        var database = await CopyOfTheDatabaseAsync();
        var backup = await BackupAsync("good.backup");
        var before = PasserelleProcess.Hash(database);

        await using (await new WriteLock(DatabaseProvider.Sqlite, $"Data Source={database}").AcquireAsync("import", Ct))
        {
            var result = await PasserelleProcess.RunAsync(PasserelleProcess.Sqlite(database), "restore", backup);

            result.AssertOneErrorLine(5);
            Assert.Contains("another import is running", result.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(before, PasserelleProcess.Hash(database));
    }

    /// <summary>A copy of the fixture's seeded database, as a file of its own that no host has open.</summary>
    private async Task<string> CopyOfTheDatabaseAsync()
    {
        var file = Path.Combine(_folder, "passerelle.db");
        await app.WithDbAsync(db => db.Database.ExecuteSqlAsync($"VACUUM INTO {file}", Ct));
        return file;
    }

    private async Task<string> BackupAsync(string name)
    {
        var file = Path.Combine(_folder, "made", name);
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseBackup>().BackupAsync(file, Ct);
        return file;
    }

    private static async Task ExecuteAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<string?> AcronymAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Acronym\" FROM \"Projects\" WHERE \"Slug\" = 'tec'";
        return (string?)await command.ExecuteScalarAsync(Ct);
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
