using System.Net;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Portal;

public sealed class SqlitePortalPagesTests(PasserelleApp app) : PortalPagesTests<PasserelleApp>(app);

public sealed class PostgresPortalPagesTests(PostgresApp app) : PortalPagesTests<PostgresApp>(app);

/// <summary>Every test here runs once per provider: the sealed subclasses above pick the fixture.</summary>
public abstract class PortalPagesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private async Task<(HttpStatusCode Status, string Html, string Text)> GetAsync(string path)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, html, HtmlText.Of(html));
    }

    [Fact]
    public async Task Home_DefaultData_ShowsTheSeedPageFacts()
    {
        var (status, html, text) = await GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<title>Territorial cooperation · Passerelle</title>", html, StringComparison.Ordinal);
        foreach (var fact in new[]
        {
            "crossroad of North western Europe", "Lille-Kortrijk-Tournai Eurometropole", "Created in 2008",
            "157", "3,589 km²", "2,100,000", "14", "86 km", "67 km",
            "Fast to Market", "TEC!", "ALARM FWV", "VALYS", "TRIPOD-II", "NICIVALYS", "EYES", "BISEPS",
            "facilitating cross-border market access for new businesses", "cross-border platforms networks for stork nesting",
            "Hauts-de-France and Grand-Est regions", "North-West Europe", "2 Seas", "ESPON",
        })
        {
            Assert.Contains(fact, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/programmes", "Programmes")]
    [InlineData("/groupings", "Cooperation groupings")]
    [InlineData("/projects", "Projects")]
    [InlineData("/organisations", "Organisations")]
    public async Task ListPage_DefaultData_RendersWithTitleAndHeading(string path, string heading)
    {
        var (status, html, _) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"<title>{heading} · Passerelle</title>", html, StringComparison.Ordinal);
        Assert.Contains($"<h1>{heading}</h1>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fast-to-market", "Fast to Market", "facilitating cross-border market access for new businesses.")]
    [InlineData("tec", "TEC!", "action plan to protect local biodiversity.")]
    [InlineData("alarm-fwv", "ALARM FWV", "enhancing cross-border cooperation between civil security services.")]
    [InlineData("valys", "VALYS", "cross-border strategy to coordinate management of the Lys Valley.")]
    [InlineData("tripod-ii", "TRIPOD-II", "enhance SMEs competitiveness on new markets through design.")]
    [InlineData("nicivalys", "NICIVALYS", "cross-border platforms networks for stork nesting.")]
    [InlineData("eyes", "EYES", "insert young NEET (Not in Education, Employment or Training) in the labour market.")]
    [InlineData("biseps", "BISEPS", "support companies in their efforts to reduce carbon emission.")]
    public async Task ProjectPage_SeedProject_ShowsSeedPurposeWithItsSource(string slug, string acronym, string purpose)
    {
        var (status, html, text) = await GetAsync($"/projects/{slug}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"<h1>{WebUtility.HtmlEncode(acronym)}</h1>", html, StringComparison.Ordinal);
        Assert.Contains(purpose, text, StringComparison.Ordinal);
        Assert.Contains("Lille Metropole EU office - Territorial Cooperation", text, StringComparison.Ordinal);
        Assert.Contains("id=\"source-1\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProjectPage_Biseps_ShowsSourcedBudgetsLeadPartnerAndComputedRate()
    {
        var (_, _, text) = await GetAsync("/projects/biseps");
        Assert.Contains("EUR 3,908,751", text, StringComparison.Ordinal);
        Assert.Contains("EUR 2,345,251", text, StringComparison.Ordinal);
        Assert.Contains("Intercommunale Leiedal", text, StringComparison.Ordinal);
        Assert.Contains("Lead partner", text, StringComparison.Ordinal);
        Assert.Contains("60.0%", text, StringComparison.Ordinal);
        Assert.Contains("computed", text, StringComparison.Ordinal);
        // Two start dates from two sources, side by side, the contractual one first.
        Assert.Matches("1 May 2016.*1 September 2016.*sources disagree", text);
    }

    [Fact]
    public async Task ProjectPage_Alarm_ShowsBothBudgetFiguresWithTheirSources()
    {
        var (_, _, text) = await GetAsync("/projects/alarm-fwv");
        Assert.Matches(@"EUR 2,592,458\.80 ?\[\d+\] · EUR 2,900,000 ?\[\d+\] \(sources disagree\)", text);
        Assert.Contains("SDIS 59", text, StringComparison.Ordinal);
        Assert.Contains("Interreg France-Wallonie-Vlaanderen - ALARM FWV (programme project page, FR)", text, StringComparison.Ordinal);
        Assert.Contains("Lille Metropole EU office - The ALARM Project", text, StringComparison.Ordinal);
        Assert.Contains("50%", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProjectPage_FastToMarket_SaysWhatIsNotKnown()
    {
        var (_, _, text) = await GetAsync("/projects/fast-to-market");
        foreach (var label in new[] { "Period Not known", "Start Not known", "End Not known", "Total budget Not known", "EU contribution (ERDF) Not known", "keep.eu Not known" })
        {
            Assert.Contains(label, text, StringComparison.Ordinal);
        }

        Assert.Contains("No source names the partners", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProjectPage_Tec_LinksToKeepEu()
    {
        var (_, html, _) = await GetAsync("/projects/tec");
        Assert.Contains("href=\"https://keep.eu/projects/20973/\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupingPage_Eurometropole_ShowsEveryFigureWithItsSourceSeedFirst()
    {
        var (status, _, text) = await GetAsync("/groupings/eurometropole");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Matches(@"Municipalities 157 ?\[1\].*155", text);
        Assert.Matches(@"Area 3,589 km² ?\[1\]", text);
        Assert.Contains("2,100,000", text, StringComparison.Ordinal);
        Assert.Contains("The 14 member authorities", text, StringComparison.Ordinal);
        Assert.Contains("Intercommunale Leiedal", text, StringComparison.Ordinal);
        Assert.Contains("economic development", text, StringComparison.Ordinal);
        Assert.Contains("sources disagree", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrganisationPage_LilleMetropole_ListsItsParticipationsAndBorderFigures()
    {
        var (status, _, text) = await GetAsync("/organisations/lille-metropole");
        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var acronym in new[] { "EYES", "BISEPS", "ALARM FWV", "TEC!", "TRIPOD-II" })
        {
            Assert.Contains(acronym, text, StringComparison.Ordinal);
        }

        Assert.Matches(@"86 km ?\[\d+\] · 67 km ?\[\d+\] · \d\d\.\d km ?\[\d+\] \(sources disagree\)", text);
        Assert.Contains("Computed by Passerelle", text, StringComparison.Ordinal);
        Assert.Contains("MEL (Métropole Européenne de Lille)", text, StringComparison.Ordinal);
        // The grouping it is a member authority of, by name (not its slug).
        Assert.Contains("Member authority of: Lille-Kortrijk-Tournai Eurometropole", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProgrammePage_Fwv_ShowsSeedDescriptionAndProjects()
    {
        var (status, _, text) = await GetAsync("/programmes/fwv-2014-2020");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("4 important cross-border regions", text, StringComparison.Ordinal);
        foreach (var acronym in new[] { "TEC!", "ALARM FWV", "VALYS", "TRIPOD-II", "NICIVALYS" })
        {
            Assert.Contains(acronym, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ProjectPage_FrenchAddress_ShowsFrenchContentAndLangAttribute()
    {
        var (status, html, text) = await GetAsync("/fr/projects/tec");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<html lang=\"fr\">", html, StringComparison.Ordinal);
        Assert.Contains("Tous Eco-Citoyens!", text, StringComparison.Ordinal);
        Assert.Contains("1 octobre 2016", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/projects/no-such-project")]
    [InlineData("/programmes/no-such-programme")]
    [InlineData("/groupings/no-such-grouping")]
    [InlineData("/organisations/no-such-organisation")]
    [InlineData("/no/such/page")]
    public async Task UnknownAddress_Any_Returns404PageWithoutInternals(string path)
    {
        var (status, _, text) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("Page not found", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }
}
