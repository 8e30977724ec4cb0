using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.History;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Exports;
using Passerelle.Web.Tests.Hosting;
using Passerelle.Web.Tests.Imports;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Audit;

public sealed class SqliteAuditTests(PasserelleApp app) : AuditTests<PasserelleApp>(app);

public sealed class PostgresAuditTests(PostgresApp app) : AuditTests<PostgresApp>(app);

/// <summary>
/// The audit log (ADR 0013): audit entries and the registry's change sets in one list, newest first, filtered, paged
/// by position, exported as CSV; administrators only; and the commands that change the database record themselves.
/// Each test tags its rows with a unique word and filters on it, so the tests of a fixture do not see each other's.
/// </summary>
public abstract partial class AuditTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Utc(int month, int day, int hour) => new(2021, month, day, hour, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Page_Filters_SelectByKindActorDatesAndText()
    {
        var tag = Tag();
        await AddAsync(
            new AuditEntry { At = Utc(3, 1, 10), Kind = AuditKind.SignIn, Actor = $"Alice {tag}", Address = "127.0.0.1" },
            new AuditEntry { At = Utc(3, 2, 11), Kind = AuditKind.SignInFailed, Actor = $"mallory-{tag}@example.org", Detail = "wrong password", Address = "203.0.113.7" },
            new AuditEntry { At = Utc(3, 3, 9), Kind = AuditKind.Import, Actor = "import projects", Subject = $"/data/{tag}.csv", Detail = "created 1, updated 0, unchanged 0" });
        await AddAsync(new ChangeSet { At = Utc(3, 2, 12), ActorKind = ActorKind.User, Actor = $"Alice {tag}", Detail = "a note" });

        Assert.Equal(["Import", "Change", "SignInFailed", "SignIn"], await KindsAsync(new AuditFilter(Text: tag)));
        Assert.Equal(["SignInFailed"], await KindsAsync(new AuditFilter(Kind: "SignInFailed", Text: tag)));
        Assert.Equal(["Change"], await KindsAsync(new AuditFilter(Kind: AuditTrail.ChangeKind, Actor: $"ALICE {tag}")));
        Assert.Equal(["Change", "SignIn"], await KindsAsync(new AuditFilter(Actor: $"alice {tag}")));
        Assert.Equal(["Change", "SignInFailed"], await KindsAsync(new AuditFilter(From: new DateOnly(2021, 3, 2), To: new DateOnly(2021, 3, 2), Text: tag)));
        Assert.Equal(["SignInFailed"], await KindsAsync(new AuditFilter(Text: "203.0.113.7")));

        // The page an administrator sees.
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var html = await admin.Client.GetStringAsync($"/admin/audit?kind=SignInFailed&text={tag}", Ct);
        var text = HtmlText.Of(html);
        Assert.Contains($"2021-03-02 11:00:00 UTC Failed sign-in mallory-{tag}@example.org wrong password 203.0.113.7", text, StringComparison.Ordinal);
        Assert.DoesNotContain($"Alice {tag}", text, StringComparison.Ordinal);
        // The export link carries the filters.
        Assert.Contains($"/admin/audit/export.csv?kind=SignInFailed&amp;text={tag}", html, StringComparison.Ordinal);

        using var badDate = await admin.Client.GetAsync("/admin/audit?from=2021-13-45", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Contains("A date is not valid", HtmlText.Of(await badDate.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        using var badKind = await admin.Client.GetAsync("/admin/audit?kind=Everything", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
    }

    [Fact]
    public async Task Page_ManyRowsAtTheSameInstant_PagesVisitEachRowOnceNewestFirst()
    {
        var tag = Tag();
        var at = Utc(4, 1, 8);
        await AddAsync([.. Enumerable.Range(0, 70).Select(i => new AuditEntry { At = at, Kind = AuditKind.TokenUsed, Actor = "api", Detail = $"{tag} {i}" })]);
        await AddAsync([.. Enumerable.Range(0, 40).Select(i => new ChangeSet { At = at, ActorKind = ActorKind.Command, Actor = "import projects", Detail = $"{tag} {i}" })]);
        var filter = new AuditFilter(Text: tag);

        var seen = new List<AuditRow>();
        AuditCursor? after = null;
        var pages = 0;
        do
        {
            var page = await TrailAsync(t => t.PageAsync(filter, after, 50, Ct));
            seen.AddRange(page.Rows);
            after = page.Next;
            if (pages++ == 0)
            {
                // Rows written meanwhile, newer or at the same instant, neither repeat nor hide a row of the next pages.
                await AddAsync(new AuditEntry { At = Utc(4, 1, 9), Kind = AuditKind.TokenUsed, Actor = "api", Detail = $"{tag} later" });
            }
        }
        while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(110, seen.Count);
        Assert.Equal(110, seen.Select(r => (r.Kind, r.Id)).Distinct().Count());
        // At one instant: changes first, then entries, each by id, newest first.
        Assert.True(seen.Take(40).All(r => r.IsChange) && seen.Skip(40).All(r => !r.IsChange));
        Assert.Equal(seen.Take(40).Select(r => r.Id).OrderDescending(), seen.Take(40).Select(r => r.Id));
        Assert.Equal(seen.Skip(40).Select(r => r.Id).OrderDescending(), seen.Skip(40).Select(r => r.Id));

        // The page's "older entries" link continues where the page stopped.
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var first = await admin.Client.GetStringAsync($"/admin/audit?text={tag}", Ct);
        var next = WebUtility.HtmlDecode(OlderLink().Match(first).Groups["href"].Value);
        Assert.StartsWith($"/admin/audit?text={tag}&after=", next, StringComparison.Ordinal);
        var second = await admin.Client.GetStringAsync(next, Ct);
        Assert.Equal(50, RowPattern().Matches(second).Count);
        using var badPosition = await admin.Client.GetAsync("/admin/audit?after=yesterday", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badPosition.StatusCode);
    }

    [Fact]
    public async Task Page_ChangeOfARecord_LinksToTheRecordsHistory()
    {
        var tag = Tag();
        var projectId = await app.WithDbAsync(db => db.Projects.Where(p => p.Slug == "alarm-fwv").Select(p => p.Id).SingleAsync(Ct));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var session = await scope.ServiceProvider.GetRequiredService<RegistryWriter>().BeginAsync(Actor.User($"Editor {tag}"), Ct);
            var project = await session.Db.Projects.SingleAsync(p => p.Id == projectId, Ct);
            await session.LoadValuesAsync([project], Ct);
            session.SetValue(project, Fields.Project.Website, $"https://example.org/{tag}", await session.SourceAsync(new Source { Key = tag, Title = "Audit test" }, Ct));
            await session.CommitAsync(Ct);
        }

        // Two changes: the project's new website, and the new source it cites.
        var sourceId = await app.WithDbAsync(db => db.Sources.Where(s => s.Key == tag).Select(s => s.Id).SingleAsync(Ct));
        var row = Assert.Single((await TrailAsync(t => t.PageAsync(new AuditFilter(Kind: AuditTrail.ChangeKind, Actor: tag), ct: Ct))).Rows);
        Assert.Equal((ActorKind.User, 2), (row.ActorKind!.Value, row.Revisions));
        Assert.Equal([new AuditRecordRef(SubjectType.Project, projectId), new AuditRecordRef(SubjectType.Source, sourceId)],
            row.Records.OrderBy(r => r.Type));

        using var admin = await app.CreateUserAsync(AccessRole.Administrator);
        var html = await admin.Client.GetStringAsync($"/admin/audit?actor={tag}", Ct);
        Assert.Contains($"href=\"/admin/history/project/{projectId}\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/admin/history/source/{sourceId}\"", html, StringComparison.Ordinal);
        Assert.Contains($"Editor {tag} (person) 2 changes", HtmlText.Of(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_SignInsThroughTheBackOffice_AreListed()
    {
        using var viewer = await app.CreateUserAsync(AccessRole.Viewer);
        using var stranger = app.CreateBrowserClient();
        using var failed = await stranger.SubmitFormAsync(TestAccounts.SignInPath, [("Email", viewer.Email), ("Password", "not the password at all")]);
        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);

        var rows = (await TrailAsync(t => t.PageAsync(new AuditFilter(Actor: viewer.Email.Split('@')[0]), ct: Ct))).Rows;
        Assert.Contains(rows, r => r.Kind == nameof(AuditKind.SignIn) && r.Actor == viewer.User.DisplayName);
        Assert.Contains(rows, r => r.Kind == nameof(AuditKind.SignInFailed) && r.Actor == viewer.Email && r.Detail == "wrong password");
    }

    [Fact]
    public async Task Export_FilteredList_IsCsvPythonReadsWithFormulasGuardedAndTheDownloadIsRecorded()
    {
        var tag = Tag();
        await AddAsync(
            new AuditEntry { At = Utc(5, 1, 10), Kind = AuditKind.SignInFailed, Actor = "=HYPERLINK(\"http://evil.example/\",\"click\")", Detail = $"{tag}, \"quoted\"\nsecond line" },
            new AuditEntry { At = Utc(5, 2, 10), Kind = AuditKind.SignIn, Actor = "Alice", Detail = tag });
        await AddAsync(new ChangeSet { At = Utc(5, 3, 10), ActorKind = ActorKind.Command, Actor = "seed", Detail = tag });
        using var admin = await app.CreateUserAsync(AccessRole.Administrator);

        using var response = await admin.Client.GetAsync($"/admin/audit/export.csv?text={tag}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        var file = ExportTestSupport.TempFile(".csv");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync(Ct), Ct);
        var rows = ExportTestSupport.ReadCsvWithPython(file);

        Assert.Equal(["Time (UTC)", "Kind", "Actor", "Actor kind", "Subject", "Detail", "Address", "Id", "Changes", "Records"], rows[0]);
        // The log as it is when the download starts: its own download (recorded first, so even an interrupted one
        // is), then the rows of the filter.
        Assert.Equal(5, rows.Count);
        Assert.Equal(["Export", admin.User.DisplayName, "", "audit log", $"text={tag}"], rows[1][1..6]);
        Assert.Equal(["2021-05-03 10:00:00", "Change", "seed", "Command", "", tag, "", rows[2][7], "0", ""], rows[2]);
        Assert.Equal(["2021-05-02 10:00:00", "SignIn", "Alice", "", "", tag, ""], rows[3][..7]);
        // A cell a spreadsheet would run is written as text; commas, quotes and line breaks survive.
        Assert.Equal("'=HYPERLINK(\"http://evil.example/\",\"click\")", rows[4][2]);
        Assert.Equal($"{tag}, \"quoted\"\nsecond line", rows[4][5]);

        // Who took a copy of the log is in the log.
        var export = Assert.Single((await TrailAsync(t => t.PageAsync(new AuditFilter(Kind: nameof(AuditKind.Export), Text: tag), ct: Ct))).Rows);
        Assert.Equal((admin.User.DisplayName, "audit log", $"text={tag}"), (export.Actor, export.Subject, export.Detail));
    }

    [Theory]
    [InlineData(AccessRole.Viewer, "/admin/audit")]
    [InlineData(AccessRole.Editor, "/admin/audit")]
    [InlineData(AccessRole.Editor, "/admin/audit/export.csv")]
    [InlineData(AccessRole.Viewer, "/fr/admin/audit/export.csv")]
    public async Task Audit_NotAnAdministrator_IsDenied(AccessRole role, string path)
    {
        using var user = await app.CreateUserAsync(role, programmes: role == AccessRole.Editor ? ["fwv-2014-2020"] : null);
        using var response = await user.Client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/admin/account/denied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/admin/audit")]
    [InlineData("/admin/audit/export.csv")]
    public async Task Audit_Anonymous_IsRedirectedToSignIn(string path)
    {
        using var client = app.CreateBrowserClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/admin/account/sign-in", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_ImportBackupAndRestore_EachRecordAnAuditEntry()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-audit-").FullName;
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["Database:Provider"] = app.Provider.ToString(),
                ["ConnectionStrings:Passerelle"] = app.ConnectionString,
                ["Territories:ImportOnStart"] = "false",
                ["Backup:Folder"] = Path.Combine(folder, "automatic"),
            };
            var tag = Tag();
            var csv = ImportSupport.WriteCsv($"{tag}.csv", ImportSupport.ProjectsHeader + "\r\n"
                + ImportSupport.ProjectRow((KeepColumns.Programme, "nwe-2021-2027"), (KeepColumns.Acronym, tag.ToUpperInvariant()), (KeepColumns.TotalBudget, "1000")) + "\r\n");
            var bad = ImportSupport.WriteCsv($"{tag}-bad.csv", ImportSupport.ProjectsHeader + "\r\n"
                + ImportSupport.ProjectRow((KeepColumns.Programme, "nwe-2021-2027"), (KeepColumns.Acronym, "BAD"), (KeepColumns.TotalBudget, "a lot")) + "\r\n");

            var imported = await PasserelleProcess.RunAsync(settings, "import", "projects", csv, "--source-title", "Audit test file");
            Assert.True(imported.ExitCode == 0, imported.ToString());
            var refused = await PasserelleProcess.RunAsync(settings, "import", "projects", bad);
            Assert.True(refused.ExitCode == 2, refused.ToString());
            var import = await EntryAsync(AuditKind.Import, csv);
            Assert.Equal("import projects", import.Actor);
            Assert.StartsWith("created 1, updated 0, unchanged 0; source \"Audit test file\"; run by ", import.Detail, StringComparison.Ordinal);
            Assert.StartsWith("refused: 1 error, nothing written; run by ", (await EntryAsync(AuditKind.Import, bad)).Detail, StringComparison.Ordinal);

            var backupFile = Path.Combine(folder, "passerelle.backup");
            var backedUp = await PasserelleProcess.RunAsync(settings, "backup", backupFile);
            Assert.True(backedUp.ExitCode == 0, backedUp.ToString());
            var backup = await EntryAsync(AuditKind.Backup, backupFile);
            Assert.Equal("backup", backup.Actor);

            var restored = await PasserelleProcess.RunAsync(settings, "restore", backupFile);
            Assert.True(restored.ExitCode == 0, restored.ToString());
            // The database is the backup's (taken before the backup's own entry), plus the restore's entry.
            var restore = await EntryAsync(AuditKind.Restore, backupFile);
            Assert.Equal("restore", restore.Actor);
            Assert.StartsWith($"replaced database backed up to {Path.Combine(folder, "automatic")}", restore.Detail, StringComparison.Ordinal);
            Assert.Equal(0, await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Kind == AuditKind.Backup && e.Subject == backupFile, Ct)));
            Assert.Equal(2, await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Kind == AuditKind.Import && e.Subject!.Contains(tag), Ct)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static string Tag() => "t" + Guid.NewGuid().ToString("N")[..10];

    private async Task AddAsync(params object[] rows)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
        db.AddRange(rows);
        await db.SaveChangesAsync(Ct);
    }

    private async Task<T> TrailAsync<T>(Func<AuditTrail, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AuditTrail>());
    }

    private async Task<List<string>> KindsAsync(AuditFilter filter) =>
        [.. (await TrailAsync(t => t.PageAsync(filter, ct: Ct))).Rows.Select(r => r.Kind)];

    private Task<AuditEntry> EntryAsync(AuditKind kind, string subject) =>
        app.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.Kind == kind && e.Subject == subject, Ct));

    [GeneratedRegex("<a href=\"(?<href>[^\"]+)\" rel=\"next\">")]
    private static partial Regex OlderLink();

    [GeneratedRegex("<tr data-kind=")]
    private static partial Regex RowPattern();
}
