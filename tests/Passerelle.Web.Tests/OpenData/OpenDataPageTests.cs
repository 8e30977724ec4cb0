using System.Net;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.OpenData;

/// <summary>The portal's open-data page: every dataset and format, the API and the catalogue, the licences, in each language.</summary>
public sealed class OpenDataPageTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("", "Open data", "/api/docs/")]
    [InlineData("/fr", "Données ouvertes", "/fr/api/docs/")]
    [InlineData("/nl", "Open data", "/nl/api/docs/")]
    [InlineData("/de", "Offene Daten", "/de/api/docs/")]
    public async Task OpenDataPage_InEachLanguage_LinksCatalogueApiAndEveryDistribution(string prefix, string heading, string apiReference)
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync(prefix + "/open-data", Ct);
        var graph = await CatalogTests<PasserelleApp>.JsonLdGraphAsync(client);

        var decoded = WebUtility.HtmlDecode(html);
        Assert.Contains($"<h1>{heading}</h1>", decoded, StringComparison.Ordinal);
        Assert.Contains("href=\"/catalog.ttl\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/catalog.jsonld\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{apiReference}\"", html, StringComparison.Ordinal);
        foreach (var url in graph.Where(n => CatalogTests<PasserelleApp>.Types(n).Contains("dcat:Distribution")).SelectMany(n => CatalogTests<PasserelleApp>.Ids(n, "dcat:accessURL")))
        {
            Assert.Contains($"href=\"{url}\"", decoded, StringComparison.Ordinal);
        }

        // The boundaries' attribution and the registry's licence.
        Assert.Contains("© EuroGeographics", decoded, StringComparison.Ordinal);
        Assert.Contains("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0", decoded, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/fr/projects")]
    [InlineData("/de/organisations")]
    [InlineData("/nl/statistics")]
    public async Task PortalPages_FooterAndExportLinks_LeadToTheOpenDataPage(string path)
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync(path, Ct);
        var prefix = path.Length > 3 && path[3] == '/' ? path[..3] : "";

        Assert.Contains($"href=\"{prefix}/open-data\"", html, StringComparison.Ordinal);
    }
}
