using System.IO.Compression;
using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.Imports;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Imports;

/// <summary>
/// A fresh registry: migrated, with the default programmes, but no project, organisation or participation, to import
/// into. (Built from the default data so that the programmes are the real ones.)
/// </summary>
public sealed class EmptyRegistryApp : PasserelleApp
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await WithDbAsync(async db =>
        {
            await db.Facts.Where(f => f.SubjectType == SubjectType.Project || f.SubjectType == SubjectType.Organisation
                || f.SubjectType == SubjectType.Participation).ExecuteDeleteAsync();
            await db.Participations.ExecuteDeleteAsync();
            await db.Projects.ExecuteDeleteAsync();
            await db.GroupingMembers.ExecuteUpdateAsync(s => s.SetProperty(m => m.OrganisationId, (int?)null));
            await db.OrganisationAliases.ExecuteDeleteAsync();
            await db.Organisations.ExecuteDeleteAsync();
            return 0;
        });
    }
}

internal sealed record Counts(int Projects, int Organisations, int Participations, int Facts, int Sources, int Aliases);

internal static class ImportSupport
{
    public static Task<Counts> CountsAsync(PasserelleApp app) => app.WithDbAsync(async db => new Counts(
        await db.Projects.CountAsync(), await db.Organisations.CountAsync(), await db.Participations.CountAsync(),
        await db.Facts.CountAsync(), await db.Sources.CountAsync(), await db.OrganisationAliases.CountAsync()));

    public static async Task<ImportReport> ImportAsync(PasserelleApp app, ImportTable table, string path, string? title = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<KeepImporter>()
            .ImportAsync(table, path, new ImportSourceOptions(title, "https://example.org/export"), TestContext.Current.CancellationToken);
    }

    public static async Task<string> DownloadAsync(PasserelleApp app, string path, string extension)
    {
        using var client = app.CreateClient();
        var file = Path.Combine(Directory.CreateTempSubdirectory("passerelle-import-").FullName, "table" + extension);
        await File.WriteAllBytesAsync(file, await client.GetByteArrayAsync(path, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
        return file;
    }

    public static string Write(string name, byte[] content)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("passerelle-import-").FullName, name);
        File.WriteAllBytes(file, content);
        return file;
    }

    public static string WriteCsv(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// A keep.eu-style projects table of <paramref name="rows"/> SYNTHETIC projects of the FWV programme (acronyms
    /// "<paramref name="prefix"/>-00001"...), written into <paramref name="folder"/> by the test, never committed.
    /// </summary>
    public static string SyntheticProjects(string folder, int rows, string prefix)
    {
        var text = new StringBuilder(ProjectsHeader).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            text.Append(ProjectRow(
                (KeepColumns.Programme, "FWV"),
                (KeepColumns.Acronym, $"{prefix}-{i:D5}"),
                (KeepColumns.TitleEn, $"Synthetic test project {i}"),
                (KeepColumns.StartDate, "2016-01-01"),
                (KeepColumns.EndDate, "2019-12-31"),
                (KeepColumns.TotalBudget, (100_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)))).Append('\n');
        }

        var file = Path.Combine(folder, "synthetic-projects.csv");
        File.WriteAllText(file, text.ToString());
        return file;
    }

    public static string ProjectsHeader => string.Join(",", KeepColumns.Projects.Select(Quote));

    public static string PartnersHeader => string.Join(",", KeepColumns.Partners.Select(Quote));

    /// <summary>A project row in the keep.eu-style layout, the named cells set, the others empty.</summary>
    public static string ProjectRow(params (string Column, string Value)[] cells) =>
        string.Join(",", KeepColumns.Projects.Select(c => Quote(cells.FirstOrDefault(x => x.Column == c).Value ?? "")));

    public static string PartnerRow(params (string Column, string Value)[] cells) =>
        string.Join(",", KeepColumns.Partners.Select(c => Quote(cells.FirstOrDefault(x => x.Column == c).Value ?? "")));

