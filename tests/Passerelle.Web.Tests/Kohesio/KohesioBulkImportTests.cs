using System.Globalization;
using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Imports;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Kohesio.KohesioSupport;

namespace Passerelle.Web.Tests.Kohesio;

public sealed class SqliteKohesioBulkImportTests(PasserelleApp app) : KohesioBulkImportTests<PasserelleApp>(app);

public sealed class PostgresKohesioBulkImportTests(PostgresApp app) : KohesioBulkImportTests<PostgresApp>(app);

/// <summary>
/// A Kohesio import larger than one chunk of the importer (2,000 operations, each saved and forgotten, ADR 30): the
/// facts inserted outside EF carry the ids their revisions name, beneficiaries created in one chunk are found in the
/// next, other instances are told to reload everything (once), and a bad last row leaves nothing written.
/// </summary>
public abstract class KohesioBulkImportTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private const int Operations = 2_100;

    /// <summary>
    /// A test fixture (not real data): <see cref="Operations"/> operations of one cross-border programme with a CCI
    /// outside the validator's list, two beneficiaries each, one of them shared by every operation.
    /// </summary>
    /// <param name="interleaved">
    /// Each operation's second row after every operation's first, so that the rows of one operation are far apart
    /// (the streamed import's second pass groups them, ADR 30).
    /// </param>
    private static string File(string tag, string? lastRow = null, bool interleaved = false)
    {
        var text = new StringBuilder(
            "Operation_Unique_Identifier,Operation_Name_Programme_Language,Operation_Name_English,Country,Operation_Start_Date,Operation_End_Date," +
            "CoFinancing_Rate,Total_Eligible_Expenditure_amount,Total_Eligible_Expenditure_Currency,Beneficiary_Name,Location_Indicator_NUTS_code," +
            "Category_Of_Intervention,Fund_Code,Programme_Code,Operation_Summary_English,Operation_Summary_Programme_Language,Programming_Period,Programme_Name\r\n");
        var rows = Enumerable.Range(0, Operations).SelectMany(i => ((string[])[$"Shared beneficiary {tag}", $"Beneficiary {tag} {i}"]).Select((b, n) => (i, n, b)));
        foreach (var (i, _, beneficiary) in interleaved ? rows.OrderBy(r => r.n) : rows)
        {
            {
                text.Append(CultureInfo.InvariantCulture, $"BULK-{tag}-{i},Bulk operation {tag} {i},Bulk operation {tag} {i},Ireland,01/01/2020,31/12/2022,60,{1000 + i},EUR,{beneficiary},IE061,")
                    .Append(CultureInfo.InvariantCulture, $"87,ERDF,2021TC99SYCB{tag[..3]},Test summary {i}.,Test summary {i}.,2021-2027,Bulk test programme {tag}\r\n");
            }
        }

        return TempFile(text.Append(lastRow).ToString());
    }

    private static string Tag() => Random.Shared.Next(100, 1000).ToString(CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..5];

    [Fact]
    public async Task ImportKohesio_MoreOperationsThanOneChunk_FactsRevisionsAndFeedAgree()
    {
        var tag = Tag();
        var feedBefore = await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => (long?)e.Id, Ct));

        var report = await ImportAsync(app, File(tag), new KohesioImportOptions(UnlistedCci: true));

        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(Operations, report.Created);
        _ = await app.WithDbAsync(async db =>
        {
            var projects = await db.Projects.AsNoTracking().Where(p => p.Acronym.StartsWith("BULK-" + tag + "-")).Select(p => new { p.Id, p.Slug, p.Acronym, p.TotalBudget, p.ProgrammeId }).ToListAsync(Ct);
            Assert.Equal(Operations, projects.Count);
            Assert.Single(projects.Select(p => p.ProgrammeId).Distinct());
            Assert.NotNull(projects[0].ProgrammeId);
            var ids = projects.Select(p => p.Id).ToList();

            // Every operation has its own beneficiary and the shared one, created once (in the first chunk).
            var shared = await db.Organisations.AsNoTracking().Where(o => o.Name == $"Shared beneficiary {tag}").Select(o => o.Id).ToListAsync(Ct);
            Assert.Single(shared);
            var participations = await db.Participations.AsNoTracking().Where(x => ids.Contains(x.ProjectId)).ToListAsync(Ct);
            Assert.Equal(2 * Operations, participations.Count);
            Assert.Equal(Operations, participations.Count(x => x.OrganisationId == shared[0]));

            // Each value is a fact of its record, and the revision that wrote it names that fact by its id.
            var facts = await db.Facts.AsNoTracking().Where(f => f.SubjectType == SubjectType.Project && ids.Contains(f.SubjectId)).ToDictionaryAsync(f => f.Id, Ct);
            Assert.All(projects, p => Assert.Equal(p.TotalBudget, decimal.Parse(facts.Values.Single(f => f.SubjectId == p.Id && f.Field == Fields.Project.TotalBudget.Name).Value, CultureInfo.InvariantCulture)));
            var revisions = await db.Revisions.AsNoTracking().Where(r => r.SubjectType == SubjectType.Project && ids.Contains(r.SubjectId) && r.FactId != null).ToListAsync(Ct);
            Assert.Equal(facts.Count, revisions.Count);
            Assert.All(revisions, r =>
            {
                var fact = facts[r.FactId!.Value];
                Assert.Equal((r.SubjectId, r.Field, r.NewValue), (fact.SubjectId, fact.Field, fact.Value));
            });

            // More records than a session's limit of feed entries: other instances are told once to reload everything.
            var feed = await db.ChangeFeed.AsNoTracking().Where(e => e.Id > (feedBefore ?? 0)).ToListAsync(Ct);
            Assert.Single(feed, e => e.IsAll);
            Assert.True(feed.Count <= 5_001, $"{feed.Count} feed entries");
            return feed.Count;
        });

        // The same file again changes nothing.
        var again = await ImportAsync(app, File(tag), new KohesioImportOptions(UnlistedCci: true));
        Assert.True(again.Succeeded, again.Format());
        Assert.Equal((0, 0, Operations), (again.Created, again.Updated, again.Unchanged));
    }

    [Fact]
    public async Task ImportKohesio_BadLastRowOfLargeFile_ErrorAndNothingWritten()
    {
        var tag = Tag();
        var before = await CountsAsync(app);

        var report = await ImportAsync(app, File(tag, $"BULK-{tag}-last,Last,Last,Ireland,2020-01-01,31/12/2022,60,1000,EUR,Someone,IE061,87,ERDF,2021TC99SYCB{tag[..3]},S.,S.,2021-2027,Bulk test programme {tag}\r\n"),
            new KohesioImportOptions(UnlistedCci: true));

        Assert.False(report.Succeeded);
        Assert.Contains(report.Errors, e => e.Row == (2 * Operations) + 2 && e.Column == "Operation_Start_Date");
        Assert.Equal(before, await CountsAsync(app));
    }

    [Fact]
    public async Task ImportKohesio_OperationRowsFarApart_SameOperationsAndBeneficiaries()
    {
        var tag = Tag();

        var report = await ImportAsync(app, File(tag, interleaved: true), new KohesioImportOptions(UnlistedCci: true));

        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(Operations, report.Created);
        _ = await app.WithDbAsync(async db =>
        {
            var projects = await db.Projects.AsNoTracking().Where(p => p.Acronym.StartsWith("BULK-" + tag + "-")).Select(p => new { p.Id, p.Acronym, p.TotalBudget }).ToListAsync(Ct);
            Assert.Equal(Operations, projects.Count);
            Assert.All(projects, p => Assert.Equal(1000 + int.Parse(p.Acronym[(p.Acronym.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture), p.TotalBudget));
            var ids = projects.Select(p => p.Id).ToList();
            var participations = await db.Participations.AsNoTracking().Where(x => ids.Contains(x.ProjectId))
                .Select(x => new { x.ProjectId, x.Organisation.Name }).ToListAsync(Ct);
            Assert.Equal(2 * Operations, participations.Count);
            var byProject = projects.ToDictionary(p => p.Id, p => p.Acronym[(p.Acronym.LastIndexOf('-') + 1)..]);
            Assert.All(participations.GroupBy(x => x.ProjectId), g => Assert.Equal(
                [$"Beneficiary {tag} {byProject[g.Key]}", $"Shared beneficiary {tag}"], g.Select(x => x.Name).Order(StringComparer.Ordinal)));
            return participations.Count;
        });

        // The same file again changes nothing.
        var again = await ImportAsync(app, File(tag, interleaved: true), new KohesioImportOptions(UnlistedCci: true));
        Assert.True(again.Succeeded, again.Format());
        Assert.Equal((0, 0, Operations), (again.Created, again.Updated, again.Unchanged));
    }

    [Fact]
    public async Task ImportKohesio_LastRowDisagreesWithFirstOperationRow_RowColumnAndNothingWritten()
    {
        var tag = Tag();
        var before = await CountsAsync(app);
        // The first operation again, far below its rows, with another amount; then its first beneficiary a second time.
        var last = $"BULK-{tag}-0,Bulk operation {tag} 0,Bulk operation {tag} 0,Ireland,01/01/2020,31/12/2022,60,{{0}},EUR,{{1}},IE061," +
            $"87,ERDF,2021TC99SYCB{tag[..3]},Test summary 0.,Test summary 0.,2021-2027,Bulk test programme {tag}\r\n";

        var report = await ImportAsync(app, File(tag, string.Format(CultureInfo.InvariantCulture, last, 999, "Someone else") + string.Format(CultureInfo.InvariantCulture, last, 1000, $"Shared beneficiary {tag}")),
            new KohesioImportOptions(UnlistedCci: true));

        Assert.False(report.Succeeded);
        Assert.Equal(2, report.ErrorCount);
        Assert.Contains(report.Errors, e => e.Row == (2 * Operations) + 2 && e.Column == "Operation_Unique_Identifier"
            && e.Reason.Contains("already in row 2 with another Total_Eligible_Expenditure_amount", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e.Row == (2 * Operations) + 3 && e.Column == "Operation_Unique_Identifier"
            && e.Reason.Contains($"with the beneficiary Shared beneficiary {tag} is already in row 2", StringComparison.Ordinal));
        Assert.Equal(before, await CountsAsync(app));
    }

    [Theory]
    [InlineData("amount")]
    [InlineData("rows removed")]
    public async Task ImportKohesio_FileChangedBetweenItsTwoReadings_RefusedAndNothingWritten(string change)
    {
        var tag = Tag();
        var path = File(tag);
        var before = await CountsAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<KohesioImporter>();
        // The file is replaced after the first reading checked it: an operation's amount differs, or the last
        // operation's rows are gone.
        importer.AfterFirstReading = async ct =>
        {
            var text = await System.IO.File.ReadAllTextAsync(path, ct);
            text = change == "amount"
                ? text.Replace($",60,{1000 + 7},EUR,", $",60,{1000 + 8},EUR,", StringComparison.Ordinal)
                : text[..text.IndexOf($"BULK-{tag}-{Operations - 1},", StringComparison.Ordinal)];
            await System.IO.File.WriteAllTextAsync(path, text, ct);
        };

        var report = await importer.ImportAsync(path, new KohesioImportOptions(UnlistedCci: true), ct: Ct);

        Assert.False(report.Succeeded);
        Assert.Contains(report.Errors, e => e.Reason.Contains("the file changed while it was imported", StringComparison.Ordinal));
        Assert.Equal(before, await CountsAsync(app));
    }

    [Fact]
    public async Task ImportKohesio_CciNotInValidatorList_RefusedUnlessUnlistedCci()
    {
        var tag = Tag();
        var file = TempFile(string.Format(CultureInfo.InvariantCulture, KohesioTests<TApp>.InterregFixture, tag, $"2021TC99SYCB{tag[..3]}").Replace("2014-2020", "2021-2027", StringComparison.Ordinal));
        var before = await CountsAsync(app);

        var refused = await ImportAsync(app, file, new KohesioImportOptions(Language: "fr"));

        Assert.False(refused.Succeeded);
        Assert.Contains(refused.Errors, e => e.Row == 2 && e.Column == "Programme_Code");
        Assert.Equal(before, await CountsAsync(app));

        var accepted = await ImportAsync(app, file, new KohesioImportOptions(Language: "fr", UnlistedCci: true));
        Assert.True(accepted.Succeeded, accepted.Format());
        Assert.Equal(1, accepted.Created);
    }
}
