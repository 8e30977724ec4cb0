using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Exports;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Exports;

public sealed class SqliteKohesioMergeTests(PasserelleApp app) : KohesioMergeTests<PasserelleApp>(app);

public sealed class PostgresKohesioMergeTests(PostgresApp app) : KohesioMergeTests<PostgresApp>(app);

/// <summary>
/// The Kohesio CSV streamed as a merge join of three flat queries (ADR 32) writes the same bytes as the one-query EF
/// projection it replaces, on both databases: drafts, an unpublished programme and organisations, associated partners
/// (not beneficiaries), two sources disagreeing on a fact (one of them first, one value withdrawn), unknown values and
/// cells a spreadsheet would run as formulas; the file, the complete-only file and the report, unfiltered and filtered.
/// </summary>
public abstract class KohesioMergeTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Built(string Tag, string ProgrammeSlug, string ProgrammeCode, string DraftProgrammeSlug, int Rich);

    private async Task<Built> BuildAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var built = await app.WriteAsync(async session =>
        {
            var a = await session.SourceAsync(new Source { Key = "kohesio-merge-a-" + tag, Title = "Kohesio merge A " + tag }, Ct);
            var b = await session.SourceAsync(new Source { Key = "kohesio-merge-b-" + tag, Title = "Kohesio merge B " + tag }, Ct);
            var programme = session.Create(new Programme
            {
                Slug = "kmerge-" + tag.ToLowerInvariant(),
                Code = "KM" + tag,
                Period = "2021-2027",
                Kind = ProgrammeKind.CrossBorder,
                Funds = ["ERDF", "IPA III"],
                Countries = ["BE", "FR"],
            });
            session.SetValue(programme, Fields.Programme.Name.En, "Kohesio merge programme " + tag, a);
            var single = session.Create(new Programme
            {
                Slug = "kmerge-single-" + tag.ToLowerInvariant(),
                Code = "KS" + tag,
                Period = "2014-2020",
                Kind = ProgrammeKind.CrossBorder,
                Funds = ["ERDF"],
                Countries = ["IE"],
                Cci = "2014IE16RFOP002",
            });
            session.SetValue(single, Fields.Programme.Name["fr"], "Programme unique " + tag, a);
            var draftProgramme = session.Create(new Programme
            {
                Slug = "kmerge-draft-" + tag.ToLowerInvariant(),
                Code = "KD" + tag,
                Period = "2021-2027",
                Kind = ProgrammeKind.CrossBorder,
                Funds = ["ERDF"],
                IsPublished = false,
            });

            var n = 0;
            Organisation Organisation(string name, string? country, bool published = true, double? lat = null, double? lon = null) =>
                session.Create(new Organisation
                {
                    Slug = $"kmerge-{tag.ToLowerInvariant()}-{++n}",
                    Name = name,
                    Country = country,
                    Latitude = lat,
                    Longitude = lon,
                    IsPublished = published,
                });

            var zeta = Organisation($"Zeta lead {tag}", "FR", lat: 50.6365, lon: 3.0635);
            var alpha = Organisation($"Alpha lead {tag}", "BE", lat: 50.8279, lon: 3.2649);
            var twinA = Organisation($"Same name {tag}", "NL");
            var twinB = Organisation($"Same name {tag}", "DE");
            var formula = Organisation($"=HYPERLINK(\"x\",\"{tag}\")", "LU");
            var quoted = Organisation($"Ville de \"Tournai\", {tag}", "BE");
            var hidden = Organisation($"Hidden partner {tag}", "FR", published: false);
            var noCountry = Organisation($"Unknown country {tag}", null);

            Project Project(string acronym, Programme? owner, string code, bool published = true)
            {
                var p = session.Create(new Project
                {
                    Slug = $"kmerge-{tag.ToLowerInvariant()}-{++n}",
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
            rich.Priority = "-1 priority";
            rich.SpecificObjective = "RSO2.4";
            // Two sources disagree: A's operation id is first, B's fund is put first, A's postcode is withdrawn below.
            session.AddValue(rich, Fields.Project.OperationId, "=OP-A-" + tag, a);
            session.AddValue(rich, Fields.Project.OperationId, "OP-B-" + tag, b);
            session.AddValue(rich, Fields.Project.Fund, "IPA III", a);
            session.AddValue(rich, Fields.Project.Fund, "ERDF", b, first: true);
            session.AddValue(rich, Fields.Project.LocationPostcode, "59000", a);
            session.AddValue(rich, Fields.Project.LocationPostcode, "7500", b);
            session.AddValue(rich, Fields.Project.LocationNuts, "FRE11", a);
            session.AddValue(rich, Fields.Project.CategoryOfIntervention, "58", b);
            Link(rich, alpha, ParticipationRole.LeadPartner);
            Link(rich, zeta, ParticipationRole.LeadPartner);
            Link(rich, twinB, ParticipationRole.Partner);
            Link(rich, twinA, ParticipationRole.Partner);
            Link(rich, formula, ParticipationRole.AssociatedPartner);
            Link(rich, quoted, ParticipationRole.Partner);
            Link(rich, hidden, ParticipationRole.Partner);
            Link(rich, noCountry, ParticipationRole.Partner);

            var same1 = Project("A-SAME", programme, programme.Code);
            same1.StatedEuRate = 0.8m;
            same1.StartDate = "2021-03-04";
            session.AddValue(same1, Fields.Project.LocationPoint, "-9.05, 53.27", a);
            Link(same1, hidden, ParticipationRole.LeadPartner);
            Link(same1, quoted, ParticipationRole.Partner);
            var same2 = Project("A-SAME", programme, programme.Code);
            Link(same2, twinA, ParticipationRole.LeadPartner);
            session.AddValue(same2, Fields.Project.OperationId, "OP-SAME-2-" + tag, a);

            _ = Project("C-EMPTY", programme, programme.Code);
            var draft = Project("D-DRAFT", programme, programme.Code, published: false);
            Link(draft, zeta, ParticipationRole.LeadPartner);
            session.AddValue(draft, Fields.Project.OperationId, "OP-DRAFT-" + tag, a);

            var irish = Project("G-IRISH", single, single.Code);
            irish.TotalBudget = 10m;
            Link(irish, formula, ParticipationRole.Partner);
            var underDraftProgramme = Project("E-UNDER-DRAFT", draftProgramme, draftProgramme.Code);
            Link(underDraftProgramme, zeta, ParticipationRole.Partner);
            session.AddValue(underDraftProgramme, Fields.Project.Fund, "ERDF", a);
            var noProgramme = Project("F-NO-PROGRAMME", null, "KX" + tag);
            Link(noProgramme, formula, ParticipationRole.LeadPartner);
            await session.FlushAsync();
            return new Built(tag, programme.Slug, programme.Code, draftProgramme.Slug, rich.Id);
        });

        await app.WriteAsync(async session =>
        {
            var rich = await session.Db.Projects.SingleAsync(p => p.Id == built.Rich, Ct);
            await session.LoadValuesAsync([rich], Ct);
            var postcodeA = session.Values(rich, Fields.Project.LocationPostcode).Single(v => v.Value == "59000");
            session.Retract(rich, Fields.Project.LocationPostcode, postcodeA.Id);
            return 0;
        });
        return built;
    }

    private async Task<(byte[] Merged, byte[] Projection)> BothAsync(Func<KohesioCsv, Stream, Task> write) =>
        (await app.WithDbAsync(db => WriteAsync(new KohesioCsv(db), write)), await app.WithDbAsync(db => WriteAsync(new KohesioCsv(db) { ByProjection = true }, write)));

    private static async Task<byte[]> WriteAsync(KohesioCsv csv, Func<KohesioCsv, Stream, Task> write)
    {
        using var output = new MemoryStream();
        await write(csv, output);
        return output.ToArray();
    }

    [Fact]
    public async Task WriteAsync_AllProgrammes_SameBytesAsTheProjection()
    {
        var built = await BuildAsync();

        var (merged, projection) = await BothAsync((csv, output) => csv.WriteAsync(output, new KohesioFilter(), complete: false, Ct));

        Assert.Equal(projection, merged);
        var text = System.Text.Encoding.UTF8.GetString(merged);
        Assert.Contains("'=OP-A-" + built.Tag, text, StringComparison.Ordinal);
        Assert.Contains("OP-SAME-2-" + built.Tag, text, StringComparison.Ordinal);
        Assert.Contains(",7500,", text, StringComparison.Ordinal);
        Assert.DoesNotContain("59000", text, StringComparison.Ordinal);
        Assert.Contains("'=HYPERLINK", text, StringComparison.Ordinal);
        Assert.Contains("Title of E-UNDER-DRAFT", text, StringComparison.Ordinal);
        Assert.Contains("Title of F-NO-PROGRAMME", text, StringComparison.Ordinal);
        Assert.DoesNotContain("D-DRAFT", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hidden", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_FiltersCompleteAndReport_SameBytesAsTheProjection()
    {
        var built = await BuildAsync();

        var filters = new[]
        {
            new KohesioFilter(),
            new KohesioFilter(built.ProgrammeSlug),
            new KohesioFilter(built.ProgrammeCode),
            new KohesioFilter(built.DraftProgrammeSlug),
            new KohesioFilter("no-such-programme"),
            new KohesioFilter(Period: "2014-2020"),
            new KohesioFilter(built.ProgrammeSlug, "2021-2027"),
            new KohesioFilter(built.ProgrammeSlug, "2014-2020"),
        };
        foreach (var filter in filters)
        {
            var (complete, completeByProjection) = await BothAsync((csv, output) => csv.WriteAsync(output, filter, complete: true, Ct));
            Assert.Equal(completeByProjection, complete);
            var (report, reportByProjection) = await BothAsync((csv, output) => csv.WriteReportAsync(output, filter, Ct));
            Assert.Equal(reportByProjection, report);
            if (filter.Programme is not null)
            {
                var (all, allByProjection) = await BothAsync((csv, output) => csv.WriteAsync(output, filter, complete: false, Ct));
                Assert.Equal(allByProjection, all);
            }
        }
    }
}
