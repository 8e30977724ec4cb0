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

    /// <summary>Load the default data when the database is empty.</summary>
    public bool SeedOnStart { get; set; } = true;
}
