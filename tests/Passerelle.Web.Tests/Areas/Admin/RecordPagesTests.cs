using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.History;
using Passerelle.Core.Projects;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Areas.Admin;

public sealed class SqliteRecordPagesTests(PasserelleApp app) : RecordPagesTests<PasserelleApp>(app);

public sealed class PostgresRecordPagesTests(PostgresApp app) : RecordPagesTests<PostgresApp>(app);

/// <summary>
/// The back office's record pages as an editor uses them: a value always with its source, replace or add beside,
/// show first, rules with messages in the page's language, conflicts shown and never overwritten, scope, drafts.
/// </summary>
public abstract partial class RecordPagesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private const string Programme = "fwv-2021-2027";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A project of the programme, made for the test (not one of the seed's, whose values other tests read).</summary>
    private async Task<Project> ProjectAsync()
    {
        var acronym = "PG" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var programme = await app.WithDbAsync(db => db.Programmes.SingleAsync(p => p.Slug == Programme, Ct));
        return await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var project = session.Create(new Project { Slug = acronym.ToLowerInvariant(), Acronym = acronym, ProgrammeCode = programme.Code, ProgrammeId = programme.Id });
            await session.FlushAsync(ct: Ct);
            session.SetValue(project, Passerelle.Core.Registry.Fields.Project.Acronym, acronym, source);
            session.SetValue(project, Passerelle.Core.Registry.Fields.Project.TotalBudget, "1000000", source);
            return project;
        });
    }

    private static IEnumerable<(string, string)> NewDocument(string title, string url) =>
        [("Source.Mode", "document"), ("Source.Title", title), ("Source.Url", url), ("Source.Date", "2026-11-30")];

    [Fact]
    public async Task Field_ReplaceWithANewDocument_IsShownFirstWithItsSourceAndRecorded()
    {
        var project = await ProjectAsync();
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var page = $"/admin/projects/{project.Id}/fields/total_budget_eur";

        using var saved = await SaveAsync(editor.Client, page,
            [("Value", "1250000.50"), ("Mode", "Replace"), .. NewDocument("Decision of the monitoring committee", "https://example.org/decision.pdf")]);

        await AssertRedirectAsync(saved);
        var stored = await app.WithDbAsync(db => db.Projects.SingleAsync(p => p.Id == project.Id, Ct));
        Assert.Equal(1250000.50m, stored.TotalBudget);
        var details = HtmlText.Of(await editor.Client.GetStringAsync($"/admin/projects/{project.Id}", Ct));
        Assert.Contains("1250000.50 (Decision of the monitoring committee)", details, StringComparison.Ordinal);
        Assert.Contains("1000000", details, StringComparison.Ordinal);
        var changeSet = await app.WithDbAsync(db => db.ChangeSets.OrderByDescending(c => c.Id).FirstAsync(Ct));
        Assert.Equal(ActorKind.User, changeSet.ActorKind);
        Assert.Equal(editor.User.DisplayName, changeSet.Actor);
    }

    [Fact]
    public async Task Field_AddBesideThenShowFirst_KeepsBothValuesAndChangesWhichIsShown()
    {
        var project = await ProjectAsync();
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var page = $"/admin/projects/{project.Id}/fields/total_budget_eur";

        using var beside = await SaveAsync(editor.Client, page,
            [("Value", "990000"), ("Mode", "AddBeside"), .. NewDocument("Annual report 2025", "https://example.org/report-2025")]);
        await AssertRedirectAsync(beside);
        Assert.Equal(1000000m, (await app.WithDbAsync(db => db.Projects.SingleAsync(p => p.Id == project.Id, Ct))).TotalBudget);

        var facts = await app.WithDbAsync(db => db.Facts.Where(f => f.SubjectType == Core.Sources.SubjectType.Project && f.SubjectId == project.Id
            && f.Field == "total_budget_eur" && !f.Retracted).ToListAsync(Ct));
        var added = Assert.Single(facts, f => f.Value == "990000");
        using var first = await SaveAsync(editor.Client, page, [("FactId", added.Id.ToString(CultureInfo.InvariantCulture))], handler: "MakeFirst");

        await AssertRedirectAsync(first);
        Assert.Equal(990000m, (await app.WithDbAsync(db => db.Projects.SingleAsync(p => p.Id == project.Id, Ct))).TotalBudget);
        Assert.Equal(2, await app.WithDbAsync(db => db.Facts.CountAsync(f => f.SubjectType == Core.Sources.SubjectType.Project && f.SubjectId == project.Id
            && f.Field == "total_budget_eur" && !f.Retracted, Ct)));
    }

    [Fact]
    public async Task Field_LastSourceUsed_IsOfferedFirst()
    {
        var project = await ProjectAsync();
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var title = $"Minutes {Guid.NewGuid():N}";
        using var saved = await SaveAsync(editor.Client, $"/admin/projects/{project.Id}/fields/website",
            [("Value", "https://example.org/project"), ("Mode", "Replace"), .. NewDocument(title, "https://example.org/minutes")]);
        await AssertRedirectAsync(saved);

        var next = await editor.Client.GetStringAsync($"/admin/projects/{project.Id}/fields/portfolio", Ct);

        var selected = SelectedSource().Match(next);
        Assert.True(selected.Success, "no source is preselected");
        Assert.StartsWith(title, WebUtility.HtmlDecode(selected.Groups[1].Value), StringComparison.Ordinal);
        Assert.Contains("id=\"source-mode-existing\" name=\"Source.Mode\" value=\"existing\" checked=\"checked\"", next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Field_BreaksARule_RedisplaysTheMessageInThePagesLanguageAndWritesNothing()
    {
        var project = await ProjectAsync();
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var before = await app.WithDbAsync(db => db.Revisions.CountAsync(Ct));

        using var response = await SaveAsync(editor.Client, $"/fr/admin/projects/{project.Id}/fields/website",
            [("Value", "javascript:alert(1)"), ("Mode", "Replace"), .. NewDocument("Une source", "https://example.org/")]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = HtmlText.Of(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("Donnez une adresse complète commençant par https://", html, StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDbAsync(db => db.Revisions.CountAsync(Ct)));
    }

    [Fact]
    public async Task Field_WithoutSource_AsksForOneAndWritesNothing()
    {
        var project = await ProjectAsync();
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);

        using var response = await SaveAsync(editor.Client, $"/admin/projects/{project.Id}/fields/portfolio",
            [("Value", "Smart cities"), ("Mode", "Replace"), ("Source.Mode", "document")]);

        Assert.Contains("Say where this value comes from", HtmlText.Of(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Null((await app.WithDbAsync(db => db.Projects.SingleAsync(p => p.Id == project.Id, Ct))).Portfolio);
    }

    [Fact]
    public async Task Field_SomeoneSavedMeanwhile_ShowsWhatChangedAndOverwritesNothing()
    {
        var project = await ProjectAsync();
        using var first = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        using var second = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var page = $"/admin/projects/{project.Id}/fields/total_budget_eur";
        // Both open the page at the same version.
        var secondsForm = await second.Client.GetStringAsync(page, Ct);
        var version = VersionField().Match(secondsForm).Groups[1].Value;
        using var firstSave = await SaveAsync(first.Client, page, [("Value", "2000000"), ("Mode", "Replace"), .. NewDocument("First source", "https://example.org/one")]);
        await AssertRedirectAsync(firstSave);

        using var secondSave = await second.Client.PostFormAsync(page,
            [("Version", version), ("Value", "3000000"), ("Mode", "Replace"), .. NewDocument("Second source", "https://example.org/two"),
                ("__RequestVerificationToken", TestAccounts.AntiforgeryToken(secondsForm)!)]);

        Assert.Equal(HttpStatusCode.OK, secondSave.StatusCode);
        var html = HtmlText.Of(await secondSave.Content.ReadAsStringAsync(Ct));
        Assert.Contains("Changed meanwhile", html, StringComparison.Ordinal);
        Assert.Contains("2000000", html, StringComparison.Ordinal);
        Assert.Contains(first.User.DisplayName, html, StringComparison.Ordinal);
        Assert.Equal(2000000m, (await app.WithDbAsync(db => db.Projects.SingleAsync(p => p.Id == project.Id, Ct))).TotalBudget);
    }

    [Fact]
    public async Task Field_EditorOfAnotherProgrammeOrViewer_AreRefused()
    {
        var project = await ProjectAsync();
        using var other = await app.CreateUserAsync(AccessRole.Editor, programmes: ["nwe-2021-2027"]);
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        var page = $"/admin/projects/{project.Id}/fields/total_budget_eur";

        using var otherGet = await other.Client.GetAsync(page, Ct);
        using var viewerGet = await viewer.Client.GetAsync(page, Ct);
        using var otherDetails = await other.Client.GetAsync($"/admin/projects/{project.Id}", Ct);

        Assert.Equal(HttpStatusCode.NotFound, otherGet.StatusCode);
        await AssertRedirectAsync(viewerGet);
        Assert.StartsWith("/admin/account/denied", viewerGet.Headers.Location!.OriginalString.Replace("http://localhost", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, otherDetails.StatusCode);
    }

    [Fact]
    public async Task Create_ProjectIsADraftUntilPublished()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var programme = await app.WithDbAsync(db => db.Programmes.SingleAsync(p => p.Slug == Programme, Ct));
        var acronym = "NEW" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

        using var created = await SaveAsync(editor.Client, "/admin/projects/create",
            [("ProgrammeId", programme.Id.ToString(CultureInfo.InvariantCulture)), ("Acronym", acronym), ("Name", "A new cross-border project"), ("Language", "en"),
                .. NewDocument("Approval letter", "https://example.org/approval")]);

        await AssertRedirectAsync(created);
        var project = await app.WithDbAsync(db => db.Projects.SingleAsync(p => p.Acronym == acronym, Ct));
        Assert.False(project.IsPublished);
        using var anonymous = app.CreateClient();
        using (var hidden = await anonymous.GetAsync($"/projects/{project.Slug}", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }

        using var published = await SaveAsync(editor.Client, $"/admin/projects/{project.Id}", [], handler: "Publish");
        await AssertRedirectAsync(published);
        using var shown = await anonymous.GetAsync($"/projects/{project.Slug}", Ct);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("A new cross-border project", await shown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ProjectInAProgrammeOutsideTheScope_IsRefused()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var other = await app.WithDbAsync(db => db.Programmes.SingleAsync(p => p.Slug == "nwe-2021-2027", Ct));
        var acronym = "OUT" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

        using var response = await SaveAsync(editor.Client, "/admin/projects/create",
            [("ProgrammeId", other.Id.ToString(CultureInfo.InvariantCulture)), ("Acronym", acronym), ("Name", "Not mine"), .. NewDocument("A letter", "https://example.org/letter")]);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await app.WithDbAsync(db => db.Projects.AnyAsync(p => p.Acronym == acronym, Ct)));
    }

    [Fact]
    public async Task Partners_AddALeadPartnerWithItsBudget_IsRecordedWithTheSource()
    {
        var project = await ProjectAsync();
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [Programme]);
        var organisation = await app.WithDbAsync(db => db.Organisations.OrderBy(o => o.Id).FirstAsync(Ct));
        var page = $"/admin/projects/{project.Id}/partners?find={Uri.EscapeDataString(organisation.Name)}";

        using var saved = await SaveAsync(editor.Client, page,
            [("OrganisationId", organisation.Id.ToString(CultureInfo.InvariantCulture)), ("Role", "lead partner"), ("Budget", "400000"), ("EuContribution", "240000"),
                .. NewDocument("Partnership agreement", "https://example.org/agreement")]);

        await AssertRedirectAsync(saved);
        var participation = await app.WithDbAsync(db => db.Participations.SingleAsync(p => p.ProjectId == project.Id, Ct));
        Assert.Equal(ParticipationRole.LeadPartner, participation.Role);
        Assert.Equal(400000m, participation.Budget);
        Assert.Equal(240000m, participation.EuContribution);
    }

    [Fact]
    public async Task Links_AliasAddedWithItsSourceThenRemoved()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var organisation = await app.WithDbAsync(db => db.Organisations.OrderBy(o => o.Id).FirstAsync(Ct));
        var alias = "Alias " + Guid.NewGuid().ToString("N")[..8];
        var page = $"/admin/organisations/{organisation.Id}/links";

        using var added = await SaveAsync(admin.Client, page, [("Name", alias), .. NewDocument("Annual report", "https://example.org/annual")]);
        await AssertRedirectAsync(added);
        var stored = await app.WithDbAsync(db => db.OrganisationAliases.SingleAsync(a => a.OrganisationId == organisation.Id && a.Name == alias, Ct));
        Assert.NotNull(stored.SourceId);
        Assert.Contains(alias, WebUtility.HtmlDecode(await admin.Client.GetStringAsync(page, Ct)), StringComparison.Ordinal);

        using var removed = await SaveAsync(admin.Client, page, [("Key", "alias:" + alias)], handler: "Remove");
        await AssertRedirectAsync(removed);
        Assert.False(await app.WithDbAsync(db => db.OrganisationAliases.AnyAsync(a => a.OrganisationId == organisation.Id && a.Name == alias, Ct)));
    }

    [Fact]
    public async Task Links_GroupingMemberAndProgrammeAreaUnit_AddedWithTheirSources()
    {
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var grouping = await app.WithDbAsync(db => db.Groupings.OrderBy(g => g.Id).FirstAsync(Ct));
        var programme = await app.WithDbAsync(db => db.Programmes.SingleAsync(p => p.Slug == "nwe-2021-2027", Ct));
        var member = "Commune " + Guid.NewGuid().ToString("N")[..8];

        using var addedMember = await SaveAsync(admin.Client, $"/admin/groupings/{grouping.Id}/links",
            [("Name", member), ("Country", "be"), ("Level", "local"), .. NewDocument("Convention", "https://example.org/convention")]);
        using var addedUnit = await SaveAsync(admin.Client, $"/admin/programmes/{programme.Id}/links",
            [("Code", "be25"), ("AreaRole", "eligible"), .. NewDocument("Cooperation programme", "https://example.org/programme")]);
        using var badUnit = await SaveAsync(admin.Client, $"/admin/programmes/{programme.Id}/links",
            [("Code", "ZZ99"), ("AreaRole", "eligible"), .. NewDocument("Cooperation programme", "https://example.org/programme")]);

        await AssertRedirectAsync(addedMember);
        var stored = await app.WithDbAsync(db => db.GroupingMembers.SingleAsync(m => m.GroupingId == grouping.Id && m.Name == member, Ct));
        Assert.Equal("BE", stored.Country);
        await AssertRedirectAsync(addedUnit);
        Assert.True(await app.WithDbAsync(db => db.ProgrammeAreaUnits.AnyAsync(u => u.ProgrammeId == programme.Id && u.NutsCode == "BE25", Ct)));
        Assert.Equal(HttpStatusCode.OK, badUnit.StatusCode);
        Assert.False(await app.WithDbAsync(db => db.ProgrammeAreaUnits.AnyAsync(u => u.ProgrammeId == programme.Id && u.NutsCode == "ZZ99", Ct)));
    }

    /// <summary>
    /// Posts a back-office form as a browser does: with the antiforgery token and the record's version the page was
    /// rendered with (the hidden Version field), so a save is checked against what the editor saw.
    /// </summary>
    private static async Task<HttpResponseMessage> SaveAsync(HttpClient client, string page, IEnumerable<(string, string)> fields, string? handler = null)
    {
        var html = await client.GetStringAsync(page, Ct);
        var target = handler is null ? page : page + (page.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "handler=" + handler;
        var version = VersionField().Match(html) is { Success: true } m ? [("Version", m.Groups[1].Value)] : Array.Empty<(string, string)>();
        return await client.PostFormAsync(target, [.. fields, .. version, ("__RequestVerificationToken", TestAccounts.AntiforgeryToken(html)!)]);
    }

    /// <summary>A save answers with a redirect; anything else fails with what the page said.</summary>
    private static async Task AssertRedirectAsync(HttpResponseMessage response) =>
        Assert.True(response.StatusCode == HttpStatusCode.Redirect,
            $"{(int)response.StatusCode} {response.Headers.Location}: {HtmlText.Of(await response.Content.ReadAsStringAsync(Ct))}");

    [GeneratedRegex("<option value=\"\\d+\" selected=\"selected\">([^<]+)</option>")]
    private static partial Regex SelectedSource();

    [GeneratedRegex("name=\"Version\" value=\"(\\d+)\"")]
    private static partial Regex VersionField();
}
