using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.Registry;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

public sealed class SqliteMultiInstanceTests(PasserelleApp app) : MultiInstanceTests<PasserelleApp>(app);

public sealed class PostgresMultiInstanceTests(PostgresApp app) : MultiInstanceTests<PostgresApp>(app);

/// <summary>
/// Two web hosts on one database, as behind a load balancer: the fixture's host and a second one built from the same
/// settings (<see cref="WebApplicationFactory{T}.WithWebHostBuilder"/>), each with its own services and listener.
/// </summary>
public abstract class MultiInstanceTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Generous: the listener polls every 0.2 s here; the bound only keeps a broken feed from hanging the run.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private WebApplicationFactory<Program> SecondHost(RecordingSubscriber? recorder = null) => app.WithWebHostBuilder(b =>
    {
        b.UseSetting("ChangeFeed:PollIntervalSeconds", "0.2");
        if (recorder is not null)
        {
            b.ConfigureTestServices(s => s.AddSingleton<IChangeFeedSubscriber>(recorder));
        }
    });

    [Fact]
    public async Task ChangeFeed_ProjectTitleUpdatedOnOneHost_ReachesTheOtherHostsSubscriber()
    {
        var recorder = new RecordingSubscriber();
        await using var second = SecondHost(recorder);
        _ = second.Server; // started: its listener is at the end of the feed

        await app.WriteAsync(async session =>
        {
            var project = await session.Db.Projects.SingleAsync(p => p.Slug == "valys", Ct);
            await session.LoadValuesAsync([project], Ct);
            return session.SetValue(project, Fields.Project.Title.En, "VALYS, renamed on host one", await PasserelleApp.TestSourceAsync(session));
        });

        var seen = await recorder.WaitForAsync(e => e is { EntityType: "Project", EntityId: "valys", Kind: ChangeKind.Modified }, Patience);
        Assert.True(seen, $"host two's subscriber saw: {recorder.Describe()}");

        using var client = second.CreateClient();
        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/projects/valys", Ct);
        Assert.Equal("VALYS, renamed on host one", json.GetProperty("summary").GetProperty("title").GetProperty("en").GetString());
    }

    [Fact]
    public async Task Search_ProjectEditedOnOneHost_IsFoundOnTheOtherHostWithinSeconds()
    {
        await using var second = SecondHost();
        using var client = second.CreateClient();
        await second.Services.WaitUntilReadyAsync();
        async Task<int> TotalAsync(string q) =>
            (await client.GetFromJsonAsync<JsonElement>($"/api/v1/search?q={q}&type=project", Ct)).GetProperty("total").GetInt32();

        // Host two has built its index from the database before the edit.
        Assert.Equal(0, await TotalAsync("zebrafinch"));
        Assert.True(await TotalAsync("biseps") > 0);

        await app.WriteAsync(async session =>
        {
            var project = await session.Db.Projects.SingleAsync(p => p.Slug == "nicivalys", Ct);
            await session.LoadValuesAsync([project], Ct);
            return session.SetValue(project, Fields.Project.Summary.En, "Platforms for storks and a zebrafinch census in the Lys valley.",
                await PasserelleApp.TestSourceAsync(session));
        });

        var deadline = DateTime.UtcNow + Patience;
        var found = 0;
        while (DateTime.UtcNow < deadline && (found = await TotalAsync("zebrafinch")) == 0)
        {
            await Task.Delay(200, Ct);
        }

        Assert.Equal(1, found);
    }

    [Fact]
    public async Task ChangeFeed_ParticipationDeletedAndSlugRenamed_RecordsEntriesTheOtherHostCanResolve()
    {
        var recorder = new RecordingSubscriber();
        await using var second = SecondHost(recorder);
        _ = second.Server;

        await app.WriteAsync(async session =>
        {
            var db = session.Db;
            var participation = await db.Participations.Include(p => p.Project).Include(p => p.Organisation)
                .FirstAsync(p => p.Project.Slug == "biseps" && p.Organisation.Slug == "leiedal", Ct);
            db.Participations.Remove(participation);
            var theme = await db.Themes.SingleAsync(t => t.Slug == "biodiversity", Ct);
            theme.Slug = "nature-biodiversity";
            return 0;
        });

        Assert.True(await recorder.WaitForAsync(e => e is { EntityType: "Participation", EntityId: "biseps/leiedal", Kind: ChangeKind.Deleted }, Patience), recorder.Describe());
        Assert.True(await recorder.WaitForAsync(e => e is { EntityType: "Theme", EntityId: "biodiversity", Kind: ChangeKind.Deleted }, Patience), recorder.Describe());
        Assert.True(await recorder.WaitForAsync(e => e is { EntityType: "Theme", EntityId: "nature-biodiversity", Kind: ChangeKind.Modified }, Patience), recorder.Describe());
    }

    [Fact]
    public async Task ChangeFeed_FailedSave_RecordsNothing()
    {
        var before = await app.WithDbAsync(db => db.ChangeFeed.CountAsync(Ct));
        // A duplicate slug violates the unique index: the project's entry must roll back with it.
        await Assert.ThrowsAsync<DbUpdateException>(() => app.WriteAsync(async session =>
        {
            var project = await session.Db.Projects.SingleAsync(p => p.Slug == "tec", Ct);
            project.Slug = "valys";
            return 0;
        }));

        Assert.Equal(before, await app.WithDbAsync(db => db.ChangeFeed.CountAsync(Ct)));
    }

    [Fact]
    public async Task DataProtection_ProtectedOnOneHost_UnprotectsOnTheOther()
    {
        await using var second = SecondHost();
        var protectedText = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("tests").Protect("shared secret");
        var unprotected = second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("tests").Unprotect(protectedText);
        Assert.Equal("shared secret", unprotected);
        Assert.True(await app.WithDbAsync(db => db.DataProtectionKeys.AnyAsync(Ct)), "the key is stored in the database");
    }

    private sealed class RecordingSubscriber : IChangeFeedSubscriber
    {
        private readonly ConcurrentQueue<ChangeEntry> _seen = new();

        public Task OnChangesAsync(IReadOnlyList<ChangeEntry> changes, CancellationToken cancellationToken)
        {
            foreach (var change in changes)
            {
                _seen.Enqueue(change);
            }

            return Task.CompletedTask;
        }

        public async Task<bool> WaitForAsync(Func<ChangeEntry, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                if (_seen.Any(match))
                {
                    return true;
                }

                await Task.Delay(50, Ct);
            }

            return _seen.Any(match);
        }

        public string Describe() => string.Join(", ", _seen.Select(e => $"{e.Id}:{e.EntityType}/{e.EntityId}/{e.Kind}"));
    }
}
