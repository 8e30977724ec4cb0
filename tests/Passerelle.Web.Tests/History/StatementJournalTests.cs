using System.Data;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.History;

/// <summary>
/// On SQLite a write session keeps its statement journals in memory (ADR 30, "statement journals in memory"), and its
/// connection goes back to SQLite's default temporary storage afterwards, committed or not: a large sort on that
/// pooled connection later (an export) must still be able to spill to disk.
/// </summary>
public sealed class StatementJournalTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private const long Default = 0;
    private const long Memory = 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BeginAsync_Sqlite_JournalsInMemoryDuringTheSessionDefaultAfter(bool commit)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
        var slug = $"journal-{Guid.NewGuid():N}";
        await using (var session = await scope.ServiceProvider.GetRequiredService<RegistryWriter>().BeginAsync(Actor.Command("test"), Ct))
        {
            Assert.Equal(Memory, await TempStoreAsync(db));
            var source = await PasserelleApp.TestSourceAsync(session);
            var project = session.Create(new Project { Slug = slug, Acronym = "JRN", ProgrammeCode = "TEST" });
            session.SetValue(project, Fields.Project.Title.En, "Statement journals", source);
            if (commit)
            {
                await session.CommitAsync(Ct);
            }
        }

        Assert.Equal(ConnectionState.Closed, db.Database.GetDbConnection().State);
        Assert.Equal(Default, await TempStoreAsync(db));
        Assert.Equal(commit, await db.Projects.AnyAsync(p => p.Slug == slug, Ct));
    }

    private static async Task<long> TempStoreAsync(PasserelleDbContext db)
    {
        await db.Database.OpenConnectionAsync(Ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = "PRAGMA temp_store";
            return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
