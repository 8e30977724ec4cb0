using System.Net;
using System.Text.Json;

using Passerelle.Core.Accounts;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Api.Editing.ApiWriter;

namespace Passerelle.Web.Tests.Api.Editing;

public sealed class SqliteApiDraftVisibilityTests(PasserelleApp app) : ApiDraftVisibilityTests<PasserelleApp>(app);

public sealed class PostgresApiDraftVisibilityTests(PostgresApp app) : ApiDraftVisibilityTests<PostgresApp>(app);

/// <summary>
/// A record created through the write routes is a draft: every public GET route (details, lists, exports, search, maps)
/// leaves it out until it is published, then shows it.
/// </summary>
public abstract class ApiDraftVisibilityTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private readonly ApiWriter _api = new(app);

    /// <summary>Whether a public list (every page of it) has an item with that slug.</summary>
    private async Task<bool> ListedAsync(string path, string slug)
    {
        for (var page = 1; ; page++)
        {
            var answer = await _api.GetAsync($"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}pageSize=100&page={page}");
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            var items = answer.Json.GetProperty("items").EnumerateArray().ToList();
            if (items.Any(i => i.GetProperty("slug").GetString() == slug))
            {
                return true;
            }

            if (page * 100 >= answer.Json.GetProperty("total").GetInt32())
            {
                return false;
            }
        }
    }

    private async Task<bool> FoundAsync(string q, string slug)
    {
        await _api.CatchUpAsync();
        var answer = await _api.GetAsync("/api/v1/search?pageSize=100&q=" + Uri.EscapeDataString(q));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Json.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("slug").GetString() == slug);
    }

    /// <summary>The status of a GET once it is <paramref name="expected"/>, or after a generous bound (against hangs, not a timing check).</summary>
    private async Task<HttpStatusCode> EventuallyAsync(string path, HttpStatusCode expected)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = (await _api.GetAsync(path)).Status;
            if (status == expected || DateTime.UtcNow > until)
            {
                return status;
            }

            await Task.Delay(100, Ct);
        }
    }

    private async Task<bool> InExportAsync(string path, string text) => (await _api.GetAsync(path)).Body.Contains(text, StringComparison.Ordinal);

    [Fact]
    public async Task Programme_Draft_HiddenFromDetailsListSearchAndMapUntilPublished()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var code = Unique("VIS");
        var name = $"Hidden programme {code}";
        var created = await _api.PostAsync("/api/v1/programmes", admin, new
        {
            code,
            period = "2021-2027",
            kind = "CrossBorder",
            values = new[] { Value("name.en", name) },
            areaUnits = new[] { new { nutsCode = "BE25", role = "eligible", source = Doc("Area") } },
        });
        var slug = created.Slug;

        async Task<(HttpStatusCode, bool, bool)> WhereAsync() => (
            (await _api.GetAsync($"/api/v1/programmes/{slug}")).Status,
            await ListedAsync("/api/v1/programmes", slug),
            await FoundAsync(name, slug));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal((HttpStatusCode.NotFound, false, false), await WhereAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/api/v1/programmes/{slug}/area.geojson")).Status);

        var published = await _api.PostAsync($"/api/v1/programmes/{created.Id}/publish", admin, ifMatch: created.Version);

        Assert.Equal(HttpStatusCode.OK, published.Status);
        Assert.Equal((HttpStatusCode.OK, true, true), await WhereAsync());
        // The map's areas are rebuilt in the background after a change (the previous snapshot serving meanwhile).
        Assert.Equal(HttpStatusCode.OK, await EventuallyAsync($"/api/v1/programmes/{slug}/area.geojson", HttpStatusCode.OK));
    }

    [Fact]
    public async Task Grouping_Draft_HiddenFromDetailsListAndTerritoryUntilPublished()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var name = Unique("Hidden grouping ");
        var created = await _api.PostAsync("/api/v1/groupings", admin, new
        {
            legalForm = "EGTC",
            values = new[] { Value("name.en", name) },
            members = new[] { new { name = "City of Lille", country = "FR", level = "local", source = Doc("Convention") } },
        });
        var slug = created.Slug;

        async Task<(HttpStatusCode, bool, HttpStatusCode, HttpStatusCode)> WhereAsync() => (
            (await _api.GetAsync($"/api/v1/groupings/{slug}")).Status,
            await ListedAsync("/api/v1/groupings", slug),
            (await _api.GetAsync($"/api/v1/groupings/{slug}/territory.geojson")).Status,
            (await _api.GetAsync($"/api/v1/groupings/{slug}/profile")).Status);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal((HttpStatusCode.NotFound, false, HttpStatusCode.NotFound, HttpStatusCode.NotFound), await WhereAsync());

        var published = await _api.PostAsync($"/api/v1/groupings/{created.Id}/publish", admin, ifMatch: created.Version);
        var editing = await _api.GetAsync($"/api/v1/groupings/{created.Id}/editing", admin);

        Assert.Equal(HttpStatusCode.OK, published.Status);
        var (details, listed, _, _) = await WhereAsync();
        Assert.Equal((HttpStatusCode.OK, true), (details, listed));
        Assert.Equal("City of Lille", editing.Json.GetProperty("members")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task ProjectAndPartner_Drafts_HiddenFromDetailsListsExportsAndSearchUntilPublished()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var programmeSlug = await _api.ProgrammeSlugAsync(programme.Id);
        var organisationName = Unique("Hidden partner ");
        var organisation = await _api.PostAsync("/api/v1/organisations", admin, new
        {
            values = new[] { Value("name", organisationName), Value("country", "MT") },
        });
        var acronym = Unique("HIDDEN");
        var project = await _api.PostAsync("/api/v1/projects", admin, new
        {
            programmeId = programme.Id,
            values = new[] { Value("acronym", acronym), Value("title.en", "Cooperation kept out of sight") },
            partners = new[] { new { organisationId = organisation.Id, values = new[] { Value("role", "lead partner") } } },
        });

        async Task<bool[]> ProjectShownAsync() =>
        [
            (await _api.GetAsync($"/api/v1/projects/{project.Slug}")).Status == HttpStatusCode.OK,
            await ListedAsync($"/api/v1/projects?programme={programmeSlug}", project.Slug),
            await FoundAsync(acronym, project.Slug),
            await InExportAsync("/api/v1/projects/export.csv", project.Slug),
            await InExportAsync("/api/v1/projects/export.json", project.Slug),
            await InExportAsync("/api/v1/exports/keep/projects.csv", acronym),
            await InExportAsync("/api/v1/exports/operations.csv", acronym),
            (await _api.GetAsync($"/api/v1/programmes/{programmeSlug}")).Json.GetProperty("projects").EnumerateArray()
                .Any(p => p.GetProperty("slug").GetString() == project.Slug),
        ];

        async Task<bool[]> OrganisationShownAsync() =>
        [
            (await _api.GetAsync($"/api/v1/organisations/{organisation.Slug}")).Status == HttpStatusCode.OK,
            await ListedAsync("/api/v1/organisations?country=MT", organisation.Slug),
            await FoundAsync(organisationName, organisation.Slug),
            await InExportAsync("/api/v1/organisations/export.csv", organisationName),
            await InExportAsync("/api/v1/exports/keep/partners.csv", organisationName),
        ];

        Assert.Equal(HttpStatusCode.Created, project.Status);
        Assert.All(await ProjectShownAsync(), Assert.False);
        Assert.All(await OrganisationShownAsync(), Assert.False);

        // The project published, its partner still a draft: the project shows, without the partner.
        var publishedProject = await _api.PostAsync($"/api/v1/projects/{project.Id}/publish", admin, ifMatch: project.Version);
        Assert.Equal(HttpStatusCode.OK, publishedProject.Status);
        Assert.All(await ProjectShownAsync(), Assert.True);
        Assert.All(await OrganisationShownAsync(), Assert.False);
        Assert.DoesNotContain(organisationName, (await _api.GetAsync($"/api/v1/projects/{project.Slug}")).Body, StringComparison.Ordinal);

        var publishedOrganisation = await _api.PostAsync($"/api/v1/organisations/{organisation.Id}/publish", admin, ifMatch: organisation.Version);
        Assert.Equal(HttpStatusCode.OK, publishedOrganisation.Status);
        Assert.All(await OrganisationShownAsync(), Assert.True);
        Assert.Contains(organisationName, (await _api.GetAsync($"/api/v1/projects/{project.Slug}")).Body, StringComparison.Ordinal);

        // Unpublished again: gone again.
        var unpublished = await _api.PostAsync($"/api/v1/projects/{project.Id}/unpublish", admin, ifMatch: publishedProject.Version);
        Assert.Equal(HttpStatusCode.OK, unpublished.Status);
        Assert.All(await ProjectShownAsync(), Assert.False);
    }
}
