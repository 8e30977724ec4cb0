using System.Net;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Exports;
using Passerelle.Core.Imports;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Api;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Kohesio.KohesioSupport;

namespace Passerelle.Web.Tests.Kohesio;

public sealed class SqliteKohesioTests(PasserelleApp app) : KohesioTests<PasserelleApp>(app);

public sealed class PostgresKohesioTests(PostgresApp app) : KohesioTests<PostgresApp>(app);

/// <summary>
/// The Kohesio list of operations, out and in (ADR 28): the export of complete operations passes the validator's Table
/// Schema (npm tableschema, in node) and its extra rules, the report names what incomplete operations lack, and an
/// import checks the whole file first (every error with row and column, nothing written) then writes each value with
/// the file as its source, a second time nothing.
/// </summary>
public abstract class KohesioTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private const string IrishCci = "2014IE16RFOP002";

    /// <summary>A programme, a complete operation with two beneficiaries and an incomplete one, written through the write path.</summary>
    private async Task<(string Programme, int Complete, int Incomplete, string Tag)> BuildAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        return await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var programme = session.Create(new Programme
            {
                Slug = "kohesio-test-" + tag,
                Code = "KT" + tag.ToUpperInvariant(),
                Period = "2021-2027",
                Kind = ProgrammeKind.CrossBorder,
                Funds = ["ERDF"],
                Countries = ["BE", "FR"],
            });
            session.SetValue(programme, Fields.Programme.Name.En, "Kohesio test programme " + tag, source);

            Organisation Organisation(string name, string country, double latitude, double longitude)
            {
                var o = session.Create(new Organisation { Slug = Passerelle.Core.Common.Slug.From(name), Name = name, Latitude = latitude, Longitude = longitude });
                session.SetValue(o, Fields.Organisation.Name, name, source);
                session.SetValue(o, Fields.Organisation.Country, country, source);
                return o;
            }

            var lead = Organisation("Kohesio lead " + tag, "FR", 50.6365, 3.0635);
            var partner = Organisation("Kohesio partner " + tag, "BE", 50.8279, 3.2649);

            var complete = session.Create(new Project { Slug = "kt-complete-" + tag, Acronym = "COMPLETE-" + tag, ProgrammeCode = programme.Code, Programme = programme });
            session.SetValue(complete, Fields.Project.Title.En, "Cross-border care " + tag, source);
            session.SetValue(complete, Fields.Project.Title["fr"], "Soins transfrontaliers " + tag, source);
            session.SetValue(complete, Fields.Project.Summary.En, "Health care on both sides of the border.", source);
            session.SetValue(complete, Fields.Project.Summary["fr"], "Des soins des deux côtés de la frontière.", source);
            session.SetValue(complete, Fields.Project.StartDate, "2022-01-01", source);
            session.SetValue(complete, Fields.Project.EndDate, "2024-12-31", source);
            session.SetValue(complete, Fields.Project.TotalBudget, "1000000", source);
            session.SetValue(complete, Fields.Project.Erdf, "600000", source);
            session.SetValue(complete, Fields.Project.CategoryOfIntervention, "62", source);
            session.Create(new Participation { Project = complete, Organisation = lead, Role = ParticipationRole.LeadPartner });
            session.Create(new Participation { Project = complete, Organisation = partner, Role = ParticipationRole.Partner });

            // Known to the month only, no amounts, no category, no summary, no partner: what Kohesio needs is missing.
            var incomplete = session.Create(new Project { Slug = "kt-incomplete-" + tag, Acronym = "INCOMPLETE-" + tag, ProgrammeCode = programme.Code, Programme = programme });
            session.SetValue(incomplete, Fields.Project.Title.En, "Unfinished business " + tag, source);
            session.SetValue(incomplete, Fields.Project.StartDate, "2022-03", source);
            session.SetValue(incomplete, Fields.Project.EndDate, "2023-12-31", source);
            await session.FlushAsync();
            return (programme.Slug, complete.Id, incomplete.Id, tag);
        });
    }

    [Fact]
    public async Task ExportKohesio_CompleteOnly_PassesTableSchemaAndRules()
    {
        var (programme, complete, _, tag) = await BuildAsync();

        var (response, body) = await GetAsync(app, $"/api/v1/exports/kohesio.csv?programme={programme}&complete=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith($"passerelle-kohesio-{programme}-", response.Content.Headers.ContentDisposition?.FileNameStar, StringComparison.Ordinal);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues(KohesioEndpoints.IncompleteHeader)));
        var file = TempFile(body);
        var check = Check(file);
        Assert.True(check.Errors.Count == 0, check.ToString());
        Assert.Equal(2, check.Rows);

        var rows = Rows(body);
        Assert.Equal(KohesioSchema.Fields.Select(f => f.Name), rows[0].Keys);
        var lead = rows[0];
        Assert.Equal(KohesioCsv.OperationIdOf(complete), lead["Operation_Unique_Identifier"]);
        Assert.Equal("Soins transfrontaliers " + tag, lead["Operation_Name_Programme_Language"]);
        Assert.Equal("Cross-border care " + tag, lead["Operation_Name_English"]);
        Assert.Equal("Kohesio lead " + tag, lead["Beneficiary_Name"]);
        Assert.Equal("France", lead["Country"]);
        Assert.Equal("01/01/2022", lead["Operation_Start_Date"]);
        Assert.Equal("31/12/2024", lead["Operation_End_Date"]);
        Assert.Equal("60", lead["CoFinancing_Rate"]);
        Assert.Equal("1000000", lead["Total_Eligible_Expenditure_amount"]);
        Assert.Equal("EUR", lead["Total_Eligible_Expenditure_Currency"]);
        Assert.Equal("", lead["Total_Eligible_Expenditure_Exchange_Rate"]);
        Assert.Equal("3.0635, 50.6365", lead["Location_Indicator_latitude_longitude"]);
        Assert.Equal("62", lead["Category_Of_Intervention"]);
        Assert.Equal("ERDF", lead["Fund_Code"]);
        Assert.Equal("European Regional Development Fund", lead["Fund_Name"]);
        Assert.Equal("2021-2027", lead["Programming_Period"]);
        Assert.Equal("Kohesio test programme " + tag, lead["Programme_Name"]);
        // Not invented: no source gives these.
        Assert.Equal("", lead["Operation_Expected_End_Date"]);
        Assert.Equal("", lead["Beneficiary_Unique_Identifier"]);
        Assert.Equal("", lead["CountryID"]);
        Assert.Equal(("Kohesio partner " + tag, "Belgium"), (rows[1]["Beneficiary_Name"], rows[1]["Country"]));
    }

    [Fact]
    public async Task ImportKohesio_OwnExport_FindsTheSameOperationsAndChangesNothing()
    {
        var (programme, _, _, _) = await BuildAsync();
        var (_, body) = await GetAsync(app, $"/api/v1/exports/kohesio.csv?programme={programme}&complete=true");
        var before = await CountsAsync(app);

        var report = await ImportAsync(app, TempFile(body), new KohesioImportOptions(Programme: programme, Language: "fr"));

        Assert.True(report.Succeeded, report.Format());
        Assert.Equal((0, 0, 1), (report.Created, report.Updated, report.Unchanged));
        Assert.Equal(before, await CountsAsync(app));
    }

    [Fact]
    public async Task ExportKohesio_WithIncomplete_ReportListsMissingFieldsAndFileFailsValidator()
    {
        var (programme, _, incomplete, tag) = await BuildAsync();

        var (response, body) = await GetAsync(app, $"/api/v1/exports/kohesio.csv?programme={programme}&period=2021-2027");
        var (reportResponse, report) = await GetAsync(app, $"/api/v1/exports/kohesio-report.csv?programme={programme}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues(KohesioEndpoints.IncompleteHeader)));
        Assert.Equal(3, Rows(body).Count);
        var check = Check(TempFile(body));
        Assert.Contains(check.Errors, e => e.Row == 4 && e.Column == "Operation_Start_Date");
        Assert.Contains(check.Errors, e => e.Row == 4 && e.Column == "Location_Indicator");
        Assert.DoesNotContain(check.Errors, e => e.Row is 2 or 3);

        Assert.Equal(HttpStatusCode.OK, reportResponse.StatusCode);
        var gap = Assert.Single(Rows(report));
        Assert.Equal(KohesioCsv.OperationIdOf(incomplete), gap["Operation_Unique_Identifier"]);
        Assert.Equal("kt-incomplete-" + tag, gap["Project"]);
        Assert.Equal("Unfinished business " + tag, gap["Operation name"]);
        Assert.Equal(
            "Country; Operation_Start_Date (2022-03: not known to the day); CoFinancing_Rate; Total_Eligible_Expenditure_amount; " +
            "Total_Eligible_Expenditure_Currency; Beneficiary_Name; Category_Of_Intervention; Operation_Summary_Programme_Language; " +
            KohesioSchema.LocationRule,
            gap["Missing fields"]);
    }

    [Theory]
    [InlineData("/api/v1/exports/kohesio.csv?programme=no-such-programme", HttpStatusCode.NotFound, ErrorCodes.ProgrammeNotFound)]
    [InlineData("/api/v1/exports/kohesio-report.csv?programme=no-such-programme", HttpStatusCode.NotFound, ErrorCodes.ProgrammeNotFound)]
    [InlineData("/api/v1/exports/kohesio.csv?period=2007-2013", HttpStatusCode.BadRequest, ErrorCodes.InvalidPeriod)]
    [InlineData("/api/v1/exports/kohesio-report.csv?period=soon", HttpStatusCode.BadRequest, ErrorCodes.InvalidPeriod)]
    public async Task ExportKohesio_BadFilter_ProblemWithErrorCode(string path, HttpStatusCode status, string errorCode)
    {
        var (response, body) = await GetAsync(app, path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(errorCode, JsonDocument.Parse(body).RootElement.GetProperty("errorCode").GetString());
    }

    /// <summary>The registry's record of the Irish programme of the validator's sample (a test record: its kind is not what the tests are about).</summary>
    private async Task<string> IrishProgrammeAsync()
    {
        var slug = await app.WithDbAsync(db => db.Programmes.Where(p => p.Cci == IrishCci).Select(p => p.Slug).FirstOrDefaultAsync(Ct));
        if (slug is not null)
        {
            return slug;
        }

        return await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var programme = session.Create(new Programme
            {
                Slug = "southern-eastern-2014-2020",
                Code = "IE-SE",
                Period = "2014-2020",
                Kind = ProgrammeKind.Interregional,
                Funds = ["ERDF"],
                Countries = ["IE"],
            });
            session.SetValue(programme, Fields.Programme.Name.En, "Southern & Eastern Regional Programme", source);
            session.SetValue(programme, Fields.Programme.Cci, IrishCci, source);
            return programme.Slug;
        });
    }

    [Fact]
    public async Task ImportKohesio_ValidatorSampleTwice_SecondChangesNothingAndExportValidates()
    {
        var programme = await IrishProgrammeAsync();

        var first = await ImportAsync(app, Sample);
        Assert.True(first.Succeeded, first.Format());
        Assert.Equal((5, 0, 0), (first.Created, first.Updated, first.Unchanged));
        var after = await CountsAsync(app);

        var second = await ImportAsync(app, Sample);
        Assert.True(second.Succeeded, second.Format());
        Assert.Equal((0, 0, 5), (second.Created, second.Updated, second.Unchanged));
        Assert.Equal(after, await CountsAsync(app));

        // Every value's source is the file.
        var sources = await app.WithDbAsync(db => (from f in db.Facts
                                                   join p in db.Projects on f.SubjectId equals p.Id
                                                   where f.SubjectType == SubjectType.Project && p.ProgrammeCode == "IE-SE"
                                                   select f.Source.Title).Distinct().ToListAsync(Ct));
        Assert.Equal(["IE_valid_example.csv"], sources);

        var (response, body) = await GetAsync(app, $"/api/v1/exports/kohesio.csv?programme={programme}&complete=true");
        Assert.Equal("0", Assert.Single(response.Headers.GetValues(KohesioEndpoints.IncompleteHeader)));
        var check = Check(TempFile(body));
        Assert.True(check.Errors.Count == 0, check.ToString());
        Assert.Equal(5, check.Rows);
        var row = Rows(body).Single(r => r["Operation_Unique_Identifier"] == "https://linkedopendata.eu/entity/Q233401");
        Assert.Equal("Waterford Institute of Technology", row["Beneficiary_Name"]);
        Assert.Equal(("01/10/2014", "30/06/2017"), (row["Operation_Start_Date"], row["Operation_End_Date"]));
        Assert.Equal(("50", "151205.5", "EUR"), (row["CoFinancing_Rate"], row["Total_Eligible_Expenditure_amount"], row["Total_Eligible_Expenditure_Currency"]));
        Assert.Equal(("-7.1119, 52.261", "Ireland", "62"), (row["Location_Indicator_latitude_longitude"], row["Country"], row["Category_Of_Intervention"]));
        Assert.Equal((IrishCci, "2014-2020", "ERDF", "PO01"), (row["Programme_Code"], row["Programming_Period"], row["Fund_Code"], row["Program_Priority_Axis_Code"]));

        // The export imports back unchanged: the same operations, found again by their identifiers.
        var back = await ImportAsync(app, TempFile(body));
        Assert.True(back.Succeeded, back.Format());
        Assert.Equal((0, 0, 5), (back.Created, back.Updated, back.Unchanged));
        Assert.Equal(after, await CountsAsync(app));
    }

    /// <summary>A test fixture (not real data): one operation of a cross-border programme with two beneficiaries.</summary>
    internal const string InterregFixture =
        "Operation_Unique_Identifier,Operation_Name_Programme_Language,Operation_Name_English,Country,Operation_Start_Date,Operation_End_Date," +
        "CoFinancing_Rate,Total_Eligible_Expenditure_amount,Total_Eligible_Expenditure_Currency,Beneficiary_Name,Location_Indicator_NUTS_code," +
        "Location_Indicator_Postcode,Location_Indicator_latitude_longitude,Category_Of_Intervention,Fund_Code,Programme_Code," +
        "Operation_Summary_English,Operation_Summary_Programme_Language,Programming_Period,Programme_Name\r\n" +
        "TEST-OP-{0},Opération de test {0},Test operation {0},France,01/09/2016,31/08/2019,50,800000,EUR,Bénéficiaire de test {0},FRE11,,,87,ERDF,{1}," +
        "A test fixture.,Un jeu de test.,2014-2020,Test cross-border programme {0}\r\n" +
        "TEST-OP-{0},Opération de test {0},Test operation {0},Belgium,1/9/2016,31/08/2019,50.0,800000.00,EUR,Test beneficiary {0},FRE11,,,87,ERDF,{1}," +
        "A test fixture.,Un jeu de test.,2014-2020,Test cross-border programme {0}\r\n";

    [Fact]
    public async Task ImportKohesio_CooperationCciUnknown_CreatesProgrammeOperationAndBeneficiaries()
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        // A cross-border CCI of the validator's list that the default data does not hold.
        const string cci = "2014TC16RFCB047";
        var file = TempFile(string.Format(System.Globalization.CultureInfo.InvariantCulture, InterregFixture, tag, cci));

        var report = await ImportAsync(app, file, new KohesioImportOptions(Language: "fr"));

        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(1, report.Created);
        var (programme, project, partners) = await app.WithDbAsync(async db =>
        {
            var programme = await db.Programmes.SingleAsync(p => p.Cci == cci, Ct);
            var project = await db.Projects.Include(p => p.Participations).ThenInclude(x => x.Organisation).SingleAsync(p => p.Acronym == "TEST-OP-" + tag, Ct);
            return (programme, project, project.Participations.Select(x => x.Organisation.Name).Order(StringComparer.Ordinal).ToList());
        });
        Assert.Equal((ProgrammeKind.CrossBorder, "2014-2020", "Test cross-border programme " + tag), (programme.Kind, programme.Period, programme.Name.Fr));
        Assert.Equal(["BE", "FR"], programme.Countries);
        Assert.Equal(["ERDF"], programme.Funds);
        Assert.Equal(programme.Id, project.ProgrammeId);
        Assert.Equal(("Opération de test " + tag, "Test operation " + tag), (project.Title.Fr, project.Title.En));
        Assert.Equal(("2016-09-01", "2019-08-31", 800000m, 0.5m), (project.StartDate, project.EndDate, project.TotalBudget, project.StatedEuRate));
        Assert.Equal(["Bénéficiaire de test " + tag, "Test beneficiary " + tag], partners);

        var (_, body) = await GetAsync(app, $"/api/v1/exports/kohesio.csv?programme={programme.Slug}&complete=true");
        var check = Check(TempFile(body));
        Assert.True(check.Errors.Count == 0, check.ToString());
        Assert.Equal(2, check.Rows);
    }

    public static TheoryData<string, string, string, int, string, string> HostileFiles => new()
    {
        // name, text replaced in the sample, replacement, row, column (as the file names it), part of the reason
        { "date not DD/MM/YYYY", "Ireland,,01/01/2015,", "Ireland,,2015-01-01,", 2, "Operation_Start_Date", "is not a date DD/MM/YYYY" },
        { "rate 150", ",31/12/2015,50,299609.48,", ",31/12/2015,150,299609.48,", 2, "Cofinancing_Rate", "above the maximum 100" },
        { "currency EURO", ",299609.48,EUR,", ",299609.48,EURO,", 2, "Total_Eligible_Expenditure_Currency", "not an ISO 4217 currency code" },
        { "no location", "\"-6.1347, 53.2943\"", "", 3, KohesioSchema.LocationRule, "at least one of" },
        { "start after end", "01/10/2014,,30/06/2017", "01/10/2018,,30/06/2017", 4, "Operation_Start_Date", "is after the end date" },
        { "missing required column", ",Beneficiary_Name,", ",Beneficiary,", 1, "Beneficiary_Name", "missing column" },
        { "duplicate id", "Q232276", "Q233276", 3, "Operation_Unique_Identifier", "is already in row 2" },
        { "geopoint out of range", "\"-9.0491, 53.2744\"", "\"-190.5, 53.2744\"", 2, "Location_Indicator_latitude_longitude", "is not a point" },
    };

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public async Task ImportKohesio_HostileFile_ErrorWithRowAndColumnAndNothingWritten(string name, string find, string replace, int row, string column, string reason)
    {
        await IrishProgrammeAsync();
        var text = await File.ReadAllTextAsync(Sample, Ct);
        Assert.True(text.Contains(find, StringComparison.Ordinal), name);
        var file = TempFile(ReplaceFirst(text, find, replace), "hostile.csv");
        var before = await CountsAsync(app);

        var report = await ImportAsync(app, file);

        Assert.False(report.Succeeded, name);
        Assert.Contains(report.Errors, e => e.Row == row && e.Column == column && e.Reason.Contains(reason, StringComparison.Ordinal));
        Assert.Equal(before, await CountsAsync(app));
        Assert.Contains("nothing was written", report.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportKohesio_SameRowTwice_DuplicateErrorNothingWritten()
    {
        await IrishProgrammeAsync();
        var lines = (await File.ReadAllTextAsync(Sample, Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var file = TempFile(string.Join('\n', lines.Append(lines[1])) + "\n", "twice.csv");
        var before = await CountsAsync(app);

        var report = await ImportAsync(app, file);

        var error = Assert.Single(report.Errors);
        Assert.Equal((7, "Operation_Unique_Identifier"), (error.Row, error.Column));
        Assert.Contains("with the beneficiary Tipperary LEO is already in row 2", error.Reason, StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync(app));
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return text[..at] + replace + text[(at + find.Length)..];
    }
}