    private static string Quote(string value) => value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

public sealed class ImportRoundTripTests(PasserelleApp source, EmptyRegistryApp target) : IClassFixture<PasserelleApp>, IClassFixture<EmptyRegistryApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(".csv")]
    [InlineData(".xlsx")]
    public async Task Import_ExportOfDefaultDataIntoFreshDatabase_ExportsTheSameTablesAndReimportChangesNothing(string extension)
    {
        var format = extension.TrimStart('.');
        var projects = await ImportSupport.DownloadAsync(source, $"/api/v1/exports/keep/projects.{format}", extension);
        var partners = await ImportSupport.DownloadAsync(source, $"/api/v1/exports/keep/partners.{format}", extension);
        var before = await ImportSupport.CountsAsync(target);

        var projectReport = await ImportSupport.ImportAsync(target, ImportTable.Projects, projects, "Passerelle keep.eu-style export");
        var partnerReport = await ImportSupport.ImportAsync(target, ImportTable.Partners, partners);

        Assert.True(projectReport.Succeeded, projectReport.Format());
        Assert.True(partnerReport.Succeeded, partnerReport.Format());
        var participations = await source.WithDbAsync(db => db.Participations.CountAsync(Ct));
        if (before.Projects == 0)
        {
            // First of the two runs (CSV or XLSX, whichever comes first): everything is created.
            Assert.Equal((8, 0, 0), (projectReport.Created, projectReport.Updated, projectReport.Unchanged));
            Assert.Equal((participations, 0, 0), (partnerReport.Created, partnerReport.Updated, partnerReport.Unchanged));
        }

        // The imported registry exports byte for byte what the original did (CSV compared as text, XLSX as cells).
        foreach (var table in new[] { "projects", "partners" })
        {
            using var a = source.CreateClient();
            using var b = target.CreateClient();
            var expected = await a.GetStringAsync($"/api/v1/exports/keep/{table}.csv", Ct);
            var actual = await b.GetStringAsync($"/api/v1/exports/keep/{table}.csv", Ct);
            Assert.Equal(expected, actual);
        }

        var afterFirst = await ImportSupport.CountsAsync(target);
        var again = await ImportSupport.ImportAsync(target, ImportTable.Projects, projects, "Passerelle keep.eu-style export");
        var againPartners = await ImportSupport.ImportAsync(target, ImportTable.Partners, partners);

        Assert.Equal((0, 0, 8), (again.Created, again.Updated, again.Unchanged));
        Assert.Equal((0, 0, participations), (againPartners.Created, againPartners.Updated, againPartners.Unchanged));
        Assert.Equal(afterFirst, await ImportSupport.CountsAsync(target));
    }

    [Fact]
    public async Task Import_FreshDatabase_EveryImportedValueHasAFactFromTheFileSource()
    {
        var projects = await ImportSupport.DownloadAsync(source, "/api/v1/exports/keep/projects.csv", ".csv");
        var report = await ImportSupport.ImportAsync(target, ImportTable.Projects, projects, "keep.eu-style export of 2026");
        Assert.True(report.Succeeded, report.Format());

        var facts = await target.WithDbAsync(async db =>
        {
            var biseps = await db.Projects.SingleAsync(p => p.Acronym == "BISEPS", Ct);
            return await db.Facts.Where(f => f.SubjectType == SubjectType.Project && f.SubjectId == biseps.Id && f.Field == Passerelle.Core.Registry.Fields.Project.TotalBudget.Name)
                .Select(f => new { f.Value, f.Source.Key, f.Source.Url, f.Source.SourceDate }).ToListAsync(Ct);
        });

        // One fact per imported file (the other tests of this class may have imported the XLSX export too), each
        // from a source made for the file: keyed by its content, with the given address and the import day.
        Assert.NotEmpty(facts);
        Assert.All(facts, f =>
        {
            Assert.Equal("3908751", f.Value);
            Assert.StartsWith("import-", f.Key, StringComparison.Ordinal);
            Assert.Equal("https://example.org/export", f.Url);
            Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), f.SourceDate);
        });
    }
}

