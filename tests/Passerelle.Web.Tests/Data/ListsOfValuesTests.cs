using Microsoft.EntityFrameworkCore;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Data;

public sealed class SqliteListsOfValuesTests(PasserelleApp app) : ListsOfValuesTests<PasserelleApp>(app)
{
    protected override string KeyProbe => "USING INTEGER PRIMARY KEY";
}

public sealed class PostgresListsOfValuesTests(PostgresApp app) : ListsOfValuesTests<PostgresApp>(app)
{
    protected override string KeyProbe => "PK_Organisations";
}

/// <summary>
/// A list of ids in a query goes to the database as one parameter, in the application's own context (ADR 30, "One
/// parameter for a list of ids"): with EF 10's default, one named parameter per id, SQLite walked its list of names
/// for each, so a list of 5,000 cost about 25 million string comparisons. The rows read and the key's index stay.
/// </summary>
public abstract class ListsOfValuesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What the plan names when it finds each id by the organisations' primary key.</summary>
    protected abstract string KeyProbe { get; }

    [Fact]
    public async Task Contains_ListOfIds_OneParameterTheKeysIndexAndTheRows()
    {
        var known = await app.WithDbAsync(db => db.Organisations.OrderBy(o => o.Id).Select(o => o.Id).Take(3).ToListAsync(Ct));
        Assert.Equal(3, known.Count);
        List<int> ids = [.. known, -1, int.MaxValue];

        var (parameters, found) = await app.WithDbAsync(async db =>
        {
            var query = db.Organisations.Where(o => ids.Contains(o.Id)).Select(o => o.Id);
            await using var command = query.CreateDbCommand();
            return (command.Parameters.Count, await query.ToListAsync(Ct));
        });
        var plan = await app.QueryPlanAsync(db => db.Organisations.Where(o => ids.Contains(o.Id)).Select(o => o.Id));

        Assert.Equal(1, parameters);
        Assert.Equal(known, found.Order());
        Assert.Contains(plan, l => l.Contains(KeyProbe, StringComparison.Ordinal));
    }
}
