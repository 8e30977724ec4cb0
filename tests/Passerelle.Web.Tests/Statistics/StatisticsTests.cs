using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Editing;
using Passerelle.Core.Registry;
using Passerelle.Core.Statistics;
using Passerelle.Web.Portal;
using Passerelle.Web.Tests.Editing;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Editing.EditingSupport;

namespace Passerelle.Web.Tests.Statistics;

public sealed class SqliteStatisticsTests(PasserelleApp app) : StatisticsTests<PasserelleApp>(app);

public sealed class PostgresStatisticsTests(PostgresApp app) : StatisticsTests<PostgresApp>(app);

/// <summary>
/// The statistics (API, CSV and page) over projects written through the write path in a programme of their own, so
/// that every figure is known from the test's data: drafts and deleted projects left out, unknown amounts counted as
/// unknown, rows adding up to the totals, filters narrowing the figures, the sources of the values shown first.
/// </summary>
public abstract partial class StatisticsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static readonly ConditionalWeakTable<PasserelleApp, Task<Dataset>> Datasets = [];

    private readonly EditingSupport _x = new(app);

    /// <summary>The test projects' programme code and what was written.</summary>
    private sealed record Dataset(string Code, string SourceA, string SourceB, string SourceC);

    private Task<Dataset> DataAsync()
    {
        lock (Datasets)
        {
            if (!Datasets.TryGetValue(app, out var data))
            {
                data = BuildAsync();
                Datasets.Add(app, data);
            }

            return data;
        }
    }

    /// <summary>
    /// Four published projects (P1 BE-led with two themes, P2 FR-led, P3 with nothing known, P4 whose budget two
    /// sources give differently), a draft and a deleted project, all in one new programme.
    /// </summary>
    private async Task<Dataset> BuildAsync()
    {
        var code = "S" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var programme = await _x.ProgrammeAsync(code);
        var (a, b, c) = (Document("Statistics source A"), Document("Statistics source B"), Document("Statistics source C"));
        var be = await OrganisationAsync("BE", "public");
        var fr = await OrganisationAsync("FR", "private");
        PartnerEdit Lead(EditResult o) => new(o.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "lead partner", a)]);
        PartnerEdit Partner(EditResult o) => new(o.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "partner", a)]);

        await PublishedAsync(programme, new ProjectEdit { Themes = ["biodiversity", "water"], Partners = [Lead(be)] },
            ValueEdit.Replace(Fields.Project.TotalBudget, "1000.50", a), ValueEdit.Replace(Fields.Project.Erdf, "600", a),
            ValueEdit.Replace(Fields.Project.StartDate, "2021-03", a));
        await PublishedAsync(programme, new ProjectEdit { Themes = ["water"], Partners = [Lead(fr), Partner(be)] },
            ValueEdit.Replace(Fields.Project.TotalBudget, "2000", a), ValueEdit.Replace(Fields.Project.StartDate, "2023-01-15", a));
        await PublishedAsync(programme, new ProjectEdit());
        await PublishedAsync(programme, new ProjectEdit { Themes = ["biodiversity"] },
            ValueEdit.Replace(Fields.Project.TotalBudget, "5000", a), ValueEdit.AddBeside(Fields.Project.TotalBudget, "7000", b),
            ValueEdit.AddBeside(Fields.Project.TotalBudget, "5000.00", c), ValueEdit.Replace(Fields.Project.StartDate, "2021", a));

        // Never public: a draft, and a project deleted after it was published.
        await _x.ProjectAsync(programme.Record.Id, null, null, ValueEdit.Replace(Fields.Project.TotalBudget, "99999", a));
        var deleted = await PublishedAsync(programme, new ProjectEdit { Themes = ["water"] }, ValueEdit.Replace(Fields.Project.TotalBudget, "88888", a));
        await _x.EditAsync(e => e.DeleteAsync(Admin, deleted.Record, deleted.Version, Ct));
        await _x.CatchUpAsync();

        var keys = await _x.DbAsync(db => db.Sources.Where(s => s.Title.StartsWith("Statistics source ")).ToDictionaryAsync(s => s.Title, s => s.Key, Ct));
        return new Dataset(code, keys["Statistics source A"], keys["Statistics source B"], keys["Statistics source C"]);
    }

    private async Task<EditResult> OrganisationAsync(string country, string legalStatus)
    {
        var created = await _x.EditAsync(e => e.CreateOrganisationAsync(Admin, new OrganisationEdit
        {
            Values =
            [
                ValueEdit.Replace("name", $"Statistics partner {country} {Guid.NewGuid():N}", Document()),
                ValueEdit.Replace("country", country, Document()),
                ValueEdit.Replace("legal_status", legalStatus, Document()),
            ],
        }, Ct));
        return await _x.EditAsync(e => e.PublishAsync(Admin, created.Record, created.Version, Ct));
    }

    private async Task<EditResult> PublishedAsync(EditResult programme, ProjectEdit edit, params ValueEdit[] values)
    {
        var project = await _x.ProjectAsync(programme.Record.Id, null, null, values);
        if (edit.Themes is not null || edit.Partners.Count > 0)
        {
            project = await _x.UpdateProjectAsync(project, edit);
        }

        return await _x.EditAsync(e => e.PublishAsync(Admin, project.Record, project.Version, Ct));
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<string> GetTextAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static JsonElement Chart(JsonElement report, string key) =>
        report.GetProperty("budgets").EnumerateArray().Concat(report.GetProperty("counts").EnumerateArray())
            .Single(c => c.GetProperty("key").GetString() == key);

    private static JsonElement Row(JsonElement chart, string? value) =>
        chart.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("value").GetString() == value);

    private static (decimal Sum, int Known, int Unknown, List<string> Sources) Figure(JsonElement row, string name)
    {
        var f = row.GetProperty(name);
        return (f.GetProperty("sum").GetDecimal(), f.GetProperty("known").GetInt32(), f.GetProperty("unknown").GetInt32(),
            f.GetProperty("sources").EnumerateArray().Select(s => s.GetString()!).ToList());
    }

    private static (decimal Sum, int Known, int Unknown) Amount(JsonElement row, string name)
    {
        var (sum, known, unknown, _) = Figure(row, name);
        return (sum, known, unknown);
    }

    [Fact]
    public async Task Statistics_TestProgramme_CountsPublishedProjectsAndUnknownAmountsNeverAsZero()
    {
        var data = await DataAsync();
        var report = await GetJsonAsync($"/api/v1/statistics?programme={data.Code}");
        var total = report.GetProperty("total");

        // P1-P4: the draft (99,999) and the deleted project (88,888) are left out; P3's unknown budget is not a 0.
        Assert.Equal(4, total.GetProperty("projects").GetInt32());
        Assert.Equal((8000.50m, 3, 1), Amount(total, "budget"));
        Assert.Equal((600m, 1, 3), Amount(total, "euFunding"));
        Assert.Equal(2, report.GetProperty("partners").GetInt32());
    }

    [Fact]
    public async Task Statistics_Breakdowns_GiveEachTestProjectItsRow()
    {
        var data = await DataAsync();
        var report = await GetJsonAsync($"/api/v1/statistics?programme={data.Code}");

        // A budget belongs to its start year; 2022 is a year without projects, P3 has no start date.
        var years = Chart(report, "budget-by-year");
        Assert.Equal(["2021", "2022", "2023", null], years.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
        Assert.Equal((6000.50m, 2, 0), Amount(Row(years, "2021"), "budget"));
        Assert.Equal((0m, 0, 0), Amount(Row(years, "2022"), "budget"));
        Assert.Equal((2000m, 1, 0), Amount(Row(years, "2023"), "budget"));
        Assert.Equal((0m, 0, 1), Amount(Row(years, null), "budget"));

        // Themes overlap: P1 counts under biodiversity and water.
        var themes = Chart(report, "budget-by-theme");
        Assert.True(themes.GetProperty("overlapping").GetBoolean());
        Assert.Equal((6000.50m, 2, 0), Amount(Row(themes, "biodiversity"), "budget"));
        Assert.Equal((3000.50m, 2, 0), Amount(Row(themes, "water"), "budget"));
        Assert.Equal(1, Row(themes, null).GetProperty("projects").GetInt32());
        Assert.Equal("Biodiversity", Row(themes, "biodiversity").GetProperty("label").GetString());

        // By the lead partner's country: P3 and P4 have none.
        var countries = Chart(report, "budget-by-country");
        Assert.Equal((1000.50m, 1, 0), Amount(Row(countries, "BE"), "budget"));
        Assert.Equal((2000m, 1, 0), Amount(Row(countries, "FR"), "budget"));
        Assert.Equal((5000m, 1, 1), Amount(Row(countries, null), "budget"));

        Assert.Equal(2, Row(Chart(report, "projects-by-country"), "BE").GetProperty("count").GetInt32());
        Assert.Equal(2, Row(Chart(report, "projects-by-country"), null).GetProperty("count").GetInt32());
        Assert.Equal(1, Row(Chart(report, "partners-by-type"), "public").GetProperty("count").GetInt32());
        Assert.Equal(1, Row(Chart(report, "partners-by-type"), "private").GetProperty("count").GetInt32());
        Assert.Equal(2, Row(Chart(report, "projects-by-type"), "public").GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Statistics_ChartsWithoutOverlap_RowsAddUpToTheTotal(bool testProgrammeOnly)
    {
        var data = await DataAsync();
        var report = await GetJsonAsync("/api/v1/statistics" + (testProgrammeOnly ? $"?programme={data.Code}" : ""));
        var total = report.GetProperty("total");
        foreach (var chart in report.GetProperty("budgets").EnumerateArray())
        {
            var rows = chart.GetProperty("rows").EnumerateArray().ToList();
            foreach (var row in rows)
            {
                // Every project of a row is either summed or counted as unknown.
                foreach (var figure in new[] { "budget", "euFunding" })
                {
                    var (_, known, unknown) = Amount(row, figure);
                    Assert.Equal(row.GetProperty("projects").GetInt32(), known + unknown);
                }
            }

            if (chart.GetProperty("overlapping").GetBoolean())
            {
                Assert.True(rows.Sum(r => r.GetProperty("projects").GetInt32()) >= total.GetProperty("projects").GetInt32());
                continue;
            }

            Assert.Equal(total.GetProperty("projects").GetInt32(), rows.Sum(r => r.GetProperty("projects").GetInt32()));
            foreach (var figure in new[] { "budget", "euFunding" })
            {
                var (sum, known, unknown) = Amount(total, figure);
                Assert.Equal(sum, rows.Sum(r => Amount(r, figure).Sum));
                Assert.Equal(known, rows.Sum(r => Amount(r, figure).Known));
                Assert.Equal(unknown, rows.Sum(r => Amount(r, figure).Unknown));
            }
        }

        foreach (var chart in report.GetProperty("counts").EnumerateArray())
        {
            var sum = chart.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("count").GetInt32());
            var expected = chart.GetProperty("total").GetInt32();
            Assert.True(chart.GetProperty("overlapping").GetBoolean() ? sum >= expected : sum == expected, chart.GetProperty("key").GetString());
        }

        // Unknowns are counted: the projects without a total budget are exactly those the database has without one.
        if (!testProgrammeOnly)
        {
            var unknown = await _x.DbAsync(db => db.Projects.CountAsync(p => p.IsPublished && p.TotalBudget == null, Ct));
            Assert.Equal(unknown, Amount(total, "budget").Unknown);
        }
    }

    [Fact]
    public async Task Statistics_Filters_NarrowTheFiguresToWhatTheSearchFinds()
    {
        var data = await DataAsync();
        var report = await GetJsonAsync($"/api/v1/statistics?programme={data.Code}");
        foreach (var row in Chart(report, "budget-by-theme").GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("value").GetString() is not null))
        {
            var theme = row.GetProperty("value").GetString();
            var narrowed = await GetJsonAsync($"/api/v1/statistics?programme={data.Code}&theme={theme}");
            Assert.Equal(row.GetProperty("projects").GetInt32(), narrowed.GetProperty("total").GetProperty("projects").GetInt32());
            Assert.Equal(Amount(row, "budget"), Amount(narrowed.GetProperty("total"), "budget"));
            Assert.Equal(Amount(row, "euFunding"), Amount(narrowed.GetProperty("total"), "euFunding"));

            // The same words and filters find the same projects in the search.
            var search = await GetJsonAsync($"/api/v1/search?type=project&programme={data.Code}&theme={theme}");
            Assert.Equal(search.GetProperty("total").GetInt32(), narrowed.GetProperty("total").GetProperty("projects").GetInt32());
        }

        var words = await GetJsonAsync($"/api/v1/statistics?programme={data.Code}&country=FR");
        Assert.Equal((2000m, 1, 0), Amount(words.GetProperty("total"), "budget"));
    }

    [Fact]
    public async Task Statistics_Sources_AreThoseGivingTheValueShownFirst()
    {
        var data = await DataAsync();
        var report = await GetJsonAsync($"/api/v1/statistics?programme={data.Code}");
        var sources = Figure(report.GetProperty("total"), "budget").Sources;

        // P4: 5,000 (A, shown first), 7,000 (B), 5,000.00 (C): the sum takes 5,000, backed by A and C.
        Assert.Contains(data.SourceA, sources);
        Assert.Contains(data.SourceC, sources);
        Assert.DoesNotContain(data.SourceB, sources);
        var listed = report.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!, s => s.GetProperty("title").GetString());
        Assert.Equal("Statistics source C", listed[data.SourceC]);
        Assert.Equal([data.SourceA], Figure(Row(Chart(report, "budget-by-year"), "2023"), "budget").Sources);
    }

    [Fact]
    public async Task StatisticsTable_Csv_ParsesToTheApiFigures()
    {
        var data = await DataAsync();
        var report = await GetJsonAsync($"/api/v1/statistics?programme={data.Code}");
        var csv = await GetTextAsync($"/api/v1/statistics/budget-by-year.csv?programme={data.Code}");
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(Cells).ToList();
        Assert.Equal(["Row", "Value", "Label", "Projects", "Total budget (EUR)", "Total budgets known", "Total budgets not known",
            "EU funding (EUR)", "EU fundings known", "EU fundings not known", "Sources"], lines[0]);
        var rows = Chart(report, "budget-by-year").GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(rows.Count + 1, lines.Count - 1);
        foreach (var (row, line) in rows.Zip(lines.Skip(1)))
        {
            Assert.Equal(row.GetProperty("value").GetString() is null ? "not-known" : "value", line[0]);
            Assert.Equal(row.GetProperty("value").GetString() ?? "", line[1]);
            Assert.Equal(row.GetProperty("projects").GetInt32(), int.Parse(line[3], CultureInfo.InvariantCulture));
            Assert.Equal(Amount(row, "budget"), (decimal.Parse(line[4], CultureInfo.InvariantCulture), int.Parse(line[5], CultureInfo.InvariantCulture), int.Parse(line[6], CultureInfo.InvariantCulture)));
            Assert.Equal(Amount(row, "euFunding"), (decimal.Parse(line[7], CultureInfo.InvariantCulture), int.Parse(line[8], CultureInfo.InvariantCulture), int.Parse(line[9], CultureInfo.InvariantCulture)));
        }

        // The table closes with the total, which is the report's.
        var last = lines[^1];
        Assert.Equal("total", last[0]);
        Assert.Equal(Amount(report.GetProperty("total"), "budget"), (decimal.Parse(last[4], CultureInfo.InvariantCulture), int.Parse(last[5], CultureInfo.InvariantCulture), int.Parse(last[6], CultureInfo.InvariantCulture)));
        Assert.Contains("Statistics source A", csv, StringComparison.Ordinal);

        var counts = await GetTextAsync($"/api/v1/statistics/partners-by-country.csv?programme={data.Code}");
        Assert.Equal(["Row", "Value", "Label", "Count"], Cells(counts.TrimStart('\uFEFF').Split("\r\n")[0]));
        Assert.EndsWith("total,,,2", counts.TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "en-GB")]
    [InlineData("fr", "fr-BE")]
    public async Task StatisticsPage_Language_ShowsTheApiFiguresFormattedForIt(string language, string culture)
    {
        var data = await DataAsync();
        var report = await GetJsonAsync($"/api/v1/statistics?programme={data.Code}&lang={language}");
        var html = await GetTextAsync($"/{language}/statistics?programme={data.Code}");
        var format = CultureInfo.GetCultureInfo(culture);

        var section = Regex.Match(html, "<section id=\"budget-by-year\".*?</section>", RegexOptions.Singleline).Value;
        Assert.Contains("<svg", section, StringComparison.Ordinal);
        Assert.Matches("<svg[^>]*role=\"img\"[^>]*aria-labelledby=\"budget-by-year-chart-title budget-by-year-chart-desc\"", section);
        var cells = TableRows().Matches(section).Select(m => (Label: WebUtility.HtmlDecode(m.Groups["label"].Value), Projects: m.Groups["projects"].Value,
            Budget: WebUtility.HtmlDecode(m.Groups["budget"].Value), Unknown: m.Groups["unknown"].Value)).ToList();
        var rows = Chart(report, "budget-by-year").GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(rows.Count + 1, cells.Count);
        foreach (var (row, cell) in rows.Zip(cells))
        {
            var (sum, known, unknown) = Amount(row, "budget");
            Assert.Equal(row.GetProperty("projects").GetInt32().ToString("N0", format), cell.Projects);
            Assert.Equal(known == 0 && unknown > 0 ? PageText(language, "stats.not_known") : FactHtml.FormatMoney(sum, format), cell.Budget);
            Assert.Equal(unknown.ToString("N0", format), cell.Unknown);
        }

        Assert.Equal(FactHtml.FormatMoney(0m, format), cells.Single(c => c.Label == "2022").Budget);
        Assert.Equal(PageText(language, "stats.none.budget_by_year"), cells[^2].Label);
        Assert.Equal(PageText(language, "stats.not_known"), cells[^2].Budget);
        Assert.Equal(FactHtml.FormatMoney(8000.50m, format), cells[^1].Budget);
        Assert.Equal(PageText(language, "stats.total"), cells[^1].Label);

        // The download links carry the same filters; the search link goes back to the same search.
        Assert.Contains($"/api/v1/statistics/budget-by-year.csv?programme={data.Code}&amp;lang={language}", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/{language}/search?programme={data.Code}\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StatisticsPage_EveryTableWithoutOverlap_RowsAddUpToItsTotalRow(bool testProgrammeOnly)
    {
        var data = await DataAsync();
        var html = await GetTextAsync("/statistics" + (testProgrammeOnly ? $"?programme={data.Code}" : ""));
        var english = CultureInfo.GetCultureInfo("en-GB");
        decimal Money(string text) => text == "not known" ? 0m : decimal.Parse(WebUtility.HtmlDecode(text).Replace("EUR", "", StringComparison.Ordinal).Trim(' ', '\u00a0', '\u202f'), NumberStyles.Number, english);
        int Whole(string text) => int.Parse(text, NumberStyles.AllowThousands, english);
        var checkedTables = 0;
        foreach (Match section in Regex.Matches(html, "<section id=\"(?<key>[a-z-]+)\" class=\"stats-chart\".*?</section>", RegexOptions.Singleline))
        {
            var key = section.Groups["key"].Value;
            var rows = Regex.Match(section.Value, "<tbody>(?<rows>.*?)</tbody>", RegexOptions.Singleline).Groups["rows"].Value;
            var total = Regex.Match(section.Value, "<tfoot>(?<total>.*?)</tfoot>", RegexOptions.Singleline).Groups["total"].Value;
            if (total.Length == 0 || key is "projects-by-country" or "projects-by-region" or "projects-by-type")
            {
                continue; // themes and the projects' partner properties overlap: no total row, or a count of distinct projects
            }

            var numbers = (string part) => Regex.Matches(part, "<td class=\"num\">(?<n>[^<]*)</td>").Select(m => m.Groups["n"].Value).ToList();
            var width = key.StartsWith("budget", StringComparison.Ordinal) ? 5 : 1;
            var cells = numbers(rows).Chunk(width).ToList();
            var sums = numbers(total);
            Assert.Equal(Whole(sums[0]), cells.Sum(c => Whole(c[0])));
            if (width == 5)
            {
                Assert.Equal(Money(sums[1]), cells.Sum(c => Money(c[1])));
                Assert.Equal(Whole(sums[2]), cells.Sum(c => Whole(c[2])));
                Assert.Equal(Money(sums[3]), cells.Sum(c => Money(c[3])));
                Assert.Equal(Whole(sums[4]), cells.Sum(c => Whole(c[4])));
            }

            checkedTables++;
        }

        Assert.Equal(7, checkedTables);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("fr")]
    [InlineData("nl")]
    [InlineData("de")]
    public async Task StatisticsPage_EveryLanguage_HasEveryTextAndChart(string language)
    {
        var data = await DataAsync();
        foreach (var query in new[] { "", $"?programme={data.Code}&theme=water&status=planned&status=ongoing&status=closed&status=unknown&kind=cross-border&role=lead-partner&budget=lt-100k&country=BE&q=x" })
        {
            var html = await GetTextAsync($"/{language}/statistics{query}");
            Assert.DoesNotContain("stats.", HtmlText.Of(html), StringComparison.Ordinal);
        }

        var all = await GetTextAsync($"/{language}/statistics");
        Assert.Contains($"<html lang=\"{language}\">", all, StringComparison.Ordinal);
        foreach (var chart in StatisticsCharts.All)
        {
            Assert.Contains($"<section id=\"{chart}\"", all, StringComparison.Ordinal);
        }

        Assert.Contains($"href=\"/{language}/statistics\"", all, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status=bogus")]
    [InlineData("type=programme")]
    [InlineData("country=GR")]
    [InlineData("budget=cheap")]
    [InlineData("lang=es")]
    public async Task Statistics_BadFilter_Returns400InvalidParameter(string query)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/api/v1/statistics?" + query, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("invalid_parameter", problem.GetProperty("errorCode").GetString());

        var csv = await client.GetAsync("/api/v1/statistics/budget-by-year.csv?" + query, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, csv.StatusCode);
        if (!query.StartsWith("lang", StringComparison.Ordinal))
        {
            var page = await GetTextAsync("/statistics?" + query, HttpStatusCode.BadRequest);
            Assert.Contains("role=\"alert\"", page, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/api/v1/statistics/budget-by-nothing.csv", HttpStatusCode.NotFound, "not_found")]
    [InlineData("/api/v1/statistics/budget-by-year.json", HttpStatusCode.BadRequest, "unsupported_format")]
    public async Task StatisticsTable_UnknownChartOrFormat_ReturnsProblem(string path, HttpStatusCode status, string errorCode)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, Ct);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(errorCode, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task SearchPage_Results_LinkToTheStatisticsOfTheSameSearch()
    {
        var data = await DataAsync();
        var html = await GetTextAsync($"/fr/search?q=statistics&programme={data.Code}&theme=water&sort=budget-desc&page=1");
        Assert.Contains($"href=\"/fr/statistics?q=statistics&amp;programme={data.Code}&amp;theme=water\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyFigures_Registry_AgreeWithTheStatisticsAndTheRegistry()
    {
        await DataAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var cached = await scope.ServiceProvider.GetRequiredService<KeyFigures>().GetAsync(Ct);
        Assert.True(cached.IsCurrent);
        var figures = cached.Value;
        var report = await GetJsonAsync("/api/v1/statistics");
        var total = report.GetProperty("total");

        // The home page counts in the database, the statistics in the search index: both must say the same.
        Assert.Equal(total.GetProperty("projects").GetInt32(), figures.Projects.Count);
        Assert.Equal(report.GetProperty("partners").GetInt32(), figures.Partners.Count);
        Assert.Equal(Amount(total, "budget"), (figures.ProjectBudgets.Total, figures.ProjectBudgets.Known, figures.ProjectBudgets.Unknown));
        Assert.Equal(await _x.DbAsync(db => db.Programmes.CountAsync(p => p.IsPublished, Ct)), figures.Programmes.Count);
    }

    private string PageText(string language, string key) => app.Services.GetRequiredService<Passerelle.Web.Localization.UiText>().Get(language, key);

    /// <summary>A row of a budget table: its label, projects, total budget and unknown budgets.</summary>
    [GeneratedRegex("""<tr[^>]*>\s*<th scope="row"[^>]*>(?<label>[^<]*)</th>\s*<td class="num">(?<projects>[^<]*)</td>\s*<td class="num">(?<budget>[^<]*)</td>\s*<td class="num">(?<unknown>[^<]*)</td>""")]
    private static partial Regex TableRows();

    /// <summary>The cells of one CSV line (RFC 4180: quoted cells may hold commas and doubled quotes).</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
