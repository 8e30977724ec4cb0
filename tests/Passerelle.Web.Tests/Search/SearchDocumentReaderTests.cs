using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Core.Search;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Search;

public sealed class SqliteSearchDocumentReaderTests(PasserelleApp app) : SearchDocumentReaderTests<PasserelleApp>(app);

public sealed class PostgresSearchDocumentReaderTests(PostgresApp app) : SearchDocumentReaderTests<PostgresApp>(app);

/// <summary>
/// The rebuild reads projects by plain SQL (ADR 7, "the rebuild's reading"): its documents carry the values of the
/// entities as EF reads them, on both databases, whether read by pages of ids or by a list of ids (an update).
/// </summary>
public abstract class SearchDocumentReaderTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// An organisation's roles (a facet of its document) are those of its published projects, each once, whether read
    /// by pages (a rebuild, by a range of ids) or by ids (an update); a draft project's role is left out.
    /// </summary>
    [Fact]
    public async Task OrganisationsAsync_RolesByPagesAndByIds_PublishedProjectsRolesEachOnce()
    {
        var tag = "rr" + Guid.NewGuid().ToString("N")[..8];
        var organisationId = await app.WriteAsync(async session =>
        {
            var organisation = session.Create(new Organisation { Slug = $"{tag}-org", Name = $"Roles {tag}", Country = "BE" });
            foreach (var (name, role, published) in new[]
            {
                ("a", ParticipationRole.Partner, true),
                ("b", ParticipationRole.LeadPartner, true),
                ("c", ParticipationRole.Partner, true),
                ("draft", ParticipationRole.AssociatedPartner, false),
            })
            {
                var project = session.Create(new Project { Slug = $"{tag}-{name}", Acronym = $"{tag}-{name}", ProgrammeCode = "RR", IsPublished = published });
                session.Create(new Participation { Project = project, Organisation = organisation, Role = role });
            }

            await session.FlushAsync();
            return organisation.Id;
        });

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var byIds = Assert.Single(await new SearchDocumentReader(db, today).OrganisationsAsync([organisationId], Ct));
        SearchDocument? byPage = null;
        await foreach (var page in new SearchDocumentReader(db, today).OrganisationPagesAsync(2, Ct))
        {
            byPage ??= page.SingleOrDefault(d => d.Id == organisationId);
        }

        Assert.Equal(["lead-partner", "partner"], byIds.Roles);
        Assert.Equal(byIds.Roles, Assert.IsType<SearchDocument>(byPage).Roles);
    }

    [Fact]
    public async Task ProjectsAsync_EveryProjectByPagesAndByIds_ValuesOfTheEntities()
    {
        await app.Services.WaitUntilReadyAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
        var projects = await db.Projects.AsNoTracking().Where(p => p.IsPublished)
            .Include(p => p.Participations).ThenInclude(x => x.Organisation)
            .Include(p => p.Themes)
            .ToListAsync(Ct);
        var amounts = await db.Facts.AsNoTracking()
            .Where(f => f.SubjectType == SubjectType.Project && !f.Retracted
                && (f.Field == Core.Registry.Fields.Project.TotalBudget.Name || f.Field == Core.Registry.Fields.Project.Erdf.Name))
            .ToListAsync(Ct);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var reader = new SearchDocumentReader(db, today);
        var byIds = await reader.ProjectsAsync(projects.Select(p => p.Id).ToList(), Ct);
        var byPages = new List<SearchDocument>();
        await foreach (var page in new SearchDocumentReader(db, today).ProjectPagesAsync(3, Ct))
        {
            byPages.AddRange(page);
        }

        // The seed has what each column needs, so no comparison below passes for want of values.
        Assert.Contains(projects, p => p.Themes.Count > 0);
        Assert.Contains(projects, p => p.Participations.Any(x => x.NameInSource is not null && x.NameInSource != x.Organisation.Name));
        Assert.Contains(projects, p => p.TotalBudget is not null);
        Assert.Contains(projects, p => p.Participations.Any(x => x.Role == ParticipationRole.LeadPartner));
        Assert.Equal(projects.Count, byIds.Count);
        Assert.Equal(projects.Count, byPages.Count);
        var ids = byIds.ToDictionary(d => d.Id);
        var pages = byPages.ToDictionary(d => d.Id);
        foreach (var project in projects)
        {
            var partners = project.Participations.Where(x => x.Organisation.IsPublished).OrderBy(x => x.Id).ToList();
            foreach (var document in new[] { ids[project.Id], pages[project.Id] })
            {
                Assert.Equal(project.Slug, document.Slug);
                Assert.Equal(project.Acronym, document.Name);
                Assert.Equal(project.Title.All(), document.Title.All());
                Assert.Equal(project.Summary.All(), document.Summary.All());
                Assert.Equal(project.StartDate, document.StartDate);
                Assert.Equal(project.TotalBudget, document.Budget);
                Assert.Equal(project.ProgrammeCode, document.Programme);
                Assert.Equal(
                    partners.Select(x => x.Organisation.Name).Concat(partners.Select(x => x.NameInSource).OfType<string>()).Append(project.ProgrammeCode).Distinct(),
                    document.Names);
                Assert.Equal(partners.Select(x => x.Organisation.Country).OfType<string>().Distinct(), document.Countries);
                Assert.Equal(project.Themes.OrderBy(t => t.Id).Select(t => t.Slug), document.Themes);
                Assert.Equal(project.EuContribution, document.Figures!.EuContribution);
                Assert.Equal(partners.Select(x => x.OrganisationId).Distinct(), document.Figures.Partners);
                Assert.Equal(
                    partners.Where(x => x.Role == ParticipationRole.LeadPartner).Select(x => x.Organisation.Country).FirstOrDefault(),
                    document.Figures.LeadCountry);
                Assert.Equal(Sources(project.Id, Core.Registry.Fields.Project.TotalBudget.Name, project.TotalBudget), document.Figures.BudgetSources);
                Assert.Equal(Sources(project.Id, Core.Registry.Fields.Project.Erdf.Name, project.EuContribution), document.Figures.EuSources);
            }
        }

        Assert.Contains(byIds, d => d.Figures!.BudgetSources.Count > 0);

        List<int> Sources(int project, string field, decimal? shown)
        {
            var facts = amounts.Where(f => f.SubjectId == project && f.Field == field).ToList();
            return shown is null || facts.Count == 0 ? [] : Core.Statistics.PreferredValue.Sources(facts.Select(f => (f.Value, f.SourceId, f.Rank, f.Id)), shown.Value);
        }
    }
}
