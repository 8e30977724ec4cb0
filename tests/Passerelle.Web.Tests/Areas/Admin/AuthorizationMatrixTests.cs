using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Areas.Admin;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Areas.Admin;

public sealed class SqliteAuthorizationMatrixTests(SqliteAuthorizationMatrixTests.App app) : AuthorizationMatrixTests<SqliteAuthorizationMatrixTests.App>(app)
{
    public sealed class App : PasserelleApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            MatrixSettings.Apply(builder);
        }
    }
}

public sealed class PostgresAuthorizationMatrixTests(PostgresAuthorizationMatrixTests.App app) : AuthorizationMatrixTests<PostgresAuthorizationMatrixTests.App>(app)
{
    public sealed class App : PostgresApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            MatrixSettings.Apply(builder);
        }
    }
}

internal static class MatrixSettings
{
    /// <summary>
    /// The matrix opens the sign-in pages (rate limited per address, GET included) a hundred times a minute from one
    /// address: the limit is lifted so every request reaches authorization. The limit has its own tests.
    /// </summary>
    public static void Apply(IWebHostBuilder builder) => builder.UseSetting("RateLimits:SignInPerMinute", "10000");
}

/// <summary>
/// Every back-office page (and each of its POST handlers) and every API route that writes or needs a token, found in
/// the app's endpoint metadata rather than listed here, so a new page or route is covered the day it is added.
/// Anonymous users, viewers and an editor of another programme (on records outside their scope) are refused; the
/// open pages stay open. Route parameters are filled by name with real ids of the default data.
/// </summary>
public abstract partial class AuthorizationMatrixTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    /// <summary>The editor's programme; the records used are outside it.</summary>
    private const string EditorProgramme = "fwv-2021-2027";

    private const string OtherProgramme = "nwe-2021-2027";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private enum Need
    {
        Open,
        View,
        Edit,
        Administer,
    }

    /// <summary>A back-office page as routing has it (one per address: the language variants are pages too).</summary>
    private sealed record AdminPage(string Template, Need Need, IReadOnlyList<string?> PostHandlers);

    /// <summary>A page's address with its parameters filled; <paramref name="RecordType"/> when it names a record.</summary>
    private sealed record PageRequest(AdminPage Page, string Path, SubjectType? RecordType);

    private sealed record ApiRoute(string Template, IReadOnlyList<string> Methods, IReadOnlyList<string> Policies);

    [Fact]
    public async Task Discovery_FindsEveryBackOfficePageAndApiRoute()
    {
        var pages = await PagesAsync();
        var requests = await RequestsAsync(pages);
        var api = ApiRoutes();

        // 25 pages under /admin when this was written, each also under /{lang}/admin: an empty or broken discovery fails here.
        Assert.True(pages.Count >= 2 * 25, $"only {pages.Count} back-office page addresses found: {string.Join(", ", pages.Select(p => p.Template))}");
        Assert.True(requests.Count >= 250, $"only {requests.Count} addresses to request");
        Assert.Contains(pages, p => p.Need == Need.Edit && p.PostHandlers.Count > 0);
        Assert.Contains(pages, p => p.Need == Need.Administer);
        Assert.Contains(pages, p => p.Need == Need.Open);
        Assert.Contains(api, r => r.Policies.Contains(Policies.ApiView));
        // Every API route that changes something is behind the token policy for writes (ApiAccess.RequireWriteAccess).
        foreach (var route in api.Where(r => r.Methods.Any(IsWrite)))
        {
            Assert.True(route.Policies.Contains(Policies.ApiWrite), $"{string.Join(",", route.Methods)} /{route.Template} changes data without the {Policies.ApiWrite} policy");
        }
    }

    [Fact]
    public async Task Anonymous_IsSentToSignInOnEveryProtectedPageAndHandler_OpenPagesAnswer()
    {
        var requests = await RequestsAsync(await PagesAsync());
        using var client = app.CreateBrowserClient();
        var token = await client.AntiforgeryTokenAsync(TestAccounts.SignInPath);
        var failures = new List<string>();

        foreach (var request in requests)
        {
            using var get = await client.GetAsync(request.Path, Ct);
            if (request.Page.Need == Need.Open)
            {
                if ((int)get.StatusCode >= 500 || IsTo(get, "sign-in") && !request.Path.Contains("/account/", StringComparison.Ordinal))
                {
                    failures.Add($"GET {request.Path}: {Describe(get)} (an open page)");
                }

                continue;
            }

            if (!IsTo(get, "sign-in"))
            {
                failures.Add($"GET {request.Path}: {Describe(get)}");
            }

            foreach (var handler in request.Page.PostHandlers)
            {
                using var post = await PostAsync(client, request.Path, handler, token);
                if (!IsTo(post, "sign-in"))
                {
                    failures.Add($"POST {Target(request.Path, handler)}: {Describe(post)}");
                }
            }
        }

        foreach (var route in ApiRoutes())
        {
            foreach (var method in route.Methods.Where(m => m != HttpMethods.Head))
            {
                using var response = await SendApiAsync(client, method, route, secret: null);
                if (response.StatusCode != HttpStatusCode.Unauthorized || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{method} /{route.Template}: {Describe(response)} {response.Content.Headers.ContentType}");
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{requests.Count} addresses asked anonymously");
        Assert.True(failures.Count == 0, "Reachable without signing in:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task Viewer_IsRefusedEveryPageAndHandlerThatNeedsEditOrAdminister()
    {
        var requests = await RequestsAsync(await PagesAsync());
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        var token = await viewer.Client.AntiforgeryTokenAsync("/admin/profile/tokens");
        var revisions = await RevisionsAsync();
        var failures = new List<string>();

        foreach (var request in requests.Where(r => r.Page.Need != Need.Open))
        {
            using var get = await viewer.Client.GetAsync(request.Path, Ct);
            var refused = IsRefused(get);
            if (request.Page.Need >= Need.Edit ? !refused : (int)get.StatusCode >= 500 || IsTo(get, "sign-in"))
            {
                failures.Add($"GET {request.Path}: {Describe(get)}");
            }

            // Handlers of the viewer's own pages (tokens, authenticator) are theirs; any handler of a page that needs
            // more, or of a record's page (publish, delete...), changes what viewers may not change.
            if (request.Page.Need >= Need.Edit || request.RecordType is not null)
            {
                foreach (var handler in request.Page.PostHandlers)
                {
                    using var post = await PostAsync(viewer.Client, request.Path, handler, token);
                    if (!IsRefused(post))
                    {
                        failures.Add($"POST {Target(request.Path, handler)}: {Describe(post)}");
                    }
                }
            }
        }

        var secret = await TokenAsync(viewer.Id);
        foreach (var route in ApiRoutes().Where(r => r.Policies.Contains(Policies.ApiWrite) || r.Methods.Any(IsWrite)))
        {
            foreach (var method in route.Methods.Where(m => m != HttpMethods.Head))
            {
                using var response = await SendApiAsync(viewer.Client, method, route, secret);
                if (response.StatusCode != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{method} /{route.Template} with a viewer's token: {Describe(response)}");
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{requests.Count} addresses asked by a viewer");
        Assert.True(failures.Count == 0, "Reachable by a viewer:\n" + string.Join("\n", failures));
        Assert.Equal(revisions, await RevisionsAsync());
    }

    [Fact]
    public async Task EditorOfAnotherProgramme_IsRefusedOnEveryRecordOutsideTheirScope()
    {
        var requests = (await RequestsAsync(await PagesAsync())).Where(r => r.RecordType is not null && r.Page.Need != Need.Open).ToList();
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [EditorProgramme]);
        var token = await editor.Client.AntiforgeryTokenAsync("/admin/profile/tokens");
        var revisions = await RevisionsAsync();
        var failures = new List<string>();
        Assert.NotEmpty(requests);

        foreach (var request in requests)
        {
            using var get = await editor.Client.GetAsync(request.Path, Ct);
            // Pages that change a record are refused; reading history stays open to every signed-in user (ADR 0013),
            // but without the means to change it.
            if (request.Page.Need >= Need.Edit ? !IsRefused(get) : (int)get.StatusCode >= 500 || IsTo(get, "sign-in"))
            {
                failures.Add($"GET {request.Path}: {Describe(get)}");
            }
            else if (get.StatusCode == HttpStatusCode.OK && OffersChanges(await get.Content.ReadAsStringAsync(Ct), request.Path))
            {
                failures.Add($"GET {request.Path}: offers a form that changes a record outside the editor's scope");
            }

            foreach (var handler in request.Page.PostHandlers)
            {
                using var post = await PostAsync(editor.Client, request.Path, handler, token);
                if (!IsRefused(post))
                {
                    failures.Add($"POST {Target(request.Path, handler)}: {Describe(post)}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"Reachable by an editor of {EditorProgramme} on records outside their scope:\n" + string.Join("\n", failures));
        Assert.Equal(revisions, await RevisionsAsync());
    }

    /// <summary>A form posting to the page itself (or to one of its handlers), other than the layout's sign-out.</summary>
    private static bool OffersChanges(string html, string path) =>
        FormTag().Matches(html).Select(m => m.Value)
            .Where(form => form.Contains("method=\"post\"", StringComparison.OrdinalIgnoreCase))
            .Select(form => FormAction().Match(form) is { Success: true } a ? WebUtility.HtmlDecode(a.Groups[1].Value) : path)
            .Any(action => !action.Contains("/account/sign-out", StringComparison.Ordinal) && action.StartsWith(path, StringComparison.Ordinal));

    private async Task<List<AdminPage>> PagesAsync()
    {
        var loader = app.Services.GetRequiredService<PageLoader>();
        var pages = new List<AdminPage>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not { } descriptor
                || endpoint.RoutePattern.RawText is not { } template
                || !LanguagePrefix().Replace(template.TrimStart('/'), "").StartsWith("admin", StringComparison.Ordinal))
            {
                continue;
            }

            // The compiled page carries the policies of the folder conventions and of the page's own [Authorize].
            var compiled = await loader.LoadAsync(descriptor, endpoint.Metadata);
            var policies = compiled.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
            var need = compiled.EndpointMetadata.OfType<IAllowAnonymous>().Any() ? Need.Open
                : policies.Contains(Policies.Administer) ? Need.Administer
                : policies.Contains(Policies.Edit) ? Need.Edit
                : policies.Contains(Policies.View) ? Need.View
                : throw new InvalidOperationException($"/{template} has no back-office policy: the folder conventions missed it.");
            var handlers = compiled.HandlerMethods.Where(h => string.Equals(h.HttpMethod, HttpMethods.Post, StringComparison.OrdinalIgnoreCase)).Select(h => h.Name).Distinct().ToList();
            pages.Add(new AdminPage(template.TrimStart('/'), need, handlers));
        }

        return pages;
    }

    private static List<ApiRoute> ApiRoutes(IServiceProvider services) =>
        [.. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
            .Select(e => new ApiRoute(
                e.RoutePattern.RawText!.TrimStart('/'),
                e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToList() ?? [],
                [.. e.Metadata.OfType<IAuthorizeData>().Select(a => a.Policy ?? "")]))
            .Where(r => r.Methods.Any(IsWrite) || r.Policies.Any(p => p is Policies.ApiWrite or Policies.ApiView))];

    private List<ApiRoute> ApiRoutes() => ApiRoutes(app.Services);

    private static bool IsWrite(string method) =>
        method is "POST" or "PUT" or "PATCH" or "DELETE";

    /// <summary>Every address of every page, with each allowed value of its constrained parameters.</summary>
    private async Task<List<PageRequest>> RequestsAsync(List<AdminPage> pages)
    {
        var records = await OutOfScopeRecordsAsync();
        var viewerId = await app.WithDbAsync(db => db.Users.OrderBy(u => u.Id).Select(u => u.Id).FirstOrDefaultAsync(Ct));
        var requests = new List<PageRequest>();
        foreach (var page in pages)
        {
            var parameters = Parameter().Matches(page.Template).Select(m => (Whole: m.Value, Name: m.Groups["name"].Value, Constraint: m.Groups["constraint"].Value)).ToList();
            var choices = new List<List<(string Whole, string Name, string Value)>> { new() };
            // Parameters named by a constraint's alternatives (lang, type) first: id and field depend on the type.
            foreach (var p in parameters.OrderBy(p => p.Name is "id" or "field" ? 1 : 0))
            {
                var next = new List<List<(string, string, string)>>();
                foreach (var chosen in choices)
                {
                    var type = TypeOf(chosen.FirstOrDefault(c => c.Name == "type").Value, page.Template);
                    foreach (var value in ValuesOf(p.Name, p.Constraint, type, records, viewerId, page.Template))
                    {
                        next.Add([.. chosen, (p.Whole, p.Name, value)]);
                    }
                }

                choices = next;
            }

            foreach (var chosen in choices)
            {
                var path = "/" + chosen.Aggregate(page.Template, (t, c) => t.Replace(c.Whole, c.Value, StringComparison.Ordinal));
                var type = parameters.Any(p => p.Name == "id") ? TypeOf(chosen.FirstOrDefault(c => c.Name == "type").Value, page.Template) : null;
                requests.Add(new PageRequest(page, path, type));
            }
        }

        return requests;
    }

    /// <summary>The kind of record of a page: from its {type} (plural or singular), or from a literal segment (projects/{id}/partners).</summary>
    private static SubjectType? TypeOf(string? type, string template)
    {
        if (type is not null)
        {
            return RecordTypes.Parse(type) ?? RecordTypes.Parse(type + "s");
        }

        var literal = Regex.Match(template, @"admin/(\w+)/\{id", RegexOptions.None, TimeSpan.FromSeconds(1));
        return literal.Success ? RecordTypes.Parse(literal.Groups[1].Value) : null;
    }

    private static IEnumerable<string> ValuesOf(string name, string constraint, SubjectType? type, IReadOnlyDictionary<SubjectType, int> records, int userId, string template)
    {
        if (Alternatives().Match(constraint) is { Success: true } regex)
        {
            return regex.Groups[1].Value.Split('|');
        }

        return name switch
        {
            // The history pages name a kind by its singular, unconstrained: every kind with a history.
            "type" => Enum.GetValues<SubjectType>().Where(t => RecordTypes.Parse(t.ToString().ToLowerInvariant() + "s") is not null)
                .Select(RecordTypes.Singular),
            "id" when type is { } t => [records[t].ToString(CultureInfo.InvariantCulture)],
            "id" when template.Contains("admin/users/", StringComparison.Ordinal) => [userId.ToString(CultureInfo.InvariantCulture)],
            "field" when type is { } t => [Fields.All.First(f => f.Subject == t && f.HasColumn).Name],
            _ => throw new InvalidOperationException(
                $"The matrix does not know what to put in {{{name}}} of /{template}: teach ValuesOf a real value for it."),
        };
    }

    /// <summary>
    /// A record of each kind that the editor of <see cref="EditorProgramme"/> may not change: the other programme, a
    /// grouping (they have none), a project of the other programme, an organisation taking part only in projects
    /// outside their programme, a source they did not create.
    /// </summary>
    private async Task<Dictionary<SubjectType, int>> OutOfScopeRecordsAsync()
    {
        // The default data has no project in the other programme: the test makes one (once per fixture), with a partner
        // that takes part in nothing else.
        const string Slug = "authorization-matrix";
        var ids = await app.WithDbAsync(async db => (
            Project: await db.Projects.Where(p => p.Slug == Slug).Select(p => (int?)p.Id).FirstOrDefaultAsync(Ct),
            Organisation: await db.Organisations.Where(o => o.Slug == Slug).Select(o => (int?)o.Id).FirstOrDefaultAsync(Ct)));
        if (ids.Project is null || ids.Organisation is null)
        {
            ids = await app.WriteAsync(async session =>
            {
                var programme = await session.Db.Programmes.SingleAsync(p => p.Slug == OtherProgramme, Ct);
                var source = await PasserelleApp.TestSourceAsync(session);
                var project = session.Create(new Project { Slug = Slug, Acronym = "MATRIX", ProgrammeCode = programme.Code, ProgrammeId = programme.Id, IsPublished = true });
                session.SetValue(project, Fields.Project.TotalBudget, "1000000", source);
                var organisation = session.Create(new Organisation { Slug = Slug, Name = "Matrix partner", Country = "BE", IsPublished = true });
                session.Create(new Participation { Project = project, Organisation = organisation, Role = ParticipationRole.Partner });
                await session.FlushAsync(ct: Ct);
                return ((int?)project.Id, (int?)organisation.Id);
            });
        }

        return await app.WithDbAsync(async db => new Dictionary<SubjectType, int>
        {
            [SubjectType.Programme] = (await db.Programmes.SingleAsync(p => p.Slug == OtherProgramme, Ct)).Id,
            [SubjectType.Grouping] = await db.Groupings.OrderBy(g => g.Id).Select(g => g.Id).FirstAsync(Ct),
            [SubjectType.Project] = ids.Project!.Value,
            [SubjectType.Organisation] = ids.Organisation!.Value,
            [SubjectType.Source] = await db.Sources.OrderBy(s => s.Id).Select(s => s.Id).FirstAsync(Ct),
        });
    }

    private Task<int> RevisionsAsync() => app.WithDbAsync(db => db.Revisions.CountAsync(Ct));

    private async Task<string> TokenAsync(int userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<AccessTokens>().CreateAsync(userId, "authorization matrix", null, Ct)).Secret;
    }

    /// <summary>
    /// A form post that would change something if it were let through: a value with a new source, as the record
    /// pages take it, with a valid antiforgery token of the client's session (so a refusal is authorization's).
    /// </summary>
    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string? handler, string token) =>
        client.PostFormAsync(Target(path, handler),
        [
            ("Value", "1"), ("Mode", "Replace"), ("Version", "1"), ("Name", "Matrix"), ("Acronym", "MATRIX"), ("Email", "matrix@example.org"),
            ("Role", "Administrator"), ("Source.Mode", "document"), ("Source.Title", "Matrix"), ("Source.Url", "https://example.org/matrix"),
            ("__RequestVerificationToken", token),
        ]);

    private static async Task<HttpResponseMessage> SendApiAsync(HttpClient client, string method, ApiRoute route, string? secret)
    {
        var path = "/" + Parameter().Replace(route.Template, m => m.Groups["name"].Value switch
        {
            "slug" => "interreg-matrix",
            "id" or "code" or "changeSetId" => "1",
            var name => throw new InvalidOperationException($"The matrix does not know what to put in {{{name}}} of /{route.Template}."),
        });
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != HttpMethods.Get)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        return await client.SendAsync(request, Ct);
    }

    private static string Target(string path, string? handler) => handler is null ? path : path + "?handler=" + handler;

    /// <summary>Sent to the sign-in or the denied page (in any language).</summary>
    private static bool IsTo(HttpResponseMessage response, string accountPage) =>
        response.StatusCode == HttpStatusCode.Redirect
        && Regex.IsMatch(response.Headers.Location?.OriginalString ?? "", $"^(https?://[^/]+)?(/(en|fr|nl|de))?/admin/account/{accountPage}([?]|$)", RegexOptions.None, TimeSpan.FromSeconds(1));

    /// <summary>Refused: sent to the denied page, 403 or 404; never a form (200), nor a bad request (the token was valid).</summary>
    private static bool IsRefused(HttpResponseMessage response) =>
        IsTo(response, "denied") || response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound;

    private static string Describe(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {response.Headers.Location?.OriginalString}".TrimEnd();

    [GeneratedRegex(@"\{(?<name>\w+)(?<constraint>:[^}]*)?\}")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"regex\(\^\(([\w|-]+)\)\$\)")]
    private static partial Regex Alternatives();

    [GeneratedRegex(@"^\{lang[^}]*\}/")]
    private static partial Regex LanguagePrefix();

    [GeneratedRegex("<form[^>]*>")]
    private static partial Regex FormTag();

    [GeneratedRegex("action=\"([^\"]*)\"")]
    private static partial Regex FormAction();
}