public sealed class ImportValidationTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private async Task<ImportReport> ImportRejectedAsync(ImportTable table, string file)
    {
        var before = await ImportSupport.CountsAsync(app);
        var report = await ImportSupport.ImportAsync(app, table, file);
        Assert.False(report.Succeeded, "the file should have been refused");
        Assert.Equal(before, await ImportSupport.CountsAsync(app));
        return report;
    }

    [Fact]
    public async Task Import_WrongTypesInSeveralCells_ReportsEveryErrorWithRowAndColumnAndWritesNothing()
    {
        var file = ImportSupport.WriteCsv("projects.csv", string.Join("\r\n",
            ImportSupport.ProjectsHeader,
            ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2014-2020"), (KeepColumns.Acronym, "NEW-1"), (KeepColumns.TotalBudget, "1 000,50"),
                (KeepColumns.StartDate, "2016-13-01")),
            ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2014-2020"), (KeepColumns.Acronym, "NEW-2"), (KeepColumns.CoFinancingRate, "150"),
                (KeepColumns.KeepEuId, "k-12"), (KeepColumns.Website, "not a url")),
            ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2014-2020"), (KeepColumns.Acronym, "NEW-3"), (KeepColumns.StartDate, "2020-01-01"),
                (KeepColumns.EndDate, "2019-01-01"), (KeepColumns.TotalBudget, "100"), (KeepColumns.EuFunding, "200"))) + "\r\n");

        var report = await ImportRejectedAsync(ImportTable.Projects, file);

        Assert.Equal(
            [(2, KeepColumns.StartDate), (2, KeepColumns.TotalBudget), (3, KeepColumns.CoFinancingRate), (3, KeepColumns.KeepEuId),
             (3, KeepColumns.Website), (4, KeepColumns.EndDate), (4, KeepColumns.EuFunding)],
            report.Errors.Select(e => (e.Row ?? 0, e.Column ?? "")).Order().ToList());
        Assert.Contains("nothing was written", report.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_MissingAndExtraColumns_ReportsEachOnTheHeaderRow()
    {
        var header = KeepColumns.Projects.Where(c => c != KeepColumns.Website).Append("Colour").ToList();
        var file = ImportSupport.WriteCsv("projects.csv", string.Join(",", header.Select(h => h.Contains(',', StringComparison.Ordinal) ? $"\"{h}\"" : h))
            + "\r\nfwv-2014-2020,X" + new string(',', header.Count - 2) + "\r\n");

        var report = await ImportRejectedAsync(ImportTable.Projects, file);

        Assert.Contains(report.Errors, e => e is { Row: 1, Column: KeepColumns.Website } && e.Reason == "missing column");
        Assert.Contains(report.Errors, e => e is { Row: 1, Column: "Colour" } && e.Reason.StartsWith("unexpected column", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_DuplicateProgrammeAndAcronym_ReportsTheSecondRowAndTheFirst()
    {
        var file = ImportSupport.WriteCsv("projects.csv", string.Join("\r\n",
            ImportSupport.ProjectsHeader,
            ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2014-2020"), (KeepColumns.Acronym, "DUP")),
            ImportSupport.ProjectRow((KeepColumns.Programme, "FWV-2014-2020"), (KeepColumns.Acronym, "dup"))));

        var report = await ImportRejectedAsync(ImportTable.Projects, file);

        var error = Assert.Single(report.Errors);
        Assert.Equal((3, KeepColumns.Acronym), (error.Row, error.Column));
        Assert.Contains("row 2", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_UnknownProgramme_ReportsTheCell()
    {
        var file = ImportSupport.WriteCsv("projects.csv", ImportSupport.ProjectsHeader + "\r\n"
            + ImportSupport.ProjectRow((KeepColumns.Programme, "interreg-mars-2030"), (KeepColumns.Acronym, "RED")));

        var error = Assert.Single((await ImportRejectedAsync(ImportTable.Projects, file)).Errors);

        Assert.Equal((2, KeepColumns.Programme), (error.Row, error.Column));
        Assert.Contains("unknown programme", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_Windows1252File_ReportsTheEncodingWithItsRow()
    {
        var text = ImportSupport.ProjectsHeader + "\r\n" + ImportSupport.ProjectRow((KeepColumns.Programme, "FWV"), (KeepColumns.Acronym, "RÉGION"));
        var file = ImportSupport.Write("projects.csv", Encoding.Latin1.GetBytes(text));

        var error = Assert.Single((await ImportRejectedAsync(ImportTable.Projects, file)).Errors);

        Assert.NotNull(error.Row);
        Assert.Contains("UTF-8", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_EnormousLine_ReportsItInsteadOfBufferingIt()
    {
        var file = ImportSupport.WriteCsv("projects.csv", ImportSupport.ProjectsHeader + "\r\nFWV,HUGE," + new string('x', 3 * 1024 * 1024) + "\r\n");

        var error = Assert.Single((await ImportRejectedAsync(ImportTable.Projects, file)).Errors);

        Assert.Equal(2, error.Row);
        Assert.NotNull(error.Column);
    }

    [Fact]
    public async Task Import_ZipBombXlsx_ReportsItWithoutInflating()
    {
        var bomb = new MemoryStream();
        using (var archive = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 300; i++)
            {
                entry.Write(zeros);
            }
        }

        var error = Assert.Single((await ImportRejectedAsync(ImportTable.Projects, ImportSupport.Write("projects.xlsx", bomb.ToArray()))).Errors);

        Assert.Contains("inflate", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_TextFileNamedXlsx_ReportsNotAWorkbook()
    {
        var file = ImportSupport.WriteCsv("projects.xlsx", ImportSupport.ProjectsHeader);

        var error = Assert.Single((await ImportRejectedAsync(ImportTable.Projects, file)).Errors);

        Assert.False(string.IsNullOrEmpty(error.Reason));
    }

    [Fact]
    public async Task Import_RowWithTooFewFields_ReportsRowAndStops()
    {
        var file = ImportSupport.WriteCsv("projects.csv", ImportSupport.ProjectsHeader + "\r\nFWV,SHORT\r\n");

        var error = Assert.Single((await ImportRejectedAsync(ImportTable.Projects, file)).Errors);

        Assert.Equal(2, error.Row);
    }

    [Fact]
    public async Task ImportPartners_UnknownProjectTwoLeadsAndBadCodes_ReportsEveryRow()
    {
        var file = ImportSupport.WriteCsv("partners.csv", string.Join("\r\n",
            ImportSupport.PartnersHeader,
            ImportSupport.PartnerRow((KeepColumns.Programme, "fwv-2014-2020"), (KeepColumns.ProjectAcronym, "NOPE"), (KeepColumns.PartnerName, "A"), (KeepColumns.Role, "partner")),
            ImportSupport.PartnerRow((KeepColumns.Programme, "2seas-2014-2020"), (KeepColumns.ProjectAcronym, "BISEPS"), (KeepColumns.PartnerName, "Intercommunale Leiedal"), (KeepColumns.Role, "lead partner")),
            ImportSupport.PartnerRow((KeepColumns.Programme, "2seas-2014-2020"), (KeepColumns.ProjectAcronym, "BISEPS"), (KeepColumns.PartnerName, "UGent"), (KeepColumns.Role, "lead partner"),
                (KeepColumns.Country, "Belgium"), (KeepColumns.Nuts3, "nowhere"), (KeepColumns.LegalStatus, "charity")),
            ImportSupport.PartnerRow((KeepColumns.Programme, "2seas-2014-2020"), (KeepColumns.ProjectAcronym, "BISEPS"), (KeepColumns.PartnerName, "UGENT"), (KeepColumns.Role, "boss"))));

        var report = await ImportRejectedAsync(ImportTable.Partners, file);

        Assert.Equal(
            [(2, KeepColumns.ProjectAcronym), (4, KeepColumns.Country), (4, KeepColumns.LegalStatus), (4, KeepColumns.Nuts3), (4, KeepColumns.Role), (5, KeepColumns.Role)],
            report.Errors.Select(e => (e.Row ?? 0, e.Column ?? "")).Order().ToList());
    }

    [Fact]
    public async Task Import_FileWithHeaderOnly_ReportsNoDataRows()
    {
        var error = Assert.Single((await ImportRejectedAsync(ImportTable.Projects, ImportSupport.WriteCsv("projects.csv", ImportSupport.ProjectsHeader + "\r\n"))).Errors);

        Assert.Contains("no data rows", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_NewValueForAnExistingProject_ReplacesTheColumnAndKeepsTheOldValueAsASecondFact()
    {
        var file = ImportSupport.WriteCsv("biseps-update.csv", ImportSupport.ProjectsHeader + "\r\n"
            + ImportSupport.ProjectRow((KeepColumns.Programme, "2seas-2014-2020"), (KeepColumns.Acronym, "BISEPS"), (KeepColumns.EndDate, "2020-10-31")));

        var report = await ImportSupport.ImportAsync(app, ImportTable.Projects, file, "Interreg 2 Seas extension notice");

        Assert.True(report.Succeeded, report.Format());
        Assert.Equal((0, 1, 0), (report.Created, report.Updated, report.Unchanged));
        var (end, facts) = await app.WithDbAsync(async db =>
        {
            var p = await db.Projects.AsNoTracking().SingleAsync(x => x.Acronym == "BISEPS");
            var f = await db.Facts.Where(x => x.SubjectType == SubjectType.Project && x.SubjectId == p.Id && x.Field == Passerelle.Core.Registry.Fields.Project.EndDate.Name)
                .OrderBy(x => x.Rank).Select(x => new { x.Value, x.Source.Title }).ToListAsync();
            return (p.EndDate, f.Select(x => (x.Value, x.Title)).ToList());
        });
        Assert.Equal("2020-10-31", end);
        Assert.Equal(("2020-10-31", "Interreg 2 Seas extension notice"), facts[0]);
        Assert.Contains(facts.Skip(1), f => f.Value == "2020-04-30");
    }
}
