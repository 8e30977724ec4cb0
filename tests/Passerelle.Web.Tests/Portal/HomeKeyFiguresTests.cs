using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Core.Statistics;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Portal;

public sealed class SqliteHomeKeyFiguresTests(PasserelleApp app) : HomeKeyFiguresTests<PasserelleApp>(app);

public sealed class PostgresHomeKeyFiguresTests(PostgresApp app) : HomeKeyFiguresTests<PostgresApp>(app);

/// <summary>
/// The home page's key figures (issue 15): programmes, projects, partners and the projects' budgets, each with its
/// sources, equal to the registry counted here with plain queries, after records of known content are added.
/// </summary>
public abstract partial class HomeKeyFiguresTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Counted(int Programmes, int Projects, int Partners, decimal Budget, int Known, int Unknown);

    /// <summary>The registry counted the simple way: published records read and counted here, not by the page's SQL.</summary>
    private Task<Counted> CountAsync() => app.WithDbAsync(async db =>
    {
        var projects = await db.Projects.Where(p => p.IsPublished).Select(p => new { p.Id, p.TotalBudget }).ToListAsync(Ct);
        var partners = await db.Participations.Where(x => x.Project.IsPublished && x.Organisation.IsPublished)
            .Select(x => x.OrganisationId).ToListAsync(Ct);
        return new Counted(
            await db.Programmes.CountAsync(p => p.IsPublished, Ct),
            projects.Count,
            partners.Distinct().Count(),
            projects.Sum(p => p.TotalBudget ?? 0m),
            projects.Count(p => p.TotalBudget is not null),
            projects.Count(p => p.TotalBudget is null));
    });

    [Fact]
    public async Task Home_KeyFigures_MatchTheRegistryWithTheAddedRecordsAndCiteTheirSources()
    {
        var before = await CountAsync();
        var en = CultureInfo.GetCultureInfo("en-GB");
        using var client = app.CreateClient();
        // Seen once before the writes: the figures the page keeps until the registry changes must then change.
        Assert.Equal(before.Projects.ToString("N0", en), Figure(await client.GetStringAsync("/", Ct), "Projects"));
        await app.WriteAsync(async session =>
        {
            var source = await session.SourceAsync(new Source { Key = "key-figures-test", Title = "Key figures test source" });
            var programme = await session.Db.Programmes.SingleAsync(p => p.Slug == "fwv-2021-2027", Ct);
            var partner = session.Create(new Organisation { Slug = "key-figures-partner", Name = "Key Figures Partner" });
            var known = session.Create(new Project { Slug = "key-figures-known", Acronym = "KFKNOWN", ProgrammeCode = "FWV", Programme = programme });
            var unknown = session.Create(new Project { Slug = "key-figures-unknown", Acronym = "KFUNKNOWN", ProgrammeCode = "FWV", Programme = programme });
            var draft = session.Create(new Project { Slug = "key-figures-draft", Acronym = "KFDRAFT", ProgrammeCode = "FWV", Programme = programme, IsPublished = false });
            var participation = session.Create(new Participation { Project = known, Organisation = partner, Role = ParticipationRole.LeadPartner });
            known.Participations.Add(participation);
            foreach (var project in new[] { known, unknown, draft })
            {
                session.SetValue(project, Fields.Project.Acronym, project.Acronym, source);
            }

            session.SetValue(known, Fields.Project.TotalBudget, "1250000.50", source);
            session.SetValue(draft, Fields.Project.TotalBudget, "999", source);
            session.SetValue(participation, Fields.Participation.Role, "lead partner", source);
            return 0;
        });

        var after = await CountAsync();
        Assert.Equal(before with { Projects = before.Projects + 2, Partners = before.Partners + 1, Budget = before.Budget + 1_250_000.50m, Known = before.Known + 1, Unknown = before.Unknown + 1 }, after);

        // The service: the same figures, and the test source among those of each figure it gave values to.
        await using var scope = app.Services.CreateAsyncScope();
        var cached = await scope.ServiceProvider.GetRequiredService<KeyFigures>().GetAsync(Ct);
        Assert.True(cached.IsCurrent);
        var figures = cached.Value;
        Assert.Equal((after.Programmes, after.Projects, after.Partners), (figures.Programmes.Count, figures.Projects.Count, figures.Partners.Count));
        Assert.Equal((after.Budget, after.Known, after.Unknown), (figures.ProjectBudgets.Total, figures.ProjectBudgets.Known, figures.ProjectBudgets.Unknown));
        Assert.Equal(1, figures.ProjectBudgets.Sources.Single(s => s.Source.Key == "key-figures-test").Records);
        Assert.Equal(2, figures.Projects.Sources.Single(s => s.Source.Key == "key-figures-test").Records);
        Assert.Equal(1, figures.Partners.Sources.Single(s => s.Source.Key == "key-figures-test").Records);
        Assert.NotEmpty(figures.Programmes.Sources);

        // The page.
        var response = await client.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(after.Programmes.ToString("N0", en), Figure(html, "Programmes"));
        Assert.Equal(after.Projects.ToString("N0", en), Figure(html, "Projects"));
        Assert.Equal(after.Partners.ToString("N0", en), Figure(html, "Partner organisations"));
        Assert.Equal("EUR " + after.Budget.ToString("N2", en), Figure(html, "Total budget of the projects"));
        var text = HtmlText.Of(html);
        Assert.Contains($"Sum over the {after.Known.ToString("N0", en)} projects whose budget a source gives; {after.Unknown.ToString("N0", en)} projects’ budget is not known.",
            text, StringComparison.Ordinal);

        // Every figure cites at least one source, and every marker leads to an item of the page's source list.
        foreach (var label in new[] { "Programmes", "Projects", "Partner organisations", "Total budget of the projects" })
        {
            var markers = Markers().Matches(Definition(html, label)).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(markers);
            Assert.All(markers, n => Assert.Contains($"<li id=\"source-{n}\">", html, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Home_ProjectsWrittenAfterAVisit_PublishedOneListedUnderItsProgrammeDraftNot()
    {
        using var client = app.CreateClient();
        // Seen once before the write: the projects the page keeps until the registry changes must then change.
        Assert.DoesNotContain("/projects/home-first-listed", await client.GetStringAsync("/", Ct), StringComparison.Ordinal);
        await app.WriteAsync(async session =>
        {
            var source = await session.SourceAsync(new Source { Key = "home-first-test", Title = "Home first projects test source" });
            var programme = await session.Db.Programmes.SingleAsync(p => p.Slug == "fwv-2021-2027", Ct);
            // Digits sort before letters in both databases: these are the first of the whole list.
            var listed = session.Create(new Project { Slug = "home-first-listed", Acronym = "0HOMELISTED", ProgrammeCode = "FWV", Programme = programme });
            var draft = session.Create(new Project { Slug = "home-first-draft", Acronym = "0HOMEDRAFT", ProgrammeCode = "FWV", Programme = programme, IsPublished = false });
            foreach (var project in new[] { listed, draft })
            {
                session.SetValue(project, Fields.Project.Acronym, project.Acronym, source);
            }

            return 0;
        });

        var html = await client.GetStringAsync("/", Ct);
        var fwv = Regex.Match(html, "<section class=\"panel\" aria-labelledby=\"programme-FWV\">(.*?)</section>", RegexOptions.Singleline);
        Assert.True(fwv.Success, "no FWV section on the home page");
        Assert.Contains("<a href=\"/projects/home-first-listed\">0HOMELISTED</a>", fwv.Groups[1].Value, StringComparison.Ordinal);
        Assert.DoesNotContain("home-first-draft", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_InFrench_ShowsTheSearchBoxFiguresAndWaysInInFrench()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync("/fr", Ct);
        var text = HtmlText.Of(html);

        Assert.Contains("<form method=\"get\" action=\"/fr/search\"", html, StringComparison.Ordinal);
        Assert.Contains("Le registre en chiffres", text, StringComparison.Ordinal);
        Assert.Contains("Organisations partenaires", text, StringComparison.Ordinal);
        Assert.Contains("href=\"/fr/eligibility\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/fr/statistics\"", html, StringComparison.Ordinal);
        // The figures come before the seed page's text.
        Assert.True(text.IndexOf("Le registre en chiffres", StringComparison.Ordinal) < text.IndexOf("crossroad of North western Europe", StringComparison.Ordinal));
    }

    /// <summary>The &lt;dd&gt; of the key figure labelled <paramref name="label"/>.</summary>
    private static string Definition(string html, string label)
    {
        var match = Regex.Match(html, $"<dt>{Regex.Escape(label)}</dt>\\s*<dd>(.*?)</dd>", RegexOptions.Singleline);
        Assert.True(match.Success, $"no key figure '{label}'");
        return match.Groups[1].Value;
    }

    /// <summary>The figure itself, as a reader sees it (entities decoded, the no-break space as a space).</summary>
    private static string Figure(string html, string label)
    {
        var match = Regex.Match(Definition(html, label), "<span class=\"key-figure\">(.*?)</span>", RegexOptions.Singleline);
        Assert.True(match.Success, $"no figure for '{label}'");
        return HtmlText.Of(match.Groups[1].Value).Trim();
    }

    [GeneratedRegex("<a href=\"#source-([0-9]+)\"")]
    private static partial Regex Markers();
}
