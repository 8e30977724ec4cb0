using System.Net;

using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Exports.ExportTestSupport;

namespace Passerelle.Web.Tests.Exports;

public sealed class SqliteOperationsMergeTests(PasserelleApp app) : OperationsMergeTests<PasserelleApp>(app);

public sealed class PostgresOperationsMergeTests(PostgresApp app) : OperationsMergeTests<PostgresApp>(app);

/// <summary>
/// The list of operations streamed as a merge join of two flat queries (ADR 32) writes the same bytes as the one-query
/// EF projection it replaces, on both databases: drafts and unpublished programmes and organisations, two lead partners,
/// partners with the same name, unknown values and cells a spreadsheet would run as formulas.
/// </summary>
public abstract class OperationsMergeTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Built(string Tag, string ProgrammeSlug, string ProgrammeCode, string DraftProgrammeCode);

    private async Task<Built> BuildAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        return await app.WriteAsync(async session =>
        {
            var programme = session.Create(new Programme
            {
                Slug = "merge-test-" + tag.ToLowerInvariant(),
                Code = "MT" + tag,
                Period = "2021-2027",
                Kind = ProgrammeKind.CrossBorder,
                Funds = ["ERDF", "IPA III"],
            });
            var draftProgramme = session.Create(new Programme
            {
                Slug = "merge-draft-" + tag.ToLowerInvariant(),
                Code = "MD" + tag,
                Period = "2014-2020",
                Kind = ProgrammeKind.CrossBorder,
                Funds = ["ERDF"],
                IsPublished = false,
            });

            var n = 0;
            Organisation Organisation(string name, string? country, bool published = true, string? city = null, double? lat = null, double? lon = null) =>
                session.Create(new Organisation
                {
                    Slug = $"merge-{tag.ToLowerInvariant()}-{++n}",
                    Name = name,
                    Country = country,
                    City = city,
                    Latitude = lat,
                    Longitude = lon,
                    IsPublished = published,
                });

            // Created first, so the lowest id of the two leads: the beneficiary.
            var firstLead = Organisation($"Zeta lead {tag}", "FR", city: "Lille", lat: 50.6365, lon: 3.0635);
            var secondLead = Organisation($"Alpha lead {tag}", "BE", city: "Kortrijk", lat: 50.8279, lon: 3.2649);
            var twinA = Organisation($"Same name {tag}", "NL");
            var twinB = Organisation($"Same name {tag}", "DE");
            var formula = Organisation($"=HYPERLINK(\"x\",\"{tag}\")", "LU");
            var quoted = Organisation($"Ville de \"Tournai\", {tag}", "BE", city: "Tournai");
            var hidden = Organisation($"Hidden partner {tag}", "FR", published: false);
            var hiddenLead = Organisation($"Hidden lead {tag}", "FR", published: false, city: "Arras", lat: 50.29, lon: 2.78);
            var noCountry = Organisation($"Unknown country {tag}", null);

            Project Project(string acronym, Programme? owner, string code, bool published = true)
            {
                var p = session.Create(new Project
                {
                    Slug = $"merge-{tag.ToLowerInvariant()}-{++n}",
                    Acronym = acronym,
                    ProgrammeCode = code,
                    Programme = owner,
                    IsPublished = published,
                });
                p.Title = new() { En = $"Title of {acronym}", Fr = acronym.StartsWith('B') ? $"Titre de {acronym}" : null };
                return p;
            }

            void Link(Project project, Organisation organisation, ParticipationRole role) =>
                session.Create(new Participation { Project = project, Organisation = organisation, Role = role });

            var rich = Project("B-RICH", programme, programme.Code);
            rich.Summary = new() { En = "+cmd|' /C calc'!A0, with \"quotes\"\r\nand lines", Nl = "Samenvatting" };
            rich.StartDate = "2022-01-01";
            rich.EndDate = "2025-06";
            rich.TotalBudget = 1_234_567.89m;
            rich.EuContribution = 987_654.32m;
            rich.SpecificObjective = "RSO2.4";
            rich.InterventionField = "058";
            Link(rich, secondLead, ParticipationRole.LeadPartner);
            Link(rich, firstLead, ParticipationRole.LeadPartner);
            Link(rich, twinB, ParticipationRole.Partner);
            Link(rich, twinA, ParticipationRole.Partner);
            Link(rich, formula, ParticipationRole.AssociatedPartner);
            Link(rich, quoted, ParticipationRole.Partner);
            Link(rich, hidden, ParticipationRole.Partner);
            Link(rich, noCountry, ParticipationRole.Partner);

            // The same acronym twice in one programme: ordered by id.
            var same1 = Project("A-SAME", programme, programme.Code);
            same1.StatedEuRate = 0.8m;
            Link(same1, hiddenLead, ParticipationRole.LeadPartner);
            Link(same1, quoted, ParticipationRole.Partner);
            var same2 = Project("A-SAME", programme, programme.Code);
            Link(same2, twinA, ParticipationRole.LeadPartner);

            var empty = Project("C-EMPTY", programme, programme.Code);
            var draft = Project("D-DRAFT", programme, programme.Code, published: false);
            Link(draft, firstLead, ParticipationRole.LeadPartner);
            Link(draft, twinB, ParticipationRole.Partner);

            var underDraftProgramme = Project("E-UNDER-DRAFT", draftProgramme, draftProgramme.Code);
            Link(underDraftProgramme, firstLead, ParticipationRole.Partner);
            var noProgramme = Project("F-NO-PROGRAMME", null, "MX" + tag);
            Link(noProgramme, formula, ParticipationRole.LeadPartner);
            _ = empty;
            await session.FlushAsync();
            return new Built(tag, programme.Slug, programme.Code, draftProgramme.Code);
        });
    }

    private async Task<byte[]> CsvAsync(Func<OperationsList, IAsyncEnumerable<OperationRow>> rows) =>
        await app.WithDbAsync(async db =>
        {
            using var output = new MemoryStream();
            await new CsvExportWriter().WriteAsync(output, OperationsList.Columns, rows(new OperationsList(db)), Ct);
            return output.ToArray();
        });

    [Fact]
    public async Task Operations_AllProgrammes_SameBytesAsTheProjection()
    {
        var built = await BuildAsync();

        var merged = await CsvAsync(o => o.Operations(ct: Ct));
        var projection = await CsvAsync(o => o.OperationsByProjection());

        Assert.Equal(projection, merged);
        var text = System.Text.Encoding.UTF8.GetString(merged);
        Assert.Contains("A-SAME", text, StringComparison.Ordinal);
        Assert.Contains("E-UNDER-DRAFT", text, StringComparison.Ordinal);
        Assert.Contains("F-NO-PROGRAMME", text, StringComparison.Ordinal);
        Assert.DoesNotContain("D-DRAFT", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hidden", text, StringComparison.Ordinal);
        Assert.Contains(built.DraftProgrammeCode + ",E-UNDER-DRAFT", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_OneProgramme_SameBytesAsTheProjectionAndOverHttp()
    {
        var built = await BuildAsync();

        foreach (var programme in new[] { built.ProgrammeSlug, built.ProgrammeCode, built.DraftProgrammeCode, "MX" + built.Tag, "no-such-programme" })
        {
            var merged = await CsvAsync(o => o.Operations(programme, Ct));
            var projection = await CsvAsync(o => o.OperationsByProjection(programme));
            Assert.Equal(projection, merged);

            using var client = app.CreateClient();
            var response = await client.GetAsync("/api/v1/exports/operations.csv?programme=" + Uri.EscapeDataString(programme), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(projection, await response.Content.ReadAsByteArrayAsync(Ct));
        }
    }

    [Fact]
    public async Task Operations_TwoLeadsTwinsAndFormulas_LeadIsLowestIdAndCellsGuarded()
    {
        var built = await BuildAsync();
        var file = TempFile(".csv");
        try
        {
            await File.WriteAllBytesAsync(file, await CsvAsync(o => o.Operations(built.ProgrammeSlug, Ct)), Ct);
            var table = ReadCsvWithPython(file);
            var header = table[0];
            string Cell(List<string> row, string column) => row[header.IndexOf(column)];

            Assert.Equal(["A-SAME", "A-SAME", "B-RICH", "C-EMPTY"], table.Skip(1).Select(r => Cell(r, "Operation acronym")));
            var rich = table[3];
            Assert.Equal($"Zeta lead {built.Tag}", Cell(rich, "Beneficiary (lead partner)"));
            Assert.Equal("Lille", Cell(rich, "Location indicator"));
            Assert.Equal("50.6365, 3.0635", Cell(rich, "Geolocation (lat, lon)"));
            Assert.Equal(
                $"'=HYPERLINK(\"x\",\"{built.Tag}\"); Same name {built.Tag}; Same name {built.Tag}; Unknown country {built.Tag}; Ville de \"Tournai\", {built.Tag}",
                Cell(rich, "Other partners"));
            Assert.Equal("BE; FR; LU; DE; NL", Cell(rich, "Country"));
            Assert.StartsWith("'+cmd", Cell(rich, "Purpose and achievements"), StringComparison.Ordinal);
            Assert.Equal("ERDF; IPA III", Cell(rich, "Fund"));
            // The first A-SAME's only lead is not published: no beneficiary, no location, the partner still listed.
            Assert.Equal("", Cell(table[1], "Beneficiary (lead partner)"));
            Assert.Equal("", Cell(table[1], "Geolocation (lat, lon)"));
            Assert.Equal("80", Cell(table[1], "Union co-financing rate (%)"));
            Assert.Equal("", Cell(table[4], "Other partners"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
