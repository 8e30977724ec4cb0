using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.Data.Backup;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.Themes;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

public sealed class SqliteBackupTests(PasserelleApp app) : BackupTests<PasserelleApp>(app);

public sealed class PostgresBackupTests(PostgresApp app) : BackupTests<PostgresApp>(app);

public abstract class BackupTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restore_AfterUpdatesInsertsAndDeletes_ReturnsEveryTableToItsStateAtBackup()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-backup-").FullName;
        try
        {
            var file = Path.Combine(folder, "passerelle.backup");
            // A data-protection key too, so that table is not compared empty.
            _ = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Protect("x");
            await WithBackupAsync(b => b.BackupAsync(file, Ct));
            var atBackup = await app.WithDbAsync(SnapshotAsync);
            var feedEnd = await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => e.Id, Ct));

            await app.WithDbAsync(async db =>
            {
                await db.Projects.ExecuteUpdateAsync(s => s.SetProperty(p => p.StartDate, "1999"), Ct);
                await db.Facts.Where(f => f.Field == "role").ExecuteDeleteAsync(Ct);
                return await db.DataProtectionKeys.ExecuteDeleteAsync(Ct);
            });
            await app.WriteAsync(session =>
            {
                session.Db.Themes.Add(new Theme { Slug = "added-after-backup" });
                return Task.FromResult(0);
            });
            var changed = await app.WithDbAsync(SnapshotAsync);
            var feedEndBeforeRestore = await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => e.Id, Ct));
            Assert.NotEqual(atBackup["Projects"], changed["Projects"]);
            Assert.NotEqual(atBackup["Facts"], changed["Facts"]);
            Assert.NotEqual(atBackup["Themes"], changed["Themes"]);

            RestoreResult? result = null;
            await WithBackupAsync(async b => result = await b.RestoreAsync(file, Ct));
            var restored = await app.WithDbAsync(SnapshotAsync);

            // What the restore replaced is kept in the backups folder.
            Assert.True(File.Exists(result!.PreviousBackup), $"no automatic backup at {result.PreviousBackup}");
            Assert.Equal(0, result.MigrationsApplied);

            Assert.Equal(atBackup.Keys.Order(), restored.Keys.Order());
            foreach (var (table, state) in atBackup)
            {
                if (table == "ChangeFeed")
                {
                    continue;
                }

                Assert.True(state == restored[table], $"{table}: {state} at backup, {restored[table]} after restore");
            }

            // The feed is the backup's plus one entry telling running instances to reload everything.
            var feed = await app.WithDbAsync(db => db.ChangeFeed.AsNoTracking().OrderBy(e => e.Id).ToListAsync(Ct));
            Assert.Equal(atBackup["ChangeFeed"], await app.WithDbAsync(db => TableAsync(db, "ChangeFeed", ["Id"], $"\"Id\" <= {feedEnd}")));
            var last = Assert.Single(feed, e => e.Id > feedEnd);
            Assert.True(last.IsAll);
            // Numbered after every entry a running instance may have seen before the restore, so none misses it.
            Assert.True(last.Id > feedEndBeforeRestore, $"{last.Id} > {feedEndBeforeRestore}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Restore_MissingFile_FailsWithTheFileName()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"passerelle-missing-{Guid.NewGuid():N}.backup");
        var e = await Assert.ThrowsAsync<BackupException>(() => WithBackupAsync(b => b.RestoreAsync(missing, Ct)));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Equal(BackupError.FileNotFound, e.Error);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("random")]
    [InlineData("truncated")]
    [InlineData("newer")]
    [InlineData("other provider")]
    public async Task Restore_FileThatIsNotARestorableBackup_ThrowsInvalidFileAndChangesNoTable(string kind)
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-backup-").FullName;
        try
        {
            var file = Path.Combine(folder, kind + ".backup");
            switch (kind)
            {
                case "empty":
                    await File.WriteAllBytesAsync(file, [], Ct);
                    break;
                case "random":
                    var bytes = new byte[64 * 1024];
                    new Random(13).NextBytes(bytes);
                    await File.WriteAllBytesAsync(file, bytes, Ct);
                    break;
                case "truncated":
                    var full = Path.Combine(folder, "full.backup");
                    await WithBackupAsync(b => b.BackupAsync(full, Ct));
                    var content = await File.ReadAllBytesAsync(full, Ct);
                    await File.WriteAllBytesAsync(file, content[..(content.Length / 2)], Ct);
                    break;
                case "newer":
                    // A backup of this database as a later version would have left it: one migration more.
                    await MigrationRowAsync("INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('29991231235959_FromTheFuture', '99.0.0')");
                    try
                    {
                        await WithBackupAsync(b => b.BackupAsync(file, Ct));
                    }
                    finally
                    {
                        await MigrationRowAsync("DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = '29991231235959_FromTheFuture'");
                    }

                    break;
                default:
                    // The other provider's format: a PostgreSQL archive's signature, or a SQLite database's header.
                    await File.WriteAllBytesAsync(file, app.Provider == DatabaseProvider.Sqlite
                        ? [.. "PGDMP"u8, 1, 16, 0, 4, 8, 8, 1, 1]
                        : [.. "SQLite format 3\0"u8, .. new byte[4080]], Ct);
                    break;
            }

            var before = await app.WithDbAsync(SnapshotAsync);

            var e = await Assert.ThrowsAsync<BackupException>(() => WithBackupAsync(b => b.RestoreAsync(file, Ct)));

            Assert.Equal(BackupError.InvalidFile, e.Error);
            Assert.Contains(file, e.Message, StringComparison.Ordinal);
            Assert.EndsWith("Nothing was changed.", e.Message, StringComparison.Ordinal);
            if (kind == "newer")
            {
                Assert.Contains("29991231235959_FromTheFuture", e.Message, StringComparison.Ordinal);
            }

            var after = await app.WithDbAsync(SnapshotAsync);
            foreach (var (table, state) in before)
            {
                Assert.True(state == after[table], $"{table}: {state} before, {after[table]} after the refused restore");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private Task<int> MigrationRowAsync(string sql) => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql, Ct));

    private async Task WithBackupAsync(Func<DatabaseBackup, Task> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<DatabaseBackup>());
    }

    /// <summary>Every table of the EF model and the migrations history: row count and a digest of all columns in key order.</summary>
    private static async Task<Dictionary<string, TableState>> SnapshotAsync(PasserelleDbContext db)
    {
        // KeptRegistryValues is a cache the host writes in the background once it has computed a value (ADR 37), at
        // moments no test chooses; a restore's outcome is in the registry's tables.
        var tables = db.Model.GetEntityTypes()
            .Where(e => e.GetTableName() is not null && e.ClrType != typeof(KeptRegistryValue))
            .Select(e =>
            {
                var table = e.GetTableName()!;
                var store = StoreObjectIdentifier.Table(table, e.GetSchema());
                return (Table: table, Keys: e.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName(store)!).ToArray());
            })
            .DistinctBy(t => t.Table)
            .Append((Table: "__EFMigrationsHistory", Keys: new[] { "MigrationId" }))
            .ToList();
        Assert.True(tables.Count >= 18, $"the model's tables: {string.Join(", ", tables.Select(t => t.Table))}");
        var result = new Dictionary<string, TableState>();
        foreach (var (table, keys) in tables)
        {
            result[table] = await TableAsync(db, table, keys, null);
        }

        return result;
    }

    private static async Task<TableState> TableAsync(PasserelleDbContext db, string table, string[] keys, string? where)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(Ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"{(where is null ? "" : $" WHERE {where}")} ORDER BY {string.Join(", ", keys.Select(k => $"\"{k}\""))}";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var text = new StringBuilder();
            var rows = 0;
            while (await reader.ReadAsync(Ct))
            {
                rows++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.GetName(i)).Append('=').Append(Format(reader.GetValue(i))).Append('\u001f');
                }

                text.Append('\u001e');
            }

            return new TableState(rows, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16]);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string Format(object value) => value switch
    {
        DBNull => "\u2205",
        byte[] bytes => Convert.ToHexString(bytes),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        Array array => "[" + string.Join(",", array.Cast<object>().Select(Format)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private readonly record struct TableState(int Rows, string Digest);
}
