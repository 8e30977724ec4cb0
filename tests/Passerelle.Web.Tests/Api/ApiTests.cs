using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Api;

public sealed class SqliteApiTests(PasserelleApp app) : ApiTests<PasserelleApp>(app);

public sealed class PostgresApiTests(PostgresApp app) : ApiTests<PostgresApp>(app);

/// <summary>Every test here runs once per provider: the sealed subclasses above pick the fixture.</summary>
public abstract class ApiTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpResponseMessage Response, JsonElement Json)> GetJsonAsync(string path)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (response, json);
    }

    [Theory]
    [InlineData("/api/v1/programmes", 7)]
    [InlineData("/api/v1/groupings", 1)]
    [InlineData("/api/v1/projects", 8)]
    [InlineData("/api/v1/themes", 15)]
    public async Task List_DefaultData_ReturnsEnvelopeWithTotal(string path, int total)
    {
        var (response, json) = await GetJsonAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(total, json.GetProperty("total").GetInt32());
        Assert.Equal(1, json.GetProperty("page").GetInt32());
        Assert.Equal(20, json.GetProperty("pageSize").GetInt32());
        Assert.Equal(Math.Min(total, 20), json.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ListOrganisations_SmallPages_PageThroughEveryOrganisationOnce()
    {
        var (_, first) = await GetJsonAsync("/api/v1/organisations?pageSize=10");
        var total = first.GetProperty("total").GetInt32();
        Assert.True(total > 50, $"the partners of the eight projects are organisations ({total})");
        var slugs = new List<string>();
        for (var page = 1; (page - 1) * 10 < total; page++)
        {
            var (_, json) = await GetJsonAsync($"/api/v1/organisations?page={page}&pageSize=10");
            slugs.AddRange(json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!));
        }

        Assert.Equal(total, slugs.Count);
        Assert.Equal(total, slugs.Distinct().Count());
    }

    [Theory]
    [InlineData("/api/v1/programmes/fwv-2014-2020", "slug", "fwv-2014-2020")]
    [InlineData("/api/v1/groupings/eurometropole", "slug", "eurometropole")]
    [InlineData("/api/v1/projects/tec", "slug", "tec")]
    [InlineData("/api/v1/organisations/lille-metropole", "slug", "lille-metropole")]
    [InlineData("/api/v1/themes/biodiversity", "slug", "biodiversity")]
    public async Task Detail_KnownSlug_ReturnsTheRecord(string path, string property, string expected)
    {
        var (response, json) = await GetJsonAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = json.TryGetProperty("summary", out var s) ? s : json;
        Assert.Equal(expected, summary.GetProperty(property).GetString());
    }

    [Fact]
    public async Task ProjectDetail_Biseps_ReturnsValuesWithTheirSources()
    {
        var (_, json) = await GetJsonAsync("/api/v1/projects/biseps");
        Assert.Equal(3908751m, json.GetProperty("summary").GetProperty("totalBudget").GetDecimal());
        Assert.Equal(2345251m, json.GetProperty("summary").GetProperty("euContribution").GetDecimal());
        Assert.Equal("leiedal", json.GetProperty("summary").GetProperty("leadPartner").GetProperty("slug").GetString());
        var facts = json.GetProperty("facts").GetProperty("all").EnumerateArray().ToList();
        var budget = Assert.Single(facts, f => f.GetProperty("field").GetString() == "total_budget_eur");
        Assert.Equal("3908751", budget.GetProperty("value").GetString());
        Assert.Equal("https://www.interreg2seas.eu/en/biseps", budget.GetProperty("source").GetProperty("url").GetString());
        Assert.All(facts, f => Assert.False(string.IsNullOrEmpty(f.GetProperty("source").GetProperty("title").GetString())));
        Assert.Equal(2, facts.Count(f => f.GetProperty("field").GetString() == "start_date"));
    }

    [Fact]
    public async Task ProjectDetail_FastToMarket_ReturnsNullsForUnknownValues()
    {
        var (_, json) = await GetJsonAsync("/api/v1/projects/fast-to-market");
        var summary = json.GetProperty("summary");
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("totalBudget").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("startDate").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("programme").GetProperty("period").ValueKind);
        Assert.Equal("FWV", summary.GetProperty("programme").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/api/v1/programmes/nope")]
    [InlineData("/api/v1/groupings/nope")]
    [InlineData("/api/v1/projects/nope")]
    [InlineData("/api/v1/organisations/nope")]
    [InlineData("/api/v1/themes/nope")]
    public async Task Detail_UnknownSlug_Returns404ProblemWithErrorCode(string path)
    {
        var (response, json) = await GetJsonAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("not_found", json.GetProperty("errorCode").GetString());
        Assert.Equal(404, json.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/api/v1/projects?page=0")]
    [InlineData("/api/v1/projects?pageSize=0")]
    [InlineData("/api/v1/projects?pageSize=101")]
    [InlineData("/api/v1/programmes?page=-1")]
    [InlineData("/api/v1/organisations?pageSize=1000")]
    [InlineData("/api/v1/themes?page=0")]
    [InlineData("/api/v1/groupings?pageSize=0")]
    public async Task List_BadPaging_Returns400ProblemWithErrorCode(string path)
    {
        var (response, json) = await GetJsonAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid_paging", json.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task List_NonNumericPage_Returns400InvalidPaging()
    {
        var (response, json) = await GetJsonAsync("/api/v1/projects?page=abc");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid_paging", json.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task UnknownApiRoute_Returns404ProblemNotHtml()
    {
        var (response, json) = await GetJsonAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("route_not_found", json.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task ListProjects_ThemeFilter_ReturnsOnlyProjectsWithTheTheme()
    {
        var (_, json) = await GetJsonAsync("/api/v1/projects?theme=biodiversity");
        var slugs = json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()).Order().ToList();
        Assert.Equal(["nicivalys", "tec", "valys"], slugs);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesEveryRoute()
    {
        var (response, json) = await GetJsonAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = json.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var feature in new[] { "programmes", "groupings", "projects", "organisations", "themes" })
        {
            Assert.Contains($"/api/v1/{feature}", paths);
            Assert.Contains($"/api/v1/{feature}/{{slug}}", paths);
        }
    }

    [Fact]
    public async Task ApiDocs_Ui_IsServed()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync("/api/docs/", Ct);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        // The UI's script is served by the application itself: the documentation works offline.
        using var script = await client.GetAsync("/api/docs/scalar.js", Ct);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Healthz_DatabaseUp_ReportsHealthy()
    {
        var (response, json) = await GetJsonAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", json.GetProperty("status").GetString());
        Assert.Equal("Healthy", json.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }
}
