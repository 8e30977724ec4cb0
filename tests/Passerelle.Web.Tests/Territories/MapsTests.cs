using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Web.Api;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Territories;

public sealed class SqliteMapsTests(PasserelleApp app) : MapsTests<PasserelleApp>(app);

public sealed class PostgresMapsTests(PostgresApp app) : MapsTests<PostgresApp>(app);

/// <summary>
/// Maps that answer, over HTTP on the default data and the publishers' geodata: the place search in four languages,
/// the eligibility finder's answer in words (without script: plain GET forms), partner maps with approximate
/// locations, and GeoJSON a real GIS reader opens.
/// </summary>
public abstract partial class MapsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpStatusCode Status, JsonElement Json)> GetJsonAsync(string path)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    private async Task<(HttpStatusCode Status, string Html)> GetPageAsync(string path)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    // ---------------------------------------------------------------- the place search API

    [Theory]
    [InlineData("Halluin", "FR59279")]
    [InlineData("Moeskroen", "BE57096")]
    [InlineData("Mouscron", "BE57096")]
    [InlineData("Tournai", "BE57081")]
    [InlineData("Doornik", "BE57081")]
    [InlineData("kortrik", "BE34022")]
    [InlineData("KORTRIJK", "BE34022")]
    [InlineData("courtrai", "BE34022")]
    [InlineData("Liege", "BE62063")]
    public async Task Places_NameInAnyLanguageAccentsCaseOrTypo_FindsItsMunicipalityFirst(string query, string code)
    {
        var (status, json) = await GetJsonAsync("/api/v1/places?q=" + Uri.EscapeDataString(query));

        Assert.Equal(HttpStatusCode.OK, status);
        var first = json.GetProperty("items")[0];
        Assert.Equal(code, first.GetProperty("code").GetString());
        Assert.Equal("Municipality", first.GetProperty("kind").GetString());
        Assert.InRange(first.GetProperty("latitude").GetDouble(), 50, 51.5);
    }

    [Theory]
    [InlineData("fr", "Courtrai", "fr")]
    [InlineData("nl", "Kortrijk", "nl")]
    [InlineData("de", "Kortrijk", null)]
    [InlineData("en", "Kortrijk", null)]
    public async Task Places_Lang_NamesThePlaceInThatLanguageWhereASourceDoes(string lang, string name, string? nameLanguage)
    {
        var (_, json) = await GetJsonAsync($"/api/v1/places?q=kortrik&lang={lang}");

        var first = json.GetProperty("items")[0];
        Assert.Equal(name, first.GetProperty("name").GetString());
        Assert.Equal(nameLanguage, first.GetProperty("nameLanguage").GetString());
        Assert.Equal("Kortrijk", first.GetProperty("matchedName").GetString());
        Assert.Equal("typo", first.GetProperty("match").GetString());
    }

    [Theory]
    [InlineData("/api/v1/places")]
    [InlineData("/api/v1/places?q=")]
    [InlineData("/api/v1/places?q=k")]
    [InlineData("/api/v1/places?q=kortrijk&lang=es")]
    [InlineData("/api/v1/places?q=kortrijk&limit=0")]
    [InlineData("/api/v1/places?q=kortrijk&limit=21")]
    [InlineData("/api/v1/places?q=kortrijk&limit=ten")]
    public async Task Places_BadInput_Returns400InvalidParameter(string path)
    {
        var (status, json) = await GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(ErrorCodes.InvalidParameter, json.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Places_LongQuery_Returns400()
    {
        var (status, json) = await GetJsonAsync("/api/v1/places?q=" + new string('a', 101));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(ErrorCodes.InvalidParameter, json.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Places_Limit_IsRespected()
    {
        var (_, json) = await GetJsonAsync("/api/v1/places?q=saint&limit=3");

        Assert.Equal(3, json.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Eligibility_ByCode_GivesGroupingNamesAndAPointInsideThePlace()
    {
        var (_, json) = await GetJsonAsync("/api/v1/places/eligibility?lau=BE34022");

        var grouping = json.GetProperty("coveringGroupings").EnumerateArray().Single();
        Assert.Equal("eurometropole", grouping.GetProperty("slug").GetString());
        Assert.Equal("Eurometropool Lille-Kortrijk-Tournai", grouping.GetProperty("name").GetProperty("nl").GetString());
        Assert.InRange(json.GetProperty("latitude").GetDouble(), 50.75, 50.90);
        Assert.InRange(json.GetProperty("longitude").GetDouble(), 3.15, 3.40);
        var kortrijk = json.GetProperty("units").EnumerateArray().Last();
        Assert.Equal("Courtrai", kortrijk.GetProperty("names").GetProperty("fr").GetString());
    }

    // ---------------------------------------------------------------- the eligibility page

    [Fact]
    public async Task EligibilityPage_NameWithATypo_PlainFormListsTheMatchesToChooseFrom()
    {
        var (status, html) = await GetPageAsync("/eligibility?q=kortrik");

        Assert.Equal(HttpStatusCode.OK, status);
        var text = HtmlText.Of(html);
        Assert.Contains("Places matching “kortrik”", text, StringComparison.Ordinal);
        Assert.Contains("href=\"/eligibility?lau=BE34022\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/eligibility?nuts=BE254\"", html, StringComparison.Ordinal);
        // The form without script: a GET form whose field keeps the query.
        Assert.Matches(PlaceForm(), html);
        Assert.Contains("value=\"kortrik\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/fr/eligibility?q=Doornik", "Programmes dont la zone comprend Tournai : Interreg France-Wallonie-Vlaanderen (2021-2027)", "Groupements dont le territoire comprend Tournai : Eurométropole Lille-Kortrijk-Tournai")]
    [InlineData("/nl/eligibility?q=Mouscron", "Programma's waarvan het gebied Moeskroen omvat: Interreg Frankrijk-Wallonië-Vlaanderen (2021-2027)", "Samenwerkingsverbanden waarvan het grondgebied Moeskroen omvat: Eurometropool Lille-Kortrijk-Tournai")]
    [InlineData("/eligibility?q=halluin", "Programmes whose area includes Halluin: Interreg France – Wallonie – Vlaanderen (2021-2027)", "Groupings whose territory includes Halluin: Lille-Kortrijk-Tournai Eurometropole")]
    [InlineData("/de/eligibility?lau=BE34022", "Programme, deren Gebiet Kortrijk umfasst: Interreg-Programm Frankreich-Wallonien-Vlaanderen (FWVL 2021-2027) (2021-2027)", "Verbünde, deren Gebiet Kortrijk umfasst:")]
    public async Task EligibilityPage_OnePlaceOfThatName_AnswersInWordsInThePagesLanguage(string path, string programmes, string groupings)
    {
        var (status, html) = await GetPageAsync(path);

        Assert.Equal(HttpStatusCode.OK, status);
        // The page's text without the spaces HtmlText puts where a tag ends before punctuation ("<strong>Halluin</strong>:").
        var text = Tight(HtmlText.Of(html));
        Assert.Contains(Tight(programmes), text, StringComparison.Ordinal);
        Assert.Contains(Tight(groupings), text, StringComparison.Ordinal);
        // Every programme named is a link to its page.
        Assert.Contains("/programmes/fwv-2021-2027\"", html, StringComparison.Ordinal);
        Assert.Contains("/groupings/eurometropole\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EligibilityPage_TwoPlacesOfThatName_AsksWhichOne()
    {
        var (_, html) = await GetPageAsync("/eligibility?q=Lille");

        Assert.Contains("href=\"/eligibility?lau=FR59350\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/eligibility?lau=BE13019\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Programmes whose area includes", HtmlText.Of(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EligibilityPage_NoSuchPlace_SaysSoWith200()
    {
        var (status, html) = await GetPageAsync("/eligibility?q=zzqqxxww");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("No municipality or region recorded here is named “zzqqxxww”", HtmlText.Of(html), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/fr/eligibility?lat=50,63&lon=3,06")]
    [InlineData("/fr/eligibility?lat=50.63&lon=3.06")]
    [InlineData("/eligibility?lat=50,63&lon=3,06")]
    [InlineData("/de/eligibility?lat=%2050,6292%20&lon=3,0573")]
    public async Task EligibilityPage_DecimalCommaOrPoint_AnswersForLille(string path)
    {
        var (status, html) = await GetPageAsync(path);

        Assert.Equal(HttpStatusCode.OK, status);
        var text = HtmlText.Of(html);
        Assert.Contains("FR59350 Lille", text, StringComparison.Ordinal);
        Assert.Contains("Interreg France-Wallonie-Vlaanderen", text, StringComparison.Ordinal);
        // The marker is on the point asked about.
        Assert.Matches(MarkerAt(), html);
    }

    [Theory]
    [InlineData("/fr/eligibility?lat=95&lon=3", "La latitude doit être comprise entre -90 et 90")]
    [InlineData("/nl/eligibility?lat=50,6,3&lon=3", "Geef de breedtegraad als decimaal getal, bv. 50,6292")]
    [InlineData("/de/eligibility?nuts=XX999", "Keine Gebietseinheit hat diesen Code")]
    public async Task EligibilityPage_BadInput_400WithTheErrorInThePagesLanguage(string path, string message)
    {
        var (status, html) = await GetPageAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, HtmlText.Of(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EligibilityPage_NoQuestion_MapOpensOnTheCurrentCooperationProgrammeAreas()
    {
        var (_, html) = await GetPageAsync("/eligibility");

        var layers = MapLayers(html, "eligibility-map");
        Assert.Contains("/api/v1/programmes/fwv-2021-2027/area.geojson?zoom=6", layers);
        Assert.Contains("/api/v1/programmes/nwe-2021-2027/area.geojson?zoom=6", layers);
        Assert.DoesNotContain(layers, l => l.Contains("espon", StringComparison.Ordinal));
        Assert.Contains("The map shows the areas of", HtmlText.Of(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EligibilityPage_PlaceChosen_MapDrawsThePlaceWithAMarkerOverItsProgrammesAreas()
    {
        var (_, html) = await GetPageAsync("/eligibility?lau=BE57081");

        var layers = MapLayers(html, "eligibility-map");
        Assert.Contains("/api/v1/territories/BE57081/geometry?zoom=10", layers);
        Assert.Contains("/api/v1/programmes/fwv-2021-2027/area.geojson?zoom=6", layers);
        Assert.Contains("data-marker=\"{&quot;lat&quot;:50.", html, StringComparison.Ordinal);
        Assert.Contains("&quot;label&quot;:&quot;Tournai&quot;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/eligibility")]
    [InlineData("/eligibility?lau=BE34022")]
    [InlineData("/projects/alarm-fwv")]
    [InlineData("/organisations/lille-metropole")]
    [InlineData("/groupings/eurometropole")]
    [InlineData("/programmes/fwv-2021-2027")]
    public async Task Maps_EveryMap_IsALabelledRegionDescribedInWords(string path)
    {
        var (_, html) = await GetPageAsync(path);

        // An image may not hold Leaflet's buttons and links (axe: nested-interactive).
        Assert.DoesNotContain("role=\"img\"", html, StringComparison.Ordinal);
        var map = MapElement().Match(html);
        Assert.True(map.Success, path);
        Assert.Contains("role=\"region\"", map.Value, StringComparison.Ordinal);
        Assert.Matches("aria-label=\"[^\"]+\"", map.Value);
        var described = Regex.Match(map.Value, "aria-describedby=\"([^\"]+)\"");
        Assert.True(described.Success, path);
        Assert.Matches($"<p id=\"{described.Groups[1].Value}\">[^<]{{20,}}", html);
    }

    // ---------------------------------------------------------------- partner maps

    [Fact]
    public async Task ProjectPage_Partners_LocatedOnesListedWithTheApproximateOnesMarked()
    {
        var (_, html) = await GetPageAsync("/projects/alarm-fwv");
        var text = HtmlText.Of(html);

        Assert.Contains("SDIS 59 (Service départemental d'incendie et de secours du Nord) France Lille (approximate: only the municipality is known)", text, StringComparison.Ordinal);
        Assert.Contains("Métropole Européenne de Lille France Lille (approximate: only the municipality is known)", text, StringComparison.Ordinal);
        Assert.Contains("Zone Westhoek Belgium Not known", text, StringComparison.Ordinal);
        Assert.Contains("It places 2 of the 25 partners", text, StringComparison.Ordinal);
        var layers = MapLayers(html, "project-map");
        Assert.Equal(["/api/v1/programmes/fwv-2014-2020/area.geojson?zoom=6", "/api/v1/projects/alarm-fwv/partners.geojson"], layers);
    }

    [Fact]
    public async Task ProjectPage_French_SaysApproximateInFrench()
    {
        var (_, html) = await GetPageAsync("/fr/projects/alarm-fwv");

        Assert.Contains("Lille (approximatif : seule la commune est connue)", HtmlText.Of(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartnersGeoJson_Project_ApproximatePointsInsideTheMunicipalityAndAGisReaderOpensIt()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/projects/alarm-fwv/partners.geojson", Ct);
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("23", response.Headers.GetValues(ExportsEndpoints.SkippedHeader).Single());
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        var features = JsonDocument.Parse(body).RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(["lille-metropole", "sdis-59"], features.Select(f => f.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.All(features, f =>
        {
            var p = f.GetProperty("properties");
            Assert.Equal("municipality", p.GetProperty("locationPrecision").GetString());
            Assert.True(p.GetProperty("locationApproximate").GetBoolean());
            Assert.Equal("FR59350", p.GetProperty("locationMunicipality").GetString());
        });
        Assert.Equal("LeadPartner", features.Single(f => f.GetProperty("id").GetString() == "sdis-59").GetProperty("properties").GetProperty("role").GetString());

        // The point is inside Lille: the finder puts it there.
        var point = features[0].GetProperty("geometry").GetProperty("coordinates");
        var (_, where) = await GetJsonAsync(FormattableString.Invariant($"/api/v1/places/eligibility?lat={point[1].GetDouble()}&lon={point[0].GetDouble()}"));
        Assert.Equal("FR59350", where.GetProperty("units").EnumerateArray().Last().GetProperty("code").GetString());

        var output = OgrInfo(body);
        Assert.Contains("Feature Count: 2", output, StringComparison.Ordinal);
        Assert.Contains("Geometry: Point", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartnersGeoJson_Organisation_ItselfAndItsProjectsPartners()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/organisations/lille-metropole/partners.geojson", Ct);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        var features = JsonDocument.Parse(body).RootElement.GetProperty("features").EnumerateArray()
            .ToDictionary(f => f.GetProperty("id").GetString()!, f => f.GetProperty("properties"));

        Assert.True(features["lille-metropole"].GetProperty("subject").GetBoolean());
        Assert.False(features["sdis-59"].GetProperty("subject").GetBoolean());
        Assert.Equal(1, features["sdis-59"].GetProperty("sharedProjects").GetInt32());
        Assert.Contains("Feature Count: 2", OgrInfo(body), StringComparison.Ordinal);
        var (status, _) = await GetJsonAsync("/api/v1/organisations/no-such-organisation/partners.geojson");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task ForOrganisation_CoPartners_RankedByPublishedProjectsSharedWithDraftsLeftOut()
    {
        var tag = await CoPartnersAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var map = await scope.ServiceProvider.GetRequiredService<Passerelle.Core.Territories.PartnerMaps>().ForOrganisationAsync($"{tag}-subject", Ct);

        Assert.NotNull(map);
        Assert.Equal(
            [($"{tag}-subject", 3, true), ($"{tag}-often", 2, false), ($"{tag}-once", 1, false)],
            map.Partners.Select(p => (p.Slug, p.SharedProjects, p.IsSubject)));
        Assert.Equal(3, map.Total);
    }

    [Fact]
    public async Task ForOrganisation_MoreCoPartnersThanTheLimit_TheMostSharedKeptAndAllCounted()
    {
        var tag = await CoPartnersAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var map = await scope.ServiceProvider.GetRequiredService<Passerelle.Core.Territories.PartnerMaps>().ForOrganisationAsync($"{tag}-subject", 2, Ct);

        Assert.NotNull(map);
        Assert.Equal([($"{tag}-subject", 3, true), ($"{tag}-often", 2, false)], map.Partners.Select(p => (p.Slug, p.SharedProjects, p.IsSubject)));
        Assert.Equal(3, map.Total);
    }

    /// <summary>An organisation in three published projects and a draft, beside two published co-partners and a hidden one; its tag.</summary>
    private async Task<string> CoPartnersAsync()
    {
        var tag = "pm" + Guid.NewGuid().ToString("N")[..8];
        await app.WriteAsync(async session =>
        {
            Organisation Organisation(string name, bool published = true) =>
                session.Create(new Organisation { Slug = $"{tag}-{name}", Name = $"{name} {tag}", Country = "BE", IsPublished = published });
            Project Project(int n, bool published = true) =>
                session.Create(new Project { Slug = $"{tag}-p{n}", Acronym = $"PM-{n}", ProgrammeCode = "PM" + tag, IsPublished = published });
            void Link(Project project, params Organisation[] organisations)
            {
                foreach (var organisation in organisations)
                {
                    session.Create(new Participation { Project = project, Organisation = organisation, Role = ParticipationRole.Partner });
                }
            }

            var (subject, often, once, hidden) = (Organisation("subject"), Organisation("often"), Organisation("once"), Organisation("hidden", published: false));
            var (first, second, third, draft) = (Project(1), Project(2), Project(3), Project(4, published: false));
            Link(first, subject, often, once, hidden);
            Link(second, subject, often, hidden);
            Link(third, subject);
            Link(draft, subject, often, once);
            await session.FlushAsync();
            return 0;
        });
        return tag;
    }

    [Fact]
    public async Task OrganisationPage_AtItsMunicipality_SaysSoAndMapsTheProjectsPartners()
    {
        var (_, html) = await GetPageAsync("/organisations/lille-metropole");
        var text = HtmlText.Of(html);

        Assert.Contains("the organisation is drawn approximately, at a point inside the municipality of Lille", text, StringComparison.Ordinal);
        Assert.Contains("The map also shows 1 of the", text, StringComparison.Ordinal);
        Assert.Contains("/api/v1/organisations/lille-metropole/partners.geojson", MapLayers(html, "organisation-map"));
        Assert.Contains("SDIS 59 (Service départemental d'incendie et de secours du Nord) — Lille (approximate: only the municipality is known)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupingPage_Map_ComesBeforeTheFigures()
    {
        var (_, html) = await GetPageAsync("/groupings/eurometropole");

        var map = html.IndexOf("id=\"grouping-map\"", StringComparison.Ordinal);
        Assert.True(map > 0);
        Assert.True(map < html.IndexOf("id=\"figures\"", StringComparison.Ordinal));
        Assert.Contains("The map draws the 155 municipalities of the grouping's territory: 60 (BE), 95 (FR).", HtmlText.Of(html), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- exports

    [Fact]
    public async Task ExportOrganisationsGeoJson_OnlyTheMunicipalityKnown_ApproximatePointsAGisReaderOpens()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/organisations/export.geojson?country=FR", Ct);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        var features = JsonDocument.Parse(body).RootElement.GetProperty("features").EnumerateArray()
            .ToDictionary(f => f.GetProperty("properties").GetProperty("slug").GetString()!, f => f.GetProperty("properties"));

        // No organisation has coordinates in the default data; these two give the city Lille.
        Assert.Equal(["lille-metropole", "sdis-59"], features.Keys.Order(StringComparer.Ordinal));
        Assert.All(features.Values, p =>
        {
            Assert.Equal("municipality", p.GetProperty("locationPrecision").GetString());
            Assert.True(p.GetProperty("locationApproximate").GetBoolean());
            Assert.Equal("FR59350", p.GetProperty("locationMunicipality").GetString());
            Assert.Equal(JsonValueKind.Null, p.GetProperty("latitude").ValueKind); // the table's coordinates stay unknown
        });
        var france = await app.WithDbAsync(db => db.Organisations.CountAsync(o => o.Country == "FR" && o.IsPublished, Ct));
        Assert.Equal((france - 2).ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues(ExportsEndpoints.SkippedHeader).Single());
        var output = OgrInfo(body);
        Assert.Contains("Feature Count: 2", output, StringComparison.Ordinal);
        Assert.Contains("locationPrecision (String) = municipality", OgrInfo(body, summary: false), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportProjectsGeoJson_LeadPartnerAtItsMunicipality_IsAnApproximateFeature()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/projects/export.geojson", Ct);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        var features = JsonDocument.Parse(body).RootElement.GetProperty("features").EnumerateArray().ToList();

        var alarm = Assert.Single(features);
        Assert.Equal("alarm-fwv", alarm.GetProperty("properties").GetProperty("slug").GetString());
        Assert.Equal("municipality", alarm.GetProperty("properties").GetProperty("locationPrecision").GetString());
        // Every other published project (the default data's, and those other tests of this class write) is left out.
        var published = await app.WithDbAsync(db => db.Projects.CountAsync(p => p.IsPublished, Ct));
        Assert.Equal((published - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues(ExportsEndpoints.SkippedHeader).Single());
        Assert.Contains("Feature Count: 1", OgrInfo(body), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- import

    [Fact]
    public async Task Import_NamesInOtherLanguages_KeptWithTheirSource()
    {
        var names = await app.WithDbAsync(db => db.TerritoryNames.AsNoTracking()
            .Where(n => n.UnitCode == "BE34022" || n.UnitCode == "BE254")
            .Join(db.Sources, n => n.SourceId, s => s.Id, (n, s) => new { n.UnitCode, n.Language, n.Name, s.Key })
            .ToListAsync(Ct));

        Assert.Contains(names, n => n is { UnitCode: "BE34022", Language: "fr", Name: "Courtrai", Key: "statbel-municipalities-2020" });
        Assert.Contains(names, n => n is { UnitCode: "BE254", Language: "nl", Name: "Arrondissement Kortrijk", Key: "statbel-municipalities-2020" });
    }

    // ---------------------------------------------------------------- helpers

    private static string Tight(string text) => Regex.Replace(text, @"\s+([:.,])", "$1");

    /// <summary>The URLs a map draws (its data-layers).</summary>
    private static List<string> MapLayers(string html, string id)
    {
        var match = Regex.Match(html, $"id=\"{id}\"[^>]*data-layers=\"([^\"]*)\"");
        Assert.True(match.Success, $"no map {id}");
        return JsonDocument.Parse(WebUtility.HtmlDecode(match.Groups[1].Value)).RootElement.EnumerateArray()
            .Select(l => l.ValueKind == JsonValueKind.String ? l.GetString()! : l.GetProperty("url").GetString()!).ToList();
    }

    private static string OgrInfo(byte[] geoJson, bool summary = true)
    {
        var file = Path.Combine(Path.GetTempPath(), $"passerelle-{Guid.NewGuid():N}.geojson");
        File.WriteAllBytes(file, geoJson);
        try
        {
            return summary
                ? Exports.ExportTestSupport.Run("ogrinfo", "-ro", "-al", "-so", file)
                : Exports.ExportTestSupport.Run("ogrinfo", "-ro", "-al", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex("<form id=\"place-search\"[^>]*method=\"get\"[^>]*>[\\s\\S]*?<input id=\"q\" name=\"q\"")]
    private static partial Regex PlaceForm();

    [GeneratedRegex("data-marker=\"\\{&quot;lat&quot;:50\\.6\\d*,&quot;lon&quot;:3\\.0\\d*")]
    private static partial Regex MarkerAt();

    [GeneratedRegex("<div id=\"[a-z-]+-map\"[^>]*data-map[^>]*>")]
    private static partial Regex MapElement();
}
