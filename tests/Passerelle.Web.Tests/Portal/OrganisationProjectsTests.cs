using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Portal;

public sealed class SqliteOrganisationProjectsTests(PasserelleApp app) : OrganisationProjectsTests<PasserelleApp>(app);

public sealed class PostgresOrganisationProjectsTests(PostgresApp app) : OrganisationProjectsTests<PostgresApp>(app);

/// <summary>
/// An organisation in more projects than its record lists (<see cref="OrganisationQueries.ParticipationLimit"/>): its
/// record and page carry the first by acronym and the count of all; its project list (<c>/projects?organisation=</c>)
/// pages through all of them, keeping the filter on every page's address.
/// </summary>
public abstract partial class OrganisationProjectsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const int Extra = 3;

    /// <summary>An organisation partner of <see cref="OrganisationQueries.ParticipationLimit"/> + <see cref="Extra"/> published projects and of a draft, written in reverse acronym order.</summary>
    private async Task<string> WriteBusyOrganisationAsync()
    {
        var tag = "op" + Guid.NewGuid().ToString("N")[..8];
        await app.WriteAsync(async session =>
        {
            var organisation = session.Create(new Organisation { Slug = tag, Name = $"Busy {tag}", Country = "BE", IsPublished = true });
            for (var i = OrganisationQueries.ParticipationLimit + Extra; i >= 0; i--)
            {
                var project = session.Create(new Project { Slug = $"{tag}-{i:D3}", Acronym = $"OP-{i:D3}", ProgrammeCode = "OP" + tag, IsPublished = i > 0 });
                session.Create(new Participation { Project = project, Organisation = organisation, Role = ParticipationRole.Partner });
            }

            await session.FlushAsync();
            return 0;
        });
        return tag;
    }

    [Fact]
    public async Task GetOrganisation_MoreProjectsThanTheLimit_FirstByAcronymAndTheCountOfAll()
    {
        var tag = await WriteBusyOrganisationAsync();
        using var client = app.CreateClient();

        var json = await client.GetFromJsonAsync<JsonElement>($"/api/v1/organisations/{tag}", Ct);

        var slugs = json.GetProperty("participations").EnumerateArray().Select(p => p.GetProperty("projectSlug").GetString()).ToList();
        Assert.Equal(Enumerable.Range(1, OrganisationQueries.ParticipationLimit).Select(i => $"{tag}-{i:D3}"), slugs);
        Assert.Equal(OrganisationQueries.ParticipationLimit + Extra, json.GetProperty("summary").GetProperty("projectCount").GetInt32());
    }

    [Fact]
    public async Task OrganisationPage_MoreProjectsThanTheLimit_LinksToAllItsProjectsPaged()
    {
        var tag = await WriteBusyOrganisationAsync();
        var total = OrganisationQueries.ParticipationLimit + Extra;
        using var client = app.CreateClient();

        var page = await client.GetStringAsync($"/en/organisations/{tag}", Ct);
        Assert.Contains($"The first {OrganisationQueries.ParticipationLimit} of its {total} projects", HtmlText.Of(page), StringComparison.Ordinal);
        Assert.Contains($"href=\"/en/projects?organisation={tag}\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"/projects/{tag}-{total:D3}\"", page, StringComparison.Ordinal);

        // All of them, 50 a page, by following the pager's "next" links: the filter stays on each.
        var seen = new List<string>();
        var address = $"/en/projects?organisation={tag}";
        for (var pages = 0; address is not null && pages < 10; pages++)
        {
            var list = await client.GetStringAsync(address, Ct);
            Assert.Contains($"{total} projects", HtmlText.Of(list), StringComparison.Ordinal);
            seen.AddRange(ProjectLink().Matches(list).Select(m => m.Groups[1].Value).Where(s => s.StartsWith(tag, StringComparison.Ordinal)));
            var next = NextLink().Match(list);
            address = next.Success ? "/en/projects" + WebUtility.HtmlDecode(next.Groups[1].Value) : null;
            Assert.True(address is null || address.Contains($"organisation={tag}", StringComparison.Ordinal), address);
        }

        Assert.Equal(Enumerable.Range(1, total).Select(i => $"{tag}-{i:D3}"), seen);
    }

    [Fact]
    public async Task OrganisationPage_FewProjects_ListsThemAllWithoutTheLink()
    {
        using var client = app.CreateClient();
        var organisations = await client.GetFromJsonAsync<JsonElement>("/api/v1/organisations?pageSize=100", Ct);
        var slug = organisations.GetProperty("items").EnumerateArray()
            .First(o => o.GetProperty("projectCount").GetInt32() is > 0 and <= OrganisationQueries.ParticipationLimit).GetProperty("slug").GetString();

        var page = await client.GetStringAsync($"/en/organisations/{slug}", Ct);

        Assert.DoesNotContain("projects?organisation=", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProjectsPage_UnknownOrganisation_Returns404()
    {
        using var client = app.CreateClient();

        var response = await client.GetAsync("/en/projects?organisation=no-such-organisation", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [GeneratedRegex("href=\"/en/projects/([^\"/?]+)\"")]
    private static partial Regex ProjectLink();

    [GeneratedRegex("href=\"(\\?[^\"]*after=[^\"]*)\"[^>]*rel=\"next\"")]
    private static partial Regex NextLink();
}
