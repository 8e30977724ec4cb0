using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Api;

public sealed class SqliteProjectListFilterTests(PasserelleApp app) : ProjectListFilterTests<PasserelleApp>(app);

public sealed class PostgresProjectListFilterTests(PostgresApp app) : ProjectListFilterTests<PostgresApp>(app);

/// <summary>
/// The project list's filters (GET /api/v1/projects; the programme page lists its projects the same way): a programme
/// by its code (every period, and projects no programme record is linked to) or by one period's slug, a published
/// organisation, a theme, and any of them together. Each filter reads its record's id before the projects, so these
/// pin what it must still find.
/// </summary>
public abstract class ProjectListFilterTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The slugs, among those starting with <paramref name="tag"/>, on every page of the list, and its total.</summary>
    private async Task<(List<string> Tagged, int Total)> ListAsync(string query, string tag)
    {
        using var client = app.CreateClient();
        var slugs = new List<string>();
        for (var page = 1; ; page++)
        {
            var response = await client.GetAsync($"/api/v1/projects?{query}&pageSize=100&page={page}", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            slugs.AddRange(json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!));
            var total = json.GetProperty("total").GetInt32();
            if (page * 100 >= total)
            {
                Assert.Equal(total, slugs.Count);
                return ([.. slugs.Where(s => s.StartsWith(tag, StringComparison.Ordinal)).Order(StringComparer.Ordinal)], total);
            }
        }
    }

    /// <summary>
    /// Under FWV, the test's own projects: one linked to each period, one linked to no programme record, and a draft;
    /// a published partner of the linked ones and the draft, a draft partner of the unlinked one; a theme on one
    /// linked project and the draft. Their slugs and acronyms start with the returned tag.
    /// </summary>
    private async Task<(string Tag, string Partner, string Hidden)> WriteProjectsAsync()
    {
        var tag = "lf" + Guid.NewGuid().ToString("N")[..8];
        var (partner, hidden) = await app.WriteAsync(async session =>
        {
            var source = await session.SourceAsync(new Source { Key = tag, Title = "List filters test source " + tag });
            var current = await session.Db.Programmes.SingleAsync(p => p.Slug == "fwv-2021-2027", Ct);
            var earlier = await session.Db.Programmes.SingleAsync(p => p.Slug == "fwv-2014-2020", Ct);
            var theme = await session.Db.Themes.SingleAsync(t => t.Slug == "biodiversity", Ct);

            Organisation NewOrganisation(string name, bool published)
            {
                var o = session.Create(new Organisation { Slug = $"{tag}-{name}", Name = $"{tag} {name}", IsPublished = published });
                session.SetValue(o, Fields.Organisation.Name, o.Name, source);
                return o;
            }

            Project NewProject(string name, Programme? programme, bool published = true)
            {
                var p = session.Create(new Project { Slug = $"{tag}-{name}", Acronym = $"{tag}-{name}", ProgrammeCode = "FWV", Programme = programme, IsPublished = published });
                session.SetValue(p, Fields.Project.Acronym, p.Acronym, source);
                return p;
            }

            var partner = NewOrganisation("partner", published: true);
            var hidden = NewOrganisation("hidden", published: false);
            var linked = NewProject("current", current);
            var unlinked = NewProject("unlinked", null);
            var older = NewProject("earlier", earlier);
            var draft = NewProject("draft", current, published: false);
            linked.Themes.Add(theme);
            draft.Themes.Add(theme);
            foreach (var project in new[] { linked, older, draft })
            {
                session.Create(new Participation { Project = project, Organisation = partner, Role = ParticipationRole.Partner });
            }

            session.Create(new Participation { Project = unlinked, Organisation = hidden, Role = ParticipationRole.Partner });
            await session.FlushAsync();
            return (partner.Slug, hidden.Slug);
        });
        return (tag, partner, hidden);
    }

    [Fact]
    public async Task ListProjects_ByProgrammeOrganisationOrTheme_ListsThePublishedProjectsThatMatch()
    {
        var (tag, partner, hidden) = await WriteProjectsAsync();

        // A code: every period and the projects linked to none; a slug: that period only.
        Assert.Equal([$"{tag}-current", $"{tag}-earlier", $"{tag}-unlinked"], (await ListAsync("programme=FWV", tag)).Tagged);
        Assert.Equal([$"{tag}-current"], (await ListAsync("programme=fwv-2021-2027", tag)).Tagged);
        Assert.Equal([$"{tag}-earlier"], (await ListAsync("programme=fwv-2014-2020", tag)).Tagged);
        Assert.Equal(0, (await ListAsync("programme=no-such-programme", tag)).Total);

        // An organisation's published projects; a draft organisation's are not listed under it.
        var byPartner = await ListAsync($"organisation={partner}", tag);
        Assert.Equal([$"{tag}-current", $"{tag}-earlier"], byPartner.Tagged);
        Assert.Equal(2, byPartner.Total);
        Assert.Equal(0, (await ListAsync($"organisation={hidden}", tag)).Total);

        Assert.Equal([$"{tag}-current"], (await ListAsync("theme=biodiversity", tag)).Tagged);
        Assert.Equal(0, (await ListAsync("theme=no-such-theme", tag)).Total);

        // Filters together: all must hold.
        var all = await ListAsync($"programme=fwv-2021-2027&organisation={partner}&theme=biodiversity", tag);
        Assert.Equal([$"{tag}-current"], all.Tagged);
        Assert.Equal(1, all.Total);
        Assert.Equal(0, (await ListAsync($"programme=fwv-2014-2020&theme=biodiversity&organisation={partner}", tag)).Total);
    }

    /// <summary>
    /// A value that is both a period's slug and other projects' code lists both: the filter writes the OR of the two only
    /// in that case (the slug alone is one index range, ADR 31), and must not lose the projects that carry the code.
    /// </summary>
    [Fact]
    public async Task ListProjects_ValueBothASlugAndACode_ListsTheProjectsOfBoth()
    {
        var tag = "lb" + Guid.NewGuid().ToString("N")[..8];
        await app.WriteAsync(async session =>
        {
            var period = session.Create(new Programme { Slug = $"{tag}-period", Code = $"{tag.ToUpperInvariant()}CODE", Period = "2021-2027" });
            session.Create(new Project { Slug = $"{tag}-linked", Acronym = $"{tag}-linked", ProgrammeCode = period.Code, Programme = period });
            session.Create(new Project { Slug = $"{tag}-coded", Acronym = $"{tag}-coded", ProgrammeCode = period.Slug });
            session.Create(new Project { Slug = $"{tag}-other", Acronym = $"{tag}-other", ProgrammeCode = period.Code });
            await session.FlushAsync();
            return 0;
        });

        Assert.Equal([$"{tag}-coded", $"{tag}-linked"], (await ListAsync($"programme={tag}-period", tag)).Tagged);
        Assert.Equal([$"{tag}-linked", $"{tag}-other"], (await ListAsync($"programme={tag.ToUpperInvariant()}CODE", tag)).Tagged);
    }

    /// <summary>
    /// A programme named by a period's slug alone is read from the (programme, acronym, id) index in the list's order,
    /// never sorted: with the OR of the slug's record and the code, PostgreSQL read all of a programme's projects and
    /// sorted them, 37–40 ms for the programme page's first 100 of 1,698 at 2 M.
    /// </summary>
    [Fact]
    public async Task FilteredAsync_PeriodSlug_IsARangeOfTheProgrammeIndexInTheListsOrder()
    {
        var postgres = await app.WithDbAsync(db => Task.FromResult(db.Database.IsNpgsql()));
        var plan = await app.QueryPlanAsync(async db => (await ProjectQueries.FilteredAsync(db, new ProjectFilter(Programme: "fwv-2014-2020"), Ct))
            .OrderBy(p => p.Acronym).ThenBy(p => p.Id).Select(p => p.Id).Take(100));

        // PostgreSQL: `Index Cond: (("ProgrammeId" = 1) AND …)`; SQLite: `SEARCH p USING COVERING INDEX … (ProgrammeId=?)`.
        Assert.Contains(plan, l => postgres
            ? l.Contains("Index Cond", StringComparison.Ordinal) && l.Contains("(\"ProgrammeId\" =", StringComparison.Ordinal)
            : l.Contains("(ProgrammeId=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, l => l.Contains(postgres ? "Sort" : "TEMP B-TREE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/v1/exports/operations.csv", "FWV", "current earlier unlinked")]
    [InlineData("/api/v1/exports/operations.csv", "fwv-2021-2027", "current")]
    [InlineData("/api/v1/exports/keep/projects.csv", "FWV", "current earlier unlinked")]
    [InlineData("/api/v1/exports/keep/projects.csv", "fwv-2014-2020", "earlier")]
    // A draft partner is left out, so the unlinked project (whose only partner is one) has no partner row.
    [InlineData("/api/v1/exports/keep/partners.csv", "FWV", "current earlier")]
    [InlineData("/api/v1/exports/keep/partners.csv", "fwv-2021-2027", "current")]
    [InlineData("/api/v1/projects/export.csv", "fwv-2014-2020", "earlier")]
    public async Task Export_ByProgrammeCodeOrSlug_HasThatProgrammesPublishedProjectsOnly(string path, string programme, string expected)
    {
        var (tag, _, _) = await WriteProjectsAsync();
        using var client = app.CreateClient();

        var response = await client.GetAsync($"{path}?programme={programme}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var found = new[] { "current", "earlier", "unlinked", "draft" }.Where(name => body.Contains($"{tag}-{name}", StringComparison.Ordinal));
        Assert.Equal(expected.Split(' '), found);
    }
}
