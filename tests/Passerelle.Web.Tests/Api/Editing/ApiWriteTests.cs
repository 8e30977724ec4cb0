using System.Net;
using System.Text.Json;

using Passerelle.Core.Accounts;
using Passerelle.Web.Api;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Api.Editing.ApiWriter;

namespace Passerelle.Web.Tests.Api.Editing;

public sealed class SqliteApiWriteTests(PasserelleApp app) : ApiWriteTests<PasserelleApp>(app);

public sealed class PostgresApiWriteTests(PostgresApp app) : ApiWriteTests<PostgresApp>(app);

/// <summary>
/// The API's write routes end to end, with personal access tokens: versions as ETags and If-Match, conflicts, rules,
/// scope, the value actions, delete and restore, version restore, and bodies that are not what the route takes.
/// </summary>
public abstract class ApiWriteTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private readonly ApiWriter _api = new(app);

    private static void AssertStatus(HttpStatusCode expected, ApiAnswer answer) => Assert.True(answer.Status == expected, $"expected {(int)expected}, got {answer}");

    private static void AssertProblem(HttpStatusCode status, string errorCode, ApiAnswer answer)
    {
        AssertStatus(status, answer);
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal(errorCode, answer.ErrorCode);
        Assert.DoesNotContain("   at ", answer.Body, StringComparison.Ordinal);
    }

    private static string? Value(JsonElement editing, string field) =>
        editing.GetProperty("values").EnumerateArray().Where(v => v.GetProperty("field").GetString() == field)
            .Select(v => v.GetProperty("value").GetString()).FirstOrDefault();

    [Fact]
    public async Task Create_Project_Answers201WithLocationETagAndTheDraftsEditingView()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var acronym = Unique("NEW");

        var created = await _api.ProjectAsync(admin, programme.Id, acronym, ApiWriter.Value("title.en", "A new project"));
        var editing = await _api.GetAsync(created.Location!, admin);

        AssertStatus(HttpStatusCode.Created, created);
        Assert.Equal($"/api/v1/projects/{created.Id}/editing", created.Location);
        Assert.Equal("\"1\"", created.ETag);
        Assert.Equal(1, created.Version);
        Assert.Equal(acronym.ToLowerInvariant(), created.Slug);
        Assert.True(created.Json.GetProperty("changed").GetBoolean());
        AssertStatus(HttpStatusCode.OK, editing);
        Assert.Equal("\"1\"", editing.ETag);
        var record = editing.Json.GetProperty("record");
        Assert.Equal((created.Id, false), (record.GetProperty("id").GetInt32(), record.GetProperty("isPublished").GetBoolean()));
        Assert.Equal(programme.Id, editing.Json.GetProperty("programmeId").GetInt32());
        Assert.Equal("A new project", Value(editing.Json, "title.en"));
        var title = editing.Json.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("field").GetString() == "title.en");
        Assert.Equal("Test document", title.GetProperty("source").GetProperty("title").GetString());
        // The draft is listed for editing, with its id, and is not public.
        var list = await _api.GetAsync($"/api/v1/editing/projects?q={acronym}", admin);
        Assert.Equal(created.Id, list.Json.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetInt32());
        AssertStatus(HttpStatusCode.NotFound, await _api.GetAsync($"/api/v1/projects/{created.Slug}"));
    }

    [Fact]
    public async Task Update_WithIfMatch_WritesAndAnswersTheNextVersion()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var project = await _api.ProjectAsync(admin, programme.Id);

        var updated = await _api.SendAsync(HttpMethod.Put, $"/api/v1/projects/{project.Id}", admin, new
        {
            themes = Array.Empty<string>(),
            values = new[] { ApiWriter.Value("start_date", "2024-01-01"), ApiWriter.Value("end_date", "2026-12-31") },
        }, ifMatch: project.Version);
        var same = await _api.SendAsync(HttpMethod.Put, $"/api/v1/projects/{project.Id}", admin, new { values = new[] { ApiWriter.Value("end_date", "2026-12-31") } },
            ifMatch: updated.Version);
        var editing = await _api.GetAsync($"/api/v1/projects/{project.Id}/editing", admin);

        AssertStatus(HttpStatusCode.OK, updated);
        Assert.Equal(2, updated.Version);
        Assert.Equal("\"2\"", updated.ETag);
        Assert.True(updated.Json.GetProperty("changed").GetBoolean());
        // The same value from the same source again writes nothing: the version stays.
        AssertStatus(HttpStatusCode.OK, same);
        Assert.Equal((2, false), (same.Version, same.Json.GetProperty("changed").GetBoolean()));
        Assert.Equal("\"2\"", editing.ETag);
        Assert.Equal(("2024-01-01", "2026-12-31"), (Value(editing.Json, "start_date"), Value(editing.Json, "end_date")));
    }

    [Fact]
    public async Task Update_StaleIfMatch_Answers409WithTheCurrentVersionAndTheChangesMeanwhile()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var project = await _api.ProjectAsync(admin, programme.Id);
        var path = $"/api/v1/projects/{project.Id}";
        var first = await _api.SendAsync(HttpMethod.Patch, path, admin, new { values = new[] { ApiWriter.Value("total_budget_eur", "500000", Doc("First editor's source")) } },
            ifMatch: project.Version);

        // A second client still holds version 1.
        var second = await _api.SendAsync(HttpMethod.Patch, path, admin, new { values = new[] { ApiWriter.Value("total_budget_eur", "999") } }, ifMatch: project.Version);
        var delete = await _api.SendAsync(HttpMethod.Delete, path, admin, ifMatch: project.Version);
        var editing = await _api.GetAsync(path + "/editing", admin);

        AssertStatus(HttpStatusCode.OK, first);
        AssertProblem(HttpStatusCode.Conflict, ErrorCodes.EditConflict, second);
        Assert.Equal("\"2\"", second.ETag);
        Assert.Equal(2, second.Json.GetProperty("currentVersion").GetInt32());
        Assert.Equal(1, second.Json.GetProperty("expectedVersion").GetInt32());
        var change = second.Json.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("field").GetString() == "total_budget_eur");
        Assert.Equal("500000", change.GetProperty("newValue").GetString());
        Assert.Equal("First editor's source", change.GetProperty("sourceTitle").GetString());
        Assert.Equal(admin.User.DisplayName, change.GetProperty("actor").GetString());
        Assert.Equal(2, change.GetProperty("version").GetInt32());
        AssertProblem(HttpStatusCode.Conflict, ErrorCodes.EditConflict, delete);
        // Nothing was overwritten.
        Assert.Equal("500000", Value(editing.Json, "total_budget_eur"));
        Assert.Equal(JsonValueKind.Null, editing.Json.GetProperty("record").GetProperty("deletedAt").ValueKind);
    }

    [Fact]
    public async Task Writes_WithoutOrWithAnUnusableIfMatch_Answer428Or400AndWriteNothing()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var project = await _api.ProjectAsync(admin, programme.Id);
        var path = $"/api/v1/projects/{project.Id}";
        var patch = new { values = new[] { ApiWriter.Value("total_budget_eur", "1") } };

        var answers = new[]
        {
            await _api.SendAsync(HttpMethod.Put, path, admin, patch),
            await _api.SendAsync(HttpMethod.Patch, path, admin, patch),
            await _api.SendAsync(HttpMethod.Delete, path, admin),
            await _api.PostAsync(path + "/publish", admin),
            await _api.PostAsync(path + "/unpublish", admin),
            await _api.PostAsync(path + "/restore", admin),
            await _api.PostAsync(path + "/versions/1/restore", admin),
        };
        var star = await _api.SendAsync(HttpMethod.Patch, path, admin, patch, rawIfMatch: "*");
        var list = await _api.SendAsync(HttpMethod.Patch, path, admin, patch, rawIfMatch: "\"1\", \"2\"");
        var editing = await _api.GetAsync(path + "/editing", admin);

        Assert.All(answers, a => AssertProblem(HttpStatusCode.PreconditionRequired, ErrorCodes.PreconditionRequired, a));
        AssertProblem(HttpStatusCode.BadRequest, ErrorCodes.InvalidIfMatch, star);
        AssertProblem(HttpStatusCode.BadRequest, ErrorCodes.InvalidIfMatch, list);
        Assert.Equal("\"1\"", editing.ETag);
        Assert.Null(Value(editing.Json, "total_budget_eur"));
    }

    [Fact]
    public async Task Writes_WeakETagInIfMatch_IsTakenAsTheVersion()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var project = await _api.ProjectAsync(admin, programme.Id);

        var published = await _api.SendAsync(HttpMethod.Post, $"/api/v1/projects/{project.Id}/publish", admin, rawIfMatch: "W/\"1\"");

        AssertStatus(HttpStatusCode.OK, published);
        Assert.Equal(2, published.Version);
    }

    [Fact]
    public async Task Create_RuleViolations_Answer422WithEveryFieldAndCodeAndWriteNothing()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var acronym = Unique("BAD");

        var project = await _api.ProjectAsync(admin, programme.Id, acronym,
            ApiWriter.Value("start_date", "2025-01-01"), ApiWriter.Value("end_date", "2024-06-30"),
            ApiWriter.Value("total_budget_eur", "1000"), ApiWriter.Value("erdf_eur", "1500"),
            ApiWriter.Value("website", "ftp://example.org/project"));
        var organisation = await _api.PostAsync("/api/v1/organisations", admin, new
        {
            values = new[] { ApiWriter.Value("name", "Greek office"), ApiWriter.Value("country", "GR") },
        });
        var noSource = await _api.PostAsync("/api/v1/organisations", admin, new
        {
            values = new object[] { new { field = "name", value = "No source" }, new { field = "city", value = "Lille", source = new { id = 1, statedBy = 2 } } },
        });
        var list = await _api.GetAsync($"/api/v1/editing/projects?q={acronym}", admin);

        AssertProblem(HttpStatusCode.UnprocessableEntity, ErrorCodes.RuleViolation, project);
        var errors = project.Json.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Contains(("end_date", "end_before_start"), errors);
        Assert.Contains(("erdf_eur", "eu_above_total"), errors);
        Assert.Contains(("website", "invalid_url"), errors);
        Assert.All(project.Json.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("message").GetString())));
        AssertProblem(HttpStatusCode.UnprocessableEntity, ErrorCodes.RuleViolation, organisation);
        Assert.Equal(("country", "invalid_country"), organisation.Json.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).Single());
        AssertProblem(HttpStatusCode.UnprocessableEntity, ErrorCodes.RuleViolation, noSource);
        Assert.Contains(("city.source", "invalid_value"), noSource.Json.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("field").GetString(), e.GetProperty("code").GetString())));
        Assert.Equal(0, list.Json.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Scope_EditorOfProgrammeA_WritesThereAndIsForbiddenInProgrammeB()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var a = await _api.ProgrammeAsync(admin);
        var b = await _api.ProgrammeAsync(admin);
        var editor = await _api.UserAsync(AccessRole.Editor, programmes: [a.Slug]);
        var projectOfB = await _api.ProjectAsync(admin, b.Id);

        var inA = await _api.ProjectAsync(editor, a.Id);
        var inB = await _api.ProjectAsync(editor, b.Id);
        var updateB = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/projects/{projectOfB.Id}", editor,
            new { values = new[] { ApiWriter.Value("total_budget_eur", "1") } }, ifMatch: projectOfB.Version);
        var moveToB = await _api.SendAsync(HttpMethod.Put, $"/api/v1/projects/{inA.Id}", editor, new { programmeId = b.Id }, ifMatch: inA.Version);
        var deleteB = await _api.SendAsync(HttpMethod.Delete, $"/api/v1/projects/{projectOfB.Id}", editor, ifMatch: projectOfB.Version);
        var viewB = await _api.GetAsync($"/api/v1/projects/{projectOfB.Id}/editing", editor);
        var publishA = await _api.PostAsync($"/api/v1/projects/{inA.Id}/publish", editor, ifMatch: inA.Version);

        AssertStatus(HttpStatusCode.Created, inA);
        AssertProblem(HttpStatusCode.Forbidden, ErrorCodes.Forbidden, inB);
        AssertProblem(HttpStatusCode.Forbidden, ErrorCodes.Forbidden, updateB);
        AssertProblem(HttpStatusCode.Forbidden, ErrorCodes.Forbidden, moveToB);
        AssertProblem(HttpStatusCode.Forbidden, ErrorCodes.Forbidden, deleteB);
        AssertProblem(HttpStatusCode.Forbidden, ErrorCodes.Forbidden, viewB);
        AssertStatus(HttpStatusCode.OK, publishA);
        Assert.Equal(0, (await _api.GetAsync($"/api/v1/editing/projects?programme={b.Id}", editor)).Json.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Tokens_ViewerNoneOrRevoked_AreRefusedAndAViewerStillReadsTheEditingView()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var project = await _api.ProjectAsync(admin, programme.Id);
        var viewer = await _api.UserAsync(AccessRole.Viewer);
        var revoked = await _api.UserAsync(AccessRole.Administrator);
        await _api.RevokeAsync(revoked);
        var body = new { values = new[] { ApiWriter.Value("total_budget_eur", "1") } };
        var path = $"/api/v1/projects/{project.Id}";

        var byViewer = await _api.SendAsync(HttpMethod.Patch, path, viewer, body, ifMatch: 1);
        var createByViewer = await _api.ProjectAsync(viewer, programme.Id);
        var anonymous = await _api.SendAsync(HttpMethod.Patch, path, null, body, ifMatch: 1);
        var byRevoked = await _api.SendAsync(HttpMethod.Patch, path, revoked, body, ifMatch: 1);
        var anonymousView = await _api.GetAsync(path + "/editing");
        var viewerView = await _api.GetAsync(path + "/editing", viewer);

        AssertProblem(HttpStatusCode.Forbidden, ErrorCodes.Forbidden, byViewer);
        AssertProblem(HttpStatusCode.Forbidden, ErrorCodes.Forbidden, createByViewer);
        AssertProblem(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized, anonymous);
        AssertProblem(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized, byRevoked);
        AssertProblem(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized, anonymousView);
        AssertStatus(HttpStatusCode.OK, viewerView);
        Assert.False(viewerView.Json.GetProperty("record").GetProperty("canEdit").GetBoolean());
        Assert.Equal("\"1\"", (await _api.GetAsync(path + "/editing", admin)).ETag);
    }

    [Theory]
    [InlineData("{\"values\": [", "application/json", "line 1")]
    [InlineData("{\"vaules\": []}", "application/json", "'vaules'")]
    [InlineData("{\"values\": [{\"field\": \"acronym\", \"action\": \"overwrite\", \"value\": \"X\"}]}", "application/json", "$.values[0].action")]
    [InlineData("{\"values\": [{\"value\": \"X\"}]}", "application/json", "'field'")]
    [InlineData("", "application/json", "")]
    [InlineData("null", "application/json", "null")]
    [InlineData("values=1", "application/x-www-form-urlencoded", "application/json")]
    public async Task Body_NotWhatTheRouteTakes_Answers400InvalidBodySayingWhere(string body, string contentType, string detail)
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);

        var answer = await _api.SendAsync(HttpMethod.Post, "/api/v1/projects", admin, rawBody: body, contentType: contentType);

        AssertProblem(HttpStatusCode.BadRequest, ErrorCodes.InvalidBody, answer);
        var text = answer.Json.GetProperty("detail").GetString()!;
        Assert.Contains(detail, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Passerelle.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_AddBesideThenMakeFirst_ChangesWhatThePublicApiShowsFirst()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var project = await _api.ProjectAsync(admin, programme.Id, null, ApiWriter.Value("total_budget_eur", "1000000", Doc("Approval decision")));
        var published = await _api.PostAsync($"/api/v1/projects/{project.Id}/publish", admin, ifMatch: project.Version);
        var path = $"/api/v1/projects/{project.Id}";

        var beside = await _api.SendAsync(HttpMethod.Patch, path, admin, new
        {
            values = new[] { ApiWriter.Value("total_budget_eur", "1250000", new { statedBy = await OrganisationIdAsync(admin), date = "2025-03-01" }, "addBeside") },
        }, ifMatch: published.Version);
        var afterBeside = await _api.GetAsync($"/api/v1/projects/{project.Slug}");
        var editing = await _api.GetAsync(path + "/editing", admin);
        var budgets = editing.Json.GetProperty("values").EnumerateArray().Where(v => v.GetProperty("field").GetString() == "total_budget_eur").ToList();
        var second = budgets.Single(v => v.GetProperty("value").GetString() == "1250000");
        var first = await _api.SendAsync(HttpMethod.Patch, path, admin, new
        {
            values = new[] { new { field = "total_budget_eur", action = "makeFirst", factId = second.GetProperty("id").GetInt64() } },
        }, ifMatch: beside.Version);
        var afterFirst = await _api.GetAsync($"/api/v1/projects/{project.Slug}");

        AssertStatus(HttpStatusCode.OK, beside);
        Assert.Equal(1000000m, afterBeside.Json.GetProperty("summary").GetProperty("totalBudget").GetDecimal());
        Assert.Equal(["1000000", "1250000"], budgets.Select(v => v.GetProperty("value").GetString()));
        Assert.StartsWith("Stated by", second.GetProperty("source").GetProperty("title").GetString(), StringComparison.Ordinal);
        AssertStatus(HttpStatusCode.OK, first);
        Assert.Equal(beside.Version + 1, first.Version);
        Assert.Equal(1250000m, afterFirst.Json.GetProperty("summary").GetProperty("totalBudget").GetDecimal());
        // Both figures stay public, each with its source.
        Assert.Contains("Approval decision", afterFirst.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_ThenRestore_HiddenPubliclyThenADraftThenPublishedAgain()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var project = await _api.ProjectAsync(admin, programme.Id);
        var path = $"/api/v1/projects/{project.Id}";
        var published = await _api.PostAsync(path + "/publish", admin, ifMatch: project.Version);
        var publicPath = $"/api/v1/projects/{project.Slug}";
        AssertStatus(HttpStatusCode.OK, await _api.GetAsync(publicPath));

        var deleted = await _api.SendAsync(HttpMethod.Delete, path, admin, ifMatch: published.Version);
        var afterDelete = await _api.GetAsync(publicPath);
        var deletedView = await _api.GetAsync(path + "/editing", admin);
        var editDeleted = await _api.SendAsync(HttpMethod.Patch, path, admin, new { values = new[] { ApiWriter.Value("total_budget_eur", "1") } }, ifMatch: deleted.Version);
        var deletedList = await _api.GetAsync($"/api/v1/editing/projects?deleted=true&q={project.Slug}", admin);
        var restored = await _api.PostAsync(path + "/restore", admin, ifMatch: deleted.Version);
        var afterRestore = await _api.GetAsync(publicPath);
        var restoredView = await _api.GetAsync(path + "/editing", admin);
        var republished = await _api.PostAsync(path + "/publish", admin, ifMatch: restored.Version);

        AssertStatus(HttpStatusCode.OK, deleted);
        AssertProblem(HttpStatusCode.NotFound, ErrorCodes.NotFound, afterDelete);
        Assert.NotEqual(JsonValueKind.Null, deletedView.Json.GetProperty("record").GetProperty("deletedAt").ValueKind);
        Assert.False(deletedView.Json.GetProperty("record").GetProperty("isPublished").GetBoolean());
        AssertProblem(HttpStatusCode.UnprocessableEntity, ErrorCodes.RuleViolation, editDeleted);
        Assert.Equal("deleted", editDeleted.Json.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal(project.Id, deletedList.Json.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetInt32());
        AssertStatus(HttpStatusCode.OK, restored);
        AssertProblem(HttpStatusCode.NotFound, ErrorCodes.NotFound, afterRestore);
        Assert.Equal((JsonValueKind.Null, false), (restoredView.Json.GetProperty("record").GetProperty("deletedAt").ValueKind,
            restoredView.Json.GetProperty("record").GetProperty("isPublished").GetBoolean()));
        AssertStatus(HttpStatusCode.OK, republished);
        AssertStatus(HttpStatusCode.OK, await _api.GetAsync(publicPath));
    }

    [Fact]
    public async Task RestoreVersion_TheCreation_BringsBackItsValuesAsANewVersion()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var programme = await _api.ProgrammeAsync(admin);
        var project = await _api.ProjectAsync(admin, programme.Id, null, ApiWriter.Value("title.en", "First title", Doc("Call document")));
        var path = $"/api/v1/projects/{project.Id}";
        var renamed = await _api.SendAsync(HttpMethod.Patch, path, admin, new { values = new[] { ApiWriter.Value("title.en", "Second title", Doc("Call document")) } },
            ifMatch: project.Version);
        var versions = await _api.GetAsync(path + "/versions", admin);
        var creation = versions.Json.EnumerateArray().Single(v => v.GetProperty("version").GetInt32() == 1).GetProperty("changeSetId").GetInt64();

        var restored = await _api.PostAsync($"{path}/versions/{creation}/restore", admin, ifMatch: renamed.Version);
        var notInHistory = await _api.PostAsync($"{path}/versions/{creation - 1}/restore", admin, ifMatch: restored.Version);
        var editing = await _api.GetAsync(path + "/editing", admin);

        AssertStatus(HttpStatusCode.OK, versions);
        Assert.Equal([2, 1], versions.Json.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        AssertStatus(HttpStatusCode.OK, restored);
        Assert.Equal(3, restored.Version);
        AssertProblem(HttpStatusCode.UnprocessableEntity, ErrorCodes.RuleViolation, notInHistory);
        Assert.Equal("not_in_history", notInHistory.Json.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal("First title", Value(editing.Json, "title.en"));
    }

    [Fact]
    public async Task UnknownRecord_Answers404NotFound()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);

        var put = await _api.SendAsync(HttpMethod.Put, "/api/v1/projects/2000000000", admin, new { values = Array.Empty<object>() }, ifMatch: 1);
        var publish = await _api.PostAsync("/api/v1/organisations/2000000000/publish", admin, ifMatch: 1);
        var view = await _api.GetAsync("/api/v1/groupings/2000000000/editing", admin);
        var versions = await _api.GetAsync("/api/v1/sources/2000000000/versions", admin);

        Assert.All([put, publish, view, versions], a => AssertProblem(HttpStatusCode.NotFound, ErrorCodes.NotFound, a));
    }

    [Fact]
    public async Task Source_CreatedUsedAndUpdated_ThroughItsOwnRoutes()
    {
        var admin = await _api.UserAsync(AccessRole.Administrator);
        var title = Unique("Annual report ");
        var source = await _api.PostAsync("/api/v1/sources", admin, new { title, url = "https://example.org/report.pdf", date = "2024" });
        var organisation = await _api.PostAsync("/api/v1/organisations", admin, new
        {
            values = new[] { ApiWriter.Value("name", Unique("Office "), new { id = source.Id }) },
            location = new { latitude = 50.63, longitude = 3.06 },
        });
        var inUse = await _api.SendAsync(HttpMethod.Delete, $"/api/v1/sources/{source.Id}", admin, ifMatch: source.Version);
        var updated = await _api.SendAsync(HttpMethod.Put, $"/api/v1/sources/{source.Id}", admin, new { url = "https://example.org/report-2024.pdf" }, ifMatch: source.Version);
        var view = await _api.GetAsync($"/api/v1/sources/{source.Id}/editing", admin);
        var organisationView = await _api.GetAsync($"/api/v1/organisations/{organisation.Id}/editing", admin);

        AssertStatus(HttpStatusCode.Created, source);
        AssertStatus(HttpStatusCode.Created, organisation);
        AssertProblem(HttpStatusCode.UnprocessableEntity, ErrorCodes.RuleViolation, inUse);
        Assert.Equal("source_in_use", inUse.Json.GetProperty("errors")[0].GetProperty("code").GetString());
        AssertStatus(HttpStatusCode.OK, updated);
        Assert.Equal("https://example.org/report-2024.pdf", view.Json.GetProperty("url").GetString());
        Assert.Equal(title, view.Json.GetProperty("title").GetString());
        Assert.Equal(source.Id, organisationView.Json.GetProperty("values")[0].GetProperty("source").GetProperty("id").GetInt32());
        var recent = await _api.GetAsync("/api/v1/editing/sources/recent", admin);
        Assert.Equal(source.Id, recent.Json[0].GetProperty("id").GetInt32());
        Assert.Equal(50.63, organisationView.Json.GetProperty("location").GetProperty("latitude").GetDouble());
    }

    /// <summary>A published organisation of the default data (one that can state a figure).</summary>
    private async Task<int> OrganisationIdAsync(ApiUser user)
    {
        var list = await _api.GetAsync("/api/v1/editing/organisations?published=true&pageSize=1", user);
        return list.Json.GetProperty("items")[0].GetProperty("id").GetInt32();
    }
}
