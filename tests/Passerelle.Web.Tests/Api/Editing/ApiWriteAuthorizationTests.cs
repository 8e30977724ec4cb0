using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Web.Api;
using Passerelle.Web.Areas.Admin;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Api.Editing.ApiWriter;

namespace Passerelle.Web.Tests.Api.Editing;

public sealed class SqliteApiWriteAuthorizationTests(PasserelleApp app) : ApiWriteAuthorizationTests<PasserelleApp>(app);

public sealed class PostgresApiWriteAuthorizationTests(PostgresApp app) : ApiWriteAuthorizationTests<PostgresApp>(app);

/// <summary>
/// An authorization matrix over every write route of the API, found in the endpoint metadata (a route added later is
/// covered without touching this test): anonymous callers get 401, viewers 403, and an editor of programme A 403 on
/// every record outside A's scope, whatever the route does. Requests carry If-Match and a valid body, so the refusal
/// seen is the access check's, not a 428 or 400.
/// </summary>
public abstract partial class ApiWriteAuthorizationTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private readonly ApiWriter _api = new(app);

    private sealed record Route(string Method, string Pattern, bool WriteAccess)
    {
        public override string ToString() => $"{Method} {Pattern}";
    }

    /// <summary>Every API route that needs a token, by method and pattern.</summary>
    private List<Route> TokenRoutes()
    {
        var routes = new List<Route>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            if (!pattern.StartsWith("/api/", StringComparison.Ordinal) || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods)
            {
                continue;
            }

            foreach (var method in methods.HttpMethods.Where(m => m != HttpMethods.Head))
            {
                if (policies.Contains(Policies.ApiWrite) || policies.Contains(Policies.ApiView))
                {
                    routes.Add(new Route(method, pattern, policies.Contains(Policies.ApiWrite)));
                }
                else
                {
                    // Every route that changes something needs a writer's token.
                    Assert.True(method == HttpMethods.Get, $"{method} {pattern} is not behind RequireWriteAccess()");
                }
            }
        }

        return routes;
    }

    /// <summary>The address of a route for the records of programme B's scope (and a placeholder change set).</summary>
    private static string Address(Route route, IReadOnlyDictionary<string, int> ids)
    {
        var kind = KindSegment().Match(route.Pattern) is { Success: true } m ? m.Groups[1].Value : "";
        return Parameter().Replace(route.Pattern, p => p.Groups[1].Value switch
        {
            "id" => ids.TryGetValue(kind, out var id) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"{route}: no record of kind '{kind}' in the test's set; add one"),
            "changeSetId" => "1",
            var other => throw new InvalidOperationException($"{route}: unknown route parameter {other}; extend the test"),
        });
    }

    /// <summary>
    /// A body each route takes (every property optional, or the record of programme B's scope it needs: the programme
    /// whose edition is published), so that the access check is what answers.
    /// </summary>
    private static object? Body(Route route, IReadOnlyDictionary<string, int> ids) => route.Method switch
    {
        "POST" when route.Pattern.TrimEnd('/') == "/api/v1/editions" => new { programmeId = ids["programmes"] },
        "PATCH" => new { values = Array.Empty<object>() },
        "PUT" => new { },
        "POST" when !route.Pattern.Contains("/{id", StringComparison.Ordinal) => new { },
        _ => null,
    };

    [Fact]
    public async Task WriteRoutes_AnonymousViewerAndEditorOfAnotherProgramme_AreRefused()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var a = await _api.ProgrammeAsync(admin);
        var b = await _api.ProgrammeAsync(admin);
        var grouping = await _api.PostAsync("/api/v1/groupings", admin, new { legalForm = "EGTC", values = new[] { Value("name.en", Unique("Grouping ")) } });
        var organisation = await _api.PostAsync("/api/v1/organisations", admin, new { values = new[] { Value("name", Unique("Partner ")) } });
        var project = await _api.PostAsync("/api/v1/projects", admin, new
        {
            programmeId = b.Id,
            values = new[] { Value("acronym", Unique("B")) },
            partners = new[] { new { organisationId = organisation.Id, values = new[] { Value("role", "lead partner") } } },
        });
        var source = await _api.PostAsync("/api/v1/sources", admin, new { title = Unique("Admin's source ") });
        var ids = new Dictionary<string, int>
        {
            ["programmes"] = b.Id,
            ["groupings"] = grouping.Id,
            ["projects"] = project.Id,
            ["organisations"] = organisation.Id,
            ["sources"] = source.Id,
        };
        var viewer = await _api.UserAsync(AccessRole.Viewer);
        var editor = await _api.UserAsync(AccessRole.Editor, programmes: [a.Slug]);
        var routes = TokenRoutes();
        var writes = routes.Where(r => r.WriteAccess).ToList();

        Assert.Contains(writes, r => r.ToString() == "PATCH /api/v1/projects/{id:int}");
        Assert.True(writes.Count >= 36, $"only {writes.Count} write routes found");
        var failures = new List<string>();
        foreach (var route in routes)
        {
            var path = Address(route, ids);
            var method = new HttpMethod(route.Method);
            var body = Body(route, ids);
            Check(route, "anonymous", await _api.SendAsync(method, path, null, body, ifMatch: 1), HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized);
            if (!route.WriteAccess)
            {
                continue;
            }

            Check(route, "viewer", await _api.SendAsync(method, path, viewer, body, ifMatch: 1), HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
            // Editors create organisations and sources anywhere (ADR 14): for them the creation is allowed.
            if (route.Method == "POST" && route.Pattern.TrimEnd('/') is "/api/v1/organisations" or "/api/v1/sources")
            {
                continue;
            }

            Check(route, "editor of another programme", await _api.SendAsync(method, path, editor, body, ifMatch: 1), HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        void Check(Route route, string who, ApiAnswer answer, HttpStatusCode status, string code)
        {
            if (answer.Status != status || answer.ErrorCode != code)
            {
                failures.Add($"{route} as {who}: {answer}");
            }
        }
    }

    [GeneratedRegex("^/api/v1/(?:editing/)?([a-z]+)")]
    private static partial Regex KindSegment();

    [GeneratedRegex("\\{([A-Za-z]+)(?::[a-z]+)?\\}")]
    private static partial Regex Parameter();
}
