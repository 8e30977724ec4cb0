using System.Net.Http.Json;
using System.Text.Json;

using Passerelle.Web.Api;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Api.Editing;

/// <summary>
/// The OpenAPI document describes every write route: the token it needs, If-Match where it changes a record, its
/// request body and every answer it can give. (The document does not depend on the database: SQLite only.)
/// </summary>
public sealed class ApiWriteOpenApiTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Kinds = ["programmes", "groupings", "projects", "organisations", "sources"];

    private async Task<JsonElement> PathsAsync()
    {
        using var client = app.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        return document.GetProperty("paths");
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement paths) =>
        from path in paths.EnumerateObject()
        from operation in path.Value.EnumerateObject()
        where operation.Name is "get" or "post" or "put" or "patch" or "delete"
        select (path.Name, operation.Name, operation.Value);

    private static string[] Responses(JsonElement operation) => [.. operation.GetProperty("responses").EnumerateObject().Select(r => r.Name)];

    private static bool RequiresBearer(JsonElement operation) =>
        operation.TryGetProperty("security", out var security) && security.EnumerateArray().Any(r => r.TryGetProperty(ApiAccess.SecuritySchemeName, out _));

    [Fact]
    public async Task OpenApi_EveryWriteRoute_RequiresTheTokenAndDocumentsItsAnswers()
    {
        var paths = await PathsAsync();
        var writes = Operations(paths).Where(o => o.Method != "get").ToList();

        foreach (var kind in Kinds)
        {
            Assert.Contains(writes, w => w.Path == $"/api/v1/{kind}" && w.Method == "post");
            Assert.Contains(writes, w => w.Path == $"/api/v1/{kind}/{{id}}" && w.Method == "put");
            Assert.Contains(writes, w => w.Path == $"/api/v1/{kind}/{{id}}" && w.Method == "delete");
            Assert.Contains(writes, w => w.Path == $"/api/v1/{kind}/{{id}}/restore" && w.Method == "post");
        }

        Assert.All(writes, w =>
        {
            Assert.True(RequiresBearer(w.Operation), $"{w.Method} {w.Path} does not require the bearer token");
            Assert.Superset(new HashSet<string>(["400", "401", "403", "404", "422"]), new HashSet<string>(Responses(w.Operation)));
        });
        // Every change to an existing record: If-Match, required, and its answers.
        Assert.All(writes.Where(w => w.Path.Contains("{id}", StringComparison.Ordinal)), w =>
        {
            Assert.Contains(w.Operation.GetProperty("parameters").EnumerateArray(),
                p => p.GetProperty("name").GetString() == "If-Match" && p.GetProperty("in").GetString() == "header" && p.GetProperty("required").GetBoolean());
            Assert.Superset(new HashSet<string>(["200", "409", "428"]), new HashSet<string>(Responses(w.Operation)));
        });
        Assert.All(writes.Where(w => w.Method == "post" && !w.Path.Contains("{id}", StringComparison.Ordinal)),
            w => Assert.Contains("201", Responses(w.Operation)));
    }

    [Fact]
    public async Task OpenApi_ProjectRoutes_DescribeTheirBodiesAndProblems()
    {
        var paths = await PathsAsync();
        var project = paths.GetProperty("/api/v1/projects/{id}");

        var put = project.GetProperty("put");
        var patch = project.GetProperty("patch");
        var conflict = put.GetProperty("responses").GetProperty("409").GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
        var rules = put.GetProperty("responses").GetProperty("422").GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
        var editing = paths.GetProperty("/api/v1/projects/{id}/editing").GetProperty("get");

        Assert.EndsWith("/ProjectInput", put.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(),
            StringComparison.Ordinal);
        Assert.EndsWith("/ValuesPatch", patch.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(),
            StringComparison.Ordinal);
        Assert.EndsWith("/EditConflictProblem", conflict.GetProperty("$ref").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/RuleViolationProblem", rules.GetProperty("$ref").GetString(), StringComparison.Ordinal);
        Assert.True(RequiresBearer(editing));
        // The public read of a project stays open.
        Assert.False(RequiresBearer(paths.GetProperty("/api/v1/projects/{slug}").GetProperty("get")));
    }
}
