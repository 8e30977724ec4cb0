using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;

namespace Passerelle.Core.Tests.Data;

/// <summary>
/// The compiled models (Core/Data/CompiledModels, ADR 35) are generated code: a change to an entity or its EF
/// configuration that is not followed by `scripts/compiled-model.sh` would leave the application on the old model.
/// Each provider's compiled model must equal the model EF builds from the code, table for table and column for column,
/// and in every detail its debug view shows (keys, indexes, navigations, converters, query filters).
/// </summary>
public sealed class CompiledModelTests
{
    public static TheoryData<string> Providers() => ["Sqlite", "Postgres"];

    [Theory]
    [MemberData(nameof(Providers))]
    public void CompiledModel_EachProvider_EqualsTheModelBuiltFromTheCode(string provider)
    {
        using var db = Context(provider);
        var compiled = db.Model;
        var fromCode = db.GetService<IDesignTimeModel>().Model;

        // The same class the options name: the application runs on the generated model, not on one built at start.
        Assert.Equal(DataServiceCollectionExtensions.CompiledModel(db.GetType()).GetType(), compiled.GetType());
        Assert.NotSame(compiled, fromCode);

        AssertSame(provider, "entity types", DebugView(fromCode), DebugView(compiled));
        AssertSame(provider, "schema", Schema(fromCode), Schema(compiled));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void AddPasserelleData_EachProvider_RunsOnItsCompiledModel(string provider)
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-model-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider,
                ["ConnectionStrings:Passerelle"] = provider == "Sqlite" ? $"Data Source={Path.Combine(folder, "p.db")}" : "Host=127.0.0.1;Database=unused",
            }).Build();
            using var services = new ServiceCollection()
                .AddPasserelleData(configuration, folder).BuildServiceProvider();
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();

            Assert.Same(DataServiceCollectionExtensions.CompiledModel(db.GetType()), db.Model);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static PasserelleDbContext Context(string provider) => provider == "Sqlite"
        ? new SqliteDbContext(new DbContextOptionsBuilder<SqliteDbContext>()
            .UseSqlite("Data Source=:memory:").UseModel(DataServiceCollectionExtensions.CompiledModel(typeof(SqliteDbContext))).Options)
        : new PostgresDbContext(new DbContextOptionsBuilder<PostgresDbContext>()
            .UseNpgsql("Host=127.0.0.1;Database=unused").UseModel(DataServiceCollectionExtensions.CompiledModel(typeof(PostgresDbContext))).Options);

    private static void AssertSame(string provider, string what, string fromCode, string compiled)
    {
        var expected = fromCode.Split('\n');
        var actual = compiled.Split('\n');
        var line = Enumerable.Range(0, Math.Max(expected.Length, actual.Length))
            .FirstOrDefault(i => i >= expected.Length || i >= actual.Length || expected[i] != actual[i], -1);
        Assert.True(line < 0,
            $"{provider}'s compiled model is out of date ({what}, line {line + 1}): the code says '{expected.ElementAtOrDefault(line)?.Trim()}', "
            + $"the compiled model '{actual.ElementAtOrDefault(line)?.Trim()}'. Run scripts/compiled-model.sh.");
    }

    /// <summary>
    /// The model's long debug view (entity types, properties and their CLR types, keys, indexes, foreign keys,
    /// navigations) without annotations: the design-time model holds conventions' working state there.
    /// </summary>
    private static string DebugView(IModel model) =>
        model.ToDebugString(MetadataDebugStringOptions.LongDefault & ~MetadataDebugStringOptions.IncludeAnnotations);

    /// <summary>The database schema the model maps to: every table's columns with their store types, keys, indexes and foreign keys.</summary>
    private static string Schema(IModel model)
    {
        var text = new System.Text.StringBuilder();
        foreach (var table in model.GetRelationalModel().Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            text.AppendLine($"table {table.Schema}.{table.Name}");
            foreach (var column in table.Columns.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                text.AppendLine($"  column {column.Name} {column.StoreType} {(column.IsNullable ? "null" : "not null")} default={column.DefaultValueSql}{column.DefaultValue} computed={column.ComputedColumnSql}");
            }

            text.AppendLine($"  key {table.PrimaryKey?.Name} ({string.Join(", ", table.PrimaryKey?.Columns.Select(c => c.Name) ?? [])})");
            foreach (var index in table.Indexes.OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                text.AppendLine($"  index {index.Name} ({string.Join(", ", index.Columns.Select(c => c.Name))}) unique={index.IsUnique} filter={index.Filter}");
            }

            foreach (var key in table.ForeignKeyConstraints.OrderBy(k => k.Name, StringComparer.Ordinal))
            {
                text.AppendLine($"  foreign key {key.Name} ({string.Join(", ", key.Columns.Select(c => c.Name))}) -> {key.PrincipalTable.Name} on delete {key.OnDeleteAction}");
            }
        }

        return text.ToString();
    }
}
