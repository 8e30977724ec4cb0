using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Web.Localization;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Portal;

public sealed class SqlitePortalLanguageTests(PasserelleApp app) : PortalLanguageTests<PasserelleApp>(app);

public sealed class PostgresPortalLanguageTests(PostgresApp app) : PortalLanguageTests<PostgresApp>(app);

/// <summary>
/// The portal in the visitor's language: the first visit follows Accept-Language, the switch keeps the page and its
/// query, numbers, dates, amounts and decimal input follow the language, error pages speak it, and a text shown in
/// another language is marked with its own. Every test runs once per provider.
/// </summary>
public abstract partial class PortalLanguageTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client(string? acceptLanguage = null)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (acceptLanguage is not null)
        {
            client.DefaultRequestHeaders.Add("Accept-Language", acceptLanguage);
        }

        return client;
    }

    private async Task<(HttpStatusCode Status, string Html, string Text)> GetAsync(string path)
    {
        using var client = Client();
        using var response = await client.GetAsync(path, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, html, HtmlText.Of(html));
    }

    [Theory]
    [InlineData("/", "fr-BE,fr;q=0.9,en;q=0.8", "/fr")]
    [InlineData("/projects?p=1", "nl", "/nl/projects?p=1")]
    [InlineData("/search?q=lille&type=project", "en;q=0.5, de;q=0.9", "/de/search?q=lille&type=project")]
    [InlineData("/projects/tec", "de-AT", "/de/projects/tec")]
    [InlineData("/organisations", "es, fr;q=0.4, en;q=0.3", "/fr/organisations")]
    public async Task FirstVisit_AcceptLanguagePrefersFrenchDutchOrGerman_RedirectsToThatLanguagesAddressWithTheQuery(
        string path, string header, string location)
    {
        using var client = Client(header);
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
        Assert.Contains("Accept-Language", response.Headers.Vary);
    }

    [Theory]
    [InlineData("/", "en-GB,en;q=0.9,fr;q=0.8")]
    [InlineData("/projects", null)]
    [InlineData("/projects", "*")]
    [InlineData("/projects", "es-ES, it;q=0.8")]
    [InlineData("/projects", "fr;q=0, en;q=0.5")]
    public async Task FirstVisit_EnglishOrNoSupportedPreference_ServesTheUnprefixedPageInEnglish(string path, string? header)
    {
        using var client = Client(header);
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The answer depends on the header even when it is the English page: caches must keep them apart.
        Assert.Contains("Accept-Language", response.Headers.Vary);
        Assert.Contains("<html lang=\"en\">", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/fr/projects", "de", "fr")]
    [InlineData("/en/projects", "fr", "en")]
    [InlineData("/nl", "fr", "nl")]
    public async Task AcceptLanguage_AddressWithALanguage_IsServedInTheAddressesLanguage(string path, string header, string language)
    {
        using var client = Client(header);
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<html lang=\"{language}\">", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/projects")]
    [InlineData("/api/v1/search?q=lille")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/css/site.css")]
    [InlineData("/favicon.svg")]
    [InlineData("/admin")]
    [InlineData("/admin/account/sign-in")]
    [InlineData("/no/such/page")]
    [InlineData("/error")]
    [InlineData("/error/500")]
    public async Task AcceptLanguage_NotAPortalPage_IsNeverSentToALanguage(string path)
    {
        using var client = Client("fr-FR,fr;q=0.9");
        using var response = await client.GetAsync(path, Ct);
        Assert.False(LanguageRedirect().IsMatch(response.Headers.Location?.OriginalString ?? ""),
            $"{path} was sent to {response.Headers.Location}");
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task AcceptLanguage_Post_IsNeverRedirected()
    {
        using var client = Client("fr");
        using var response = await client.PostAsync("/projects", new FormUrlEncodedContent([]), Ct);
        Assert.NotEqual(HttpStatusCode.Found, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("/fr/search?q=lille&type=project", "/de/search?q=lille&amp;type=project")]
    [InlineData("/fr/search?q=lille&type=project", "/en/search?q=lille&amp;type=project")]
    [InlineData("/projects?p=1", "/nl/projects?p=1")]
    [InlineData("/de", "/fr")]
    [InlineData("/nl/projects/tec", "/de/projects/tec")]
    [InlineData("/fr/no/such/page?x=1", "/nl/no/such/page?x=1")]
    public async Task LanguageSwitch_AnyPage_LinksToTheSamePageWithItsQueryInEachLanguage(string path, string href)
    {
        var (_, html, _) = await GetAsync(path);
        var switcher = LanguageSwitch().Match(html);
        Assert.True(switcher.Success, $"{path}: no language switch");
        Assert.Contains($"href=\"{href}\"", switcher.Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "EUR 3,908,751", "EUR 2,345,251", "1 May 2016", "60.0%")]
    [InlineData("fr", "3 908 751 EUR", "2 345 251 EUR", "1 mai 2016", "60,0 %")]
    [InlineData("nl", "EUR 3.908.751", "EUR 2.345.251", "1 mei 2016", "60,0%")]
    [InlineData("de", "3.908.751 EUR", "2.345.251 EUR", "1. Mai 2016", "60,0 %")]
    public async Task ProjectPage_EachLanguage_WritesAmountsDatesAndRatesAsTheLanguageDoes(
        string language, string budget, string erdf, string start, string rate)
    {
        var (status, _, text) = await GetAsync($"/{language}/projects/biseps");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(budget, text, StringComparison.Ordinal);
        Assert.Contains(erdf, text, StringComparison.Ordinal);
        Assert.Contains(start, text, StringComparison.Ordinal);
        Assert.Contains(rate, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "3,589 km²", "2,100,000", "28 January 2008")]
    [InlineData("fr", "3 589 km²", "2 100 000", "28 janvier 2008")]
    [InlineData("nl", "3.589 km²", "2.100.000", "28 januari 2008")]
    [InlineData("de", "3.589 km²", "2.100.000", "28. Januar 2008")]
    public async Task GroupingPage_EachLanguage_WritesNumbersAndDatesAsTheLanguageDoes(string language, string area, string population, string created)
    {
        var (_, _, text) = await GetAsync($"/{language}/groupings/eurometropole");
        Assert.Contains(area, text, StringComparison.Ordinal);
        Assert.Contains(population, text, StringComparison.Ordinal);
        Assert.Contains(created, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/fr/eligibility?lat=50,6292&lon=3,0573")]
    [InlineData("/de/eligibility?lat=50,6292&lon=3,0573")]
    [InlineData("/nl/eligibility?lat=50,6292&lon=3,0573")]
    [InlineData("/fr/eligibility?lat=50.6292&lon=3.0573")]
    [InlineData("/eligibility?lat=50.6292&lon=3.0573")]
    public async Task Eligibility_DecimalAsTheLanguageWritesIt_FindsThePlace(string path)
    {
        var (status, _, text) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Lille", text, StringComparison.Ordinal);
        Assert.Contains("FR59350", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/eligibility?lat=fifty&lon=3.0573", "Enter the latitude as a decimal number, e.g. 50.6292")]
    [InlineData("/fr/eligibility?lat=cinquante&lon=3,0573", "Saisissez la latitude en nombre décimal, par ex. 50,6292")]
    [InlineData("/de/eligibility?lat=50,6292&lon=x", "Geben Sie den Längengrad als Dezimalzahl ein, z. B. 3,0573")]
    [InlineData("/nl/eligibility?lat=95&lon=3", "De breedtegraad moet tussen -90 en 90 liggen")]
    [InlineData("/fr/eligibility?nuts=ZZ9", "Aucune unité territoriale n'a ce code")]
    public async Task Eligibility_InvalidInput_Returns400WithTheMessageInThePagesLanguage(string path, string message)
    {
        var (status, _, text) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/no/such/page", "en")]
    [InlineData("/fr/no/such/page", "fr")]
    [InlineData("/nl/projects/no-such-project", "nl")]
    [InlineData("/de/programmes/no-such-programme", "de")]
    [InlineData("/fr/organisations/no-such-organisation", "fr")]
    public async Task NotFound_UnderALanguage_IsAnsweredInThatLanguage(string path, string language)
    {
        var (status, html, text) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains($"<html lang=\"{language}\">", html, StringComparison.Ordinal);
        Assert.Contains(PageWords.Of(language, "portal.error.not_found"), text, StringComparison.Ordinal);
        Assert.Contains(PageWords.Of(language, "portal.error.not_found_text"), text, StringComparison.Ordinal);
        Assert.Contains($"href=\"{(language == "en" ? "/" : "/" + language)}\">{PageWords.Of(language, "portal.error.home")}", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/fr/projects?fail=1", "fr")]
    [InlineData("/de/organisations?fail=1", "de")]
    [InlineData("/projects?fail=1", "en")]
    public async Task ServerError_UnderALanguage_IsAnsweredInThatLanguageWithoutInternals(string path, string language)
    {
        // A page that fails: the error page, reached by the exception handler's re-execution, speaks the failed address's language.
        await using var failing = FailingPages.Of(app);
        using var client = failing.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await client.GetAsync(path, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains($"<html lang=\"{language}\">", html, StringComparison.Ordinal);
        Assert.Contains(PageWords.Of(language, "portal.error.server"), HtmlText.Of(html), StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProblemDetails_ApiErrorAnsweredByTheErrorPage_StaysEnglish()
    {
        // A query value the route cannot bind: the status-code pages re-execute, and the error page answers the API in English.
        using var client = Client("fr");
        using var response = await client.GetAsync("/api/v1/territories/FRE11/geometry?zoom=abc", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"title\":\"The request could not be handled\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FallbackText_OnlyInAnotherLanguage_IsMarkedWithItsOwnLanguage()
    {
        const string Title = "Grensoverschrijdende fietsroutes in de Leievallei";
        const string Summary = "Een netwerk van fietsroutes over de grens.";
        await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var project = session.Create(new Project { Slug = "fallback-nl-only", Acronym = "FIETS", ProgrammeCode = "FWV" });
            session.SetValue(project, Fields.Project.Title["nl"], Title, source);
            session.SetValue(project, Fields.Project.Summary["nl"], Summary, source);
            return 0;
        });

        // On a French page, the Dutch title (no French one exists) is Dutch for screen readers and says so in French.
        var (status, html, _) = await GetAsync("/fr/projects/fallback-nl-only");
        Assert.Equal(HttpStatusCode.OK, status);
        html = WebUtility.HtmlDecode(html);
        Assert.Contains($"<span lang=\"nl\">{Title}</span> <span class=\"fallback\">(néerlandais)</span>", html, StringComparison.Ordinal);
        Assert.Matches($"<p lang=\"nl\">{Regex.Escape(Summary)}", html);
        // The French visible text holds neither: they are Dutch.
        var french = VisibleText.Of(html, "fr");
        Assert.DoesNotContain(Title, french, StringComparison.Ordinal);
        Assert.Contains("FIETS", french, StringComparison.Ordinal);

        // On the Dutch page it is the page's own language: no mark, no note.
        var (_, dutch, _) = await GetAsync("/nl/projects/fallback-nl-only");
        Assert.Contains(Title, dutch, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"fallback\"", dutch, StringComparison.Ordinal);

        // In the French list too.
        var (_, list, _) = await GetAsync("/fr/projects?p=1");
        Assert.Contains($"lang=\"nl\">{Title}</span>", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesOfCodes_EveryCodeOfTheData_HasANameInTheInterfaceTexts()
    {
        // Countries, grouping members' levels, legal forms, programme areas' roles and funds are codes in the registry;
        // the pages show their names (the code itself only for a code the interface texts do not know).
        var codes = await app.WithDbAsync(async db =>
        {
            var list = new List<string>();
            list.AddRange((await db.Programmes.Select(p => p.Countries).ToListAsync(Ct)).SelectMany(c => c).Select(c => "country." + c));
            list.AddRange((await db.Organisations.Where(o => o.Country != null).Select(o => o.Country!).ToListAsync(Ct)).Select(c => "country." + c));
            list.AddRange((await db.GroupingMembers.Select(m => m.Country).ToListAsync(Ct)).Select(c => "country." + c));
            list.AddRange((await db.GroupingMembers.Select(m => m.Level).ToListAsync(Ct)).Select(l => "memberlevel." + l));
            list.AddRange((await db.Groupings.Select(g => g.LegalForm).ToListAsync(Ct)).Select(f => "legalform." + f));
            list.AddRange((await db.ProgrammeAreaUnits.Select(a => a.Role).ToListAsync(Ct)).Select(r => "arearole." + r));
            list.AddRange((await db.Programmes.Select(p => p.Funds).ToListAsync(Ct)).SelectMany(f => f).Select(f => "fund." + f));
            return list.Distinct().ToList();
        });
        Assert.NotEmpty(codes);
        var texts = new UiText();
        var missing = codes.Select(c => "portal." + KeyPart().Replace(c.ToLowerInvariant(), "_")).Where(k => !texts.Has(k)).ToList();
        Assert.Empty(missing);
    }

    [GeneratedRegex("[^a-z0-9.]")]
    private static partial Regex KeyPart();

    [GeneratedRegex(@"^(https?://[^/]+)?/(fr|nl|de)(/|\?|$)")]
    private static partial Regex LanguageRedirect();

    [GeneratedRegex("<nav class=\"languages\".*?</nav>", RegexOptions.Singleline)]
    private static partial Regex LanguageSwitch();
}
