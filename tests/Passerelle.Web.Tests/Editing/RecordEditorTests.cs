using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.History;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Editing.EditingSupport;

namespace Passerelle.Web.Tests.Editing;

public sealed class SqliteRecordEditorTests(PasserelleApp app) : RecordEditorTests<PasserelleApp>(app);

public sealed class PostgresRecordEditorTests(PostgresApp app) : RecordEditorTests<PostgresApp>(app);

/// <summary>
/// The back office's edits through <see cref="RecordEditor"/> on the real app and database: the rules, the source of
/// every value (replace, add beside, make first, retract), versions and conflicts, scope, and restoring a version.
/// </summary>
public abstract class RecordEditorTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private readonly EditingSupport _x = new(app);

    // ------------------------------------------------------------------------------------------------ rules

    public static TheoryData<string> ProjectRules => new()
    {
        RuleCodes.EndBeforeStart, RuleCodes.EuAboveTotal, RuleCodes.NegativeAmount, RuleCodes.RateOutOfRange, RuleCodes.InvalidUrl,
        RuleCodes.LeadPartnerCount, RuleCodes.InvalidDate, RuleCodes.UnknownField, RuleCodes.Required,
    };

    [Theory]
    [MemberData(nameof(ProjectRules))]
    public async Task UpdateProject_RuleBroken_RefusedWithItsCodeAndNothingWritten(string code)
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id, values:
        [
            ValueEdit.Replace(Fields.Project.StartDate, "2024-01", Document()),
            ValueEdit.Replace(Fields.Project.TotalBudget, "1000", Document()),
        ]);
        var lead = await _x.OrganisationAsync();
        var other = await _x.OrganisationAsync();
        var edit = code switch
        {
            RuleCodes.EndBeforeStart => new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.EndDate, "2023-12", Document())] },
            RuleCodes.EuAboveTotal => new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.Erdf, "1000.01", Document())] },
            RuleCodes.NegativeAmount => new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "-5", Document())] },
            RuleCodes.RateOutOfRange => new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.ErdfRate, "150%", Document())] },
            RuleCodes.InvalidUrl => new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.Website, "ftp://example.org/project", Document())] },
            RuleCodes.LeadPartnerCount => new ProjectEdit
            {
                Partners =
                [
                    new PartnerEdit(lead.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "lead partner", Document())]),
                    new PartnerEdit(other.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "lead partner", Document())]),
                ],
            },
            RuleCodes.InvalidDate => new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.EndDate, "31/12/2025", Document())] },
            RuleCodes.UnknownField => new ProjectEdit { Values = [ValueEdit.Replace("budget", "5", Document())] },
            _ => new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.Website, "https://example.org", null!)] },
        };
        var changeSets = await _x.ChangeSetCountAsync();

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => _x.UpdateProjectAsync(project, edit));

        Assert.Contains(refused.Violations, v => v.Code == code);
        Assert.Equal(changeSets, await _x.ChangeSetCountAsync());
        Assert.Equal(project.Version, await _x.ProjectVersionAsync(project.Record.Id));
        Assert.Equal([("1000", "Test document")], await _x.ValuesAsync(SubjectType.Project, project.Record.Id, Fields.Project.TotalBudget));
    }

    [Fact]
    public async Task UpdateProject_SeveralRulesBroken_EveryViolationReportedAtOnceNextToItsField()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => _x.UpdateProjectAsync(project, new ProjectEdit
        {
            Values =
            [
                ValueEdit.Replace(Fields.Project.StartDate, "2025", Document()),
                ValueEdit.Replace(Fields.Project.EndDate, "2020", Document()),
                ValueEdit.Replace(Fields.Project.TotalBudget, "-1", Document()),
                ValueEdit.Replace(Fields.Project.Website, "example.org", SourceChoice.Document("", "not an address")),
            ],
        }));

        Assert.Equal(
            [("end_date", RuleCodes.EndBeforeStart), ("total_budget_eur", RuleCodes.NegativeAmount), ("website", RuleCodes.InvalidUrl), ("website.source.title", RuleCodes.Required), ("website.source.url", RuleCodes.InvalidUrl)],
            refused.Violations.Select(v => (v.Field, v.Code)).Order());
        Assert.All(refused.Violations, v => Assert.False(string.IsNullOrWhiteSpace(v.Message)));
    }

    [Fact]
    public async Task Rules_CountryNutsEuShareAndRequired_RefusedWithTheirCodes()
    {
        var programme = await _x.ProgrammeAsync();
        var organisation = await _x.OrganisationAsync();

        var country = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.UpdateOrganisationAsync(Admin, organisation.Record.Id, organisation.Version,
            new OrganisationEdit { Values = [ValueEdit.Replace(Fields.Organisation.Country, "GR", Document())] }, Ct)));
        Assert.Equal(RuleCodes.InvalidCountry, Assert.Single(country.Violations).Code);
        Assert.Contains("EL", country.Violations[0].Message, StringComparison.Ordinal);

        var nuts = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.UpdateProgrammeAsync(Admin, programme.Record.Id, programme.Version,
            new ProgrammeEdit { AreaUnits = [new AreaUnitEdit("BE25"), new AreaUnitEdit("BE99", Source: Document()), new AreaUnitEdit("QQ1", Source: Document())] }, Ct)));
        Assert.Equal(
            [("area_unit.BE25.source", RuleCodes.Required), ("area_unit.BE99", RuleCodes.InvalidNuts), ("area_unit.QQ1", RuleCodes.InvalidNuts)],
            nuts.Violations.Select(v => (v.Field, v.Code)).Order());

        var euAboveTotal = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.UpdateProgrammeAsync(Admin, programme.Record.Id, programme.Version,
            new ProgrammeEdit { Values = [ValueEdit.Replace(Fields.Programme.TotalBudget, "100", Document()), ValueEdit.Replace(Fields.Programme.EuContribution, "101", Document())] }, Ct)));
        Assert.Equal(("eu_contribution_eur", RuleCodes.EuAboveTotal), euAboveTotal.Violations.Select(v => (v.Field, v.Code)).Single());

        var project = await _x.ProjectAsync(programme.Record.Id);
        var share = await Assert.ThrowsAsync<RuleViolationException>(() => _x.UpdateProjectAsync(project, new ProjectEdit
        {
            Partners =
            [
                new PartnerEdit(organisation.Record.Id,
                [
                    ValueEdit.Replace(Fields.Participation.Role, "lead partner", Document()),
                    ValueEdit.Replace(Fields.Participation.Budget, "500", Document()),
                    ValueEdit.Replace(Fields.Participation.EuContribution, "600", Document()),
                ]),
            ],
        }));
        Assert.Equal(($"partner.{organisation.Record.Id}.eu_contribution_eur", RuleCodes.EuAboveTotal), share.Violations.Select(v => (v.Field, v.Code)).Single());

        var noAcronym = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.CreateProjectAsync(Admin, new ProjectEdit { ProgrammeId = programme.Record.Id }, Ct)));
        Assert.Equal(("acronym", RuleCodes.Required), noAcronym.Violations.Select(v => (v.Field, v.Code)).Single());

        var partnerWithoutRole = await Assert.ThrowsAsync<RuleViolationException>(() => _x.UpdateProjectAsync(project, new ProjectEdit
        {
            Partners = [new PartnerEdit(organisation.Record.Id, [ValueEdit.Replace(Fields.Participation.Budget, "5", Document())])],
        }));
        Assert.Equal(($"partner.{organisation.Record.Id}.role", RuleCodes.Required), partnerWithoutRole.Violations.Select(v => (v.Field, v.Code)).Single());
    }

    [Fact]
    public async Task UpdateProject_ValidPartnersAndRate_WrittenWithOneLeadAndTheRateAsAFraction()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        var lead = await _x.OrganisationAsync();
        var partner = await _x.OrganisationAsync();

        var saved = await _x.UpdateProjectAsync(project, new ProjectEdit
        {
            Themes = ["biodiversity"],
            Values =
            [
                ValueEdit.Replace(Fields.Project.StartDate, "2023-01", Document()),
                ValueEdit.Replace(Fields.Project.EndDate, "2023-01", Document()),
                ValueEdit.Replace(Fields.Project.TotalBudget, "1000", Document()),
                ValueEdit.Replace(Fields.Project.Erdf, "1000", Document()),
                ValueEdit.Replace(Fields.Project.ErdfRate, "60%", Document()),
            ],
            Partners =
            [
                new PartnerEdit(lead.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "lead partner", Document()), ValueEdit.Replace(Fields.Participation.Budget, "600", Document())]),
                new PartnerEdit(partner.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "operational partner", Document())], NameInSource: "Partner as listed"),
            ],
        });

        Assert.Equal(project.Version + 1, saved.Version);
        var stored = await _x.DbAsync(db => db.Projects.AsNoTracking().Include(p => p.Participations).Include(p => p.Themes).SingleAsync(p => p.Id == project.Record.Id, Ct));
        Assert.Equal(0.6m, stored.StatedEuRate);
        Assert.Equal(["biodiversity"], stored.Themes.Select(t => t.Slug));
        Assert.Equal(
            [(lead.Record.Id, ParticipationRole.LeadPartner, (string?)null, 600m), (partner.Record.Id, ParticipationRole.Partner, "operational partner", (decimal?)null)],
            stored.Participations.OrderBy(x => x.Role).Select(x => (x.OrganisationId, x.Role, x.RoleLabel, x.Budget)));

        // Removing the lead alone would leave partners without one.
        var withoutLead = await Assert.ThrowsAsync<RuleViolationException>(() => _x.UpdateProjectAsync(saved, new ProjectEdit { Partners = [new PartnerEdit(lead.Record.Id, Remove: true)] }));
        Assert.Equal(RuleCodes.LeadPartnerCount, Assert.Single(withoutLead.Violations).Code);
    }

    // ------------------------------------------------------------------------------------------------ sources and values

    [Fact]
    public async Task Values_ReplaceAddBesideMakeFirstRetract_ShownValueAndRevisionsFollow()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        var report = Document("Final report");
        var website = Document("Project website");
        var id = project.Record.Id;

        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "1000", report)] });
        Assert.Equal([("1000", "Final report")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.TotalBudget));

        // Beside: kept, but the value shown first does not change.
        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.AddBeside(Fields.Project.TotalBudget, "1200", website)] });
        Assert.Equal([("1000", "Final report"), ("1200", "Project website")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.TotalBudget));
        Assert.Equal(1000m, await ColumnAsync());

        // Replace: the report now says 1100; what it said before is withdrawn; the website's figure stays.
        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "1100", report)] });
        Assert.Equal([("1100", "Final report"), ("1200", "Project website")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.TotalBudget));
        Assert.Equal(1100m, await ColumnAsync());
        var replaced = await RevisionsAsync(project.ChangeSetId!.Value);
        Assert.Equal([(RevisionAction.Added, "1000", "1100"), (RevisionAction.Retracted, "1000", null)], replaced);

        // Make first: the website's figure is shown.
        var websiteFact = (await _x.QueryAsync(q => q.GetProjectAsync(Admin, id, Ct)))![Fields.Project.TotalBudget.Name].Single(f => f.Value == "1200");
        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.MakeFirst(Fields.Project.TotalBudget, websiteFact.Id)] });
        Assert.Equal([("1200", "Project website"), ("1100", "Final report")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.TotalBudget));
        Assert.Equal(1200m, await ColumnAsync());
        Assert.Equal([(RevisionAction.Reranked, null, "1200")], await RevisionsAsync(project.ChangeSetId!.Value));

        // Retract: withdrawn, the report's figure is shown again.
        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Retract(Fields.Project.TotalBudget, websiteFact.Id)] });
        Assert.Equal([("1100", "Final report")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.TotalBudget));
        Assert.Equal(1100m, await ColumnAsync());

        // Every edit is one change set in the editor's name.
        var actors = await _x.DbAsync(db => db.ChangeSets.Where(c => c.Id == project.ChangeSetId).Select(c => new { c.ActorKind, c.Actor }).SingleAsync(Ct));
        Assert.Equal((ActorKind.User, Admin.Name), (actors.ActorKind, actors.Actor));

        Task<decimal?> ColumnAsync() => _x.DbAsync(db => db.Projects.Where(p => p.Id == id).Select(p => p.TotalBudget).SingleAsync(Ct));
        Task<List<(RevisionAction, string?, string?)>> RevisionsAsync(long changeSet) => _x.DbAsync(db => db.Revisions
            .Where(r => r.ChangeSetId == changeSet && r.SubjectType == SubjectType.Project && r.SubjectId == id && r.Field == "total_budget_eur")
            .OrderBy(r => r.Id).Select(r => new ValueTuple<RevisionAction, string?, string?>(r.Action, r.OldValue, r.NewValue)).ToListAsync(Ct));
    }

    [Fact]
    public async Task Values_MultilingualFieldsAndStatedBy_WrittenPerLanguageWithTheOrganisationAsSource()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        var secretariat = await _x.OrganisationAsync("Joint secretariat of the test programme");
        var stated = SourceChoice.StatedBy(secretariat.Record.Id, "2025-03-01");

        project = await _x.UpdateProjectAsync(project, new ProjectEdit
        {
            Values =
            [
                ValueEdit.Replace("title.en", "Rivers without borders", stated),
                ValueEdit.Replace("title.fr", "Rivières sans frontières", stated),
                ValueEdit.Replace("title.nl", "Rivieren zonder grenzen", stated, note: "as the secretariat wrote it"),
            ],
        });

        var stored = await _x.DbAsync(db => db.Projects.AsNoTracking().SingleAsync(p => p.Id == project.Record.Id, Ct));
        Assert.Equal(("Rivers without borders", "Rivières sans frontières", "Rivieren zonder grenzen", (string?)null),
            (stored.Title.En, stored.Title.Fr, stored.Title.Nl, stored.Title.De));
        var sourceIds = await _x.DbAsync(db => db.Facts.Where(f => f.SubjectType == SubjectType.Project && f.SubjectId == project.Record.Id && f.Field.StartsWith("title."))
            .Select(f => f.SourceId).Distinct().ToListAsync(Ct));
        var sourceId = Assert.Single(sourceIds);
        var source = await _x.DbAsync(db => db.Sources.SingleAsync(s => s.Id == sourceId, Ct));
        Assert.Equal((secretariat.Record.Id, "Stated by Joint secretariat of the test programme", "2025-03-01"), (source.StatedByOrganisationId!.Value, source.Title, source.SourceDate));

        // The same organisation on the same day is the same source; it is offered first to the editor who used it.
        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Replace("title.de", "Flüsse ohne Grenzen", stated)] });
        Assert.Equal(1, await _x.DbAsync(db => db.Sources.CountAsync(s => s.StatedByOrganisationId == secretariat.Record.Id, Ct)));
        var last = await _x.QueryAsync(q => q.LastSourceAsync(Admin, Ct));
        Assert.Equal(source.Id, last!.Id);
    }

    [Fact]
    public async Task LastSource_AfterEditsWithTwoSources_OffersTheLastUsedFirst()
    {
        var editor = Access.Administrator("last-source@example.test");
        Assert.Null(await _x.QueryAsync(q => q.LastSourceAsync(editor, Ct)));
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id, access: editor);
        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.Website, "https://example.org/a", Document("First document"))] }, editor);
        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "10", Document("Second document"))] }, editor);

        var recent = await _x.QueryAsync(q => q.RecentSourcesAsync(editor, 10, Ct));
        Assert.Equal(["Second document", "First document", "Test document"], recent.Select(s => s.Title));
        Assert.Equal("Second document", (await _x.QueryAsync(q => q.LastSourceAsync(editor, Ct)))!.Title);
    }

    [Fact]
    public async Task DeleteSource_CitedByAValue_RefusedUntilTheValueIsRetracted()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.Website, "https://example.org/cited", Document("Cited document"))] });
        var fact = (await _x.QueryAsync(q => q.GetProjectAsync(Admin, project.Record.Id, Ct)))![Fields.Project.Website.Name].Single();
        var source = RecordRef.Source(fact.Source.Id);
        var version = await _x.DbAsync(db => db.Sources.Where(s => s.Id == source.Id).Select(s => s.Version).SingleAsync(Ct));

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.DeleteAsync(Admin, source, version, Ct)));
        Assert.Equal(RuleCodes.SourceInUse, Assert.Single(refused.Violations).Code);

        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Retract(Fields.Project.Website, fact.Id)] });
        var deleted = await _x.EditAsync(e => e.DeleteAsync(Admin, source, version, Ct));
        Assert.Equal(version + 1, deleted.Version);
        Assert.DoesNotContain(await _x.QueryAsync(q => q.FindSourcesAsync("Cited document", 10, Ct)), s => s.Id == source.Id);
        var reuse = await Assert.ThrowsAsync<RuleViolationException>(() => _x.UpdateProjectAsync(project,
            new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.Website, "https://example.org/again", SourceChoice.Existing(source.Id))] }));
        Assert.Equal(RuleCodes.Deleted, Assert.Single(reuse.Violations).Code);
    }

    // ------------------------------------------------------------------------------------------------ versions

    [Fact]
    public async Task Version_TwoEditorsLoadTheSameVersion_TheSecondSaveGetsAConflictWithWhatChanged()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        var first = Access.Editor("first@example.test", [programme.Record.Id], []);
        var second = Access.Editor("second@example.test", [programme.Record.Id], []);
        var loaded = (await _x.QueryAsync(q => q.GetProjectAsync(second, project.Record.Id, Ct)))!.Record.Version;
        Assert.Equal(project.Version, loaded);

        var saved = await _x.EditAsync(e => e.UpdateProjectAsync(first, project.Record.Id, loaded,
            new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "2000", Document("First's source"))] }, Ct));
        Assert.Equal(loaded + 1, saved.Version);

        var conflict = await Assert.ThrowsAsync<EditConflictException>(() => _x.EditAsync(e => e.UpdateProjectAsync(second, project.Record.Id, loaded,
            new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "3000", Document("Second's source"))] }, Ct)));

        Assert.Equal((loaded, loaded + 1), (conflict.ExpectedVersion, conflict.CurrentVersion));
        var change = Assert.Single(conflict.Changes, c => c.Field == "total_budget_eur");
        Assert.Equal(("first@example.test", loaded + 1, RevisionAction.Added, "2000", "First's source"),
            (change.Actor, change.Version, change.Action, change.NewValue, change.SourceTitle));
        Assert.Equal([("2000", "First's source")], await _x.ValuesAsync(SubjectType.Project, project.Record.Id, Fields.Project.TotalBudget));
    }

    [Fact]
    public async Task Version_OneSessionWritingManyValuesAndLinksOverFlushes_GoesUpOnce()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        var organisation = await _x.OrganisationAsync();

        // A writer other than the editor (the tests' data builder, as an import is): two flushes, values and a link.
        await app.WriteAsync(async session =>
        {
            var p = await session.Db.Projects.SingleAsync(x => x.Id == project.Record.Id, Ct);
            await session.LoadValuesAsync([p], Ct);
            var source = await PasserelleApp.TestSourceAsync(session);
            session.SetValue(p, Fields.Project.TotalBudget, "10", source);
            await session.FlushAsync(ct: Ct);
            session.SetValue(p, Fields.Project.Erdf, "5", source);
            session.Create(new Participation { ProjectId = p.Id, OrganisationId = organisation.Record.Id, Role = ParticipationRole.LeadPartner });
            await session.FlushAsync(clearTracker: true, ct: Ct);
            return 0;
        });

        Assert.Equal(project.Version + 1, await _x.ProjectVersionAsync(project.Record.Id));
        var versions = await _x.QueryAsync(q => q.VersionsAsync(project.Record, Ct));
        Assert.Equal([(project.Version + 1, ActorKind.Command, "test"), (1, ActorKind.User, Admin.Name)], versions.Select(v => (v.Version, v.ActorKind, v.Actor)));

        // A participation's value alone counts for its project.
        var participation = await _x.DbAsync(db => db.Participations.SingleAsync(x => x.ProjectId == project.Record.Id, Ct));
        await app.WriteAsync(async session =>
        {
            var x = await session.Db.Participations.SingleAsync(y => y.Id == participation.Id, Ct);
            await session.LoadValuesAsync([x], Ct);
            session.SetValue(x, Fields.Participation.Budget, "3", await PasserelleApp.TestSourceAsync(session));
            return 0;
        });
        Assert.Equal(project.Version + 2, await _x.ProjectVersionAsync(project.Record.Id));
        var changes = await _x.QueryAsync(q => q.ChangesSinceAsync(project.Record, project.Version + 1, Ct));
        var change = Assert.Single(changes);
        Assert.Equal((SubjectType.Participation, "budget_eur", "3"), (change.Subject.Type, change.Field, change.NewValue));
    }

    [Fact]
    public async Task WriteSession_ExpectedVersionOlderThanTheRecords_ThrowsAndWritesNothing()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        project = await _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "1", Document())] });
        var changeSets = await _x.ChangeSetCountAsync();

        // As if another session had committed between this writer's read and its write: the version it expects is gone.
        await Assert.ThrowsAsync<RecordChangedException>(() => app.WriteAsync(async session =>
        {
            var p = await session.Db.Projects.SingleAsync(x => x.Id == project.Record.Id, Ct);
            await session.LoadValuesAsync([p], Ct);
            session.ExpectVersion(p, project.Version - 1);
            session.SetValue(p, Fields.Project.TotalBudget, "2", await PasserelleApp.TestSourceAsync(session));
            return 0;
        }));

        Assert.Equal(changeSets, await _x.ChangeSetCountAsync());
        Assert.Equal(project.Version, await _x.ProjectVersionAsync(project.Record.Id));
    }

    [Fact]
    public async Task RestoreVersion_EarlierChangeSet_WritesItsValuesAsANewVersion()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        var id = project.Record.Id;
        var v1 = await _x.UpdateProjectAsync(project, new ProjectEdit
        {
            Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "1000", Document("Application")), ValueEdit.Replace(Fields.Project.Website, "https://example.org/v1", Document("Application"))],
        });
        var v2 = await _x.UpdateProjectAsync(v1, new ProjectEdit
        {
            Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "2000", Document("Final report")), ValueEdit.AddBeside(Fields.Project.TotalBudget, "1500", Document("Press release"))],
        });
        var website = (await _x.QueryAsync(q => q.GetProjectAsync(Admin, id, Ct)))![Fields.Project.Website.Name].Single();
        var v3 = await _x.UpdateProjectAsync(v2, new ProjectEdit { Values = [ValueEdit.Retract(Fields.Project.Website, website.Id)] });
        Assert.Equal([("2000", "Final report"), ("1000", "Application"), ("1500", "Press release")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.TotalBudget));

        var restored = await _x.EditAsync(e => e.RestoreVersionAsync(Admin, project.Record, v1.ChangeSetId!.Value, v3.Version, Ct));

        Assert.Equal(v3.Version + 1, restored.Version);
        Assert.NotEqual(v1.ChangeSetId, restored.ChangeSetId);
        Assert.Equal([("1000", "Application")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.TotalBudget));
        Assert.Equal([("https://example.org/v1", "Application")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.Website));
        var stored = await _x.DbAsync(db => db.Projects.AsNoTracking().SingleAsync(p => p.Id == id, Ct));
        Assert.Equal((1000m, "https://example.org/v1"), (stored.TotalBudget, stored.Website));

        // And back to the latest state: the same values in the same order as then.
        await _x.EditAsync(e => e.RestoreVersionAsync(Admin, project.Record, v3.ChangeSetId!.Value, restored.Version, Ct));
        Assert.Equal([("2000", "Final report"), ("1000", "Application"), ("1500", "Press release")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.TotalBudget));
        Assert.Empty(await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.Website));

        var elsewhere = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.RestoreVersionAsync(Admin, project.Record, programme.ChangeSetId!.Value, restored.Version + 1, Ct)));
        Assert.Equal(RuleCodes.NotInHistory, Assert.Single(elsewhere.Violations).Code);
    }

    [Fact]
    public async Task RestoreVersion_StaleVersionThenCurrent_ConflictWritesNothingThenRestoresValuesAndListsLinksNotRestored()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id, values: ValueEdit.Replace(Fields.Project.TotalBudget, "1000", Document()));
        var id = project.Record.Id;
        var organisation = await _x.OrganisationAsync();
        var v2 = await _x.UpdateProjectAsync(project, new ProjectEdit
        {
            Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "2000", Document("Final report"))],
            Partners = [new PartnerEdit(organisation.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "lead partner", Document())])],
        });
        var changeSets = await _x.ChangeSetCountAsync();

        // The version the editor loaded before the partner was added: refused, with what changed since, nothing written.
        var conflict = await Assert.ThrowsAsync<EditConflictException>(() =>
            _x.EditAsync(e => e.RestoreVersionAsync(Admin, project.Record, project.ChangeSetId!.Value, project.Version, Ct)));
        Assert.Equal((project.Version, v2.Version), (conflict.ExpectedVersion, conflict.CurrentVersion));
        Assert.NotEmpty(conflict.Changes);
        Assert.Equal(changeSets, await _x.ChangeSetCountAsync());

        var restored = await _x.EditAsync(e => e.RestoreVersionAsync(Admin, project.Record, project.ChangeSetId!.Value, v2.Version, Ct));

        Assert.Equal([("1000", "Test document")], await _x.ValuesAsync(SubjectType.Project, id, Fields.Project.TotalBudget));
        // The partner added since stays, with its role: links are listed, not restored.
        Assert.Contains("Partner", restored.NotRestored);
        var participation = await _x.DbAsync(db => db.Participations.Where(x => x.ProjectId == id).Select(x => x.Id).SingleAsync(Ct));
        Assert.Equal([("lead partner", "Test document")], await _x.ValuesAsync(SubjectType.Participation, participation, Fields.Participation.Role));
        var detail = await _x.DbAsync(db => db.ChangeSets.Where(c => c.Id == restored.ChangeSetId).Select(c => c.Detail).SingleAsync(Ct));
        Assert.StartsWith("restore of version 1 (", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestoreVersion_EditorOfAnOrganisationTheyCreated_RestoresItAndAnotherEditorIsRefused()
    {
        // The editing service's scope decides: an editor may restore what they may edit, their own organisations too.
        var editor = Access.Editor("restoring-editor@example.test", [], []);
        var created = await _x.EditAsync(e => e.CreateOrganisationAsync(editor, new OrganisationEdit
        {
            Values = [ValueEdit.Replace("name", "Restorable organisation", Document()), ValueEdit.Replace("country", "BE", Document())],
        }, Ct));
        var renamed = await _x.EditAsync(e => e.UpdateOrganisationAsync(editor, created.Record.Id, created.Version, new OrganisationEdit
        {
            Values = [ValueEdit.Replace("name", "Renamed organisation", Document("Statutes"))],
        }, Ct));
        var other = Access.Editor("other-restoring-editor@example.test", [], []);

        await Assert.ThrowsAsync<AccessDeniedException>(() =>
            _x.EditAsync(e => e.RestoreVersionAsync(other, created.Record, created.ChangeSetId!.Value, renamed.Version, Ct)));
        var restored = await _x.EditAsync(e => e.RestoreVersionAsync(editor, created.Record, created.ChangeSetId!.Value, renamed.Version, Ct));

        Assert.Equal(renamed.Version + 1, restored.Version);
        Assert.Equal("Restorable organisation", await _x.DbAsync(db => db.Organisations.Where(o => o.Id == created.Record.Id).Select(o => o.Name).SingleAsync(Ct)));
    }

    // ------------------------------------------------------------------------------------------------ links and sources

    [Fact]
    public async Task Grouping_MembersTerritoryAndAliases_WrittenAsLinksWithTheirSources()
    {
        var organisation = await _x.OrganisationAsync("Ville de Test");
        var statutes = Document("Statutes of the test grouping");
        var invalid = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.CreateGroupingAsync(Admin, new GroupingEdit
        {
            LegalForm = "EGTC",
            Values = [ValueEdit.Replace("name.en", "Test grouping", statutes)],
            Members = [new MemberEdit(Name: "Somewhere", Country: "GB", Level: "county", Source: statutes)],
            TerritoryUnits = [new TerritoryUnitEdit("FR00000", Source: statutes)],
        }, Ct)));
        Assert.Equal(
            [("member.new0.country", RuleCodes.InvalidCountry), ("member.new0.level", RuleCodes.InvalidValue), ("territory_unit.FR00000", RuleCodes.InvalidTerritoryUnit)],
            invalid.Violations.Select(v => (v.Field, v.Code)).Order());

        var grouping = await _x.EditAsync(e => e.CreateGroupingAsync(Admin, new GroupingEdit
        {
            LegalForm = "EGTC",
            FieldsOfAction = ["mobility"],
            Values = [ValueEdit.Replace("name.en", "Test grouping", statutes), ValueEdit.Replace(Fields.Grouping.FoundedOn, "2019-05-02", statutes)],
            Members = [new MemberEdit(Name: "Ville de Test", Country: "FR", Level: "local", OrganisationId: organisation.Record.Id, Source: statutes)],
            TerritoryUnits = [new TerritoryUnitEdit("FR59009", "mel95", statutes)],
        }, Ct));
        Assert.Equal((1, "test-grouping"), (grouping.Version, grouping.Slug));
        var stored = await _x.QueryAsync(q => q.GetGroupingAsync(Admin, grouping.Record.Id, Ct));
        Assert.Equal((false, 2019), (stored!.Record.IsPublished, stored.Record.YearFounded));
        var member = Assert.Single(stored.Record.Members);
        Assert.Equal(("Ville de Test", organisation.Record.Id, 1), (member.Name, member.OrganisationId!.Value, member.Order));
        var unit = Assert.Single(await _x.QueryAsync(q => q.TerritoryUnitsAsync(grouping.Record.Id, Ct)));
        Assert.Equal(("FR59009", "Villeneuve-d'Ascq", "FR", "mel95"), (unit.UnitCode, unit.Name, unit.Country, unit.Perimeters));
        Assert.Equal(member.SourceId, unit.SourceId);

        // Removing a member and a unit: one new version, each an "unlinked" revision.
        var changed = await _x.EditAsync(e => e.UpdateGroupingAsync(Admin, grouping.Record.Id, grouping.Version, new GroupingEdit
        {
            Members = [new MemberEdit(member.Id, Remove: true)],
            TerritoryUnits = [new TerritoryUnitEdit("FR59009", Remove: true)],
        }, Ct));
        Assert.Equal(2, changed.Version);
        var unlinked = await _x.QueryAsync(q => q.ChangesSinceAsync(grouping.Record, 1, Ct));
        Assert.Equal([("member", RevisionAction.Unlinked), ("territory_unit", RevisionAction.Unlinked)], unlinked.Select(c => (c.Field, c.Action)).Order());

        // Aliases of the organisation, with the source that uses the name.
        var aliased = await _x.EditAsync(e => e.UpdateOrganisationAsync(Admin, organisation.Record.Id, organisation.Version, new OrganisationEdit
        {
            Aliases = [new AliasEdit("VdT", Document("Annual report"))],
            Location = new GeoPoint(50.63, 3.06),
        }, Ct));
        var withAlias = await _x.QueryAsync(q => q.GetOrganisationAsync(Admin, organisation.Record.Id, Ct));
        Assert.Equal(["VdT"], withAlias!.Record.Aliases.Select(a => a.Name));
        Assert.Equal((50.63, 3.06), (withAlias.Record.Latitude!.Value, withAlias.Record.Longitude!.Value));
        var noSource = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.UpdateOrganisationAsync(Admin, organisation.Record.Id, aliased.Version,
            new OrganisationEdit { Aliases = [new AliasEdit("Another name")], Location = new GeoPoint(91, 0) }, Ct)));
        Assert.Equal([("alias.Another name.source", RuleCodes.Required), ("location", RuleCodes.InvalidValue)], noSource.Violations.Select(v => (v.Field, v.Code)).Order());
    }

    [Fact]
    public async Task Source_CreateUpdateAndTheSameDocumentAgain_OneSourcePerDocument()
    {
        var editor = Access.Editor("sources-editor@example.test", [], []);
        var created = await _x.EditAsync(e => e.CreateSourceAsync(editor, new SourceEdit
        {
            Title = "Annual implementation report 2024",
            Url = "https://example.org/air-2024.pdf",
            SourceDate = "2025-05",
        }, Ct));
        Assert.Equal(1, created.Version);

        var again = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.CreateSourceAsync(editor, new SourceEdit
        {
            Title = "Annual implementation report 2024",
            Url = "https://example.org/air-2024.pdf",
            SourceDate = "2025-05",
        }, Ct)));
        Assert.Equal(RuleCodes.Duplicate, Assert.Single(again.Violations).Code);

        // The same document chosen for a value is that source, not a new one.
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id, values:
            [ValueEdit.Replace(Fields.Project.TotalBudget, "5", SourceChoice.Document("Annual implementation report 2024", "https://example.org/air-2024.pdf", "2025-05"))]);
        Assert.Equal([("5", "Annual implementation report 2024")], await _x.ValuesAsync(SubjectType.Project, project.Record.Id, Fields.Project.TotalBudget));
        Assert.Equal(1, await _x.DbAsync(db => db.Sources.CountAsync(s => s.Url == "https://example.org/air-2024.pdf", Ct)));

        var updated = await _x.EditAsync(e => e.UpdateSourceAsync(editor, created.Record.Id, created.Version, new SourceEdit { Licence = "CC BY 4.0", Url = "" }, Ct));
        var source = (await _x.QueryAsync(q => q.GetSourceAsync(editor, created.Record.Id, Ct)))!;
        Assert.Equal((2, "CC BY 4.0", (string?)null, true), (updated.Version, source.Record.Licence, source.Record.Url, source.CanEdit));
        var bad = await Assert.ThrowsAsync<RuleViolationException>(() => _x.EditAsync(e => e.UpdateSourceAsync(editor, created.Record.Id, updated.Version,
            new SourceEdit { Url = "www.example.org", SourceDate = "May 2025" }, Ct)));
        Assert.Equal([("source_date", RuleCodes.InvalidDate), ("url", RuleCodes.InvalidUrl)], bad.Violations.Select(v => (v.Field, v.Code)).Order());

        // Another editor may cite it, not change it.
        var other = Access.Editor("another-editor@example.test", [], []);
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.EditAsync(e => e.UpdateSourceAsync(other, created.Record.Id, updated.Version, new SourceEdit { Licence = "none" }, Ct)));
    }

    // ------------------------------------------------------------------------------------------------ scope

    [Fact]
    public async Task Scope_EditorOfProgrammeA_EditsItsProjectsButNotProgrammeBNorItsProjects()
    {
        var a = await _x.ProgrammeAsync();
        var b = await _x.ProgrammeAsync();
        var projectOfB = await _x.ProjectAsync(b.Record.Id);
        var editor = Access.Editor("editor-of-a@example.test", [a.Record.Id], []);

        var projectOfA = await _x.ProjectAsync(a.Record.Id, access: editor);
        var programmeA = await _x.EditAsync(e => e.UpdateProgrammeAsync(editor, a.Record.Id, a.Version,
            new ProgrammeEdit { Values = [ValueEdit.Replace("name.fr", "Programme A", Document())] }, Ct));
        Assert.True(programmeA.Changed);
        projectOfA = await _x.EditAsync(e => e.PublishAsync(editor, projectOfA.Record, projectOfA.Version, Ct));

        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.EditAsync(e => e.UpdateProgrammeAsync(editor, b.Record.Id, b.Version,
            new ProgrammeEdit { Values = [ValueEdit.Replace("name.fr", "Programme B", Document())] }, Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.UpdateProjectAsync(projectOfB,
            new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "1", Document())] }, editor));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.ProjectAsync(b.Record.Id, access: editor));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.EditAsync(e => e.DeleteAsync(editor, projectOfB.Record, projectOfB.Version, Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.UpdateProjectAsync(projectOfA, new ProjectEdit { ProgrammeId = b.Record.Id }, editor));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.EditAsync(e => e.CreateProgrammeAsync(editor,
            new ProgrammeEdit { Code = "NOPE", Period = "2021-2027", Kind = Core.Programmes.ProgrammeKind.CrossBorder, Values = [ValueEdit.Replace("name.en", "No", Document())] }, Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.EditAsync(e => e.DeleteAsync(editor, a.Record, programmeA.Version, Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.QueryAsync(q => q.GetProjectAsync(editor, projectOfB.Record.Id, Ct)));

        // Lists and checks say the same.
        var projects = await _x.QueryAsync(q => q.ListAsync(editor, SubjectType.Project, new EditorListFilter(), new Core.Common.PageRequest(1, 100), Ct));
        Assert.Equal([projectOfA.Record], projects.Items.Select(i => i.Record));
        Assert.All(projects.Items, i => Assert.True(i.CanEdit));
        Assert.False(await _x.QueryAsync(q => q.CanEditAsync(editor, projectOfB.Record, Ct)));
        Assert.False(EditorQueries.CanCreate(editor, SubjectType.Project, b.Record.Id));
        Assert.True(EditorQueries.CanCreate(editor, SubjectType.Project, a.Record.Id));
        Assert.Equal(0, await _x.DbAsync(db => db.Projects.CountAsync(p => p.ProgrammeId == b.Record.Id && p.Id != projectOfB.Record.Id, Ct)));
    }

    [Fact]
    public async Task Scope_OrganisationsOfTheEditorsProjectsAndTheirOwn_EditableOthersNot()
    {
        var a = await _x.ProgrammeAsync();
        var b = await _x.ProgrammeAsync();
        var editor = Access.Editor("partners-editor@example.test", [a.Record.Id], []);
        var partnerOfA = await _x.OrganisationAsync();
        var partnerOfBoth = await _x.OrganisationAsync();
        var stranger = await _x.OrganisationAsync();
        var projectOfA = await _x.ProjectAsync(a.Record.Id);
        var projectOfB = await _x.ProjectAsync(b.Record.Id);
        await _x.UpdateProjectAsync(projectOfA, new ProjectEdit
        {
            Partners =
            [
                new PartnerEdit(partnerOfA.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "lead partner", Document())]),
                new PartnerEdit(partnerOfBoth.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "partner", Document())]),
            ],
        });
        await _x.UpdateProjectAsync(projectOfB, new ProjectEdit { Partners = [new PartnerEdit(partnerOfBoth.Record.Id, [ValueEdit.Replace(Fields.Participation.Role, "lead partner", Document())])] });

        var own = await _x.EditAsync(e => e.CreateOrganisationAsync(editor, new OrganisationEdit { Values = [ValueEdit.Replace("name", "Created by the editor", Document())] }, Ct));
        Assert.True(await _x.QueryAsync(q => q.CanEditAsync(editor, own.Record, Ct)));
        Assert.True(await _x.QueryAsync(q => q.CanEditAsync(editor, partnerOfA.Record, Ct)));
        Assert.True(await _x.QueryAsync(q => q.CanEditAsync(editor, partnerOfBoth.Record, Ct)));
        Assert.False(await _x.QueryAsync(q => q.CanEditAsync(editor, stranger.Record, Ct)));

        // Shared with programme B: edited, but not deleted or unpublished by A's editor.
        await _x.EditAsync(e => e.UpdateOrganisationAsync(editor, partnerOfBoth.Record.Id, partnerOfBoth.Version,
            new OrganisationEdit { Values = [ValueEdit.Replace(Fields.Organisation.City, "Kortrijk", Document())] }, Ct));
        Assert.False(await _x.QueryAsync(q => q.CanManageAsync(editor, partnerOfBoth.Record, Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.EditAsync(e => e.UnpublishAsync(editor, partnerOfBoth.Record, partnerOfBoth.Version + 1, Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.EditAsync(e => e.UpdateOrganisationAsync(editor, stranger.Record.Id, stranger.Version,
            new OrganisationEdit { Values = [ValueEdit.Replace(Fields.Organisation.City, "Lille", Document())] }, Ct)));
        var published = await _x.EditAsync(e => e.PublishAsync(editor, own.Record, own.Version, Ct));
        Assert.True(published.Changed);
    }

    [Fact]
    public async Task Scope_Viewer_SeesDraftsButChangesNothing()
    {
        var programme = await _x.ProgrammeAsync();
        var project = await _x.ProjectAsync(programme.Record.Id);
        var viewer = Access.Viewer("viewer@example.test");

        var seen = await _x.QueryAsync(q => q.GetProjectAsync(viewer, project.Record.Id, Ct));
        Assert.False(seen!.Record.IsPublished);
        Assert.False(seen.CanEdit);
        var drafts = await _x.QueryAsync(q => q.ListAsync(viewer, SubjectType.Project, new EditorListFilter(Published: false), new Core.Common.PageRequest(1, 100), Ct));
        Assert.Contains(drafts.Items, i => i.Record == project.Record && !i.CanEdit);

        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.UpdateProjectAsync(project, new ProjectEdit { Values = [ValueEdit.Replace(Fields.Project.TotalBudget, "1", Document())] }, viewer));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.EditAsync(e => e.PublishAsync(viewer, project.Record, project.Version, Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _x.EditAsync(e => e.CreateSourceAsync(viewer, new SourceEdit { Title = "Viewer's source" }, Ct)));
        Assert.Equal(project.Version, await _x.ProjectVersionAsync(project.Record.Id));
    }
}
