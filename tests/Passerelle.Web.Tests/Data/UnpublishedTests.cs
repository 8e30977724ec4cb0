using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Data;

public sealed class SqliteUnpublishedTests(PasserelleApp app) : UnpublishedTests<PasserelleApp>(app)
{
    /// <summary>
    /// SQLite uses a partial index only when the query's condition is its filter as an expression: if the translation
    /// of <c>!p.IsPublished</c> ever changed, every organisation's page would read every project's flag again, silently.
    /// </summary>
    [Fact]
    public async Task PublishedAsync_Sqlite_ReadsTheUnpublishedIdsFromTheirPartialIndexes()
    {
        var plan = await App.QueryPlanAsync(async db =>
            (IQueryable)(await Unpublished.ParticipationsAsync(db, organisationsToo: true, Unpublished.ExcludedByIdUpTo, Ct)).Select(x => x.Id));

        Assert.Contains(plan, l => l.Contains("IX_Projects_Unpublished", StringComparison.Ordinal));
        Assert.Contains(plan, l => l.Contains("IX_Organisations_Unpublished", StringComparison.Ordinal));
    }
}

public sealed class PostgresUnpublishedTests(PostgresApp app) : UnpublishedTests<PostgresApp>(app);

/// <summary>
/// The participations the public sees (ADR 31, "the few unpublished records read once"): whether the unpublished
/// projects and organisations are excluded by their ids (few) or each row's flag is read (many), the same rows.
/// </summary>
public abstract class UnpublishedTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected TApp App => app;

    [Theory]
    [InlineData(Unpublished.ExcludedByIdUpTo)] // the fixture's few drafts: excluded by their ids
    [InlineData(0)] // above the bound (this test's draft alone is one): each row's flag read
    public async Task ParticipationsAsync_FewOrManyUnpublished_LeavesOutDraftsAndHiddenOrganisations(int upTo)
    {
        var tag = "up" + Guid.NewGuid().ToString("N")[..8];
        await app.WriteAsync(async session =>
        {
            Organisation Organisation(string name, bool published) =>
                session.Create(new Organisation { Slug = $"{tag}-{name}", Name = $"{name} {tag}", Country = "BE", IsPublished = published });
            Project Project(string name, bool published) =>
                session.Create(new Project { Slug = $"{tag}-{name}", Acronym = $"{tag}-{name}", ProgrammeCode = "UP" + tag, IsPublished = published });

            var (shown, hidden) = (Organisation("shown", true), Organisation("hidden", false));
            var (published, draft) = (Project("published", true), Project("draft", false));
            foreach (var (project, organisation) in new[] { (published, shown), (published, hidden), (draft, shown), (draft, hidden) })
            {
                session.Create(new Participation { Project = project, Organisation = organisation, Role = ParticipationRole.Partner });
            }

            await session.FlushAsync();
            return 0;
        });

        async Task<List<string>> ReadAsync(bool organisationsToo) => await app.WithDbAsync(async db =>
            await (await Unpublished.ParticipationsAsync(db, organisationsToo, upTo, Ct))
                .Where(x => x.Project.ProgrammeCode == "UP" + tag)
                .Select(x => x.Project.Slug + " " + x.Organisation.Slug)
                .OrderBy(s => s)
                .ToListAsync(Ct));

        Assert.Equal([$"{tag}-published {tag}-hidden", $"{tag}-published {tag}-shown"], await ReadAsync(organisationsToo: false));
        Assert.Equal([$"{tag}-published {tag}-shown"], await ReadAsync(organisationsToo: true));
    }
}
