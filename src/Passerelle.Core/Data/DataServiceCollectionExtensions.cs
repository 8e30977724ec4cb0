using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data.ChangeFeed;

namespace Passerelle.Core.Data;

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "Passerelle";
    public const string DefaultSqliteFile = "data/local/passerelle.db";

    // Stateless (its per-save state lives on the context), so one instance serves every context.
    private static readonly ChangeFeedInterceptor FeedInterceptor = new();
    private static readonly Registry.WritePathGuard Guard = new();

    /// <summary>
    /// Registers <see cref="PasserelleDbContext"/> for the configured provider. A relative SQLite file is placed under
    /// <paramref name="contentRoot"/> and its folder created, so the first start needs no setup.
    /// </summary>
    public static IServiceCollection AddPasserelleData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton(options);
        var connectionString = configuration.GetConnectionString(ConnectionStringName);

        switch (options.Provider)
        {
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException(
                        "Database:Provider is Postgres but ConnectionStrings:Passerelle is not set.");
                }

                services.AddDbContext<PasserelleDbContext, PostgresDbContext>(o => o.UseNpgsql(connectionString).AddInterceptors(Guard, FeedInterceptor));
                break;
            default:
                var sqlite = SqliteConnectionString(connectionString, contentRoot);
                services.AddDbContext<PasserelleDbContext, SqliteDbContext>(o => o.UseSqlite(sqlite).AddInterceptors(Guard, FeedInterceptor));
                break;
        }

        services.AddScoped<Backup.DatabaseBackup>();
        services.AddSingleton(configuration.GetSection(Registry.RegistryWriterOptions.Section).Get<Registry.RegistryWriterOptions>() ?? new Registry.RegistryWriterOptions());
        services.AddScoped<Registry.RegistryWriter>();
        return services;
    }

    public static string SqliteConnectionString(string? configured, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(
            string.IsNullOrWhiteSpace(configured) ? $"Data Source={DefaultSqliteFile}" : configured);
        if (builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        }

        if (Path.GetDirectoryName(builder.DataSource) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        builder.Pooling = true;
        return builder.ToString();
    }
}
