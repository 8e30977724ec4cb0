using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Exports;

public sealed class SqliteExportPartsTests(PasserelleApp app) : ExportPartsTests<PasserelleApp>(app);

public sealed class PostgresExportPartsTests(PostgresApp app) : ExportPartsTests<PostgresApp>(app);

/// <summary>
/// The full list of operations and keep.eu tables kept in parts, one per programme column value (ADR 39): after a
/// change, only the parts of the programmes whose rows changed are read from the database again, and the file is byte
/// for byte the one the database gives in one pass — an edited value, a project moved to another programme (listed
/// once, under its new one), a partner renamed in the projects of two programmes, a new programme code sorted into
/// place, a part's file lost.
/// </summary>
public abstract class ExportPartsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ExportParts Parts => app.Services.GetRequiredService<ExportParts>();

    private sealed record Built(string Tag, int Edited, int Moved, int PartnerId, string CodeA, string CodeB, string CodeC);

    /// <summary>
    /// Three programme codes of their own, two projects each; one organisation partner in A and C; a project coded C in
    /// a published programme.
    /// </summary>
    private async Task<Built> BuildAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        return await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var partner = session.Create(new Organisation { Slug = "parts-" + tag.ToLowerInvariant(), Name = "Partner " + tag, Country = "BE" });
            session.SetValue(partner, Fields.Organisation.Name, partner.Name, source);
            var n = 0;
            Project Project(string code, bool linked = false)
            {
                var p = session.Create(new Project { Slug = $"parts-{tag.ToLowerInvariant()}-{++n}", Acronym = $"P{n}-{tag}", ProgrammeCode = code });
                session.SetValue(p, Fields.Project.Acronym, p.Acronym, source);
                session.SetValue(p, Fields.Project.TotalBudget, (1000 * n).ToString(System.Globalization.CultureInfo.InvariantCulture), source);
                if (linked)
                {
                    session.Create(new Participation { Project = p, Organisation = partner, Role = ParticipationRole.LeadPartner });
                }

                return p;
            }

            var (a, b, c) = ("PTA" + tag, "PTB" + tag, "PTC" + tag);
            var edited = Project(a, linked: true);
            Project(a);
            var moved = Project(b);
            Project(b);
            Project(c, linked: true);
            Project(c);
            // Coded C but in a published programme: listed under the programme's slug, never in C's part.
            var programme = session.Create(new Programme
            {
                Slug = "parts-" + tag.ToLowerInvariant(),
                Code = "PTP" + tag,
                Period = "2021-2027",
                Kind = ProgrammeKind.CrossBorder,
                Funds = ["ERDF"],
            });
            var trap = Project(c);
            trap.Programme = programme;
            await session.FlushAsync(ct: Ct);
            return new Built(tag, edited.Id, moved.Id, partner.Id, a, b, c);
        });
    }

    /// <summary>The full list (or keep.eu table) through the parts, and the same file read from the database in one pass.</summary>
    private async Task<(byte[] Parted, byte[] OnePass, ExportParts.PartsWritten Written)> WriteAsync(string export = "operations")
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            using var parted = new MemoryStream();
            await WriteFullAsync(db, export, Parts, parted);
            var written = Parts.Last[export];
            var onePass = await app.WithDbAsync(async db =>
            {
                using var output = new MemoryStream();
                var writer = new CsvExportWriter();
                await (export switch
                {
                    "operations" => writer.WriteAsync(output, OperationsList.Columns, new OperationsList(db).Operations(ct: Ct), Ct),
                    "keep-projects" => writer.WriteAsync(output, KeepTables.ProjectColumns, new KeepTables(db).Projects(), Ct),
                    // The one-query projection: a reference that shares neither the parts' reader nor their key filter.
                    "kohesio" => new KohesioCsv(db) { ByProjection = true }.WriteAsync(output, new KohesioFilter(), complete: false, Ct),
                    _ => writer.WriteAsync(output, KeepTables.PartnerColumns, new KeepTables(db).Partners(), Ct),
                });
                return output.ToArray();
            });
            return (parted.ToArray(), onePass, written);
        }
    }

    /// <summary>The full file through <paramref name="parts"/>, as its route writes it; the Kohesio CSV's count of incomplete operations.</summary>
    private static async Task<long?> WriteFullAsync(PasserelleDbContext db, string export, ExportParts parts, Stream body)
    {
        if (export == "kohesio")
        {
            await using var full = await new KohesioCsv(db).OpenFullAsync(parts, Ct);
            await full.WriteAsync(body, Ct);
            return full.IncompleteOperations;
        }

        await (export switch
        {
            "operations" => new OperationsList(db).WriteFullCsvAsync(parts, body, Ct),
            "keep-projects" => new KeepTables(db).WriteFullProjectsCsvAsync(parts, body, Ct),
            _ => new KeepTables(db).WriteFullPartnersCsvAsync(parts, body, Ct),
        });
        return null;
    }

    private static void AssertStale(ExportParts.PartsWritten written, params string[] keys)
    {
        Assert.NotNull(written.Stale);
        Assert.Equal(keys.Order(StringComparer.Ordinal), written.Stale.Order(StringComparer.Ordinal));
    }

    private Task EditAsync(Func<WriteSession, Task> edit) => app.WriteAsync(async session =>
    {
        await edit(session);
        return 0;
    });

    private static async Task<Project> ProjectAsync(WriteSession session, int id)
    {
        var p = await session.Db.Projects.SingleAsync(x => x.Id == id, Ct);
        await session.LoadValuesAsync([p], Ct);
        return p;
    }

    [Fact]
    public async Task WriteFullCsv_OneProjectEdited_OnlyItsProgrammesPartReadAgainAndTheSameBytesAsOnePass()
    {
        var built = await BuildAsync();
        await WriteAsync();

        await EditAsync(async session =>
            session.SetValue(await ProjectAsync(session, built.Edited), Fields.Project.TotalBudget, "424242", await PasserelleApp.TestSourceAsync(session)));
        var (parted, onePass, written) = await WriteAsync();

        AssertStale(written, built.CodeA);
        Assert.Equal(1, written.Read);
        Assert.True(written.Copied > 1, $"{written.Copied} parts copied");
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
        Assert.Contains("424242", Encoding.UTF8.GetString(parted), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteFullCsv_ProjectMovedToAnotherProgramme_BothPartsReadAgainAndListedOnce()
    {
        var built = await BuildAsync();
        await WriteAsync();

        await EditAsync(async session => (await ProjectAsync(session, built.Moved)).ProgrammeCode = built.CodeC);
        var (parted, onePass, written) = await WriteAsync();

        AssertStale(written, built.CodeB, built.CodeC);
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
        var text = Encoding.UTF8.GetString(parted);
        Assert.Single(text.Split("\r\n"), line => line.StartsWith($"{built.CodeC},P3-{built.Tag},", StringComparison.Ordinal));
        Assert.DoesNotContain($"{built.CodeB},P3-{built.Tag},", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteFullCsv_PartnerRenamed_PartsOfItsProjectsProgrammesReadAgain()
    {
        var built = await BuildAsync();
        await WriteAsync();

        await EditAsync(async session =>
        {
            var o = await session.Db.Organisations.SingleAsync(x => x.Id == built.PartnerId, Ct);
            await session.LoadValuesAsync([o], Ct);
            session.SetValue(o, Fields.Organisation.Name, "Renamed partner " + built.Tag, await PasserelleApp.TestSourceAsync(session));
        });
        var (parted, onePass, written) = await WriteAsync();

        AssertStale(written, built.CodeA, built.CodeC);
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
        Assert.Equal(2, Encoding.UTF8.GetString(parted).Split("Renamed partner " + built.Tag).Length - 1);
    }

    [Fact]
    public async Task WriteFullCsv_PartnerRemoved_OnlyItsProjectsProgrammePartReadAgain()
    {
        var built = await BuildAsync();
        await WriteAsync();

        // The feed names a removed participation "project/organisation", deleted: its project is read again, not all.
        await EditAsync(async session =>
        {
            var link = await session.Db.Participations.SingleAsync(x => x.OrganisationId == built.PartnerId && x.ProjectId != built.Edited, Ct);
            session.Db.Participations.Remove(link);
        });
        var (parted, onePass, written) = await WriteAsync();

        AssertStale(written, built.CodeC);
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
        Assert.Equal(1, Encoding.UTF8.GetString(parted).Split("Partner " + built.Tag).Length - 1);
    }

    [Fact]
    public async Task WriteFullCsv_OnlyAGroupingEdited_EveryPartCopied()
    {
        var built = await BuildAsync();
        await WriteAsync();

        // Groupings show in no row of the list: their entries in the feed leave every part as it is.
        await EditAsync(async session =>
        {
            var grouping = await session.Db.Groupings.OrderBy(g => g.Id).FirstAsync(Ct);
            grouping.Website = "https://example.org/" + built.Tag;
        });
        var (parted, onePass, written) = await WriteAsync();

        AssertStale(written);
        Assert.Equal(0, written.Read);
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
    }

    [Fact]
    public async Task WriteFullCsv_NewProgrammeCode_ItsPartSortedIntoPlace()
    {
        var built = await BuildAsync();
        await WriteAsync();

        // Between A and B in every collation: the database orders the new key among the parts' keys.
        var between = "PTAZ" + built.Tag;
        await EditAsync(async session => (await ProjectAsync(session, built.Edited)).ProgrammeCode = between);
        var (parted, onePass, written) = await WriteAsync();

        AssertStale(written, built.CodeA, between);
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
        var text = Encoding.UTF8.GetString(parted);
        Assert.True(text.IndexOf(built.CodeA + ",", StringComparison.Ordinal) < text.IndexOf(between + ",", StringComparison.Ordinal));
        Assert.True(text.IndexOf(between + ",", StringComparison.Ordinal) < text.IndexOf(built.CodeB + ",", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("operations")]
    [InlineData("kohesio")]
    public async Task WriteFullCsv_ProgrammeRenamed_OnlyItsProjectsPartReadAgain(string export)
    {
        var built = await BuildAsync();
        await WriteAsync(export);

        await EditAsync(async session =>
        {
            var programme = await session.Db.Programmes.SingleAsync(g => g.Code == "PTP" + built.Tag, Ct);
            await session.LoadValuesAsync([programme], Ct);
            session.SetValue(programme, Fields.Programme.Name.En, "Renamed programme " + built.Tag, await PasserelleApp.TestSourceAsync(session));
        });
        var (parted, onePass, written) = await WriteAsync(export);

        // The programme's one project, listed under its slug; every other part kept.
        AssertStale(written, "parts-" + built.Tag.ToLowerInvariant());
        Assert.True(written.Copied > 0, $"{written.Copied} parts copied");
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
        if (export == "kohesio")
        {
            Assert.Contains("Renamed programme " + built.Tag, Encoding.UTF8.GetString(parted), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WriteFullCsv_ProgrammeUnpublished_ItsProjectsMovedToTheirCodesPart()
    {
        var built = await BuildAsync();
        await WriteAsync();

        await EditAsync(async session =>
        {
            var programme = await session.Db.Programmes.SingleAsync(g => g.Code == "PTP" + built.Tag, Ct);
            programme.IsPublished = false;
        });
        var (parted, onePass, written) = await WriteAsync();

        // Its project is now listed under its own code, C: the slug's part read (it is gone) and C's.
        AssertStale(written, "parts-" + built.Tag.ToLowerInvariant(), built.CodeC);
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
        Assert.DoesNotContain("parts-" + built.Tag.ToLowerInvariant() + ",", Encoding.UTF8.GetString(parted), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteFullCsv_PartFileLost_ItsRowsReadAgainFromTheDatabase()
    {
        var built = await BuildAsync();
        await WriteAsync();
        var (_, _, unchanged) = await WriteAsync();
        AssertStale(unchanged);
        Assert.Equal(0, unchanged.Read);

        // Every part's file, as if the folder had been cleaned by hand: the manifest lists them, the disk has none.
        foreach (var file in Directory.EnumerateFiles(app.ExportFilesFolder, "*.csv", SearchOption.AllDirectories)
                     .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "operations.parts"))
        {
            File.Delete(file);
        }

        await EditAsync(async session =>
            session.SetValue(await ProjectAsync(session, built.Moved), Fields.Project.TotalBudget, "77", await PasserelleApp.TestSourceAsync(session)));
        var (parted, onePass, written) = await WriteAsync();

        Assert.Equal(0, written.Copied);
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
    }

    [Theory]
    [InlineData("keep-projects")]
    [InlineData("keep-partners")]
    [InlineData("kohesio")]
    public async Task WriteFullCsv_KeepTableOrKohesioAfterAnEditAndARename_OnlyTheirProgrammesPartsReadAgain(string export)
    {
        var built = await BuildAsync();
        await WriteAsync(export);

        await EditAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            session.SetValue(await ProjectAsync(session, built.Moved), Fields.Project.TotalBudget, "31337", source);
            var o = await session.Db.Organisations.SingleAsync(x => x.Id == built.PartnerId, Ct);
            await session.LoadValuesAsync([o], Ct);
            session.SetValue(o, Fields.Organisation.Name, "Renamed keep partner " + built.Tag, source);
        });
        var (parted, onePass, written) = await WriteAsync(export);

        AssertStale(written, built.CodeA, built.CodeB, built.CodeC);
        Assert.True(written.Copied > 0, $"{written.Copied} parts copied");
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(parted));
        Assert.Contains("Renamed keep partner " + built.Tag, Encoding.UTF8.GetString(parted), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/exports/keep/projects.csv", "keep-projects")]
    [InlineData("/api/v1/exports/keep/partners.csv", "keep-partners")]
    public async Task KeepCsv_Route_WrittenThroughTheParts(string path, string export)
    {
        var built = await BuildAsync();
        await WriteAsync(export);
        await EditAsync(async session =>
            session.SetValue(await ProjectAsync(session, built.Edited), Fields.Project.TotalBudget, "6160", await PasserelleApp.TestSourceAsync(session)));

        using var client = app.CreateClient();
        var body = await client.GetByteArrayAsync(path, Ct);
        var (_, onePass, written) = await WriteAsync(export);

        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(body));
        AssertStale(written);
    }

    [Fact]
    public async Task KohesioCsv_Route_IncompleteCountFromThePartsAndBodyCopiedFromThem()
    {
        var built = await BuildAsync();
        using var client = app.CreateClient();
        async Task<(long Count, string Body)> DownloadAsync()
        {
            using var response = await client.GetAsync("/api/v1/exports/kohesio.csv", Ct);
            response.EnsureSuccessStatusCode();
            var count = long.Parse(response.Headers.GetValues("X-Kohesio-Incomplete-Operations").Single(), System.Globalization.CultureInfo.InvariantCulture);
            return (count, await response.Content.ReadAsStringAsync(Ct));
        }

        var (before, _) = await DownloadAsync();

        // A new operation in B, without dates or amounts: one more incomplete operation, in B's part only.
        var added = await app.WriteAsync(async session =>
        {
            var p = session.Create(new Project { Slug = $"parts-{built.Tag.ToLowerInvariant()}-new", Acronym = "PNEW-" + built.Tag, ProgrammeCode = built.CodeB });
            session.SetValue(p, Fields.Project.Acronym, p.Acronym, await PasserelleApp.TestSourceAsync(session));
            await session.FlushAsync(ct: Ct);
            return p.Id;
        });
        var (after, body) = await DownloadAsync();
        var download = Parts.Last["kohesio"];
        var fromDatabase = await app.WithDbAsync(db => new KohesioCsv(db) { ByProjection = true }.CountIncompleteAsync(new KohesioFilter(), Ct));
        var (_, onePass, _) = await WriteAsync("kohesio");

        Assert.Equal(before + 1, after);
        Assert.Equal(fromDatabase, after);
        Assert.Equal(Encoding.UTF8.GetString(onePass), body);
        Assert.Contains(KohesioCsv.OperationIdOf(added) + ",", body, StringComparison.Ordinal);
        // One run of the parts for the count and the body: B read again, once, and every other part kept.
        AssertStale(download, built.CodeB);
        Assert.Equal(1, download.Read);
    }

    [Theory]
    [InlineData("operations")]
    [InlineData("keep-projects")]
    [InlineData("keep-partners")]
    [InlineData("kohesio")]
    public async Task WriteFullCsv_NoFilesFolder_WrittenFromTheDatabaseInOnePassWithTheSameBytes(string export)
    {
        await BuildAsync();
        // Files off (Exports:FilesPath empty): the parts cannot answer, and the export is the database's alone.
        var noFolder = new ExportParts(Options.Create(new ExportFilesOptions { FilesPath = null }), NullLogger<ExportParts>.Instance);
        using var written = new MemoryStream();
        long? incomplete;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            incomplete = await WriteFullAsync(scope.ServiceProvider.GetRequiredService<PasserelleDbContext>(), export, noFolder, written);
        }

        var (_, onePass, _) = await WriteAsync(export);

        Assert.Empty(noFolder.Last);
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(written.ToArray()));
        if (export == "kohesio")
        {
            Assert.Equal(await app.WithDbAsync(db => new KohesioCsv(db) { ByProjection = true }.CountIncompleteAsync(new KohesioFilter(), Ct)), incomplete);
        }
    }

    [Fact]
    public async Task KohesioOpenFull_ChangeAndAnotherDownloadBetweenCountAndBody_BodyIsTheCountedParts()
    {
        var built = await BuildAsync();
        var (_, before, _) = await WriteAsync("kohesio");
        await using var scope = app.Services.CreateAsyncScope();
        await using var full = await new KohesioCsv(scope.ServiceProvider.GetRequiredService<PasserelleDbContext>()).OpenFullAsync(Parts, Ct);
        var counted = await app.WithDbAsync(db => new KohesioCsv(db) { ByProjection = true }.CountIncompleteAsync(new KohesioFilter(), Ct));

        // After the count, before the body: a new incomplete operation in B, and a download that reads B's part again
        // (deleting the file of the part the first download opened).
        await app.WriteAsync(async session =>
        {
            var p = session.Create(new Project { Slug = $"parts-{built.Tag.ToLowerInvariant()}-late", Acronym = "PLATE-" + built.Tag, ProgrammeCode = built.CodeB });
            session.SetValue(p, Fields.Project.Acronym, p.Acronym, await PasserelleApp.TestSourceAsync(session));
            await session.FlushAsync(ct: Ct);
            return p.Id;
        });
        var (_, after, second) = await WriteAsync("kohesio");
        using var body = new MemoryStream();
        await full.WriteAsync(body, Ct);

        AssertStale(second, built.CodeB);
        Assert.Equal(counted, full.IncompleteOperations);
        Assert.Equal(Encoding.UTF8.GetString(before), Encoding.UTF8.GetString(body.ToArray()));
        Assert.NotEqual(Encoding.UTF8.GetString(after), Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task OperationsCsv_Route_WrittenThroughTheParts()
    {
        var built = await BuildAsync();
        await WriteAsync();
        await EditAsync(async session =>
            session.SetValue(await ProjectAsync(session, built.Edited), Fields.Project.TotalBudget, "5150", await PasserelleApp.TestSourceAsync(session)));

        using var client = app.CreateClient();
        var body = await client.GetByteArrayAsync("/api/v1/exports/operations.csv", Ct);
        var (_, onePass, _) = await WriteAsync();

        // The route's download was the write that read A again; the test's own write after it found nothing changed.
        Assert.Equal(Encoding.UTF8.GetString(onePass), Encoding.UTF8.GetString(body));
        AssertStale(Parts.Last["operations"]);
    }
}
