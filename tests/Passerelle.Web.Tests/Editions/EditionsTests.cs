using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.Editions;
using Passerelle.Core.Exports;
using Passerelle.Core.Registry;
using Passerelle.Web.Localization;
using Passerelle.Web.Portal.Pages.Programmes;
using Passerelle.Web.Tests.Editing;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Editing.EditingSupport;

namespace Passerelle.Web.Tests.Editions;

public sealed class SqliteEditionsTests(SqliteClockedApp app) : EditionsTests<SqliteClockedApp>(app);

public sealed class PostgresEditionsTests(PostgresClockedApp app) : EditionsTests<PostgresClockedApp>(app);

/// <summary>
/// The dated editions of a programme's list of operations (ADR 26): publishing copies the list as it is, a change made
/// through the editor shows in the diff and nowhere else, operation codes stay, the four-month warning follows the
/// clock, and the portal, the API and the back office show the same.
/// </summary>
public abstract class EditionsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, IClockedApp, new()
{
    private readonly EditingSupport _x = new(app);

    private static readonly string EndKey = OperationsList.Columns.Single(c => c.Header == "End date (expected or actual)").JsonKey;

    /// <summary>A published programme with two published projects (an end date and a budget each).</summary>
    private async Task<(EditResult Programme, string Slug, EditResult First, EditResult Second)> ProgrammeWithProjectsAsync()
    {
        var programme = await _x.ProgrammeAsync();
        var slug = await _x.DbAsync(db => db.Programmes.Where(p => p.Id == programme.Record.Id).Select(p => p.Slug).SingleAsync(Ct));
        var first = await PublishedProjectAsync(programme.Record.Id, "ALPHA", "2026-06-30");
        var second = await PublishedProjectAsync(programme.Record.Id, "BRAVO", "2027-03-31");
        return (programme, slug, first, second);
    }

    private async Task<EditResult> PublishedProjectAsync(int programmeId, string acronym, string end)
    {
        var project = await _x.ProjectAsync(programmeId, acronym, values:
        [
            ValueEdit.Replace(Fields.Project.StartDate, "2024-01-01", Document()),
            ValueEdit.Replace(Fields.Project.EndDate, end, Document()),
            ValueEdit.Replace(Fields.Project.TotalBudget, "1250000", Document()),
        ]);
        return await _x.EditAsync(e => e.PublishAsync(Admin, project.Record, project.Version, Ct));
    }

