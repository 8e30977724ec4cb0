using Microsoft.EntityFrameworkCore;

namespace Passerelle.Core.Data;

/// <summary>
/// A random id given to a database the first time an instance needs it, kept in <c>AppSettings</c> under
/// <see cref="SettingKey"/>. What an instance keeps on local disk (the search index) records the id of the database it
/// reflects, so a folder used with another database (another installation, a fresh one) is not mistaken for current.
/// A backup carries the id: a database restored from its own backup keeps it (the change feed then says what changed).
/// </summary>
public static class DatabaseIdentity
{
    public const string SettingKey = "database-id";

    /// <summary>The database's id, created if it has none yet.</summary>
    public static async Task<string> GetOrCreateAsync(PasserelleDbContext db, CancellationToken ct = default)
    {
        if (await ReadAsync(db, ct) is { } existing)
        {
            return existing;
        }

        // Several instances may start at once on one PostgreSQL database: each proposes an id, the primary key lets
        // exactly one insert win (the others do nothing, with no error to handle) and every instance reads the winner.
        // SQLite (3.24 and later) understands the same statement.
        var proposed = Guid.NewGuid().ToString("D");
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO \"AppSettings\" (\"Key\", \"Value\") VALUES ({SettingKey}, {proposed}) ON CONFLICT (\"Key\") DO NOTHING", ct);
        return await ReadAsync(db, ct)
            ?? throw new InvalidOperationException($"The {SettingKey} setting was inserted but cannot be read back.");
    }

    private static Task<string?> ReadAsync(PasserelleDbContext db, CancellationToken ct) =>
        db.AppSettings.AsNoTracking().Where(s => s.Key == SettingKey).Select(s => s.Value).FirstOrDefaultAsync(ct);
}
