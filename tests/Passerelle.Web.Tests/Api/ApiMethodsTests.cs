using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Web.Security;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Api;

/// <summary>
/// The API's methods and paging at the HTTP surface: HEAD beside every GET, 405 with Allow for any other method (found
/// from endpoint metadata, so a route added later is covered), and paging errors with their own code.
/// </summary>
public sealed class ApiMethodsTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A real address for each GET route of the API (the default data's records), export formats included.</summary>
    public static TheoryData<string> GetRoutes =>
    [
        "/api/v1/programmes", "/api/v1/programmes/fwv-2014-2020", "/api/v1/programmes/fwv-2014-2020/area.geojson",
        "/api/v1/groupings", "/api/v1/groupings/eurometropole", "/api/v1/groupings/eurometropole/territory.geojson",
        "/api/v1/groupings/eurometropole/profile", "/api/v1/projects", "/api/v1/projects/tec", "/api/v1/organisations",
        "/api/v1/organisations/lille-metropole", "/api/v1/themes", "/api/v1/themes/biodiversity", "/api/v1/territories",
        "/api/v1/territories/FRE11", "/api/v1/territories/FRE11/geometry", "/api/v1/places/eligibility?nuts=FRE11",
        "/api/v1/search?q=biodiversity", "/api/v1/projects/export.csv", "/api/v1/organisations/export.json",
        "/api/v1/exports/keep/projects.csv", "/api/v1/exports/keep/partners.xlsx", "/api/v1/exports/operations.csv",
        "/api/v1/statistics?theme=water", "/api/v1/statistics/budget-by-year.csv",
    ];

    [Theory]
    [MemberData(nameof(GetRoutes))]
    public async Task Head_EveryGetRoute_AnswersLikeGetWithoutBody(string path)
    {
        using var client = app.CreateClient();
        using var get = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Equal(get.Content.Headers.ContentDisposition?.FileNameStar, head.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public void Endpoints_EveryApiGetRoute_AlsoTakesHeadAndHasTheApiRateLimit()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .ToList();
        Assert.True(endpoints.Count >= GetRoutes.Count, $"{endpoints.Count} API endpoints");
        foreach (var endpoint in endpoints)
        {
            Assert.True(endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == RateLimits.Api,
                $"{endpoint.DisplayName} has no API rate limit");
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            if (methods.Contains(HttpMethods.Get))
            {
                Assert.Contains(HttpMethods.Head, methods);
            }
        }
    }

    [Theory]
    [InlineData("PUT", "/api/v1/themes")]
    [InlineData("PUT", "/api/v1/projects/tec")]
    [InlineData("PATCH", "/api/v1/programmes/fwv-2014-2020")]
    [InlineData("DELETE", "/api/v1/organisations/lille-metropole")]
    [InlineData("POST", "/api/v1/projects/export.csv")]
    [InlineData("DELETE", "/api/v1/exports/keep/projects.xlsx")]
    [InlineData("POST", "/api/v1/search")]
    [InlineData("OPTIONS", "/api/v1/themes")]
    [InlineData("PUT", "/api/v1/territories/FRE11/geometry")]
    public async Task OtherMethod_ExistingRoute_Answers405WithAllowAndProblem(string method, string path)
    {
        using var client = app.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}") }, Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("method_not_allowed", problem.GetProperty("errorCode").GetString());
        Assert.Equal(405, problem.GetProperty("status").GetInt32());
        Assert.Equal(path, problem.GetProperty("instance").GetString());
    }

    [Theory]
    [InlineData("POST", "/api/v1/nothing-here")]
    [InlineData("GET", "/api/v1/projects/tec/nothing")]
    [InlineData("DELETE", "/api/v1/nothing.csv")]
    [InlineData("GET", "/api/v1/exports/keep/nothing.csv")]
    public async Task AnyMethod_UnknownApiAddress_Answers404Problem(string method, string path)
    {
        using var client = app.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(response.Content.Headers.Allow);
        Assert.Equal("route_not_found", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errorCode").GetString());
    }

    [Theory]
    [InlineData("/api/v1/projects?page=abc")]
    [InlineData("/api/v1/projects?page=1.5")]
    [InlineData("/api/v1/organisations?pageSize=ten")]
    [InlineData("/api/v1/programmes?page=99999999999")]
    [InlineData("/api/v1/territories?page=%20")]
    [InlineData("/api/v1/search?q=water&page=abc")]
    [InlineData("/api/v1/search?q=water&pageSize=0")]
    [InlineData("/api/v1/search?page=1000&pageSize=100")]
    public async Task List_NonNumericOrOutOfRangePaging_Returns400InvalidPaging(string path)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid_paging", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errorCode").GetString());
    }

    [Theory]
    [InlineData("/api/v1/projects?page=2147483647", 8)]
    [InlineData("/api/v1/projects?page=2147483647&pageSize=100", 8)]
    [InlineData("/api/v1/projects?page=2&pageSize=5", 8)]
    [InlineData("/api/v1/programmes?page=3", 7)]
    [InlineData("/api/v1/themes?page=100000", 15)]
    public async Task List_PageAfterTheLast_IsEmptyWithTheTotal(string path, int total)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(total, json.GetProperty("total").GetInt32());
        var page = json.GetProperty("page").GetInt32();
        var size = json.GetProperty("pageSize").GetInt32();
        Assert.Equal(Math.Clamp(total - ((long)page - 1) * size, 0, size), json.GetProperty("items").GetArrayLength());
        Assert.NotEqual(1, page);
    }

    [Fact]
    public async Task Search_PageAfterTheLastHit_IsEmpty()
    {
        using var client = app.CreateClient();
        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/search?q=biodiversity&page=50&pageSize=100", Ct);
        Assert.True(json.GetProperty("total").GetInt32() > 0);
        Assert.Equal(0, json.GetProperty("items").GetArrayLength());
        Assert.Equal(50, json.GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task TypedQueryValue_NotANumber_Returns400InvalidParameter()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/v1/territories/FRE11/geometry?zoom=abc", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_parameter", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task OpenApi_ListRoutes_DocumentPagingAsIntegersAndNoHeadOperations()
    {
        using var client = app.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            Assert.False(path.Value.TryGetProperty("head", out _), $"{path.Name} lists HEAD as an operation");
        }

        foreach (var route in new[] { "/api/v1/projects", "/api/v1/organisations", "/api/v1/search" })
        {
            var parameters = document.GetProperty("paths").GetProperty(route).GetProperty("get").GetProperty("parameters").EnumerateArray().ToList();
            var page = parameters.Single(p => string.Equals(p.GetProperty("name").GetString(), "page", StringComparison.OrdinalIgnoreCase));
            Assert.Equal("integer", page.GetProperty("schema").GetProperty("type").GetString());
            Assert.Contains("A page after the last answers 200 with no items", page.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("invalid_paging", page.GetProperty("description").GetString(), StringComparison.Ordinal);
            var size = parameters.Single(p => string.Equals(p.GetProperty("name").GetString(), "pageSize", StringComparison.OrdinalIgnoreCase));
            Assert.Equal(100, size.GetProperty("schema").GetProperty("maximum").GetInt32());
        }
    }
}
