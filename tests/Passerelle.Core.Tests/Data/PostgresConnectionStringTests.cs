using Npgsql;

using Passerelle.Core.Data;

namespace Passerelle.Core.Tests.Data;

/// <summary>
/// The product's PostgreSQL sessions plan without parallel workers and without JIT compilation (ADR 40), each unless the
/// operator's connection string sets it; the operator's other settings are kept as written.
/// </summary>
public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void PostgresConnectionString_NoOptions_SetsBoth()
    {
        var built = new NpgsqlConnectionStringBuilder(DataServiceCollectionExtensions.PostgresConnectionString("Host=db;Database=passerelle;Username=app"));

        Assert.Equal("-c max_parallel_workers_per_gather=0 -c jit=off", built.Options);
        Assert.Equal(("db", "passerelle", "app"), (built.Host, built.Database, built.Username));
    }

    [Fact]
    public void PostgresConnectionString_OtherOptions_KeepsThemAndAddsBoth()
    {
        var built = new NpgsqlConnectionStringBuilder(DataServiceCollectionExtensions.PostgresConnectionString("Host=db;Options=-c statement_timeout=5000"));

        Assert.Equal("-c statement_timeout=5000 -c max_parallel_workers_per_gather=0 -c jit=off", built.Options);
    }

    [Theory]
    [InlineData("-c max_parallel_workers_per_gather=2", "-c max_parallel_workers_per_gather=2 -c jit=off")]
    [InlineData("--max_parallel_workers_per_gather=2", "--max_parallel_workers_per_gather=2 -c jit=off")]
    [InlineData("-c jit=on", "-c jit=on -c max_parallel_workers_per_gather=0")]
    // Another setting whose name contains "jit" is not jit itself.
    [InlineData("-c jit_above_cost=500000", "-c jit_above_cost=500000 -c max_parallel_workers_per_gather=0 -c jit=off")]
    public void PostgresConnectionString_OperatorSetsOne_KeepsTheOperatorsValue(string options, string expected)
    {
        var built = new NpgsqlConnectionStringBuilder(DataServiceCollectionExtensions.PostgresConnectionString($"Host=db;Options={options}"));

        Assert.Equal(expected, built.Options);
    }
}
