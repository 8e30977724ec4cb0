using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Passerelle.Core.Editing;
using Passerelle.Core.Registry;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Editing.EditingSupport;

namespace Passerelle.Web.Tests.Editing;

public sealed class SqlitePublicVisibilityTests(PasserelleApp app) : PublicVisibilityTests<PasserelleApp>(app);

public sealed class PostgresPublicVisibilityTests(PostgresApp app) : PublicVisibilityTests<PostgresApp>(app);

/// <summary>
/// Drafts and deleted records stay out of everything public: portal pages, the API, search and the open-data exports
/// (ADR 14); publishing shows them, deleting hides them, restoring brings them back as drafts.
/// </summary>
public abstract class PublicVisibilityTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private readonly EditingSupport _x = new(app);

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<List<string>> SearchAsync(string q)
    {
        await _x.CatchUpAsync();
        using var client = app.CreateClient();
        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/search?q=" + Uri.EscapeDataString(q), Ct);
        return json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!).ToList();
    }

    /// <summary>Where a project shows publicly, as (portal page, API detail, in search, in each export, on its programme's page).</summary>
    private async Task<(HttpStatusCode Page, HttpStatusCode Api, bool Search, bool Export, bool Keep, bool Operations, bool ProgrammePage)> WhereAsync(
        string slug, string acronym, string programmeSlug)
    {
        var page = await GetAsync($"/projects/{slug}");
        var api = await GetAsync($"/api/v1/projects/{slug}");
        var export = await GetAsync("/api/v1/projects/export.csv");
        var keep = await GetAsync("/api/v1/exports/keep/projects.csv");
        var operations = await GetAsync("/api/v1/exports/operations.csv");
        var programme = await GetAsync($"/programmes/{programmeSlug}");
        return (page.Status, api.Status, (await SearchAsync(acronym)).Contains(slug),
            export.Body.Contains(slug, StringComparison.Ordinal), keep.Body.Contains(acronym, StringComparison.Ordinal),
            operations.Body.Contains(acronym, StringComparison.Ordinal), programme.Body.Contains(acronym, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Project_CreatedDeletedRestoredPublished_ShownPubliclyOnlyWhilePublished()
    {
        var programme = await _x.ProgrammeAsync();
        var acronym = "VISIBLE" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var project = await _x.ProjectAsync(programme.Record.Id, acronym, values: [ValueEdit.Replace("title.en", "Cooperation on visible things", Document())]);
        var hidden = (HttpStatusCode.NotFound, HttpStatusCode.NotFound, false, false, false, false, false);
        var shown = (HttpStatusCode.OK, HttpStatusCode.OK, true, true, true, true, true);

        // A new record is a draft.
        Assert.Equal(hidden, await WhereAsync(project.Slug, acronym, programme.Slug));

        project = await _x.EditAsync(e => e.PublishAsync(Admin, project.Record, project.Version, Ct));
        Assert.Equal(shown, await WhereAsync(project.Slug, acronym, programme.Slug));

        project = await _x.EditAsync(e => e.DeleteAsync(Admin, project.Record, project.Version, Ct));
        Assert.Equal(hidden, await WhereAsync(project.Slug, acronym, programme.Slug));
        var deleted = await _x.QueryAsync(q => q.GetProjectAsync(Admin, project.Record.Id, Ct));
        Assert.NotNull(deleted!.Record.DeletedAt);
        Assert.False(deleted.Record.IsPublished);

        // A deleted record is not edited nor published: restored first, as a draft.
        var publishDeleted = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.PublishAsync(Admin, project.Record, project.Version, Ct)));
        Assert.Equal(RuleCodes.Deleted, Assert.Single(publishDeleted.Violations).Code);
        await Assert.ThrowsAsync<RuleViolationException>(() => _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "1", Document())] }));
        var deletedList = await _x.QueryAsync(q => q.ListAsync(Admin, Core.Sources.SubjectType.Project, new EditorListFilter(Deleted: true), new Core.Common.PageRequest(1, 100), Ct));
        Assert.Contains(deletedList.Items, i => i.Record == project.Record);

        project = await _x.EditAsync(e => e.RestoreAsync(Admin, project.Record, project.Version, Ct));
        var restored = await _x.QueryAsync(q => q.GetProjectAsync(Admin, project.Record.Id, Ct));
        Assert.Equal((null, false), (restored!.Record.DeletedAt, restored.Record.IsPublished));
        Assert.Equal(hidden, await WhereAsync(project.Slug, acronym, programme.Slug));

        project = await _x.EditAsync(e => e.PublishAsync(Admin, project.Record, project.Version, Ct));
        Assert.Equal(shown, await WhereAsync(project.Slug, acronym, programme.Slug));

        // The history has each step, with who did it.
        var changes = await _x.QueryAsync(q => q.ChangesSinceAsync(project.Record, 1, Ct));
        Assert.Equal(["is_published", "deleted_at", "is_published", "deleted_at", "is_published"],
            changes.Where(c => c.Field is "is_published" or "deleted_at").Select(c => c.Field));
    }

    [Fact]
    public async Task Organisation_DraftPartnerOfAPublishedProject_NotShownAnywherePublicUntilPublished()
    {
        var programme = await _x.ProgrammeAsync();
        var name = "Draft partner " + Guid.NewGuid().ToString("N")[..6];
        var draft = await _x.EditAsync(e => e.CreateOrganisationAsync(Admin, new OrganisationEdit
        {
            Values = [ValueEdit.Replace("name", name, Document()), ValueEdit.Replace("city", "Tournai", Document())],
        }, Ct));
        var acronym = "PARTNERED" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var project = await _x.ProjectAsync(programme.Record.Id, acronym);
        project = await _x.UpdateProjectAsync(project, new ProjectEdit
        {
            Partners = [new PartnerEdit(draft.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "lead partner", Document())])],
        });
        project = await _x.EditAsync(e => e.PublishAsync(Admin, project.Record, project.Version, Ct));

        var page = await GetAsync($"/projects/{project.Slug}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.DoesNotContain(name, page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(draft.Slug, page.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/organisations/{draft.Slug}")).Status);
        foreach (var export in new[] { "/api/v1/projects/export.csv", "/api/v1/exports/keep/projects.csv", "/api/v1/exports/keep/partners.csv", "/api/v1/exports/operations.csv", "/api/v1/organisations/export.csv" })
        {
            Assert.DoesNotContain(name, (await GetAsync(export)).Body, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(draft.Slug, await SearchAsync(name));

        await _x.EditAsync(e => e.PublishAsync(Admin, draft.Record, draft.Version, Ct));
        page = await GetAsync($"/projects/{project.Slug}");
        Assert.Contains($"/organisations/{draft.Slug}", page.Body, StringComparison.Ordinal);
        Assert.Contains(name, (await GetAsync("/api/v1/exports/keep/partners.csv")).Body, StringComparison.Ordinal);
        Assert.Contains(draft.Slug, await SearchAsync(name));
    }

    [Fact]
    public async Task Programme_Unpublished_ItsProjectShowsTheCodeWithoutALinkAndItsPageIsGone()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        project = await _x.EditAsync(e => e.PublishAsync(Admin, project.Record, project.Version, Ct));
        Assert.Contains($"/programmes/{programme.Slug}", (await GetAsync($"/projects/{project.Slug}")).Body, StringComparison.Ordinal);

        await _x.EditAsync(e => e.UnpublishAsync(Admin, programme.Record, programme.Version, Ct));

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/programmes/{programme.Slug}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/api/v1/programmes/{programme.Slug}")).Status);
        var page = await GetAsync($"/projects/{project.Slug}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.DoesNotContain($"/programmes/{programme.Slug}", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(programme.Slug, (await GetAsync("/api/v1/exports/keep/projects.csv")).Body, StringComparison.Ordinal);
    }
}
