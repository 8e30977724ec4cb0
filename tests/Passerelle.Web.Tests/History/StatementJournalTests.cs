using System.Data;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.History;

/// <summary>
/// On SQLite a write session keeps its statement journals in memory (ADR 30, "statement journals in memory") and has a
/// larger page cache (ADR 30, "a write session's page cache"), and its connection goes back to SQLite's default
/// temporary storage and to the cache it had afterwards, committed or not: a large sort on that pooled connection later
/// (an export) must still be able to spill to disk, and a pooled connection must not keep a session's pages.
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
        var cacheBefore = await PragmaAsync(db, "cache_size");
        var megabytes = scope.ServiceProvider.GetRequiredService<RegistryWriterOptions>().SqliteCacheMegabytes;
        Assert.NotEqual(-megabytes * 1024L, cacheBefore);
        await using (var session = await scope.ServiceProvider.GetRequiredService<RegistryWriter>().BeginAsync(Actor.Command("test"), Ct))
        {
            Assert.Equal(Memory, await PragmaAsync(db, "temp_store"));
            // Negative: kibibytes.
            Assert.Equal(-megabytes * 1024L, await PragmaAsync(db, "cache_size"));
            var source = await PasserelleApp.TestSourceAsync(session);
            var project = session.Create(new Project { Slug = slug, Acronym = "JRN", ProgrammeCode = "TEST" });
            session.SetValue(project, Fields.Project.Title.En, "Statement journals", source);
            if (commit)
            {
                await session.CommitAsync(Ct);
            }
        }

        Assert.Equal(ConnectionState.Closed, db.Database.GetDbConnection().State);
        Assert.Equal(Default, await PragmaAsync(db, "temp_store"));
        Assert.Equal(cacheBefore, await PragmaAsync(db, "cache_size"));
        Assert.Equal(commit, await db.Projects.AnyAsync(p => p.Slug == slug, Ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(65_537)]
    public void From_CacheOutOfRange_SaysWhichSettingAndWhy(int megabytes)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Registry:SqliteCacheMegabytes"] = megabytes.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .Build();

        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => RegistryWriterOptions.From(configuration));

        Assert.Contains("Registry:SqliteCacheMegabytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("from 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_NoSetting_DefaultCache()
    {
        var options = RegistryWriterOptions.From(new ConfigurationBuilder().Build());

        Assert.Equal(RegistryWriterOptions.DefaultSqliteCacheMegabytes, options.SqliteCacheMegabytes);
    }

    private static async Task<long> PragmaAsync(PasserelleDbContext db, string pragma)
    {
        await db.Database.OpenConnectionAsync(Ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = "PRAGMA " + pragma;
            return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
