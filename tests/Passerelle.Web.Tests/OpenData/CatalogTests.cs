using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.DefaultData;
using Passerelle.Core.OpenData.Catalog;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Api;
using Passerelle.Web.Localization;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.OpenData;

public sealed class SqliteCatalogTests(PasserelleApp app) : CatalogTests<PasserelleApp>(app);

public sealed class PostgresCatalogTests(PostgresApp app) : CatalogTests<PostgresApp>(app);

/// <summary>
/// The DCAT-AP catalogue of the default data (with the territories), once per provider: it passes DCAT-AP 3.0.1's
/// SHACL shapes (shapes.ttl and range.ttl, read from ../shared/specs) in Turtle and in JSON-LD with zero violations,
/// checked by a real SHACL engine (rdf-validate-shacl under node); every address it gives answers 200; /catalog
/// negotiates; the exports point back to it.
/// </summary>
public abstract class CatalogTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The address the test client fetches from: relative IRIs of the catalogue resolve against it.</summary>
    private const string Base = "http://localhost";

    [Theory]
    [InlineData("/catalog.ttl", CatalogEndpoints.TurtleType)]
    [InlineData("/catalog.jsonld", CatalogEndpoints.JsonLdType)]
    public async Task Catalog_DefaultData_ConformsToDcatAp301ShapesWithoutViolations(string path, string type)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);

        var report = Shacl.Validate(await response.Content.ReadAsStringAsync(Ct), type, Base + path);

        Assert.True(report.ExitCode == 0, report.Output);
        Assert.True(report.Json.GetProperty("conforms").GetBoolean(), report.Output);
        Assert.DoesNotContain(report.Json.GetProperty("results").EnumerateArray(), r => r.GetProperty("severity").GetString() == "Violation");
        Assert.True(report.Json.GetProperty("triples").GetInt32() > 500, report.Output);
    }

    [Fact]
    public async Task Catalog_TurtleAndJsonLd_SayTheSameTriples()
    {
        using var client = app.CreateClient();
        var turtle = Shacl.Validate(await client.GetStringAsync("/catalog.ttl", Ct), CatalogEndpoints.TurtleType, Base + "/catalog.ttl");
        var jsonLd = Shacl.Validate(await client.GetStringAsync("/catalog.jsonld", Ct), CatalogEndpoints.JsonLdType, Base + "/catalog.jsonld");

        Assert.Equal(turtle.Json.GetProperty("triples").GetInt32(), jsonLd.Json.GetProperty("triples").GetInt32());
    }

    [Fact]
    public async Task Catalog_EveryDistribution_AccessAndDownloadUrlsAnswer200()
    {
        using var client = app.CreateClient();
        var graph = await JsonLdGraphAsync(client);
        var distributions = graph.Where(n => Types(n).Contains("dcat:Distribution")).ToList();
        Assert.NotEmpty(distributions);

        var urls = distributions.SelectMany(d => Ids(d, "dcat:accessURL").Concat(Ids(d, "dcat:downloadURL"))).Distinct().ToList();
        var failures = new List<string>();
        foreach (var url in urls)
        {
            Assert.StartsWith("/", url, StringComparison.Ordinal);
            using var response = await client.GetAsync(url, Ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{url}: {(int)response.StatusCode}");
            }
        }

        Assert.Empty(failures);
        // Every distribution has one of the media types the exports answer with, as an IANA address.
        Assert.All(distributions, d => Assert.StartsWith("http://www.iana.org/assignments/media-types/", Assert.Single(Ids(d, "dcat:mediaType")), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Catalog_Datasets_EveryKindEachProgrammeAndTextsInFourLanguages()
    {
        using var client = app.CreateClient();
        var graph = await JsonLdGraphAsync(client);
        var datasets = graph.Where(n => Types(n).Contains("dcat:Dataset")).ToDictionary(n => n.GetProperty("@id").GetString()!);
        var programmes = await app.WithDbAsync(db => db.Programmes.Where(p => p.IsPublished).Select(p => p.Slug).ToListAsync(Ct));

        var expected = new[] { "projects", "organisations", "territories", "statistics" }.Concat(programmes.Select(p => "operations-" + p));
        Assert.Equal(expected.Select(e => "/catalog#" + e).Order(StringComparer.Ordinal), datasets.Keys.Order(StringComparer.Ordinal));
        foreach (var dataset in datasets.Values)
        {
            Assert.Equal(["de", "en", "fr", "nl"], Languages(dataset, "dct:title"));
            Assert.Equal(["de", "en", "fr", "nl"], Languages(dataset, "dct:description"));
            Assert.Contains("http://publications.europa.eu/resource/authority/data-theme/REGI", Ids(dataset, "dcat:theme"));
            Assert.Single(Ids(dataset, "dct:publisher"));
            Assert.Single(Ids(dataset, "dcat:contactPoint"));
        }

        // A programme's list of operations covers its countries and the NUTS units of its area, under its regulation.
        var fwv = datasets["/catalog#operations-fwv-2021-2027"];
        Assert.Contains("http://publications.europa.eu/resource/authority/country/BEL", Ids(fwv, "dct:spatial"));
        Assert.Contains("http://publications.europa.eu/resource/authority/country/FRA", Ids(fwv, "dct:spatial"));
        Assert.Contains(Ids(fwv, "dct:spatial"), s => s.StartsWith("http://data.europa.eu/nuts/code/", StringComparison.Ordinal));
        Assert.Equal([CatalogGraph.CommonProvisionsRegulation], Ids(fwv, "dcatap:applicableLegislation"));
        Assert.Equal([CatalogGraph.CommonProvisionsRegulation2013], Ids(datasets["/catalog#operations-fwv-2014-2020"], "dcatap:applicableLegislation"));
    }

    [Fact]
    public async Task Catalog_Dates_AreTheRegistrysFirstAndLastRecordedChanges()
    {
        using var client = app.CreateClient();
        var graph = await JsonLdGraphAsync(client);
        var projects = graph.Single(n => n.GetProperty("@id").GetString() == "/catalog#projects");
        var (first, last) = await app.WithDbAsync(async db =>
        {
            var at = db.Revisions.Where(r => r.SubjectType == SubjectType.Project || r.SubjectType == SubjectType.Participation)
                .Join(db.ChangeSets, r => r.ChangeSetId, c => c.Id, (r, c) => c.At);
            return (await at.MinAsync(Ct), await at.MaxAsync(Ct));
        });

        Assert.Equal(Stamp(first), Value(projects, "dct:issued"));
        Assert.Equal(Stamp(last), Value(projects, "dct:modified"));

        // The temporal coverage is the projects' own dates: the earliest start and the latest end a source gives.
        var period = graph.Single(n => n.GetProperty("@id").GetString() == Assert.Single(Ids(projects, "dct:temporal")));
        var (start, end) = await app.WithDbAsync(async db => (
            await db.Projects.Where(p => p.IsPublished && p.StartDate != null).Select(p => p.StartDate!).ToListAsync(Ct),
            await db.Projects.Where(p => p.IsPublished && p.EndDate != null).Select(p => p.EndDate!).ToListAsync(Ct)));
        Assert.Equal(start.MinBy(d => Passerelle.Core.Common.PartialDate.Earliest(d)), Value(period, "dcat:startDate"));
        Assert.Contains(Value(period, "dcat:endDate"), end);
    }

    /// <summary>A cross-border programme of the ERDF, written by the tests' data builder.</summary>
    private static Passerelle.Core.Programmes.Programme Programme(
        WriteSession session, SourceHandle source, string slug, string code, string period, string name, params string[] countries)
    {
        var programme = session.Create(new Passerelle.Core.Programmes.Programme
        {
            Slug = slug,
            Code = code,
            Period = period,
            Kind = Passerelle.Core.Programmes.ProgrammeKind.CrossBorder,
            Funds = ["ERDF"],
            Countries = [.. countries],
        });
        session.SetValue(programme, Fields.Programme.Name.En, name, source);
        return programme;
    }

    [Fact]
    public async Task ComputeAsync_ProgrammeWithDatesOfEveryPrecision_CoversFromTheEarliestStartToTheLatestEnd()
    {
        // Dates to the year, the month and the day: the text order of each length is its time order, but across lengths
        // the days covered decide ("2020-06" starts before "2020-06-15", "2028-03" ends after "2028-02-29"), and of dates
        // starting or ending on the same day the shortest is the coverage ("2019" rather than "2019-01-01").
        var tag = Guid.NewGuid().ToString("N")[..8];
        var slug = await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var programme = Programme(session, source, "catalog-dates-" + tag, "CD" + tag.ToUpperInvariant(), "2021-2027", "Catalogue dates " + tag, "BE", "FR");
            var dates = new (string? Start, string? End)[]
            {
                ("2021", "2027"), ("2020-06-15", "2027-12-31"), ("2020-06", "2028-02-29"), ("2021-01-01", "2028-03"),
                ("2022-05", "2028-01"), (null, "2026"),
            };
            foreach (var (i, (start, end)) in dates.Index())
            {
                var project = session.Create(new Passerelle.Core.Projects.Project { Slug = $"catalog-dates-{tag}-{i}", Acronym = $"CD{i}", ProgrammeCode = programme.Code, Programme = programme });
                if (start is not null)
                {
                    session.SetValue(project, Fields.Project.StartDate, start, source);
                }

                if (end is not null)
                {
                    session.SetValue(project, Fields.Project.EndDate, end, source);
                }
            }

            // A second programme, whose dates all start and end on the same days: the shortest is the coverage.
            var ties = Programme(session, source, "catalog-ties-" + tag, "CT" + tag.ToUpperInvariant(), "2014-2020", "Catalogue ties " + tag, "FR");
            foreach (var (i, (start, end)) in new[] { ("2019-01-01", "2029-12-31"), ("2019-01", "2029-12"), ("2019", "2029") }.Index())
            {
                var project = session.Create(new Passerelle.Core.Projects.Project { Slug = $"catalog-ties-{tag}-{i}", Acronym = $"CT{i}", ProgrammeCode = ties.Code, Programme = ties });
                session.SetValue(project, Fields.Project.StartDate, start, source);
                session.SetValue(project, Fields.Project.EndDate, end, source);
            }

            await session.FlushAsync();
            return programme.Slug;
        });

        var catalog = await app.WithDbAsync(db => CatalogQueries.ComputeAsync(db, Ct));

        var dataset = catalog.Datasets.Single(d => d.Id == "operations-" + slug);
        Assert.Equal(("2020-06", "2028-03"), (dataset.TemporalStart, dataset.TemporalEnd));
        var tied = catalog.Datasets.Single(d => d.Id == "operations-catalog-ties-" + tag);
        Assert.Equal(("2019", "2029"), (tied.TemporalStart, tied.TemporalEnd));
    }

    [Fact]
    public async Task ComputeAsync_ADateThatIsNotAPartialDate_IsLeftOutAndHidesNoOtherDate()
    {
        // The write path refuses such a value; one written around it must not hide the valid dates of its length.
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (slug, spoiled) = await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var programme = Programme(session, source, "catalog-spoiled-" + tag, "CS" + tag.ToUpperInvariant(), "2021-2027", "Catalogue spoiled " + tag, "NL");
            var projects = new List<Passerelle.Core.Projects.Project>();
            foreach (var (i, (start, end)) in new[] { ("2021-02", "2024-06"), ("2021-09", "2025-01") }.Index())
            {
                var project = session.Create(new Passerelle.Core.Projects.Project { Slug = $"catalog-spoiled-{tag}-{i}", Acronym = $"CS{i}", ProgrammeCode = programme.Code, Programme = programme });
                session.SetValue(project, Fields.Project.StartDate, start, source);
                session.SetValue(project, Fields.Project.EndDate, end, source);
                projects.Add(project);
            }

            await session.FlushAsync();
            return (programme.Slug, projects[1].Id);
        });
        // Of the dates' length, the text order puts "2020-xx" first and "2025-99" last: both would hide the valid ones.
        Task<int> SetDatesAsync(string start, string end) => app.WithDbAsync(db => db.Projects.Where(p => p.Id == spoiled)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.StartDate, start).SetProperty(p => p.EndDate, end), Ct));
        await SetDatesAsync("2020-xx", "2025-99");
        DataCatalog catalog;
        try
        {
            catalog = await app.WithDbAsync(db => CatalogQueries.ComputeAsync(db, Ct));
        }
        finally
        {
            // The class's other tests share the database, and its exports read these columns.
            await SetDatesAsync("2021-09", "2025-01");
        }

        var dataset = catalog.Datasets.Single(d => d.Id == "operations-" + slug);
        Assert.Equal(("2021-02", "2024-06"), (dataset.TemporalStart, dataset.TemporalEnd));
    }

    [Theory]
    [InlineData(null, CatalogEndpoints.TurtleType)]
    [InlineData("text/turtle", CatalogEndpoints.TurtleType)]
    [InlineData("application/ld+json", CatalogEndpoints.JsonLdType)]
    [InlineData("application/json", CatalogEndpoints.JsonLdType)]
    [InlineData("application/ld+json;q=0.5, text/turtle;q=0.9", CatalogEndpoints.TurtleType)]
    [InlineData("image/png, */*;q=0.1", CatalogEndpoints.TurtleType)]
    public async Task Catalog_Accept_AnswersTheFormatAskedFor(string? accept, string type)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/catalog");
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
    }

    [Theory]
    [InlineData("/catalog.ttl")]
    [InlineData("/catalog.jsonld")]
    public async Task Catalog_PolledWithItsETag_304UntilTheRegistryMovesThenTheNewCatalogue(string path)
    {
        using var client = app.CreateClient();
        using var first = await client.GetAsync(path, Ct);
        var tag = first.Headers.ETag;
        Assert.NotNull(tag);
        Assert.False(tag.IsWeak);

        using (var poll = new HttpRequestMessage(HttpMethod.Get, path))
        {
            poll.Headers.IfNoneMatch.Add(tag);
            using var unchanged = await client.SendAsync(poll, Ct);
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
            Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync(Ct));
        }

        // A new programme is a new dataset of the catalogue: the document and its tag change with the registry.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var slug = await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var programme = Programme(session, source, "catalog-poll-" + suffix, "CP" + suffix.ToUpperInvariant(), "2021-2027", "Catalogue poll " + suffix, "FR");
            await session.FlushAsync();
            return programme.Slug;
        });

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(tag);
        using var changed = await client.SendAsync(again, Ct);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(tag, changed.Headers.ETag);
        Assert.Contains("operations-" + slug, await changed.Content.ReadAsStringAsync(Ct));
        Assert.DoesNotContain("operations-" + slug, await first.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Catalog_BrowserAsks_RedirectedToTheOpenDataPage()
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/catalog");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/open-data", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("application/rdf+xml")]
    [InlineData("text/turtle;q=0")]
    public async Task Catalog_FormatItHasNot_406ProblemNotAcceptable(string accept)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/catalog");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(ErrorCodes.NotAcceptable, problem.RootElement.GetProperty("errorCode").GetString());
    }

    [Theory]
    [InlineData("/api/v1/projects/export.csv")]
    [InlineData("/api/v1/organisations/export.geojson")]
    [InlineData("/api/v1/exports/operations.xlsx?programme=fwv-2014-2020")]
    [InlineData("/api/v1/exports/keep/partners.csv")]
    [InlineData("/api/v1/statistics/budget-by-programme.csv")]
    public async Task Export_Response_LinksToTheCatalogAsItsDescription(string path)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("</catalog>; rel=\"describedby\"", response.Headers.GetValues("Link"));
    }

    [Fact]
    public async Task Api_OtherRoutes_HaveNoCatalogLink()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/projects", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Link"));
    }

    [Fact]
    public async Task Catalog_EveryTextKey_ExistsInEveryLanguage()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var catalog = await scope.ServiceProvider.GetRequiredService<CatalogQueries>().GetAsync(Ct);
        static IEnumerable<string> Keys(CatalogText text) => text.Args.OfType<CatalogText>().SelectMany(Keys).Prepend(text.Key);
        var keys = catalog.Datasets.SelectMany(d => new[] { d.Title, d.Description }.Concat(d.Distributions.Select(x => x.Title))).SelectMany(Keys)
            .Concat(["catalog.title", "catalog.description", "catalog.api.title", "catalog.api.description", "catalog.boundaries.terms", "catalog.boundaries.attribution"])
            .Distinct().ToList();
        var text = app.Services.GetRequiredService<UiText>();

        foreach (var language in UiText.Languages)
        {
            var known = text.Keys(language);
            Assert.All(keys, k => Assert.Contains(k, known));
        }
    }

    private static string Stamp(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task<List<JsonElement>> JsonLdGraphAsync(HttpClient client)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync("/catalog.jsonld", Ct));
        return [.. document.RootElement.GetProperty("@graph").EnumerateArray().Select(e => e.Clone())];
    }

    internal static List<string> Types(JsonElement node) =>
        node.TryGetProperty("@type", out var types) ? [.. types.EnumerateArray().Select(t => t.GetString()!)] : [];

    internal static List<string> Ids(JsonElement node, string property) =>
        node.TryGetProperty(property, out var values) ? [.. values.EnumerateArray().Select(v => v.GetProperty("@id").GetString()!)] : [];

    private static List<string> Languages(JsonElement node, string property) =>
        [.. node.GetProperty(property).EnumerateArray().Select(v => v.GetProperty("@language").GetString()!).Order(StringComparer.Ordinal)];

    private static string Value(JsonElement node, string property) =>
        node.GetProperty(property).EnumerateArray().Single().GetProperty("@value").GetString()!;
}

