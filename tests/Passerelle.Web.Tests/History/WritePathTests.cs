using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.DefaultData;
using Passerelle.Core.Exports;
using Passerelle.Core.History;
using Passerelle.Core.Imports;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Imports;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.History;

public sealed class SqliteWritePathTests(PasserelleApp app) : WritePathTests<PasserelleApp>(app);

public sealed class PostgresWritePathTests(PostgresApp app) : WritePathTests<PostgresApp>(app);

/// <summary>
/// The one write path (ADR 0010) seen from the outside: every writer leaves a revision for every value and record, an
/// unchanged file writes nothing, re-seeding keeps what imports added, and nothing bypasses the session.
/// </summary>
public abstract class WritePathTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Revisions_AfterStartSeedTerritoryImportAndImports_EveryFactRecordAndLinkHasOne()
    {
        await AssertEverythingHasARevisionAsync();

        // And after both keep.eu imports, which create projects, organisations, aliases and participations.
        var projects = ImportSupport.WriteCsv("projects.csv", ImportSupport.ProjectsHeader + "\r\n"
            + ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2021-2027"), (KeepColumns.Acronym, "REVISED"), (KeepColumns.TitleEn, "A project written by a test"),
                (KeepColumns.TotalBudget, "1000"), (KeepColumns.StartDate, "2023-01")) + "\r\n");
        var partners = ImportSupport.WriteCsv("partners.csv", ImportSupport.PartnersHeader + "\r\n"
            + ImportSupport.PartnerRow((KeepColumns.Programme, "fwv-2021-2027"), (KeepColumns.ProjectAcronym, "REVISED"), (KeepColumns.PartnerName, "Ville de Revision"),
                (KeepColumns.Role, "lead partner"), (KeepColumns.Country, "FR"), (KeepColumns.PartnerBudget, "500")) + "\r\n"
            + ImportSupport.PartnerRow((KeepColumns.Programme, "fwv-2021-2027"), (KeepColumns.ProjectAcronym, "REVISED"), (KeepColumns.PartnerName, "METROPOLE EUROPEENNE DE LILLE"),
                (KeepColumns.Role, "partner")) + "\r\n");
        Assert.True((await ImportSupport.ImportAsync(app, ImportTable.Projects, projects)).Succeeded);
        Assert.True((await ImportSupport.ImportAsync(app, ImportTable.Partners, partners)).Succeeded);

        await AssertEverythingHasARevisionAsync();
        var changeSets = await app.WithDbAsync(db => db.ChangeSets.AsNoTracking().OrderBy(c => c.Id).ToListAsync(Ct));
        Assert.Contains(changeSets, c => c is { ActorKind: ActorKind.System, Actor: "start-up" });
        Assert.Contains(changeSets, c => c.Actor == "import projects" && c.Detail!.EndsWith("projects.csv", StringComparison.Ordinal));
        Assert.Contains(changeSets, c => c.Actor == "import partners" && c.Detail!.EndsWith("partners.csv", StringComparison.Ordinal));
    }

    private async Task AssertEverythingHasARevisionAsync()
    {
        var problems = await app.WithDbAsync(async db =>
        {
            var list = new List<string>();
            var revisions = await db.Revisions.AsNoTracking().ToListAsync(Ct);
            var factIds = revisions.Where(r => r.FactId is not null && r.Action is RevisionAction.Added or RevisionAction.Changed)
                .Select(r => r.FactId!.Value).ToHashSet();
            list.AddRange((await db.Facts.AsNoTracking().Select(f => new { f.Id, f.Field }).ToListAsync(Ct))
                .Where(f => !factIds.Contains(f.Id)).Select(f => $"fact {f.Id} ({f.Field})"));

            var created = revisions.Where(r => r.Action == RevisionAction.Created).Select(r => (r.SubjectType, r.SubjectId, r.SubjectKey)).ToHashSet();
            list.AddRange((await db.Projects.Select(p => p.Id).ToListAsync(Ct)).Where(id => !created.Contains((SubjectType.Project, id, null))).Select(id => $"project {id}"));
            list.AddRange((await db.Programmes.Select(p => p.Id).ToListAsync(Ct)).Where(id => !created.Contains((SubjectType.Programme, id, null))).Select(id => $"programme {id}"));
            list.AddRange((await db.Groupings.Select(p => p.Id).ToListAsync(Ct)).Where(id => !created.Contains((SubjectType.Grouping, id, null))).Select(id => $"grouping {id}"));
            list.AddRange((await db.Organisations.Select(p => p.Id).ToListAsync(Ct)).Where(id => !created.Contains((SubjectType.Organisation, id, null))).Select(id => $"organisation {id}"));
            list.AddRange((await db.Sources.Select(p => p.Id).ToListAsync(Ct)).Where(id => !created.Contains((SubjectType.Source, id, null))).Select(id => $"source {id}"));
            list.AddRange((await db.TerritoryUnits.Select(u => u.Code).ToListAsync(Ct)).Where(c => !created.Contains((SubjectType.Territory, 0, c))).Select(c => $"territory {c}"));

            // Links: as many "linked" revisions on a record as it has links of that kind.
            int Linked(SubjectType type, int id, string field) =>
                revisions.Count(r => r.SubjectType == type && r.SubjectId == id && r.Field == field && r.Action == RevisionAction.Linked)
                - revisions.Count(r => r.SubjectType == type && r.SubjectId == id && r.Field == field && r.Action == RevisionAction.Unlinked);
            foreach (var p in await db.Projects.AsNoTracking().Select(p => new { p.Id, Partners = p.Participations.Count, Themes = p.Themes.Count }).ToListAsync(Ct))
            {
                if (Linked(SubjectType.Project, p.Id, "participation") != p.Partners) { list.Add($"project {p.Id} participations"); }
                if (Linked(SubjectType.Project, p.Id, "theme") != p.Themes) { list.Add($"project {p.Id} themes"); }
            }

            foreach (var o in await db.Organisations.AsNoTracking().Select(o => new { o.Id, Aliases = o.Aliases.Count }).ToListAsync(Ct))
            {
                if (Linked(SubjectType.Organisation, o.Id, "alias") != o.Aliases) { list.Add($"organisation {o.Id} aliases"); }
            }

            foreach (var g in await db.Groupings.AsNoTracking().Select(g => new { g.Id, Members = g.Members.Count }).ToListAsync(Ct))
            {
                if (Linked(SubjectType.Grouping, g.Id, "member") != g.Members) { list.Add($"grouping {g.Id} members"); }
                var units = await db.GroupingTerritoryUnits.CountAsync(t => t.GroupingId == g.Id, Ct);
                if (Linked(SubjectType.Grouping, g.Id, "territory_unit") != units) { list.Add($"grouping {g.Id} territory"); }
            }

            foreach (var p in await db.Programmes.AsNoTracking().Select(p => p.Id).ToListAsync(Ct))
            {
                var units = await db.ProgrammeAreaUnits.CountAsync(a => a.ProgrammeId == p, Ct);
                if (Linked(SubjectType.Programme, p, "area_unit") != units) { list.Add($"programme {p} area"); }
            }

            return list;
        });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task History_AlarmBudget_ShowsSeedThenTheImportedChangeAndNothingForTheSameFileAgain()
    {
        async Task<List<Revision>> HistoryAsync() => await app.WithDbAsync(async db =>
        {
            var alarm = await db.Projects.SingleAsync(p => p.Slug == "alarm-fwv", Ct);
            return await db.Revisions.AsNoTracking()
                .Where(r => r.SubjectType == SubjectType.Project && r.SubjectId == alarm.Id && r.Field == Fields.Project.TotalBudget.Name)
                .OrderBy(r => r.Id).ToListAsync(Ct);
        });

        // After the seed: the two published figures, each from its source, the programme page's shown first.
        var seeded = await HistoryAsync();
        Assert.Equal(["2592458.80", "2900000"], seeded.Select(r => r.NewValue));
        Assert.All(seeded, r => Assert.Equal(RevisionAction.Added, r.Action));
        Assert.Null(seeded[0].OldValue);

        var file = ImportSupport.WriteCsv("alarm.csv", ImportSupport.ProjectsHeader + "\r\n"
            + ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2014-2020"), (KeepColumns.Acronym, "ALARM FWV"), (KeepColumns.TotalBudget, "2600000"),
                (KeepColumns.StartDate, "2016-10-01")) + "\r\n");
        var report = await ImportSupport.ImportAsync(app, ImportTable.Projects, file, "Final report of ALARM FWV");
        Assert.Equal((0, 1, 0), (report.Created, report.Updated, report.Unchanged));

        // One revision more: the new figure, shown first now, with the figure it replaced as the old value.
        var imported = await HistoryAsync();
        var change = Assert.Single(imported.Skip(seeded.Count));
        Assert.Equal((RevisionAction.Added, "2592458.80", "2600000", 0), (change.Action, change.OldValue, change.NewValue, change.NewRank));
        var sourceTitle = await app.WithDbAsync(db => db.Sources.Where(s => s.Id == change.SourceId).Select(s => s.Title).SingleAsync(Ct));
        Assert.Equal("Final report of ALARM FWV", sourceTitle);
        var (column, values) = await app.WithDbAsync(async db =>
        {
            var alarm = await db.Projects.AsNoTracking().SingleAsync(p => p.Slug == "alarm-fwv", Ct);
            var facts = await db.Facts.AsNoTracking()
                .Where(f => f.SubjectType == SubjectType.Project && f.SubjectId == alarm.Id && f.Field == "total_budget_eur" && !f.Retracted)
                .OrderBy(f => f.Rank).Select(f => f.Value).ToListAsync(Ct);
            return (alarm.TotalBudget, facts);
        });
        Assert.Equal(2600000m, column);
        Assert.Equal(["2600000", "2592458.80", "2900000"], values);

        // The same file again: nothing at all, not even a change set.
        var changeSets = await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct));
        var again = await ImportSupport.ImportAsync(app, ImportTable.Projects, file, "Final report of ALARM FWV");
        Assert.Equal((0, 0, 1), (again.Created, again.Updated, again.Unchanged));
        Assert.Equal(imported.Count, (await HistoryAsync()).Count);
        Assert.Equal(changeSets, await app.WithDbAsync(db => db.ChangeSets.CountAsync(Ct)));
    }

    [Fact]
    public async Task Import_ExportOfTheSameDatabase_CreatesUpdatesAndAddsNothingToAnyTable()
    {
        var projects = await ImportSupport.DownloadAsync(app, "/api/v1/exports/keep/projects.csv", ".csv");
        var partners = await ImportSupport.DownloadAsync(app, "/api/v1/exports/keep/partners.csv", ".csv");
        var before = await TableCountsAsync();

        var projectReport = await ImportSupport.ImportAsync(app, ImportTable.Projects, projects);
        var partnerReport = await ImportSupport.ImportAsync(app, ImportTable.Partners, partners);

        Assert.True(projectReport.Succeeded, projectReport.Format());
        Assert.True(partnerReport.Succeeded, partnerReport.Format());
        Assert.Equal((0, 0), (projectReport.Created, projectReport.Updated));
        Assert.Equal((0, 0), (partnerReport.Created, partnerReport.Updated));
        Assert.True(projectReport.Unchanged > 0 && partnerReport.Unchanged > 0);
        Assert.Equal(before, await TableCountsAsync());
    }

    [Fact]
    public async Task Import_FormulaGuardedCellsOfItsOwnExport_ImportBackToTheSameProject()
    {
        // A title and an acronym a spreadsheet would run as formulas: the export writes them with a leading quote.
        var file = ImportSupport.WriteCsv("formula.csv", ImportSupport.ProjectsHeader + "\r\n"
            + ImportSupport.ProjectRow((KeepColumns.Programme, "nwe-2021-2027"), (KeepColumns.Acronym, "=SUM(A1)"), (KeepColumns.TitleEn, "+ more cooperation"),
                (KeepColumns.KeepEuId, "990001")) + "\r\n");
        var first = await ImportSupport.ImportAsync(app, ImportTable.Projects, file);
        Assert.Equal(1, first.Created);

        var export = await ImportSupport.DownloadAsync(app, "/api/v1/exports/keep/projects.csv?programme=nwe-2021-2027", ".csv");
        Assert.Contains("'=SUM(A1)", await File.ReadAllTextAsync(export, Ct), StringComparison.Ordinal);
        var before = await TableCountsAsync();
        var again = await ImportSupport.ImportAsync(app, ImportTable.Projects, export);

        Assert.True(again.Succeeded, again.Format());
        Assert.Equal((0, 0), (again.Created, again.Updated));
        Assert.Equal(before, await TableCountsAsync());
        var acronyms = await app.WithDbAsync(db => db.Projects.Where(p => p.KeepEuId == "990001").Select(p => p.Acronym).ToListAsync(Ct));
        Assert.Equal(["=SUM(A1)"], acronyms);
    }

    [Fact]
    public async Task Import_ControlCharacterInATitle_IsRefusedWithRowAndColumn()
    {
        var file = ImportSupport.WriteCsv("nul.csv", ImportSupport.ProjectsHeader + "\r\n"
            + ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2021-2027"), (KeepColumns.Acronym, "NULL-BYTE"), (KeepColumns.TitleEn, "A title\0with a NUL byte")) + "\r\n");
        var before = await TableCountsAsync();

        var report = await ImportSupport.ImportAsync(app, ImportTable.Projects, file);

        var error = Assert.Single(report.Errors);
        Assert.Equal((2, KeepColumns.TitleEn), (error.Row, error.Column));
        Assert.Contains("control character (U+0000)", error.Reason, StringComparison.Ordinal);
        Assert.Equal(before, await TableCountsAsync());
    }

    [Fact]
    public async Task Import_DuplicateKeepEuIds_AreRefusedInTheFileAndAgainstTheRegistry()
    {
        var tecKeepId = await app.WithDbAsync(db => db.Projects.Where(p => p.Slug == "tec").Select(p => p.KeepEuId).SingleAsync(Ct));
        Assert.NotNull(tecKeepId);
        var file = ImportSupport.WriteCsv("keep-ids.csv", string.Join("\r\n",
            ImportSupport.ProjectsHeader,
            ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2021-2027"), (KeepColumns.Acronym, "TWIN-A"), (KeepColumns.KeepEuId, "770001")),
            ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2021-2027"), (KeepColumns.Acronym, "TWIN-B"), (KeepColumns.KeepEuId, "770001")),
            ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2021-2027"), (KeepColumns.Acronym, "NOT-TEC"), (KeepColumns.KeepEuId, tecKeepId))) + "\r\n");
        var before = await TableCountsAsync();

        var report = await ImportSupport.ImportAsync(app, ImportTable.Projects, file);

        Assert.Equal([(3, KeepColumns.KeepEuId), (4, KeepColumns.KeepEuId)], report.Errors.Select(e => (e.Row ?? 0, e.Column ?? "")).Order().ToList());
        Assert.Contains("row 2", report.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains(report.Errors, e => e.Reason.Contains("TEC!", StringComparison.Ordinal));
        Assert.Equal(before, await TableCountsAsync());
    }

    [Fact]
    public async Task Seed_AfterAnImportAddedAPartnerAndAnAlias_KeepsThemAndChangesNothing()
    {
        var file = ImportSupport.WriteCsv("valys-partners.csv", ImportSupport.PartnersHeader + "\r\n"
            + ImportSupport.PartnerRow((KeepColumns.Programme, "fwv-2014-2020"), (KeepColumns.ProjectAcronym, "VALYS"), (KeepColumns.PartnerName, "Agence de l'eau Artois-Picardie"),
                (KeepColumns.Role, "partner"), (KeepColumns.Country, "FR")) + "\r\n"
            + ImportSupport.PartnerRow((KeepColumns.Programme, "fwv-2014-2020"), (KeepColumns.ProjectAcronym, "VALYS"), (KeepColumns.PartnerName, "METROPOLE EUROPEENNE DE LILLE"),
                (KeepColumns.Role, "partner")) + "\r\n");
        var report = await ImportSupport.ImportAsync(app, ImportTable.Partners, file);
        Assert.True(report.Succeeded, report.Format());
        var afterImport = await TableCountsAsync();

        // Forget the recorded hash, so the seed compares every record and value with the default data again.
        await app.WithDbAsync(db => db.AppSettings.Where(s => s.Key == DefaultDataSeeder.HashSetting).ExecuteDeleteAsync(Ct));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().SeedAsync(Actor.Command("seed"), Ct);
            Assert.False(result.Changed);
            Assert.Equal(0, result.Revisions);
        }

        Assert.Equal(afterImport, await TableCountsAsync());
        var (partners, alias) = await app.WithDbAsync(async db => (
            await db.Participations.Where(x => x.Project.Slug == "valys").Select(x => x.Organisation.Name).ToListAsync(Ct),
            await db.OrganisationAliases.AnyAsync(a => a.Name == "METROPOLE EUROPEENNE DE LILLE", Ct)));
        Assert.Contains("Agence de l'eau Artois-Picardie", partners);
        Assert.True(alias);
    }

    [Fact]
    public async Task Save_RegistryRecordOutsideAWriteSession_IsRefusedAndWritesNothing()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync(p => p.Slug == "nicivalys", Ct);
            project.StartDate = "1999";
            return await db.SaveChangesAsync(Ct);
        }));

        Assert.Contains("WriteSession", error.Message, StringComparison.Ordinal);
        Assert.NotEqual("1999", await app.WithDbAsync(db => db.Projects.Where(p => p.Slug == "nicivalys").Select(p => p.StartDate).SingleAsync(Ct)));
    }

    [Fact]
    public async Task WriteSession_ValuesOfSeveralSources_KeepEveryValueRankAndHistory()
    {
        var (first, second) = await app.WriteAsync(async session =>
        {
            var a = await session.SourceAsync(new Source { Key = "test-a", Title = "Source A" });
            var b = await session.SourceAsync(new Source { Key = "test-b", Title = "Source B" });
            var project = session.Create(new Project { Slug = "write-session-test", Acronym = "WST", ProgrammeCode = "FWV" });

            Assert.Equal(WriteOutcome.Added, session.SetValue(project, Fields.Project.EndDate, "2022-03", a));
            Assert.Equal(WriteOutcome.Unchanged, session.SetValue(project, Fields.Project.EndDate, "2022-03", b));
            Assert.Equal(WriteOutcome.Added, session.SetValue(project, Fields.Project.EndDate, "2022-06-30", b));
            Assert.Equal("2022-06-30", project.EndDate);
            Assert.Equal(WriteOutcome.Added, session.AddValue(project, Fields.Project.TotalBudget, "1000.50", a));
            Assert.Equal(WriteOutcome.Unchanged, session.SetValue(project, Fields.Project.TotalBudget, "1000.5", b));
            Assert.Throws<RegistryWriteException>(() => session.SetValue(project, Fields.Project.TotalBudget, "1 000,50", b));
            Assert.Throws<RegistryWriteException>(() => Fields.Get(SubjectType.Project, "colour"));
            return (a, b);
        });

        var (dates, history) = await app.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync(p => p.Slug == "write-session-test", Ct);
            Assert.Equal(1000.5m, project.TotalBudget);
            return (
                await db.Facts.Where(f => f.SubjectType == SubjectType.Project && f.SubjectId == project.Id && f.Field == "end_date")
                    .OrderBy(f => f.Rank).Select(f => new { f.Value, f.SourceId, f.Retracted }).ToListAsync(Ct),
                await db.Revisions.Where(r => r.SubjectType == SubjectType.Project && r.SubjectId == project.Id && r.Field == "end_date")
                    .OrderBy(r => r.Id).Select(r => new { r.Action, r.OldValue, r.NewValue }).ToListAsync(Ct));
        });
        Assert.Equal([("2022-06-30", second.Id), ("2022-03", first.Id)], dates.Select(d => (d.Value, d.SourceId)));
        Assert.Equal([(RevisionAction.Added, (string?)null, "2022-03"), (RevisionAction.Added, "2022-03", "2022-06-30")],
            history.Select(h => (h.Action, h.OldValue, h.NewValue!)));

        // The owning source gives only one of its values now: the other is retracted, kept, and no longer shown.
        await app.WriteAsync(async session =>
        {
            var project = await session.Db.Projects.SingleAsync(p => p.Slug == "write-session-test", Ct);
            await session.LoadValuesAsync([project], Ct);
            session.SyncValues(project, Fields.Project.EndDate, [new SourcedValue("2022-03", session.Source(first.Id))], new HashSet<int> { second.Id, first.Id });
            Assert.Equal("2022-03", project.EndDate);
            return 0;
        });
        var after = await app.WithDbAsync(async db =>
        {
            var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Slug == "write-session-test", Ct);
            return (project.EndDate,
                await db.Facts.Where(f => f.SubjectType == SubjectType.Project && f.SubjectId == project.Id && f.Field == "end_date")
                    .OrderBy(f => f.Id).Select(f => f.Retracted).ToListAsync(Ct),
                await db.Revisions.Where(r => r.SubjectType == SubjectType.Project && r.SubjectId == project.Id && r.Field == "end_date")
                    .OrderBy(r => r.Id).Select(r => r.Action).LastAsync(Ct));
        });
        Assert.Equal(("2022-03", true, RevisionAction.Retracted), (after.EndDate, after.Item2[1], after.Item3));
        Assert.False(after.Item2[0]);
    }

    [Fact]
    public async Task WriteSession_NothingChanged_WritesNoChangeSet()
    {
        var before = await TableCountsAsync();
        await app.WriteAsync(async session =>
        {
            var project = await session.Db.Projects.SingleAsync(p => p.Slug == "eyes", Ct);
            await session.LoadValuesAsync([project], Ct);
            var source = await session.SourceAsync(new Source { Key = "test-unused", Title = "Never used" });
            return session.SetValue(project, Fields.Project.Acronym, "EYES", source);
        });
        Assert.Equal(before, await TableCountsAsync());
    }

    [Fact]
    public async Task ChangeFeed_ImportOfNewProjects_OneEntryEachAndNoReloadOfEverything()
    {
        var feedEnd = await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => e.Id, Ct));
        var file = ImportSupport.WriteCsv("feed.csv", string.Join("\r\n",
            ImportSupport.ProjectsHeader,
            ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2021-2027"), (KeepColumns.Acronym, "FEED-1"), (KeepColumns.TotalBudget, "10")),
            ImportSupport.ProjectRow((KeepColumns.Programme, "fwv-2021-2027"), (KeepColumns.Acronym, "FEED-2"), (KeepColumns.TotalBudget, "20"))) + "\r\n");
        Assert.Equal(2, (await ImportSupport.ImportAsync(app, ImportTable.Projects, file)).Created);

        // Other instances re-read exactly the new records: an "everything" entry would make each rebuild its indexes.
        var entries = await app.WithDbAsync(db => db.ChangeFeed.AsNoTracking().Where(e => e.Id > feedEnd).ToListAsync(Ct));
        Assert.DoesNotContain(entries, e => e.IsAll);
        Assert.Equal(["feed-1", "feed-2"], entries.Where(e => e.EntityType == "Project").Select(e => e.EntityId).Order());
    }

    [Fact]
    public async Task ChangeFeed_ValueOfAFieldWithoutColumn_WritesAnEntryForItsRecord()
    {
        var feedEnd = await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => e.Id, Ct));
        await app.WriteAsync(async session =>
        {
            var project = await session.Db.Projects.SingleAsync(p => p.Slug == "tripod-ii", Ct);
            await session.LoadValuesAsync([project], Ct);
            return session.SetValue(project, Fields.Project.Programme, "Interreg V France-Wallonie-Vlaanderen", await PasserelleApp.TestSourceAsync(session));
        });

        var entries = await app.WithDbAsync(db => db.ChangeFeed.AsNoTracking().Where(e => e.Id > feedEnd).ToListAsync(Ct));
        var entry = Assert.Single(entries);
        Assert.Equal(("Project", "tripod-ii", ChangeKind.Modified), (entry.EntityType, entry.EntityId, entry.Kind));
    }

    [Fact]
    public async Task WriteSession_RetractAndMakeFirst_ChangeTheShownValueAndAreRecorded()
    {
        await app.WriteAsync(async session =>
        {
            var a = await session.SourceAsync(new Source { Key = "test-rank-a", Title = "Rank A" });
            var b = await session.SourceAsync(new Source { Key = "test-rank-b", Title = "Rank B" });
            var project = session.Create(new Project { Slug = "rank-test", Acronym = "RANK", ProgrammeCode = "FWV" });
            session.AddValue(project, Fields.Project.TotalBudget, "100", a);
            session.AddValue(project, Fields.Project.TotalBudget, "200", b);
            return 0;
        });

        var factIds = await app.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync(p => p.Slug == "rank-test", Ct);
            Assert.Equal(100m, project.TotalBudget);
            return await db.Facts.Where(f => f.SubjectType == SubjectType.Project && f.SubjectId == project.Id && f.Field == "total_budget_eur")
                .OrderBy(f => f.Rank).Select(f => f.Id).ToListAsync(Ct);
        });

        await app.WriteAsync(async session =>
        {
            var project = await session.Db.Projects.SingleAsync(p => p.Slug == "rank-test", Ct);
            await session.LoadValuesAsync([project], Ct);
            Assert.Equal(WriteOutcome.Changed, session.MakeFirst(project, Fields.Project.TotalBudget, factIds[1]));
            Assert.Equal(200m, project.TotalBudget);
            Assert.Equal(WriteOutcome.Changed, session.Retract(project, Fields.Project.TotalBudget, factIds[1]));
            Assert.Equal(100m, project.TotalBudget);
            Assert.Throws<RegistryWriteException>(() => session.Retract(project, Fields.Project.TotalBudget, factIds[1]));
            return 0;
        });

        var (budget, actions, retracted) = await app.WithDbAsync(async db =>
        {
            var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Slug == "rank-test", Ct);
            return (project.TotalBudget,
                await db.Revisions.Where(r => r.SubjectType == SubjectType.Project && r.SubjectId == project.Id && r.Field == "total_budget_eur")
                    .OrderBy(r => r.Id).Select(r => r.Action).ToListAsync(Ct),
                await db.Facts.Where(f => f.Id == factIds[1]).Select(f => f.Retracted).SingleAsync(Ct));
        });
        Assert.Equal(100m, budget);
        Assert.Equal([RevisionAction.Added, RevisionAction.Added, RevisionAction.Reranked, RevisionAction.Retracted], actions);
        Assert.True(retracted);
    }

    /// <summary>
    /// The row count of every table of the model, by table name; but KeptRegistryValues, a cache the host writes in
    /// the background once it has computed a value (ADR 37), at moments no test chooses.
    /// </summary>
    private Task<Dictionary<string, long>> TableCountsAsync() => app.WithDbAsync(async db =>
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in db.Model.GetEntityTypes().Where(e => e.ClrType != typeof(KeptRegistryValue))
                     .Select(e => e.GetTableName()).Where(t => t is not null).Distinct())
        {
            var connection = db.Database.GetDbConnection();
            if (connection.State != System.Data.ConnectionState.Open)
            {
                await connection.OpenAsync(Ct);
            }

            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts[table!] = Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    });
}
