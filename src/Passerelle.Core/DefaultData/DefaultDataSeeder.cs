using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;

namespace Passerelle.Core.DefaultData;

public sealed record SeedResult(bool Changed, int Sources, int Programmes, int Groupings, int Organisations, int Projects, int Facts);

/// <summary>
/// Writes the default data set in one transaction. Records are matched on their slug or key, so seeding again
/// updates in place and never duplicates; a data set whose hash is already recorded is not written at all.
/// </summary>
public sealed class DefaultDataSeeder(PasserelleDbContext db, ILogger<DefaultDataSeeder> logger)
{
    public const string HashSetting = "default-data-hash";

    public async Task<SeedResult> SeedAsync(DefaultDataSet data, CancellationToken ct = default)
    {
        var recorded = await db.AppSettings.AsNoTracking().Where(s => s.Key == HashSetting).Select(s => s.Value).FirstOrDefaultAsync(ct);
        if (recorded == data.Hash)
        {
            logger.LogInformation("Default data unchanged (hash {Hash}); nothing written", data.Hash[..12]);
            return new SeedResult(false, 0, 0, 0, 0, 0, 0);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        var sources = await UpsertSourcesAsync(data, ct);
        var themes = await UpsertAsync(db.Themes, data.Themes, t => t.Slug, (to, from) => to.Label = from.Label, ct);

        var facts = new List<Fact>();
        var programmes = await UpsertAsync(db.Programmes, data.Programmes.Select(p => p.Entity), p => p.Slug, CopyProgramme, ct);
        facts.AddRange(data.Programmes.SelectMany(p => ToFacts(SubjectType.Programme, programmes[p.Entity.Slug].Id, p.Facts, sources)));

        var organisations = await UpsertAsync(db.Organisations, data.Organisations.Select(o => o.Entity), o => o.Slug, CopyOrganisation, ct);
        var organisationIds = organisations.Values.Select(o => o.Id).ToList();
        await db.OrganisationAliases.Where(a => organisationIds.Contains(a.OrganisationId)).ExecuteDeleteAsync(ct);
        foreach (var seed in data.Organisations)
        {
            var id = organisations[seed.Entity.Slug].Id;
            db.OrganisationAliases.AddRange(seed.Aliases.DistinctBy(a => a.Name).Select(a => new OrganisationAlias
            {
                OrganisationId = id,
                Name = a.Name,
                SourceId = a.SourceKey is null ? null : sources[a.SourceKey],
            }));
            facts.AddRange(ToFacts(SubjectType.Organisation, id, seed.Facts, sources));
        }

        var groupings = await UpsertAsync(db.Groupings, data.Groupings.Select(g => g.Entity), g => g.Slug, CopyGrouping, ct);
        var groupingIds = groupings.Values.Select(g => g.Id).ToList();
        await db.GroupingMembers.Where(m => groupingIds.Contains(m.GroupingId)).ExecuteDeleteAsync(ct);
        foreach (var seed in data.Groupings)
        {
            var id = groupings[seed.Entity.Slug].Id;
            db.GroupingMembers.AddRange(seed.Members.Select(m => new GroupingMember
            {
                GroupingId = id,
                Name = m.Entity.Name,
                Country = m.Entity.Country,
                Level = m.Entity.Level,
                Order = m.Entity.Order,
                SourceId = sources[m.SourceKey],
                OrganisationId = m.OrganisationSlug is null ? null : organisations[m.OrganisationSlug].Id,
            }));
            facts.AddRange(ToFacts(SubjectType.Grouping, id, seed.Facts, sources));
        }

        var projects = await UpsertAsync(db.Projects, data.Projects.Select(p => p.Entity), p => p.Slug, CopyProject, ct);
        var projectIds = projects.Values.Select(p => p.Id).ToList();
        var oldParticipations = await db.Participations.Where(p => projectIds.Contains(p.ProjectId)).Select(p => p.Id).ToListAsync(ct);
        await db.Facts.Where(f => f.SubjectType == SubjectType.Participation && oldParticipations.Contains(f.SubjectId)).ExecuteDeleteAsync(ct);
        await db.Participations.Where(p => projectIds.Contains(p.ProjectId)).ExecuteDeleteAsync(ct);
        var participationFacts = new List<(Participation Participation, List<LoadedFact> Facts)>();
        foreach (var seed in data.Projects)
        {
            var project = projects[seed.Entity.Slug];
            project.ProgrammeId = seed.ProgrammeSlug is null ? null : programmes[seed.ProgrammeSlug].Id;
            await db.Entry(project).Collection(p => p.Themes).LoadAsync(ct);
            project.Themes.Clear();
            project.Themes.AddRange(seed.ThemeSlugs.Select(s => themes[s]));
            foreach (var p in seed.Participations)
            {
                var participation = new Participation
                {
                    ProjectId = project.Id,
                    OrganisationId = organisations[p.OrganisationSlug].Id,
                    Role = p.Role,
                    RoleLabel = p.RoleLabel,
                    NameInSource = p.NameInSource,
                    Budget = p.Budget,
                    EuContribution = p.EuContribution,
                };
                db.Participations.Add(participation);
                participationFacts.Add((participation, p.Facts));
            }

            facts.AddRange(ToFacts(SubjectType.Project, project.Id, seed.Facts, sources));
        }

        await db.SaveChangesAsync(ct);
        facts.AddRange(participationFacts.SelectMany(p => ToFacts(SubjectType.Participation, p.Participation.Id, p.Facts, sources)));

        // Facts of the seeded records are replaced as a whole: set-based delete, then insert.
        // Only facts from the default data's own sources: a computed or imported figure on the same record stays.
        var sourceIds = sources.Values.ToList();
        await DeleteFactsAsync(SubjectType.Programme, programmes.Values.Select(p => p.Id), sourceIds, ct);
        await DeleteFactsAsync(SubjectType.Organisation, organisationIds, sourceIds, ct);
        await DeleteFactsAsync(SubjectType.Grouping, groupingIds, sourceIds, ct);
        await DeleteFactsAsync(SubjectType.Project, projectIds, sourceIds, ct);
        db.Facts.AddRange(facts);

        // The set-based deletes above bypass the change feed's interceptor: tell every instance to reload everything.
        db.ChangeFeed.Add(ChangeEntry.Everything(DateTime.UtcNow));

        var setting = await db.AppSettings.FindAsync([HashSetting], ct);
        if (setting is null)
        {
            db.AppSettings.Add(new AppSetting { Key = HashSetting, Value = data.Hash });
        }
        else
        {
            setting.Value = data.Hash;
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        logger.LogInformation("Default data written: {Projects} projects, {Organisations} organisations, {Facts} facts",
            projects.Count, organisations.Count, facts.Count);
        return new SeedResult(true, sources.Count, programmes.Count, groupings.Count, organisations.Count, projects.Count, facts.Count);
    }

    private async Task DeleteFactsAsync(SubjectType type, IEnumerable<int> ids, List<int> sourceIds, CancellationToken ct)
    {
        var list = ids.ToList();
        await db.Facts.Where(f => f.SubjectType == type && list.Contains(f.SubjectId) && sourceIds.Contains(f.SourceId)).ExecuteDeleteAsync(ct);
    }

    private static IEnumerable<Fact> ToFacts(SubjectType type, int id, List<LoadedFact> facts, Dictionary<string, int> sources) =>
        facts.GroupBy(f => f.Field).SelectMany(group => group.Select((f, rank) => new Fact
        {
            SubjectType = type,
            SubjectId = id,
            Field = f.Field,
            Value = f.Value,
            SourceId = sources[f.SourceKey],
            Rank = rank,
            Note = f.Note,
        }));

    private async Task<Dictionary<string, int>> UpsertSourcesAsync(DefaultDataSet data, CancellationToken ct)
    {
        var sources = await UpsertAsync(db.Sources, data.Sources, s => s.Key, (to, from) =>
        {
            to.Title = from.Title;
            to.Url = from.Url;
            to.SourceDate = from.SourceDate;
            to.Licence = from.Licence;
        }, ct);
        return sources.ToDictionary(s => s.Key, s => s.Value.Id);
    }

    /// <summary>Inserts new records and updates existing ones matched on their natural key; saves so that ids exist.</summary>
    private async Task<Dictionary<string, T>> UpsertAsync<T>(
        DbSet<T> set, IEnumerable<T> incoming, Func<T, string> key, Action<T, T> copy, CancellationToken ct) where T : class
    {
        var existing = (await set.ToListAsync(ct)).ToDictionary(key);
        var result = new Dictionary<string, T>();
        foreach (var item in incoming)
        {
            if (existing.TryGetValue(key(item), out var current))
            {
                copy(current, item);
                result[key(item)] = current;
            }
            else
            {
                set.Add(item);
                result[key(item)] = item;
            }
        }

        await db.SaveChangesAsync(ct);
        return result;
    }

    private static void CopyProgramme(Programme to, Programme from)
    {
        (to.Code, to.Kind, to.Period, to.Cci, to.Funds, to.Countries) = (from.Code, from.Kind, from.Period, from.Cci, from.Funds, from.Countries);
        (to.Name, to.Description, to.ManagingAuthority, to.Website) = (from.Name, from.Description, from.ManagingAuthority, from.Website);
        (to.TotalBudget, to.EuContribution, to.AreaNote) = (from.TotalBudget, from.EuContribution, from.AreaNote);
    }

    private static void CopyOrganisation(Organisation to, Organisation from)
    {
        (to.Name, to.Country, to.City, to.LegalStatus, to.Website) = (from.Name, from.Country, from.City, from.LegalStatus, from.Website);
    }

    private static void CopyGrouping(Grouping to, Grouping from)
    {
        (to.Name, to.Description, to.LegalForm, to.YearFounded, to.FoundedOn, to.Website) =
            (from.Name, from.Description, from.LegalForm, from.YearFounded, from.FoundedOn, from.Website);
        (to.MunicipalityCount, to.AreaKm2, to.Population, to.FieldsOfAction) = (from.MunicipalityCount, from.AreaKm2, from.Population, from.FieldsOfAction);
    }

    private static void CopyProject(Project to, Project from)
    {
        (to.Acronym, to.ProgrammeCode, to.Title, to.Summary) = (from.Acronym, from.ProgrammeCode, from.Title, from.Summary);
        (to.Priority, to.SpecificObjective, to.InterventionField, to.ProjectType, to.Portfolio) =
            (from.Priority, from.SpecificObjective, from.InterventionField, from.ProjectType, from.Portfolio);
        (to.StartDate, to.EndDate, to.TotalBudget, to.EuContribution, to.StatedEuRate) =
            (from.StartDate, from.EndDate, from.TotalBudget, from.EuContribution, from.StatedEuRate);
        (to.Website, to.KeepEuId) = (from.Website, from.KeepEuId);
    }
}
