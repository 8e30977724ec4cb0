using System.Net;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.Exports;
using Passerelle.Core.History;
using Passerelle.Core.Imports;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Imports;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.History;

public sealed class SqliteHistoryTests(PasserelleApp app) : HistoryTests<PasserelleApp>(app);

public sealed class PostgresHistoryTests(PostgresApp app) : HistoryTests<PostgresApp>(app);

/// <summary>
/// A record's history in the back office (ADR 0013): every version with who, when, old → new and the source; the
/// state at any version rebuilt from the revisions; a diff of two versions; and a restore that is itself a new version,
/// through the editing service (<see cref="RecordEditor.RestoreVersionAsync"/>): open to whoever may edit the record,
/// and refused when the record changed after the confirmation page was shown.
/// </summary>
public abstract class HistoryTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private const string Programme = "fwv-2014-2020";
    private const string OtherProgramme = "nwe-2021-2027";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Versions_ProjectWrittenTwice_ListBothWithWhoOldNewAndSource()
    {
        var project = await TwoVersionsAsync();
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);

        var page = await VersionsAsync(project.Id);
        Assert.Equal(2, page.TotalVersions);
        var (second, first) = (page.Versions[0], page.Versions[1]);
        Assert.Equal((2, 1), (second.Info.Number, first.Info.Number));
        Assert.Equal((ActorKind.User, "Marie Curie"), (second.Info.ActorKind, second.Info.Actor));
        Assert.Equal((ActorKind.Command, "test"), (first.Info.ActorKind, first.Info.Actor));

        // The budget: from the first figure to the second, with the report as source, shown first.
        var budget = Assert.Single(second.Changes, c => c.Field == "total_budget_eur");
        Assert.Equal((RevisionAction.Added, "1000000", "1200000", 0), (budget.Action, budget.OldValue, budget.NewValue, budget.NewRank));
        Assert.Equal(("Total budget", "Final report", "https://example.org/final-report"), (budget.Label, budget.Source!.Title, budget.Source.Url));
        // A partner's budget share is part of the project's history, named by the partner.
        var share = Assert.Single(second.Changes, c => c.Field == "budget_eur");
        Assert.Equal(("Ville de Versionville", "400000", "450000"), (share.Partner, share.OldValue, share.NewValue));
        Assert.Contains(first.Changes, c => c is { Field: "record", Action: RevisionAction.Created });
        Assert.Contains(first.Changes, c => c is { Field: "participation", Action: RevisionAction.Linked, NewValue: "Ville de Versionville (partner)" });
        Assert.Contains(first.Changes, c => c is { Field: "title.en", Label: "Title (en)", NewValue: "Versions of a project" });

        // The page a viewer sees says the same.
        using var response = await viewer.Client.GetAsync($"/admin/history/project/{project.Id}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = HtmlText.Of(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("History of VERSIONS", text, StringComparison.Ordinal);
        Assert.Contains("Version 2", text, StringComparison.Ordinal);
        Assert.Contains("Marie Curie (person)", text, StringComparison.Ordinal);
        Assert.Contains("Total budget value added shown first 1000000 1200000 Final report", text, StringComparison.Ordinal);
        Assert.Contains("Partner: Ville de Versionville Budget share", text, StringComparison.Ordinal);
        // A viewer is not offered the restore.
        Assert.DoesNotContain("Restore this version", text, StringComparison.Ordinal);

        // The same page in French.
        var french = HtmlText.Of(await viewer.Client.GetStringAsync($"/fr/admin/history/project/{project.Id}", Ct));
        Assert.Contains("Historique de VERSIONS", french, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Versions_TitleInALanguageChanged_IsOneChangeOfTheValue()
    {
        var project = await TwoVersionsAsync();
        await WriteAsUserAsync("Marie Curie", async s =>
        {
            var p = await s.Db.Projects.SingleAsync(x => x.Id == project.Id, Ct);
            await s.LoadValuesAsync([p], Ct);
            s.SetValue(p, Fields.Project.Title.En, "Versions of a project, revised", await s.SourceAsync(ReportSource, Ct));
        });

        // The column follows the value: the title's change is recorded once, as the value it is, not again as an attribute.
        var change = Assert.Single((await VersionsAsync(project.Id)).Versions[0].Changes);
        Assert.Equal(("title.en", RevisionAction.Added, "Versions of a project", "Versions of a project, revised"),
            (change.Field, change.Action, change.OldValue, change.NewValue));
    }

    [Fact]
    public async Task State_EachVersion_IsWhatTheRecordShowedThen()
    {
        var project = await TwoVersionsAsync();
        var page = await VersionsAsync(project.Id);
        var (first, second) = (page.Versions[1].Info.ChangeSetId, page.Versions[0].Info.ChangeSetId);

        var then = await HistoryAsync(h => h.StateAsync(SubjectType.Project, project.Id, first, Ct));
        var now = await HistoryAsync(h => h.StateAsync(SubjectType.Project, project.Id, second, Ct));

        Assert.Equal(["1000000"], then!["total_budget_eur"]!.Values.Select(v => v.Value));
        Assert.Equal(["1200000", "1000000"], now!["total_budget_eur"]!.Values.Select(v => v.Value));
        Assert.Equal(["Final report", "Application form"], now["total_budget_eur"]!.Values.Select(v => v.Source!.Title));
        Assert.Equal("Budget approved by the monitoring committee", now["total_budget_eur"]!.Values[0].Note);
        var share = $"participation/{project.ParticipationId}/budget_eur";
        Assert.Equal(["400000"], then[share]!.Values.Select(v => v.Value));
        Assert.Equal(["450000", "400000"], now[share]!.Values.Select(v => v.Value));
        Assert.Equal(["Ville de Versionville (partner)"], now["participation"]!.Values.Select(v => v.Value));
        Assert.Null(await HistoryAsync(h => h.StateAsync(SubjectType.Project, project.Id, first - 1_000_000, Ct)));
    }

    [Fact]
    public async Task Diff_TwoVersions_ShowsEachFieldAtBothAndWhetherItChanged()
    {
        var project = await TwoVersionsAsync();
        var page = await VersionsAsync(project.Id);
        var (first, second) = (page.Versions[1].Info.ChangeSetId, page.Versions[0].Info.ChangeSetId);

        var diff = await HistoryAsync(h => h.DiffAsync(SubjectType.Project, project.Id, first, second, Ct));
        var budget = Assert.Single(diff!.Fields, f => f.Key == "total_budget_eur");
        Assert.True(budget.Changed);
        Assert.Equal(["1000000"], budget.From.Select(v => v.Value));
        Assert.Equal(["1200000", "1000000"], budget.To.Select(v => v.Value));
        Assert.False(Assert.Single(diff.Fields, f => f.Key == "title.en").Changed);

        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        // The versions the way the list's radio buttons send them, newer first: the older is shown on the left.
        var html = await viewer.Client.GetStringAsync($"/admin/history/project/{project.Id}/diff?from={second}&to={first}", Ct);
        var text = HtmlText.Of(html);
        Assert.Contains("Compare versions of VERSIONS", text, StringComparison.Ordinal);
        Assert.Contains("Total budget 1000000 Application form", text, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"changed\" data-field=\"total_budget_eur\">", html, StringComparison.Ordinal);
        // Unchanged fields only on request.
        Assert.DoesNotContain("data-field=\"title.en\"", html, StringComparison.Ordinal);
        var all = await viewer.Client.GetStringAsync($"/admin/history/project/{project.Id}/diff?from={first}&to={second}&all=true", Ct);
        Assert.Contains("<tr class=\"unchanged\" data-field=\"title.en\">", all, StringComparison.Ordinal);

        using var missing = await viewer.Client.GetAsync($"/admin/history/project/{project.Id}/diff?from={first}&to=999999999", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Restore_FirstVersionByAnEditorOfTheProgramme_WritesANewVersionEqualToIt()
    {
        var project = await TwoVersionsAsync();
        var page = await VersionsAsync(project.Id);
        var (first, second) = (page.Versions[1].Info.ChangeSetId, page.Versions[0].Info.ChangeSetId);
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);

        // The list offers the restore; the restore page shows what will change.
        var list = HtmlText.Of(await editor.Client.GetStringAsync($"/admin/history/project/{project.Id}", Ct));
        Assert.Contains("Restore this version", list, StringComparison.Ordinal);
        var restorePage = $"/admin/history/project/{project.Id}/restore?version={first}";
        var confirmHtml = await editor.Client.GetStringAsync(restorePage, Ct);
        Assert.Contains("Total budget 1200000 Final report", HtmlText.Of(confirmHtml), StringComparison.Ordinal);
        // The page carries the record's version it showed, for the restore's concurrency check.
        var shown = RecordVersionOf(confirmHtml);
        Assert.Equal((await ProjectVersionAsync(project.Id)).ToString(System.Globalization.CultureInfo.InvariantCulture), shown);

        using var response = await editor.Client.SubmitFormAsync(restorePage,
            [("Version", first.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("RecordVersion", shown)]);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith($"/admin/history/project/{project.Id}?restored=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // A third version, by the editor, that shows what the first showed.
        var after = await VersionsAsync(project.Id);
        Assert.Equal(3, after.TotalVersions);
        var restore = after.Versions[0];
        Assert.Equal((ActorKind.User, editor.User.DisplayName), (restore.Info.ActorKind, restore.Info.Actor));
        Assert.StartsWith("restore of version 1 (", restore.Info.Detail, StringComparison.Ordinal);
        var budget = Assert.Single(restore.Changes, c => c is { Field: "total_budget_eur", Action: RevisionAction.Retracted });
        Assert.Equal("1200000", budget.OldValue);

        var then = await HistoryAsync(h => h.StateAsync(SubjectType.Project, project.Id, first, Ct));
        var now = await HistoryAsync(h => h.StateAsync(SubjectType.Project, project.Id, restore.Info.ChangeSetId, Ct));
        Assert.Equal(Values(then!), Values(now!));
        var (column, share, retracted) = await app.WithDbAsync(async db => (
            await db.Projects.Where(p => p.Id == project.Id).Select(p => p.TotalBudget).SingleAsync(Ct),
            await db.Participations.Where(x => x.Id == project.ParticipationId).Select(x => x.Budget).SingleAsync(Ct),
            await db.Facts.Where(f => f.SubjectType == SubjectType.Project && f.SubjectId == project.Id && f.Field == "total_budget_eur" && f.Retracted)
                .Select(f => f.Value).ToListAsync(Ct)));
        Assert.Equal((1000000m, 400000m), (column, share));
        // Nothing is deleted: the withdrawn figure stays, retracted, in the history.
        Assert.Equal(["1200000"], retracted);

        // The page says so, and the history shows the restore at the top.
        var restored = HtmlText.Of(await editor.Client.GetStringAsync(response.Headers.Location.OriginalString, Ct));
        Assert.Contains("The version was restored", restored, StringComparison.Ordinal);
        Assert.Contains("Version 3", restored, StringComparison.Ordinal);

        // And it can be undone: restoring the second version brings the report's figure back first.
        await RestoreAsync(Access.Administrator("Admin"), project.Id, second);
        Assert.Equal(1200000m, await app.WithDbAsync(db => db.Projects.Where(p => p.Id == project.Id).Select(p => p.TotalBudget).SingleAsync(Ct)));
    }

    [Fact]
    public async Task Restore_Viewer_SeesTheHistoryButIsRefusedAndNothingIsWritten()
    {
        var project = await TwoVersionsAsync();
        var first = (await VersionsAsync(project.Id)).Versions[1].Info.ChangeSetId;
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        var before = await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct));

        var restorePage = $"/admin/history/project/{project.Id}/restore?version={first}";
        using var get = await viewer.Client.GetAsync(restorePage, Ct);
        await AssertDeniedAsync(viewer.Client, get);
        // A post with a valid antiforgery token of the viewer's is refused too.
        var token = await viewer.Client.AntiforgeryTokenAsync(TestAccounts.SignInPath);
        using var post = await viewer.Client.PostFormAsync(restorePage, [("Version", first.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("__RequestVerificationToken", token)]);
        await AssertDeniedAsync(viewer.Client, post);

        Assert.Equal(before, await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => RestoreAsync(Access.Viewer("Viewer"), project.Id, first));
    }

    [Fact]
    public async Task Restore_EditorOfAnotherProgramme_IsRefusedAndNothingIsWritten()
    {
        var project = await TwoVersionsAsync();
        var first = (await VersionsAsync(project.Id)).Versions[1].Info.ChangeSetId;
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [OtherProgramme]);
        var before = await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct));

        var list = HtmlText.Of(await editor.Client.GetStringAsync($"/admin/history/project/{project.Id}", Ct));
        Assert.DoesNotContain("Restore this version", list, StringComparison.Ordinal);
        var restorePage = $"/admin/history/project/{project.Id}/restore?version={first}";
        using var get = await editor.Client.GetAsync(restorePage, Ct);
        await AssertDeniedAsync(editor.Client, get);
        var token = await editor.Client.AntiforgeryTokenAsync(TestAccounts.SignInPath);
        using var post = await editor.Client.PostFormAsync(restorePage, [("Version", first.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("__RequestVerificationToken", token)]);
        await AssertDeniedAsync(editor.Client, post);

        Assert.Equal(before, await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct)));
        var other = await app.WithDbAsync(db => db.Programmes.Where(p => p.Slug == OtherProgramme).Select(p => p.Id).SingleAsync(Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => RestoreAsync(Access.Editor("Other", [other], []), project.Id, first));
    }

    [Fact]
    public async Task Restore_WithoutAntiforgeryToken_IsRejected()
    {
        var project = await TwoVersionsAsync();
        var first = (await VersionsAsync(project.Id)).Versions[1].Info.ChangeSetId;
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var before = await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct));

        using var post = await editor.Client.PostFormAsync($"/admin/history/project/{project.Id}/restore?version={first}",
            [("Version", first.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal(before, await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct)));
    }

    [Fact]
    public async Task Restore_RecordChangedAfterThePageWasShown_RefusedWithAMessageThenRestoredOnConfirmingAgain()
    {
        var project = await TwoVersionsAsync();
        var first = (await VersionsAsync(project.Id)).Versions[1].Info.ChangeSetId;
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var restorePage = $"/admin/history/project/{project.Id}/restore?version={first}";
        var shownHtml = await editor.Client.GetStringAsync(restorePage, Ct);
        var token = TestAccounts.AntiforgeryToken(shownHtml)!;
        var shown = RecordVersionOf(shownHtml);

        // Someone else saves the project meanwhile.
        await WriteAsUserAsync("Marie Curie", async s =>
        {
            var p = await s.Db.Projects.SingleAsync(x => x.Id == project.Id, Ct);
            await s.LoadValuesAsync([p], Ct);
            s.SetValue(p, Fields.Project.TotalBudget, "1300000", await s.SourceAsync(ReportSource, Ct));
        });
        var changeSets = await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct));

        using var refused = await editor.Client.PostFormAsync(restorePage,
            [("Version", first.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("RecordVersion", shown), ("__RequestVerificationToken", token)]);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync(Ct);
        var current = await ProjectVersionAsync(project.Id);
        Assert.Contains($"Someone changed this record meanwhile (it is now at version {current}): nothing was restored.", HtmlText.Of(html), StringComparison.Ordinal);
        // The comparison is read again (the other person's figure is what the record shows now) and carries the new version.
        Assert.Contains("Total budget 1300000 Final report", HtmlText.Of(html), StringComparison.Ordinal);
        Assert.Equal(current.ToString(System.Globalization.CultureInfo.InvariantCulture), RecordVersionOf(html));
        Assert.Equal(changeSets, await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct)));

        // Confirming again, now against the record as it is, restores.
        using var confirmed = await editor.Client.PostFormAsync(restorePage,
            [("Version", first.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("RecordVersion", RecordVersionOf(html)), ("__RequestVerificationToken", token)]);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(1000000m, await app.WithDbAsync(db => db.Projects.Where(p => p.Id == project.Id).Select(p => p.TotalBudget).SingleAsync(Ct)));
    }

    [Fact]
    public async Task Restore_AttributeChangedSince_GetsItsValueThenBack()
    {
        var id = await app.WithDbAsync(db => db.Programmes.Where(p => p.Slug == "espon-2020").Select(p => p.Id).SingleAsync(Ct));
        async Task<long> SetNoteAsync(string? note)
        {
            await WriteAsUserAsync("Marie Curie", async s => (await s.Db.Programmes.SingleAsync(p => p.Id == id, Ct)).AreaNote = note);
            return (await HistoryAsync(h => h.LatestAsync(SubjectType.Programme, id, Ct)))!.ChangeSetId;
        }

        var original = await app.WithDbAsync(db => db.Programmes.Where(p => p.Id == id).Select(p => p.AreaNote).SingleAsync(Ct));
        var before = (await HistoryAsync(h => h.LatestAsync(SubjectType.Programme, id, Ct)))!.ChangeSetId;
        var first = await SetNoteAsync("The area as the 2020 programme describes it");
        await SetNoteAsync("A later wording");

        // The attribute at each version, from its "set" revisions (before the first: the old value of that first change).
        var state = await HistoryAsync(h => h.StateAsync(SubjectType.Programme, id, first, Ct));
        Assert.Equal(["The area as the 2020 programme describes it"], state!["area_note"]!.Values.Select(v => v.Value));
        var atStart = await HistoryAsync(h => h.StateAsync(SubjectType.Programme, id, before, Ct));
        Assert.Equal(original is null ? [] : [original], atStart!["area_note"]!.Values.Select(v => v.Value));

        var result = await RestoreAsync(Access.Administrator("Admin"), SubjectType.Programme, id, first);
        Assert.NotNull(result.ChangeSetId);
        Assert.Equal("The area as the 2020 programme describes it",
            await app.WithDbAsync(db => db.Programmes.Where(p => p.Id == id).Select(p => p.AreaNote).SingleAsync(Ct)));
        await RestoreAsync(Access.Administrator("Admin"), SubjectType.Programme, id, before);
        Assert.Equal(original, await app.WithDbAsync(db => db.Programmes.Where(p => p.Id == id).Select(p => p.AreaNote).SingleAsync(Ct)));

        // Restoring the version the record already shows writes nothing.
        var version = await app.WithDbAsync(db => db.Programmes.Where(p => p.Id == id).Select(p => p.Version).SingleAsync(Ct));
        var again = await RestoreAsync(Access.Administrator("Admin"), SubjectType.Programme, id, before);
        Assert.Equal((null, version), (again.ChangeSetId, again.Version));
    }

    [Fact]
    public async Task History_EveryKindOfRecord_HasAPage()
    {
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        var ids = await app.WithDbAsync(async db => new (string Type, int Id)[]
        {
            ("programme", await db.Programmes.Where(p => p.Slug == "fwv-2021-2027").Select(p => p.Id).SingleAsync(Ct)),
            ("grouping", await db.Groupings.Where(g => g.Slug == "eurometropole").Select(g => g.Id).SingleAsync(Ct)),
            ("project", await db.Projects.Where(p => p.Slug == "alarm-fwv").Select(p => p.Id).SingleAsync(Ct)),
            ("organisation", await db.Organisations.Where(o => o.Slug == "lille-metropole").Select(o => o.Id).SingleAsync(Ct)),
            ("source", await db.Sources.OrderBy(s => s.Id).Select(s => s.Id).FirstAsync(Ct)),
        });
        foreach (var (type, id) in ids)
        {
            using var response = await viewer.Client.GetAsync($"/admin/history/{type}/{id}", Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{type} {id}: {(int)response.StatusCode}");
            Assert.Contains("Version 1", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/admin/history/project/1")]
    [InlineData("/admin/history/project/1/diff?from=1&to=2")]
    [InlineData("/admin/history/project/1/restore?version=1")]
    [InlineData("/fr/admin/history/programme/1")]
    public async Task History_Anonymous_IsRedirectedToSignIn(string path)
    {
        using var client = app.CreateBrowserClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var expected = (path.StartsWith("/fr/", StringComparison.Ordinal) ? "/fr" : "") + "/admin/account/sign-in";
        Assert.StartsWith(expected, new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/admin/history/theme/1")]
    [InlineData("/admin/history/project/999999")]
    public async Task History_UnknownRecord_IsNotFound(string path)
    {
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        using var response = await viewer.Client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Versions_MoreThanAPage_ArePagedByPositionEachOnce()
    {
        var project = await TwoVersionsAsync();
        for (var i = 1; i <= 23; i++)
        {
            var budget = (2_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteAsUserAsync("Marie Curie", async s =>
            {
                var p = await s.Db.Projects.SingleAsync(x => x.Id == project.Id, Ct);
                await s.LoadValuesAsync([p], Ct);
                s.SetValue(p, Fields.Project.TotalBudget, budget, await s.SourceAsync(ReportSource, Ct));
            });
        }

        var page1 = await VersionsAsync(project.Id);
        Assert.Equal(25, page1.TotalVersions);
        Assert.Equal(Enumerable.Range(6, 20).Reverse(), page1.Versions.Select(v => v.Info.Number));
        Assert.Null(page1.Newer);
        var page2 = await HistoryAsync(h => h.VersionsAsync(SubjectType.Project, project.Id, before: page1.Older, ct: Ct));
        Assert.Equal([5, 4, 3, 2, 1], page2!.Versions.Select(v => v.Info.Number));
        Assert.Null(page2.Older);
        var back = await HistoryAsync(h => h.VersionsAsync(SubjectType.Project, project.Id, after: page2.Newer, ct: Ct));
        Assert.Equal(page1.Versions.Select(v => v.Info.ChangeSetId), back!.Versions.Select(v => v.Info.ChangeSetId));

        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        var html = await viewer.Client.GetStringAsync($"/admin/history/project/{project.Id}?before={page1.Older}", Ct);
        Assert.Contains("Version 5", HtmlText.Of(html), StringComparison.Ordinal);
        Assert.DoesNotContain("Version 6", HtmlText.Of(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_LatestVersionOfEveryRecord_EqualsItsCurrentValuesAfterSeedAndImport()
    {
        // An import that puts a new figure first beside the default data's (the replay's ranks against the table's).
        var file = ImportSupport.WriteCsv("history.csv", ImportSupport.ProjectsHeader + "\r\n"
            + ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2014-2020"), (KeepColumns.Acronym, "ALARM FWV"), (KeepColumns.TotalBudget, "2650000"),
                (KeepColumns.StartDate, "2016-10-01")) + "\r\n");
        Assert.True((await ImportSupport.ImportAsync(app, ImportTable.Projects, file, "History check")).Succeeded);

        var problems = new List<string>();
        var records = await app.WithDbAsync(async db =>
            (await db.Projects.Select(p => p.Id).ToListAsync(Ct)).Select(id => (SubjectType.Project, id))
            .Concat((await db.Programmes.Select(p => p.Id).ToListAsync(Ct)).Select(id => (SubjectType.Programme, id)))
            .Concat((await db.Groupings.Select(p => p.Id).ToListAsync(Ct)).Select(id => (SubjectType.Grouping, id)))
            .Concat((await db.Organisations.Select(p => p.Id).ToListAsync(Ct)).Select(id => (SubjectType.Organisation, id)))
            .ToList());
        foreach (var (type, id) in records)
        {
            var latest = await HistoryAsync(h => h.LatestAsync(type, id, Ct));
            var state = await HistoryAsync(h => h.StateAsync(type, id, latest!.ChangeSetId, Ct));
            var replayed = state!.Fields.Where(f => f.Kind == HistoryFieldKind.Value && f.ParticipationId is null)
                .SelectMany(f => f.Values.Select(v => $"{f.Field}={v.Value} [{v.Source!.Id}] {v.Note}"))
                .Order(StringComparer.Ordinal).ToList();
            var current = await app.WithDbAsync(db => db.Facts.Where(f => f.SubjectType == type && f.SubjectId == id && !f.Retracted)
                .OrderBy(f => f.Field).ThenBy(f => f.Rank).ThenBy(f => f.Id).Select(f => new { f.Field, f.Value, f.SourceId, f.Note }).ToListAsync(Ct));
            var expected = current.Select(f => $"{f.Field}={f.Value} [{f.SourceId}] {f.Note}").Order(StringComparer.Ordinal).ToList();
            // Same values, and in the same order field by field.
            var orderReplayed = state.Fields.Where(f => f.Kind == HistoryFieldKind.Value && f.ParticipationId is null)
                .ToDictionary(f => f.Field, f => string.Join(" | ", f.Values.Select(v => v.Value)));
            var orderCurrent = current.GroupBy(f => f.Field).ToDictionary(g => g.Key, g => string.Join(" | ", g.Select(f => f.Value)));
            if (!replayed.SequenceEqual(expected) || !orderReplayed.OrderBy(x => x.Key).SequenceEqual(orderCurrent.OrderBy(x => x.Key)))
            {
                problems.Add($"{type} {id}");
            }
        }

        Assert.Empty(problems);
        Assert.True(records.Count > 70, $"{records.Count} records checked");
    }

    // ------------------------------------------------------------------ helpers

    private static readonly Source ApplicationSource = new() { Key = "history-test-application", Title = "Application form", Url = "https://example.org/application" };
    private static readonly Source ReportSource = new() { Key = "history-test-report", Title = "Final report", Url = "https://example.org/final-report" };

    private sealed record TestProject(int Id, int ParticipationId);

    /// <summary>A new project of <see cref="Programme"/> with a partner, written twice: by the "test" command, then by Marie Curie.</summary>
    private async Task<TestProject> TwoVersionsAsync()
    {
        var slug = "versions-" + Guid.NewGuid().ToString("N")[..8];
        var (project, participation) = await app.WriteAsync(async s =>
        {
            var programme = await s.Db.Programmes.SingleAsync(p => p.Slug == Programme, Ct);
            var source = await s.SourceAsync(ApplicationSource, Ct);
            var p = s.Create(new Project { Slug = slug, Acronym = "VERSIONS", ProgrammeCode = programme.Code, ProgrammeId = programme.Id });
            s.SetValue(p, Fields.Project.Title.En, "Versions of a project", source);
            s.SetValue(p, Fields.Project.TotalBudget, "1000000", source);
            var organisation = await s.Db.Organisations.FirstOrDefaultAsync(o => o.Slug == "ville-de-versionville", Ct)
                ?? s.Create(new Organisation { Slug = "ville-de-versionville", Name = "Ville de Versionville", Country = "FR" });
            var x = s.Create(new Participation { Project = p, Organisation = organisation, Role = ParticipationRole.Partner });
            s.SetValue(x, Fields.Participation.Budget, "400000", source);
            return (p, x);
        });

        await WriteAsUserAsync("Marie Curie", async s =>
        {
            var p = await s.Db.Projects.SingleAsync(x => x.Id == project.Id, Ct);
            var x = await s.Db.Participations.SingleAsync(x => x.Id == participation.Id, Ct);
            await s.LoadValuesAsync([p], Ct);
            await s.LoadValuesAsync([x], Ct);
            var report = await s.SourceAsync(ReportSource, Ct);
            s.SetValue(p, Fields.Project.TotalBudget, "1200000", report, "Budget approved by the monitoring committee");
            s.SetValue(x, Fields.Participation.Budget, "450000", report);
        });
        return new TestProject(project.Id, participation.Id);
    }

    private async Task WriteAsUserAsync(string name, Func<WriteSession, Task> write)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var session = await scope.ServiceProvider.GetRequiredService<RegistryWriter>().BeginAsync(Actor.User(name), Ct);
        await write(session);
        await session.CommitAsync(Ct);
    }

    private Task<VersionPage> VersionsAsync(int projectId) =>
        HistoryAsync(async h => (await h.VersionsAsync(SubjectType.Project, projectId, ct: Ct))!);

    private async Task<T> HistoryAsync<T>(Func<HistoryQueries, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<HistoryQueries>());
    }

    private Task<VersionRestoreResult> RestoreAsync(Access access, int projectId, long changeSetId) =>
        RestoreAsync(access, SubjectType.Project, projectId, changeSetId);

    /// <summary>Restores through the editing service, at the record's current version.</summary>
    private async Task<VersionRestoreResult> RestoreAsync(Access access, SubjectType type, int id, long changeSetId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var record = new RecordRef(type, id);
        var version = await scope.ServiceProvider.GetRequiredService<EditorQueries>().CurrentVersionAsync(record, Ct);
        return await scope.ServiceProvider.GetRequiredService<RecordEditor>().RestoreVersionAsync(access, record, changeSetId, version!.Value, Ct);
    }

    private Task<int> ProjectVersionAsync(int id) => app.WithDbAsync(db => db.Projects.Where(p => p.Id == id).Select(p => p.Version).SingleAsync(Ct));

    /// <summary>The record's version a restore page carries in its form.</summary>
    private static string RecordVersionOf(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "name=\"RecordVersion\" value=\"(\\d+)\"").Groups[1].Value;

    /// <summary>The sourced values of a state, field by field in display order, with sources and notes.</summary>
    private static List<string> Values(RecordState state) =>
        [.. state.Fields.Where(f => f.Kind == HistoryFieldKind.Value)
            .Select(f => $"{f.Key}: " + string.Join(" | ", f.Values.Select(v => $"{v.Value} ({v.Source?.Title}; {v.Note})")))];

    /// <summary>Refused by the back office: sent to the "not allowed" page, which answers 403.</summary>
    private static async Task AssertDeniedAsync(HttpClient client, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/admin/account/denied", new Uri(new Uri("http://localhost"), location).AbsolutePath, StringComparison.Ordinal);
        using var denied = await client.GetAsync(location, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }
}
