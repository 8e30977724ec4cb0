using System.Net;

using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Exports;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Core.Territories;
using Passerelle.Core.Themes;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Exports;

public sealed class SqliteListExportsTests(PasserelleApp app) : ListExportsTests<PasserelleApp>(app);

public sealed class PostgresListExportsTests(PostgresApp app) : ListExportsTests<PostgresApp>(app);

/// <summary>
/// The project and organisation list exports (<c>/api/v1/projects/export.*</c>, <c>/api/v1/organisations/export.*</c>)
/// on both databases: a project's lead partner and themes come from their own join and stream and must land on that
/// project's row; an organisation's project count comes from arrays of ids and must count its published projects only.
/// </summary>
public abstract class ListExportsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<List<T>> RowsAsync<T>(Func<ListExports, IAsyncEnumerable<T>> rows)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var list = new List<T>();
        await foreach (var row in rows(scope.ServiceProvider.GetRequiredService<ListExports>()).WithCancellation(Ct))
        {
            list.Add(row);
        }

        return list;
    }

    [Fact]
    public async Task Projects_LeadsAndThemes_EachOnItsOwnProjectsRow()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var code = "LX" + tag.ToUpperInvariant();
        await app.WriteAsync(async session =>
        {
            var n = 0;
            Organisation Organisation(string name, bool published = true) =>
                session.Create(new Organisation { Slug = $"lx-{tag}-{++n}", Name = $"{name} {tag}", Country = "BE", City = "Tournai", IsPublished = published });
            Project Project(string acronym, bool published = true) =>
                session.Create(new Project { Slug = $"lx-{tag}-{++n}", Acronym = acronym, ProgrammeCode = code, IsPublished = published });
            void Link(Project project, Organisation organisation, ParticipationRole role) =>
                session.Create(new Participation { Project = project, Organisation = organisation, Role = role });

            var themeA = session.Create(new Theme { Slug = $"lx-{tag}-a" });
            var themeB = session.Create(new Theme { Slug = $"lx-{tag}-b" });
            // Created in this order, so the Zeta lead has the lower id: the lead of a project naming two.
            var zeta = Organisation("Zeta lead");
            var alpha = Organisation("Alpha lead");
            var hidden = Organisation("Hidden lead", published: false);

            // Rows are in acronym order, then id: the second A-SAME has neither themes nor lead, between two that have.
            var first = Project("A-SAME");
            first.Themes.Add(themeB);
            first.Themes.Add(themeA);
            Link(first, hidden, ParticipationRole.LeadPartner);
            Link(first, alpha, ParticipationRole.LeadPartner);
            Project("A-SAME");
            var twoLeads = Project("B-TWO-LEADS");
            Link(twoLeads, alpha, ParticipationRole.LeadPartner);
            Link(twoLeads, zeta, ParticipationRole.LeadPartner);
            Link(twoLeads, hidden, ParticipationRole.Partner);
            var draft = Project("C-DRAFT", published: false);
            draft.Themes.Add(themeA);
            Link(draft, zeta, ParticipationRole.LeadPartner);
            var themed = Project("D-THEMED");
            themed.Themes.Add(themeA);
            Link(themed, zeta, ParticipationRole.Partner);
            await session.FlushAsync();
            return 0;
        });

        var rows = await RowsAsync(e => e.Projects(new ProjectFilter(code), Ct));

        Assert.Equal(
            [
                ("A-SAME", $"Alpha lead {tag}", $"lx-{tag}-a; lx-{tag}-b"),
                ("A-SAME", "", ""),
                ("B-TWO-LEADS", $"Zeta lead {tag}", ""),
                ("D-THEMED", "", $"lx-{tag}-a"),
            ],
            rows.Select(r => (r.Acronym, r.LeadName ?? "", string.Join("; ", r.Themes))));
        Assert.All(rows.Where(r => r.LeadName is not null), r => Assert.Equal(("BE", "Tournai"), (r.LeadCountry, r.LeadCity)));

        // The whole list: the same rows, in the same order, among the others.
        var all = await RowsAsync(e => e.Projects(new ProjectFilter(), Ct));
        Assert.Equal(
            rows.Select(r => (r.Slug, r.LeadSlug, string.Join("; ", r.Themes))),
            all.Where(r => r.ProgrammeCode == code).Select(r => (r.Slug, r.LeadSlug, string.Join("; ", r.Themes))));
        Assert.Equal(all.Count, all.Select(r => r.Slug).Distinct().Count());
    }

    [Fact]
    public async Task Organisations_ProjectCounts_PublishedProjectsOnly()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        await app.WriteAsync(async session =>
        {
            var n = 0;
            Organisation Organisation(string name, string country, bool published = true) =>
                session.Create(new Organisation { Slug = $"lo-{tag}-{++n}", Name = $"{tag} {name}", Country = country, IsPublished = published });
            Project Project(bool published = true) =>
                session.Create(new Project { Slug = $"lo-{tag}-{++n}", Acronym = $"LO-{tag}", ProgrammeCode = "LO" + tag, IsPublished = published });
            void Link(Project project, Organisation organisation) =>
                session.Create(new Participation { Project = project, Organisation = organisation, Role = ParticipationRole.Partner });

            var beta = Organisation("Beta", "ZZ");
            var alpha = Organisation("Alpha", "ZZ");
            var gamma = Organisation("Gamma", "YY");
            var hidden = Organisation("Hidden", "ZZ", published: false);
            var published1 = Project();
            var published2 = Project();
            var draft = Project(published: false);
            Link(published1, alpha);
            Link(published2, alpha);
            Link(draft, alpha);
            Link(draft, beta);
            Link(published1, gamma);
            Link(published1, hidden);
            await session.FlushAsync();
            return 0;
        });

        var ofCountry = await RowsAsync(e => e.Organisations("ZZ", Ct));
        var all = await RowsAsync(e => e.Organisations(null, Ct));

        Assert.Equal([($"{tag} Alpha", 2), ($"{tag} Beta", 0)], ofCountry.Where(r => r.Name.StartsWith(tag, StringComparison.Ordinal)).Select(r => (r.Name, r.ProjectCount)));
        Assert.All(ofCountry, r => Assert.Equal("ZZ", r.Country));
        Assert.Equal(
            [($"{tag} Alpha", 2), ($"{tag} Beta", 0), ($"{tag} Gamma", 1)],
            all.Where(r => r.Name.StartsWith(tag, StringComparison.Ordinal)).Select(r => (r.Name, r.ProjectCount)));

        // Over HTTP, the file written for the whole list has the same counts.
        using var client = app.CreateClient();
        var response = await client.GetAsync("/api/v1/organisations/export.csv", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n").Where(l => l.Contains($"lo-{tag}-", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal(["2", "0", "1"], lines.Select(l => l.Split(',')[^1]));
    }

    [Theory]
    [InlineData(50_000)]
    [InlineData(0)]
    public async Task LocatedProjects_LeadsPlacedOrNot_TheRowsAndCountOfLocatingEveryRow(int listedLimit)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var code = "LG" + tag.ToUpperInvariant();
        var slugs = await app.WriteAsync(async session =>
        {
            var n = 0;
            Organisation Organisation(double? latitude, double? longitude, string? city = null, string? country = null, bool published = true) =>
                session.Create(new Organisation
                {
                    Slug = $"lg-{tag}-{++n}",
                    Name = $"Lead {tag} {n}",
                    Latitude = latitude,
                    Longitude = longitude,
                    City = city,
                    Country = country,
                    IsPublished = published,
                });
            Project Project(string acronym, bool published = true) =>
                session.Create(new Project { Slug = $"lg-{tag}-{++n}", Acronym = acronym, ProgrammeCode = code, IsPublished = published });
            void Link(Project project, Organisation organisation, ParticipationRole role = ParticipationRole.LeadPartner) =>
                session.Create(new Participation { Project = project, Organisation = organisation, Role = role });

            // Created first, so the lowest id: the lead of a project naming it beside another.
            var offTheMap = Organisation(95, 3.06, $"Nowhere {tag}", "FR");
            var exact = Organisation(50.63, 3.06);
            var atMunicipality = Organisation(null, null, "Lille", "FR");
            var hidden = Organisation(50.85, 4.35, published: false);

            var placed = Project("A-EXACT");
            Link(placed, exact);
            var unplaced = Project("B-OFF-THE-MAP");
            Link(unplaced, offTheMap);
            var municipal = Project("C-MUNICIPALITY");
            Link(municipal, atMunicipality);
            var noLead = Project("D-NO-LEAD");
            Link(noLead, exact, ParticipationRole.Partner);
            var twoLeads = Project("E-TWO-LEADS");
            Link(twoLeads, exact);
            Link(twoLeads, offTheMap);
            var hiddenLead = Project("F-HIDDEN-LEAD");
            Link(hiddenLead, hidden);
            Link(hiddenLead, exact);
            var draft = Project("G-DRAFT", published: false);
            Link(draft, exact);
            await session.FlushAsync();
            return (Placed: placed.Slug, Municipal: municipal.Slug, Unplaced: unplaced.Slug, NoLead: noLead.Slug, TwoLeads: twoLeads.Slug, HiddenLead: hiddenLead.Slug);
        });

        foreach (var filter in new[] { new ProjectFilter(code), new ProjectFilter() })
        {
            await using var scope = app.Services.CreateAsyncScope();
            var exports = scope.ServiceProvider.GetRequiredService<ListExports>();
            exports.ListedPlacementsLimit = listedLimit;
            var locator = scope.ServiceProvider.GetRequiredService<OrganisationLocator>();
            var all = await RowsAsync(e => e.Projects(filter, Ct));
            var expected = all.Where(r => locator.Locate(r.LeadLatitude, r.LeadLongitude, r.LeadCity, r.LeadCountry) is not null).ToList();

            var placement = await exports.PlaceProjectsAsync(filter, Ct);
            var located = new List<Located<ProjectExportRow>>();
            await foreach (var row in exports.LocatedProjects(placement, Ct))
            {
                located.Add(row);
            }

            Assert.Equal(expected.Select(r => r.Slug), located.Select(r => r.Row.Slug));
            Assert.All(located, r => Assert.NotNull(r.Location));
            Assert.Equal(all.Count - expected.Count, placement.WithoutLocation);
            var slugsPlaced = located.Select(r => r.Row.Slug).ToHashSet();
            Assert.Contains(slugs.Placed, slugsPlaced);
            Assert.Contains(slugs.HiddenLead, slugsPlaced);
            Assert.Contains(slugs.Municipal, slugsPlaced);
            Assert.DoesNotContain(slugs.Unplaced, slugsPlaced);
            Assert.DoesNotContain(slugs.NoLead, slugsPlaced);
            Assert.DoesNotContain(slugs.TwoLeads, slugsPlaced);
        }
    }

    [Theory]
    [InlineData(50_000, null)]
    [InlineData(50_000, "FR")]
    [InlineData(0, "FR")]
    public async Task LocatedOrganisations_PlacedOrNot_TheRowsAndCountOfLocatingEveryRow(int listedLimit, string? country)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var slugs = await app.WriteAsync(async session =>
        {
            var n = 0;
            Organisation Organisation(double? latitude, double? longitude, string? city, bool published = true) =>
                session.Create(new Organisation
                {
                    Slug = $"lgo-{tag}-{++n}",
                    Name = $"{tag} {n}",
                    Latitude = latitude,
                    Longitude = longitude,
                    City = city,
                    Country = "FR",
                    IsPublished = published,
                });
            Project Project(bool published = true) =>
                session.Create(new Project { Slug = $"lgo-{tag}-{++n}", Acronym = $"LGO-{tag}", ProgrammeCode = "LGO" + tag, IsPublished = published });

            var exact = Organisation(50.63, 3.06, null);
            var municipal = Organisation(null, null, "Lille");
            var offTheMap = Organisation(null, 3.06, $"Nowhere {tag}");
            var hidden = Organisation(50.85, 4.35, null, published: false);
            foreach (var project in new[] { Project(), Project(), Project(published: false) })
            {
                session.Create(new Participation { Project = project, Organisation = exact, Role = ParticipationRole.Partner });
            }

            await session.FlushAsync();
            return (Exact: exact.Slug, Municipal: municipal.Slug, OffTheMap: offTheMap.Slug, Hidden: hidden.Slug);
        });

        await using var scope = app.Services.CreateAsyncScope();
        var exports = scope.ServiceProvider.GetRequiredService<ListExports>();
        exports.ListedPlacementsLimit = listedLimit;
        var locator = scope.ServiceProvider.GetRequiredService<OrganisationLocator>();
        var all = await RowsAsync(e => e.Organisations(country, Ct));
        var expected = all.Where(r => locator.Locate(r.Latitude, r.Longitude, r.City, r.Country) is not null).ToList();

        var placement = await exports.PlaceOrganisationsAsync(country, Ct);
        var located = new List<Located<OrganisationExportRow>>();
        await foreach (var row in exports.LocatedOrganisations(placement, Ct))
        {
            located.Add(row);
        }

        Assert.Equal(expected, located.Select(r => r.Row));
        Assert.Equal(all.Count - expected.Count, placement.WithoutLocation);
        Assert.Equal(2, located.Single(r => r.Row.Slug == slugs.Exact).Row.ProjectCount);
        Assert.Equal(LocationPrecision.Municipality, located.Single(r => r.Row.Slug == slugs.Municipal).Location!.Precision);
        Assert.DoesNotContain(located, r => r.Row.Slug == slugs.OffTheMap || r.Row.Slug == slugs.Hidden);
    }
}
