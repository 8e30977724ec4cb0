namespace Passerelle.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the web host starts. On by default for SQLite, off for PostgreSQL.</summary>
    public bool? MigrateOnStart { get; set; }

    /// <summary>
    /// Bring the default data up to date when the web host starts (when the data set's hash differs from the one
    /// recorded). On by default for SQLite (one-command start); off for PostgreSQL, where `seed` is a deploy step like
    /// `migrate` and an instance only reports the default data missing on /healthz.
    /// </summary>
    public bool? SeedOnStart { get; set; }
}
