using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Core.Imports;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Infrastructure;

using static Passerelle.Web.Tests.Kohesio.KohesioSupport;

namespace Passerelle.Web.Tests.Kohesio;

public sealed class SqliteKohesioBulkCreateTests(PasserelleApp app) : KohesioBulkCreateTests<PasserelleApp>(app);

public sealed class PostgresKohesioBulkCreateTests(PostgresApp app) : KohesioBulkCreateTests<PostgresApp>(app);

/// <summary>
/// The write session's bulk creation (<see cref="WriteSession.BulkCreate"/>, ADR 30): new projects, organisations and
/// participations inserted by prepared commands write the same records, facts, revisions, versions and change-feed
/// entries as EF's path; nothing of them stays when the session is not committed; a record changed after the flush
/// that inserted it is saved.
/// </summary>
public abstract partial class KohesioBulkCreateTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private const int Operations = 40;

    /// <summary>
    /// A test fixture (not real data): <see cref="Operations"/> operations of one new cross-border programme, each with
    /// its own beneficiary and a shared one, and the first also with a beneficiary the registry already has.
    /// </summary>
    private static string File(string tag)
    {
        var text = new StringBuilder(
            "Operation_Unique_Identifier,Operation_Name_Programme_Language,Operation_Name_English,Country,Operation_Start_Date,Operation_End_Date," +
            "CoFinancing_Rate,Total_Eligible_Expenditure_amount,Total_Eligible_Expenditure_Currency,Beneficiary_Name,Location_Indicator_NUTS_code," +
            "Category_Of_Intervention,Fund_Code,Programme_Code,Operation_Summary_English,Operation_Summary_Programme_Language,Programming_Period,Programme_Name\r\n");
        for (var i = 0; i < Operations; i++)
        {
            string[] beneficiaries = i == 0 ? [$"Shared beneficiary {tag}", $"Beneficiary {tag} {i}", $"Existing beneficiary {tag}"] : [$"Shared beneficiary {tag}", $"Beneficiary {tag} {i}"];
            foreach (var beneficiary in beneficiaries)
            {
                text.Append(CultureInfo.InvariantCulture, $"BC-{tag}-{i},Bulk create {tag} {i},Bulk create {tag} {i},Ireland,01/01/2020,31/12/2022,{55 + (i % 3)}.5,{1000 + i}.25,EUR,{beneficiary},IE061,")
                    .Append(CultureInfo.InvariantCulture, $"87,ERDF,2021TC99SYCB{tag[..3]},Test summary {i}.,Test summary {i}.,2021-2027,Bulk create programme {tag}\r\n");
            }
        }

        return TempFile(text.ToString());
    }

    private static string Tag(string? other = null)
    {
        while (true)
        {
            var tag = Random.Shared.Next(100, 1000).ToString(CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..5];
            if (other is null || tag[..3] != other[..3])
            {
                return tag;
            }
        }
    }

    [Fact]
    public async Task ImportKohesio_BulkCreate_SameRecordsFactsRevisionsVersionsAndFeedAsTrackedPath()
    {
        var tracked = Tag();
        var bulk = Tag(tracked);

        var expected = await ImportAndDescribeAsync(tracked, trackedCreate: true);
        var actual = await ImportAndDescribeAsync(bulk, trackedCreate: false);

        Assert.NotEmpty(expected);
        Assert.Contains(expected, line => line.StartsWith("feed Participation", StringComparison.Ordinal));
        Assert.Contains(expected, line => line.StartsWith("participation bulk-create-TAG-0/existing-beneficiary-TAG", StringComparison.Ordinal));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task WriteSession_BulkCreateNotCommitted_NothingWritten()
    {
        var tag = Tag();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var session = await scope.ServiceProvider.GetRequiredService<RegistryWriter>().BeginAsync(Actor.Command("test"), Ct);
            session.BulkCreate = true;
            var (project, _) = await CreateLinkedAsync(session, "rollback", tag);
            Assert.NotEqual(0, project.Id);
            // Disposed without CommitAsync: the transaction rolls back, the prepared inserts with it.
        }

        Assert.Equal((0, 0, 0), await LeftAsync("rollback", tag));
    }

    [Fact]
    public async Task WriteSession_BulkRowRefusedByTheDatabase_DbExceptionAndNothingWritten()
    {
        var tag = Tag();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var session = await scope.ServiceProvider.GetRequiredService<RegistryWriter>().BeginAsync(Actor.Command("test"), Ct);
            session.BulkCreate = true;
            var (project, organisation) = await CreateLinkedAsync(session, "refused", tag);

            // The same project and organisation again: the database's unique index refuses the bulk insert's row.
            session.Create(new Participation { ProjectId = project.Id, OrganisationId = organisation.Id, Role = ParticipationRole.Partner });
            var e = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => session.FlushAsync(clearTracker: true, Ct));
            Assert.Contains("Participations", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal((0, 0, 0), await LeftAsync("refused", tag));
    }

    [Fact]
    public async Task WriteSession_BulkCreatedRecordWithADate_ReadsBackAndComparesAsTheDate()
    {
        var tag = Tag();
        // Whole microseconds: PostgreSQL keeps no finer.
        var deleted = new DateTime(2026, 3, 4, 5, 6, 7, 891, DateTimeKind.Utc).AddTicks(2_340);
        await app.WriteAsync(async session =>
        {
            session.BulkCreate = true;
            var source = await PasserelleApp.TestSourceAsync(session);
            var organisation = session.Create(new Organisation { Slug = $"bulk-dated-{tag}", Name = $"Bulk dated {tag}", DeletedAt = deleted });
            session.SetValue(organisation, Fields.Organisation.Name, $"Bulk dated {tag}", source);
            return 0;
        });

        var (read, within) = await app.WithDbAsync(async db => (
            await db.Organisations.AsNoTracking().Where(o => o.Slug == $"bulk-dated-{tag}").Select(o => o.DeletedAt).SingleAsync(Ct),
            await db.Organisations.CountAsync(o => o.Slug == $"bulk-dated-{tag}" && o.DeletedAt > deleted.AddMilliseconds(-1) && o.DeletedAt < deleted.AddMilliseconds(1), Ct)));
        Assert.Equal(deleted, read);
        Assert.Equal(1, within);
    }

    /// <summary>A project with a title, an organisation and their participation, created in bulk and flushed.</summary>
    private static async Task<(Project Project, Organisation Organisation)> CreateLinkedAsync(WriteSession session, string name, string tag)
    {
        var source = await PasserelleApp.TestSourceAsync(session);
        var project = session.Create(new Project { Slug = $"bulk-{name}-{tag}", Acronym = "BR", ProgrammeCode = "TEST" });
        session.SetValue(project, Fields.Project.Title.En, $"Bulk {name} {tag}", source);
        var organisation = session.Create(new Organisation { Slug = $"bulk-{name}-org-{tag}", Name = $"Bulk {name} {tag}" });
        session.Create(new Participation { Project = project, Organisation = organisation, Role = ParticipationRole.Partner });
        await session.FlushAsync(clearTracker: true, Ct);
        return (project, organisation);
    }

    /// <summary>What is left of <see cref="CreateLinkedAsync"/>'s records: projects, organisations and title facts.</summary>
    private Task<(int Projects, int Organisations, int Facts)> LeftAsync(string name, string tag) => app.WithDbAsync(async db => (
        await db.Projects.CountAsync(p => p.Slug == $"bulk-{name}-{tag}", Ct),
        await db.Organisations.CountAsync(o => o.Slug == $"bulk-{name}-org-{tag}", Ct),
        await db.Facts.CountAsync(f => f.Value == $"Bulk {name} {tag}", Ct)));

    [Fact]
    public async Task WriteSession_BulkRecordChangedAfterItsFlush_ChangeSaved()
    {
        var tag = Tag();
        var id = await app.WriteAsync(async session =>
        {
            session.BulkCreate = true;
            var source = await PasserelleApp.TestSourceAsync(session);
            var project = session.Create(new Project { Slug = $"bulk-later-{tag}", Acronym = "BL", ProgrammeCode = "TEST" });
            session.SetValue(project, Fields.Project.Title.En, $"Bulk later {tag}", source);
            await session.FlushAsync(ct: Ct);

            // After the flush that inserted it, the record is tracked like any saved one.
            project.Website = "https://example.org/bulk-later";
            session.SetValue(project, Fields.Project.Title.En, $"Bulk later {tag} renamed", source);
            return project.Id;
        });

        await app.WithDbAsync(async db =>
        {
            var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == id, Ct);
            Assert.Equal(("https://example.org/bulk-later", $"Bulk later {tag} renamed"), (project.Website, project.Title.En));
            var revisions = await db.Revisions.AsNoTracking().Where(r => r.SubjectType == SubjectType.Project && r.SubjectId == id).Select(r => r.Field + " " + r.Action).ToListAsync(Ct);
            Assert.Contains("record Created", revisions);
            Assert.Contains("website Set", revisions);
            Assert.Equal(2, revisions.Count(r => r == "title.en Added"));
            return 0;
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WriteSession_ParticipationOfUntrackedOrganisation_HistoryNamesTheOrganisation(bool bulkCreate)
    {
        var tag = Tag();
        var id = await app.WriteAsync(async session =>
        {
            session.BulkCreate = bulkCreate;
            var organisation = session.Create(new Organisation { Slug = $"untracked-org-{tag}", Name = $"Untracked partner {tag}" });
            var project = session.Create(new Project { Slug = $"untracked-link-{tag}", Acronym = "UL", ProgrammeCode = "TEST" });
            // As an import's later chunk does: the tracker is cleared, the organisation is linked by its id alone.
            await session.FlushAsync(clearTracker: true, Ct);
            session.Create(new Participation { ProjectId = project.Id, OrganisationId = organisation.Id, Role = ParticipationRole.Partner });
            return project.Id;
        });

        var described = await app.WithDbAsync(db => db.Revisions.AsNoTracking()
            .Where(r => r.SubjectType == SubjectType.Project && r.SubjectId == id && r.Field == "participation")
            .Select(r => r.NewValue).SingleAsync(Ct));
        Assert.StartsWith($"Untracked partner {tag} (", described);
    }

    /// <summary>
    /// Imports the file of <paramref name="tag"/> into the registry, which already has one of its beneficiaries, and
    /// describes what the import wrote, the tag and the file's source key replaced so that two imports compare.
    /// </summary>
    private async Task<List<string>> ImportAndDescribeAsync(string tag, bool trackedCreate)
    {
        await app.WriteAsync(async session =>
        {
            var source = await PasserelleApp.TestSourceAsync(session);
            var existing = session.Create(new Organisation { Slug = $"existing-beneficiary-{tag}", Name = $"Existing beneficiary {tag}" });
            session.SetValue(existing, Fields.Organisation.Name, existing.Name, source);
            session.SetValue(existing, Fields.Organisation.Country, "IE", source);
            return 0;
        });
        var (changeSetBefore, feedBefore) = await app.WithDbAsync(async db =>
            (await db.ChangeSets.MaxAsync(c => (long?)c.Id, Ct) ?? 0, await db.ChangeFeed.MaxAsync(e => (long?)e.Id, Ct) ?? 0));

        var report = await ImportAsync(app, File(tag), new KohesioImportOptions(UnlistedCci: true, TrackedCreate: trackedCreate));

        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(Operations, report.Created);
        return await app.WithDbAsync(db => DescribeAsync(db, tag, changeSetBefore, feedBefore));
    }

    private static async Task<List<string>> DescribeAsync(PasserelleDbContext db, string tag, long changeSetBefore, long feedBefore)
    {
        string? N(string? text) => text is null ? null
            : SourceKey().Replace(text.Replace(tag, "TAG", StringComparison.Ordinal).Replace("SYCB" + tag[..3], "SYCB###", StringComparison.Ordinal), "import-KEY");
        var lines = new List<string>();
        var revisions = await db.Revisions.AsNoTracking().Where(r => r.ChangeSetId > changeSetBefore).ToListAsync(Ct);
        Assert.NotEmpty(revisions);
        var projects = await db.Projects.AsNoTracking().Where(p => p.Acronym.StartsWith("BC-" + tag)).ToListAsync(Ct);
        var projectIds = projects.Select(p => p.Id).ToList();
        var participations = await db.Participations.AsNoTracking().Where(x => projectIds.Contains(x.ProjectId)).ToListAsync(Ct);
        var organisationIds = participations.Select(x => x.OrganisationId).Distinct().ToList();
        var organisations = await db.Organisations.AsNoTracking().Where(o => organisationIds.Contains(o.Id)).ToListAsync(Ct);
        var cci = "2021TC99SYCB" + tag[..3];
        var programmes = await db.Programmes.AsNoTracking().Where(p => p.Code == cci).ToListAsync(Ct);
        var labels = new Dictionary<(SubjectType, int), string>();
        projects.ForEach(p => labels[(SubjectType.Project, p.Id)] = N(p.Slug)!);
        organisations.ForEach(o => labels[(SubjectType.Organisation, o.Id)] = N(o.Slug)!);
        programmes.ForEach(p => labels[(SubjectType.Programme, p.Id)] = N(p.Slug)!);
        string Label(SubjectType type, int id) => labels.GetValueOrDefault((type, id)) ?? $"{type} (other)";

        foreach (var p in projects)
        {
            lines.Add($"project {N(p.Slug)} {N(p.Acronym)} {N(p.Title.En)} {N(p.Summary.En)} {p.StartDate} {p.EndDate} {p.TotalBudget} {p.EuContribution} {p.StatedEuRate} " +
                $"{N(p.ProgrammeCode)} {Label(SubjectType.Programme, p.ProgrammeId ?? 0)} {p.Priority} {p.InterventionField} {p.IsPublished} {p.DeletedAt} {p.Version}");
        }

        foreach (var o in organisations)
        {
            lines.Add($"organisation {N(o.Slug)} {N(o.Name)} {o.Country} {o.City} {o.LegalStatus} {o.Latitude} {o.Longitude} {o.IsPublished} {o.Version}");
        }

        foreach (var x in participations)
        {
            lines.Add($"participation {Label(SubjectType.Project, x.ProjectId)}/{Label(SubjectType.Organisation, x.OrganisationId)} {x.Role} {x.RoleLabel} {N(x.NameInSource)} {x.Budget} {x.EuContribution}");
        }

        var subjectIds = labels.Keys.Select(k => k.Item2).ToList();
        var facts = await db.Facts.AsNoTracking().Where(f => subjectIds.Contains(f.SubjectId)).ToListAsync(Ct);
        facts = [.. facts.Where(f => labels.ContainsKey((f.SubjectType, f.SubjectId)))];
        var factLabels = facts.ToDictionary(f => f.Id, f => $"{Label(f.SubjectType, f.SubjectId)} {f.Field} {N(f.Value)} rank {f.Rank} {f.Note} {f.Retracted}");
        lines.AddRange(factLabels.Values.Select(f => "fact " + f));
        foreach (var r in revisions)
        {
            // A link to an organisation the context does not track names it by its id (both paths): by its label here.
            var newValue = OrganisationId().Replace(N(r.NewValue) ?? "", m => "organisation " + Label(SubjectType.Organisation, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
            lines.Add($"revision {r.SubjectType} {Label(r.SubjectType, r.SubjectId)} {r.SubjectKey} {r.Field} {r.Action} {N(r.OldValue)} → {newValue} " +
                $"source {(r.SourceId is null ? "none" : "given")} fact {(r.FactId is { } f ? factLabels.GetValueOrDefault(f, "(other)") : "none")} {r.OldRank} {r.NewRank}");
        }

        var changeSets = revisions.Select(r => r.ChangeSetId).Distinct().ToList();
        foreach (var v in await db.RecordVersions.AsNoTracking().Where(v => changeSets.Contains(v.ChangeSetId)).ToListAsync(Ct))
        {
            lines.Add($"version {v.SubjectType} {Label(v.SubjectType, v.SubjectId)} {v.Version}");
        }

        foreach (var e in await db.ChangeFeed.AsNoTracking().Where(e => e.Id > feedBefore).ToListAsync(Ct))
        {
            lines.Add($"feed {e.EntityType} {N(e.EntityId)} {e.Kind}");
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    [GeneratedRegex(@"^organisation (\d+)")]
    private static partial Regex OrganisationId();

    [GeneratedRegex("import-[0-9a-f]{24}")]
    private static partial Regex SourceKey();
}
