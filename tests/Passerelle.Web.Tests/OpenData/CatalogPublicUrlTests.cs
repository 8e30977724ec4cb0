using System.Net;

using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.OpenData.Catalog;
using Passerelle.Core.Registry;
using Passerelle.Web.Api;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.OpenData;

/// <summary>An installation with its public address and its own publisher settings.</summary>
public sealed class PublicUrlApp : PasserelleApp
{
    public const string PublicUrl = "https://passerelle.example.org";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("PublicUrl", PublicUrl);
        builder.UseSetting("OpenData:PublisherName", "Eurometropole open-data team");
        builder.UseSetting("OpenData:ContactEmail", "opendata@example.org");
    }
}

/// <summary>The catalogue of an installation with <c>PublicUrl</c>: whole addresses, the configured publisher, dates that follow writes.</summary>
public sealed class CatalogPublicUrlTests(PublicUrlApp app) : IClassFixture<PublicUrlApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Catalog_WithPublicUrl_EveryAddressIsWholeAndItConforms()
    {
        using var client = app.CreateClient();
        var turtle = await client.GetStringAsync("/catalog.ttl", Ct);
        var graph = await CatalogTests<PasserelleApp>.JsonLdGraphAsync(client);

        // Validated against an unrelated base: nothing may depend on the address it was fetched from.
        var report = Shacl.Validate(turtle, CatalogEndpoints.TurtleType, "http://unrelated.example/x");
        Assert.True(report.ExitCode == 0, report.Output);
        Assert.DoesNotContain("</", turtle.Replace("<http", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.All(graph, n => Assert.StartsWith("http", n.GetProperty("@id").GetString()!, StringComparison.Ordinal));
        var projects = graph.Single(n => n.GetProperty("@id").GetString() == PublicUrlApp.PublicUrl + "/catalog#projects");
        Assert.Contains(PublicUrlApp.PublicUrl + "/api/v1/projects/export.csv",
            graph.Where(n => CatalogTests<PasserelleApp>.Ids(projects, "dcat:distribution").Contains(n.GetProperty("@id").GetString()!))
                .SelectMany(n => CatalogTests<PasserelleApp>.Ids(n, "dcat:downloadURL")));
    }

    [Fact]
    public async Task Catalog_PublisherSettings_NameTheAgentAndTheContact()
    {
        using var client = app.CreateClient();
        var graph = await CatalogTests<PasserelleApp>.JsonLdGraphAsync(client);

        var publisher = graph.Single(n => CatalogTests<PasserelleApp>.Types(n).Contains("foaf:Agent"));
        Assert.Equal("Eurometropole open-data team", publisher.GetProperty("foaf:name")[0].GetProperty("@value").GetString());
        var contact = graph.Single(n => CatalogTests<PasserelleApp>.Types(n).Contains("vcard:Kind"));
        Assert.Equal(["mailto:opendata@example.org"], CatalogTests<PasserelleApp>.Ids(contact, "vcard:hasEmail"));
        Assert.Equal([PublicUrlApp.PublicUrl + "/open-data"], CatalogTests<PasserelleApp>.Ids(contact, "vcard:hasURL"));
    }

    [Fact]
    public async Task Catalog_AfterAProjectChanges_ItsModifiedDatesAreThatChange()
    {
        await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var project = await session.Db.Projects.Where(p => p.IsPublished && p.Programme != null && p.Programme.Slug == "fwv-2014-2020").OrderBy(p => p.Id).FirstAsync(Ct);
            await session.LoadValuesAsync([project], Ct);
            session.SetValue(project, Fields.Project.TotalBudget, "123456.78", source);
            return 0;
        });
        var changedAt = await app.WithDbAsync(db => db.ChangeSets.OrderByDescending(c => c.Id).Select(c => c.At).FirstAsync(Ct));
        var stamp = DateTime.SpecifyKind(changedAt, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        using var client = app.CreateClient();
        var graph = await CatalogTests<PasserelleApp>.JsonLdGraphAsync(client);
        string Modified(string id) => graph.Single(n => n.GetProperty("@id").GetString() == PublicUrlApp.PublicUrl + "/catalog#" + id)
            .GetProperty("dct:modified")[0].GetProperty("@value").GetString()!;

        Assert.Equal(stamp, Modified("projects"));
        Assert.Equal(stamp, Modified("operations-fwv-2014-2020"));
        Assert.NotEqual(stamp, Modified("operations-nwe-2021-2027"));
    }

    [Fact]
    public async Task Export_WithPublicUrl_LinkNamesTheWholeCatalogAddress()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/projects/export.json", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<{PublicUrlApp.PublicUrl}/catalog>; rel=\"describedby\"", response.Headers.GetValues("Link"));
    }
}
