using System.Net;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Exports;
using Passerelle.Web.Api;

using static Passerelle.Web.Tests.Exports.ExportTestSupport;

namespace Passerelle.Web.Tests.Exports;

public sealed class ExportsTests(LocatedApp app) : IClassFixture<LocatedApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(string path)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, Ct);
        return (response, await response.Content.ReadAsByteArrayAsync(Ct));
    }

    private async Task<List<List<string>>> CsvAsync(string path)
    {
        var (response, body) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var file = TempFile(".csv");
        await File.WriteAllBytesAsync(file, body, Ct);
        try
        {
            return ReadCsvWithPython(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Dictionary<string, string> Row(List<List<string>> table, string column, string value)
    {
        var header = table[0];
        var row = table.Skip(1).Single(r => r[header.IndexOf(column)] == value);
        return header.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => row[x.i]);
    }

    [Theory]
    [InlineData("/api/v1/projects/export.csv", "text/csv", "passerelle-projects-")]
    [InlineData("/api/v1/projects/export.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "passerelle-projects-")]
    [InlineData("/api/v1/projects/export.json", "application/json", "passerelle-projects-")]
    [InlineData("/api/v1/projects/export.geojson", "application/geo+json", "passerelle-projects-")]
    [InlineData("/api/v1/organisations/export.csv?country=BE", "text/csv", "passerelle-organisations-be-")]
    [InlineData("/api/v1/exports/keep/projects.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "passerelle-keep-projects-")]
    [InlineData("/api/v1/exports/keep/partners.csv", "text/csv", "passerelle-keep-partners-")]
    [InlineData("/api/v1/exports/operations.csv?programme=fwv-2014-2020", "text/csv", "passerelle-operations-fwv-2014-2020-")]
    public async Task Export_EachRoute_IsAnAttachmentWithTypeAndFileName(string path, string mediaType, string fileNameStart)
    {
        var (response, body) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.StartsWith(fileNameStart, response.Content.Headers.ContentDisposition?.FileNameStar, StringComparison.Ordinal);
        Assert.NotEmpty(body);
    }

    [Theory]
    [InlineData("/api/v1/projects/export.pdf")]
    [InlineData("/api/v1/exports/keep/projects.json")]
    [InlineData("/api/v1/exports/operations.geojson")]
    public async Task Export_UnsupportedFormat_ProblemWithErrorCode(string path)
    {
        var (response, body) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.UnsupportedFormat, JsonDocument.Parse(body).RootElement.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task ExportOrganisations_InvalidCountry_ProblemInvalidParameter()
    {
        var (response, body) = await GetAsync("/api/v1/organisations/export.csv?country=belgium");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.InvalidParameter, JsonDocument.Parse(body).RootElement.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task ExportProjectsCsv_ProgrammeFilter_SameProjectsAsTheListRoute()
    {
        var table = await CsvAsync("/api/v1/projects/export.csv?programme=fwv-2014-2020");
        var (_, list) = await GetAsync("/api/v1/projects?programme=fwv-2014-2020&pageSize=100");
        var expected = JsonDocument.Parse(list).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!).ToList();

        Assert.Equal(expected, table.Skip(1).Select(r => r[0]).ToList());
        Assert.Equal(5, expected.Count);
    }

    [Theory]
    [InlineData("/api/v1/projects?pageSize=100", "&programme=&theme=%20&organisation=")]
    [InlineData("/api/v1/organisations?pageSize=100", "&country=")]
    public async Task List_EmptyFilterValues_SameAsNoFilter(string path, string empty)
    {
        var (_, whole) = await GetAsync(path);
        var (response, blank) = await GetAsync(path + empty);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonDocument.Parse(whole).RootElement.GetProperty("total").GetInt32() > 0);
        Assert.Equal(whole, blank);
    }

    [Fact]
    public async Task ExportProjectsJson_DefaultData_EveryProjectWithTypedValues()
    {
        var (_, body) = await GetAsync("/api/v1/projects/export.json");
        var items = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();

        Assert.Equal(8, items.Count);
        var biseps = items.Single(i => i.GetProperty("slug").GetString() == "biseps");
        Assert.Equal(3908751m, biseps.GetProperty("totalBudgetEur").GetDecimal());
        Assert.Equal(60m, biseps.GetProperty("euRatePercent").GetDecimal());
        var fast = items.Single(i => i.GetProperty("acronym").GetString() == "Fast to Market");
        Assert.Equal(JsonValueKind.Null, fast.GetProperty("totalBudgetEur").ValueKind);
    }

    [Fact]
    public async Task ExportProjectsGeoJson_LeadPartnerCoordinates_OgrinfoReadsLocatedProjectsAndHeaderCountsTheRest()
    {
        var (response, body) = await GetAsync("/api/v1/projects/export.geojson");
        var file = TempFile(".geojson");
        await File.WriteAllBytesAsync(file, body, Ct);
        try
        {
            var summary = Run("/usr/bin/ogrinfo", "-ro", "-al", "-so", file);
            var full = Run("/usr/bin/ogrinfo", "-ro", "-al", file);

            // Only ALARM FWV's lead partner (SDIS 59) has coordinates here; the other seven projects are left out.
            Assert.Contains("Feature Count: 1", summary, StringComparison.Ordinal);
            Assert.Contains("Geometry: Point", summary, StringComparison.Ordinal);
            Assert.Contains("POINT (3.06 50.63)", full, StringComparison.Ordinal);
            Assert.Contains("acronym (String) = ALARM FWV", full, StringComparison.Ordinal);
            Assert.Equal("7", response.Headers.GetValues(ExportsEndpoints.SkippedHeader).Single());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ExportOrganisationsGeoJson_Coordinates_OgrinfoReadsTwoFeatures()
    {
        var (response, body) = await GetAsync("/api/v1/organisations/export.geojson?country=FR");
        var file = TempFile(".geojson");
        await File.WriteAllBytesAsync(file, body, Ct);
        try
        {
            var summary = Run("/usr/bin/ogrinfo", "-ro", "-al", "-so", file);
            var france = await app.WithDbAsync(db => db.Organisations.CountAsync(o => o.Country == "FR", Ct));

            Assert.Contains("Feature Count: 2", summary, StringComparison.Ordinal);
            Assert.Equal((france - 2).ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues(ExportsEndpoints.SkippedHeader).Single());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ExportKeepProjectsCsv_DefaultData_PythonReadsKeepColumnsInOrderWithSourcedValues()
    {
        var table = await CsvAsync("/api/v1/exports/keep/projects.csv");

        Assert.Equal(KeepColumns.Projects, table[0]);
        Assert.Equal(9, table.Count);
        var biseps = Row(table, KeepColumns.Acronym, "BISEPS");
        Assert.Equal("2seas-2014-2020", biseps[KeepColumns.Programme]);
        Assert.Equal("Business Clusters Integrated Sustainable Energy PackageS", biseps[KeepColumns.TitleEn]);
        Assert.Equal("3908751", biseps[KeepColumns.TotalBudget]);
        Assert.Equal("2345251", biseps[KeepColumns.EuFunding]);
        Assert.Equal("60", biseps[KeepColumns.CoFinancingRate]);
        Assert.Equal("Intercommunale Leiedal", biseps[KeepColumns.LeadPartner]);
        var alarm = Row(table, KeepColumns.Acronym, "ALARM FWV");
        Assert.Equal("fr", alarm[KeepColumns.OriginalLanguage]);
        Assert.Equal("50", alarm[KeepColumns.CoFinancingRate]);
        Assert.Equal("20974", alarm[KeepColumns.KeepEuId]);
        Assert.Equal("2016-10-01", alarm[KeepColumns.StartDate]);

        // Nothing is known of Fast to Market but its programme and the seed page's sentence: every other cell is empty.
        var fast = Row(table, KeepColumns.Acronym, "Fast to Market");
        Assert.Equal("FWV", fast[KeepColumns.Programme]);
        Assert.All(KeepColumns.Projects.Except([KeepColumns.Programme, KeepColumns.Acronym, KeepColumns.DescriptionEn]), c => Assert.Equal("", fast[c]));
    }

    [Fact]
    public async Task ExportKeepPartnersXlsx_DefaultData_SheetHasKeepColumnsAndOneRowPerParticipation()
    {
        var (_, body) = await GetAsync("/api/v1/exports/keep/partners.xlsx");
        var sheet = ReadXlsxSheet(body);
        var participations = await app.WithDbAsync(db => db.Participations.CountAsync(Ct));

        Assert.Equal(KeepColumns.Partners, sheet[0]);
        Assert.Equal(participations, sheet.Count - 1);
        var header = sheet[0];
        var mel = sheet.Single(r => r[1] == "ALARM FWV" && r[2] == "Métropole Européenne de Lille");
        Assert.Equal("partner", mel[header.IndexOf(KeepColumns.Role)]);
        Assert.Equal("FR", mel[header.IndexOf(KeepColumns.Country)]);
        Assert.Equal("84972", mel[header.IndexOf(KeepColumns.PartnerBudget)]);
        var lead = sheet.Single(r => r[1] == "ALARM FWV" && r[header.IndexOf(KeepColumns.Role)] == "lead partner");
        Assert.Equal("SDIS 59 (Service départemental d'incendie et de secours du Nord)", lead[2]);
        Assert.All(sheet.Skip(1), r => Assert.Equal("", r.ElementAtOrDefault(header.IndexOf(KeepColumns.Nuts3)) ?? ""));
    }

    [Fact]
    public async Task ExportOperationsCsv_Programme_Art49FieldsWithLeadPartnerAsBeneficiary()
    {
        var table = await CsvAsync("/api/v1/exports/operations.csv?programme=fwv-2014-2020");

        Assert.Equal(
            ["Programme", "Operation acronym", "Beneficiary (lead partner)", "Other partners", "Operation name", "Purpose and achievements",
             "Start date", "End date (expected or actual)", "Total cost (EUR)", "Union contribution (EUR)", "Fund", "Specific objective",
             "Union co-financing rate (%)", "Location indicator", "Geolocation (lat, lon)", "Country", "Type of intervention"],
            table[0]);
        Assert.Equal(5, table.Count - 1);
        var alarm = Row(table, "Operation acronym", "ALARM FWV");
        Assert.Equal("SDIS 59 (Service départemental d'incendie et de secours du Nord)", alarm["Beneficiary (lead partner)"]);
        Assert.Contains("Métropole Européenne de Lille", alarm["Other partners"], StringComparison.Ordinal);
        Assert.Equal("ERDF", alarm["Fund"]);
        Assert.Equal("2592458.8", alarm["Total cost (EUR)"]);
        Assert.Equal("50", alarm["Union co-financing rate (%)"]);
        Assert.Equal("50.63, 3.06", alarm["Geolocation (lat, lon)"]);
        Assert.StartsWith("FR", alarm["Country"], StringComparison.Ordinal);
        var tec = Row(table, "Operation acronym", "TEC!");
        Assert.Equal("", tec["Union co-financing rate (%)"]);
        Assert.Equal("", tec["Union contribution (EUR)"]);
    }

    [Fact]
    public async Task ExportOperationsCsv_AllProgrammes_EveryProjectOnce()
    {
        var table = await CsvAsync("/api/v1/exports/operations.csv");

        Assert.Equal(8, table.Count - 1);
        Assert.Equal(8, table.Skip(1).Select(r => r[1]).Distinct().Count());
        var fast = Row(table, "Operation acronym", "Fast to Market");
        Assert.Equal("", fast["Fund"]);
    }
}