/// <summary>
/// Runs tests/Passerelle.Web.Tests/OpenData/shacl-check.mjs with node from the repository root (where npm installs
/// the devDependencies rdf-validate-shacl, n3 and jsonld), on DCAT-AP 3.0.1's shapes.ttl and range.ttl.
/// </summary>
internal static class Shacl
{
    // A bound against a hang, not a timing check: validating the catalogue takes about a second.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    public sealed record Report(int ExitCode, string Output, JsonElement Json);

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Passerelle.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Passerelle.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>DCAT-AP 3.0.1's SHACL files, in the shared folder beside the geodata (shared/specs/dcat-ap-3.0.1).</summary>
    public static string[] ShapeFiles()
    {
        var shared = DataPaths.FindSharedData() ?? throw new InvalidOperationException("No shared/data folder above the tests (PASSERELLE_SHARED_DATA).");
        var folder = Path.GetFullPath(Path.Combine(shared, "..", "specs", "dcat-ap-3.0.1"));
        string[] files = [Path.Combine(folder, "shapes.ttl"), Path.Combine(folder, "range.ttl")];
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"DCAT-AP 3.0.1's SHACL file {file} is missing: copy shapes.ttl and range.ttl of SEMICeu/DCAT-AP releases/3.0.1/html/shacl there.");
            }
        }

        return files;
    }

    public static Report Validate(string document, string type, string baseIri)
    {
        var root = RepositoryRoot();
        if (!Directory.Exists(Path.Combine(root, "node_modules", "rdf-validate-shacl")))
        {
            throw new InvalidOperationException($"rdf-validate-shacl is not installed: run `npm ci` in {root}.");
        }

        var file = Path.Combine(Path.GetTempPath(), "passerelle-catalog-" + Guid.NewGuid().ToString("N") + (type == CatalogEndpoints.TurtleType ? ".ttl" : ".jsonld"));
        File.WriteAllText(file, document, new UTF8Encoding(false));
        try
        {
            var start = new ProcessStartInfo("node")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
            };
            foreach (var argument in new[] { Path.Combine(root, "tests", "Passerelle.Web.Tests", "OpenData", "shacl-check.mjs"), file, type, baseIri }.Concat(ShapeFiles()))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Patience))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("the SHACL check did not finish");
            }

            var output = stdout.Result + stderr.Result;
            Assert.True(process.ExitCode is 0 or 1, $"the SHACL check could not run (exit {process.ExitCode}): {output}");
            using var json = JsonDocument.Parse(stdout.Result);
            return new Report(process.ExitCode, output, json.RootElement.Clone());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