    [Fact]
    public async Task Publish_ProjectChangedThroughTheEditor_DiffNamesExactlyThatChangeAndCodesStay()
    {
        var (programme, slug, first, second) = await ProgrammeWithProjectsAsync();

        var one = await app.PublishAsync(programme.Record.Id);
        await _x.UpdateProjectAsync(first, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.EndDate, "2026-12-31", Document("Amendment 2"))] });
        var two = await app.PublishAsync(programme.Record.Id);
        var diff = await app.EditionsAsync(e => e.DiffAsync(slug, one.Number, two.Number, Ct));

        Assert.Equal((1, 2, 2, 2), (one.Number, two.Number, one.OperationCount, two.OperationCount));
        Assert.NotEqual(one.ContentHash, two.ContentHash);
        Assert.NotNull(diff);
        Assert.Empty(diff.Added);
        Assert.Empty(diff.Removed);
        var changed = Assert.Single(diff.Changed);
        Assert.Equal(EditionService.NewCode(await CodeOfAsync(programme.Record.Id), first.Record.Id), changed.Code);
        Assert.Equal("ALPHA", changed.Acronym);
        var field = Assert.Single(changed.Fields);
        Assert.Equal((EndKey, "2026-06-30", "2026-12-31"), (field.Key, field.Old, field.New));

        // The same codes in both editions, one per project, and the first edition still gives the value it published.
        var codes = await CodesAsync(slug, 1);
        Assert.Equal(codes, await CodesAsync(slug, 2));
        Assert.Equal(2, codes.Distinct().Count());
        var csv = await app.CreateClient().GetStringAsync($"/api/v1/programmes/{slug}/editions/1/operations.csv", Ct);
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Operation code,Programme,Operation acronym,", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith(changed.Code + ",", StringComparison.Ordinal) && l.Contains("2026-06-30", StringComparison.Ordinal) && l.Contains("1250000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_ProjectAddedAndAnotherUnpublished_DiffListsThemAndTheCodeComesBack()
    {
        var (programme, slug, first, second) = await ProgrammeWithProjectsAsync();
        await app.PublishAsync(programme.Record.Id);
        var third = await PublishedProjectAsync(programme.Record.Id, "CHARLIE", "2028-01-31");
        var hidden = await _x.EditAsync(e => e.UnpublishAsync(Admin, second.Record, second.Version, Ct));
        await app.PublishAsync(programme.Record.Id);
        await _x.EditAsync(e => e.PublishAsync(Admin, hidden.Record, hidden.Version, Ct));
        await app.PublishAsync(programme.Record.Id);

        var diff = (await app.EditionsAsync(e => e.DiffAsync(slug, 1, 2, Ct)))!;
        var back = (await app.EditionsAsync(e => e.DiffAsync(slug, 2, 3, Ct)))!;

        Assert.Equal(["CHARLIE"], diff.Added.Select(o => o.Acronym));
        Assert.Equal(["BRAVO"], diff.Removed.Select(o => o.Acronym));
        Assert.Empty(diff.Changed);
        Assert.Equal(diff.Removed[0].Code, Assert.Single(back.Added).Code);
        Assert.Equal((await CodesAsync(slug, 1)).Order(), (await CodesAsync(slug, 3)).Except([diff.Added[0].Code]).Order());
        Assert.Equal(third.Record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), diff.Added[0].Code.Split('-')[^1]);
    }

    [Fact]
    public async Task Status_LastEditionOlderThanFourMonths_WarningAppearsThenGoesWithTheNextEdition()
    {
        var (programme, slug, _, _) = await ProgrammeWithProjectsAsync();
        using var client = app.CreateClient();
        Assert.DoesNotContain("data-editions-overdue", await client.GetStringAsync($"/programmes/{slug}", Ct), StringComparison.Ordinal);

        await app.PublishAsync(programme.Record.Id);
        app.Clock.Advance(TimeSpan.FromDays(119));
        var fresh = await client.GetStringAsync($"/programmes/{slug}", Ct);
        app.Clock.Advance(TimeSpan.FromDays(5)); // four months and a few days after the edition
        var late = await client.GetStringAsync($"/programmes/{slug}", Ct);
        var lateFr = await client.GetStringAsync($"/fr/programmes/{slug}/editions", Ct);
        var lateApi = await client.GetFromJsonAsync<JsonElement>($"/api/v1/programmes/{slug}/editions", Ct);
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [slug]);
        var backOffice = await editor.Client.GetStringAsync($"/admin/programmes/{programme.Record.Id}/editions", Ct);
        var home = await editor.Client.GetStringAsync("/admin", Ct);
        await app.PublishAsync(programme.Record.Id);
        var after = await client.GetStringAsync($"/programmes/{slug}", Ct);

        Assert.DoesNotContain("data-editions-overdue", fresh, StringComparison.Ordinal);
        Assert.Contains("data-editions-overdue", late, StringComparison.Ordinal);
        Assert.Contains("data-editions-overdue", lateFr, StringComparison.Ordinal);
        var text = app.Services.GetRequiredService<UiText>();
        Assert.Contains(text.Get("fr", "portal.editions.overdue")[..30], HtmlText.Of(lateFr), StringComparison.Ordinal);
        Assert.True(lateApi.GetProperty("overdue").GetBoolean());
        Assert.Equal(4, lateApi.GetProperty("intervalMonths").GetInt32());
        Assert.Contains("data-editions-overdue", backOffice, StringComparison.Ordinal);
        Assert.Contains("data-editions-overdue", home, StringComparison.Ordinal);
        Assert.DoesNotContain("data-editions-overdue", after, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2021-2027", 4)]
    [InlineData("2014-2020", 6)]
    public void Schedule_ByPeriod_FollowsThatPeriodsRegulation(string period, int months)
    {
        var published = new DateTime(2025, 1, 15, 10, 0, 0, DateTimeKind.Utc);

        var due = EditionSchedule.Status(period, published, new DateTimeOffset(published.AddMonths(months).AddMinutes(-1)));
        var overdue = EditionSchedule.Status(period, published, new DateTimeOffset(published.AddMonths(months).AddMinutes(1)));

        Assert.Equal((months, false, true), (due.IntervalMonths, due.IsOverdue, overdue.IsOverdue));
        Assert.False(EditionSchedule.Status(period, null, DateTimeOffset.UtcNow).IsOverdue);
    }

    [Fact]
    public async Task ApiPublish_EditorsTokenInScope_CreatedElsewhereForbiddenDraftRefusedAndAudited()
    {
        var (programme, slug, _, _) = await ProgrammeWithProjectsAsync();
        var other = await _x.ProgrammeAsync();
        var draft = await _x.EditAsync(e => e.UnpublishAsync(Admin, other.Record, other.Version, Ct));
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [slug]);
        string secret;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            secret = (await scope.ServiceProvider.GetRequiredService<AccessTokens>().CreateAsync(editor.Id, "editions", null, Ct)).Secret;
        }

        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var created = await client.PostAsync("/api/v1/editions", Json(new { programmeId = programme.Record.Id }), Ct);
        using var forbidden = await client.PostAsync("/api/v1/editions", Json(new { programmeId = draft.Record.Id }), Ct);
        using var anonymous = await app.CreateClient().PostAsync("/api/v1/editions", Json(new { programmeId = programme.Record.Id }), Ct);
        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => app.PublishAsync(draft.Record.Id));
        using var missing = await app.CreateClient().GetAsync($"/api/v1/programmes/{slug}/editions/9/diff/1", Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/programmes/{slug}/editions/1/operations.csv", created.Headers.Location?.OriginalString);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((1, 2), (body.GetProperty("number").GetInt32(), body.GetProperty("operationCount").GetInt32()));
        Assert.Equal(editor.User.DisplayName, body.GetProperty("publishedBy").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(EditionRules.ProgrammeNotPublished, Assert.Single(refused.Violations).Code);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not_found", (await missing.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errorCode").GetString());
        Assert.Equal(1, await _x.DbAsync(db => db.Editions.CountAsync(e => e.ProgrammeId == programme.Record.Id || e.ProgrammeId == draft.Record.Id, Ct)));
        Assert.True(await _x.DbAsync(db => db.AuditEntries.AnyAsync(a => a.Kind == AuditKind.EditionPublished && a.UserId == editor.Id && a.Subject == $"programme {slug}", Ct)));
    }

    [Fact]
    public async Task BackOffice_EditorPublishes_PortalListsTheEditionAndItsDiff()
    {
        var (programme, slug, first, _) = await ProgrammeWithProjectsAsync();
        using var editor = await app.CreateUserAsync(AccessRole.Editor, programmes: [slug]);
        var page = $"/admin/programmes/{programme.Record.Id}/editions";

        using var published = await editor.Client.SubmitFormAsync(page, [], handler: "Publish");
        await _x.UpdateProjectAsync(first, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "1300000", Document("Amendment 3"))] });
        using var again = await editor.Client.SubmitFormAsync(page, [], handler: "Publish");
        using var client = app.CreateClient();
        var list = HtmlText.Of(await client.GetStringAsync($"/programmes/{slug}/editions", Ct));
        var diff = await client.GetStringAsync($"/fr/programmes/{slug}/editions/1/diff/2", Ct);
        var api = await client.GetFromJsonAsync<JsonElement>($"/api/v1/programmes/{slug}/editions/1/diff/2", Ct);

        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Contains(editor.User.DisplayName, list, StringComparison.Ordinal);
        Assert.Contains("data-field=\"totalCostEUR\"", diff, StringComparison.Ordinal);
        Assert.Contains("1 250 000", HtmlText.Of(diff).Replace('\u202F', ' ').Replace('\u00A0', ' '), StringComparison.Ordinal);
        Assert.Contains("Coût total (EUR)", HtmlText.Of(diff), StringComparison.Ordinal);
        var change = Assert.Single(api.GetProperty("changed").EnumerateArray());
        var field = Assert.Single(change.GetProperty("fields").EnumerateArray());
        Assert.Equal(("totalCostEUR", 1250000m, 1300000m), (field.GetProperty("key").GetString(), field.GetProperty("old").GetDecimal(), field.GetProperty("new").GetDecimal()));
    }

    [Fact]
    public void Labels_EveryFieldOfTheList_HasOneInEveryLanguage()
    {
        var text = app.Services.GetRequiredService<UiText>();

        Assert.All(OperationsList.Columns, c => Assert.True(text.Has(EditionText.FieldKey(c.JsonKey)), $"no label {EditionText.FieldKey(c.JsonKey)}"));
    }

    private Task<string> CodeOfAsync(int programmeId) => _x.DbAsync(db => db.Programmes.Where(p => p.Id == programmeId).Select(p => p.Code).SingleAsync(Ct));

    private async Task<List<string>> CodesAsync(string slug, int number)
    {
        var codes = new List<string>();
        await app.EditionsAsync(async e =>
        {
            await foreach (var row in e.OperationsAsync(slug, number, Ct))
            {
                codes.Add(row.Code);
            }

            return codes;
        });
        return codes;
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
