using System.Globalization;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.DefaultData;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Portal;

public sealed class SqliteDefaultDataTests(PasserelleApp app) : DefaultDataTests<PasserelleApp>(app);

public sealed class PostgresDefaultDataTests(PostgresApp app) : DefaultDataTests<PostgresApp>(app);

/// <summary>Every test here runs once per provider: the sealed subclasses above pick the fixture.</summary>
public abstract class DefaultDataTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // One query after the other: a DbContext runs one command at a time, and Npgsql (unlike SQLite) really is async.
    private static async Task<int[]> CountsAsync(PasserelleDbContext db) =>
    [
        await db.Sources.CountAsync(Ct), await db.Programmes.CountAsync(Ct), await db.Groupings.CountAsync(Ct),
        await db.GroupingMembers.CountAsync(Ct), await db.Organisations.CountAsync(Ct), await db.OrganisationAliases.CountAsync(Ct),
        await db.Projects.CountAsync(Ct), await db.Participations.CountAsync(Ct), await db.Facts.CountAsync(Ct), await db.Themes.CountAsync(Ct),
    ];

    [Fact]
    public async Task Seed_Twice_CreatesNoDuplicates()
    {
        var before = await app.WithDbAsync(CountsAsync);
        // Forget the recorded hash so the second run really writes every record again.
        await app.WithDbAsync(db => db.AppSettings.Where(s => s.Key == DefaultDataSeeder.HashSetting).ExecuteDeleteAsync(Ct));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().SeedAsync(Passerelle.Core.History.Actor.Command("test"), Ct);
            // Read against the database again, the same data set changes nothing and records nothing.
            Assert.False(result.Changed);
        }

        var after = await app.WithDbAsync(CountsAsync);
        Assert.Equal(before, after);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var again = await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().SeedAsync(Passerelle.Core.History.Actor.Command("test"), Ct);
            Assert.False(again.Changed);
        }
    }

    [Fact]
    public async Task EveryFactBearingValue_DefaultData_HasASource()
    {
        var missing = await app.WithDbAsync(async db =>
        {
            var facts = await db.Facts.AsNoTracking().Select(f => new { f.SubjectType, f.SubjectId, f.Field, f.Value }).ToListAsync(Ct);
            bool Has(SubjectType type, int id, string field, string? value) =>
                value is null || facts.Any(f => f.SubjectType == type && f.SubjectId == id && f.Field == field && f.Value == value);
            bool HasAmount(SubjectType type, int id, string field, decimal? value) =>
                value is null || facts.Any(f => f.SubjectType == type && f.SubjectId == id && f.Field == field &&
                    decimal.Parse(f.Value, CultureInfo.InvariantCulture) == value);

            var problems = new List<string>();
            foreach (var p in await db.Projects.AsNoTracking().ToListAsync(Ct))
            {
                foreach (var (field, value) in new (string, string?)[]
                {
                    ("title.en", p.Title.En), ("title.fr", p.Title.Fr), ("title.nl", p.Title.Nl), ("title.de", p.Title.De),
                    ("summary.en", p.Summary.En), ("summary.fr", p.Summary.Fr), ("priority", p.Priority),
                    ("specific_objective", p.SpecificObjective), ("intervention_field", p.InterventionField),
                    ("project_type", p.ProjectType), ("portfolio", p.Portfolio), ("start_date", p.StartDate),
                    ("end_date", p.EndDate), ("website", p.Website), ("keep_eu_id", p.KeepEuId),
                })
                {
                    if (!Has(SubjectType.Project, p.Id, field, value)) { problems.Add($"project {p.Slug}.{field}"); }
                }

                if (!HasAmount(SubjectType.Project, p.Id, "total_budget_eur", p.TotalBudget)) { problems.Add($"project {p.Slug}.total_budget_eur"); }
                if (!HasAmount(SubjectType.Project, p.Id, "erdf_eur", p.EuContribution)) { problems.Add($"project {p.Slug}.erdf_eur"); }
                if (p.StatedEuRate is not null && !facts.Any(f => f.SubjectType == SubjectType.Project && f.SubjectId == p.Id && f.Field == "erdf_rate")) { problems.Add($"project {p.Slug}.erdf_rate"); }
                if (!facts.Any(f => f.SubjectType == SubjectType.Project && f.SubjectId == p.Id && f.Field == "acronym") &&
                    !facts.Any(f => f.SubjectType == SubjectType.Project && f.SubjectId == p.Id && f.Field.StartsWith("summary.", StringComparison.Ordinal)))
                {
                    problems.Add($"project {p.Slug}: no source names it");
                }
            }

            foreach (var p in await db.Programmes.AsNoTracking().ToListAsync(Ct))
            {
                foreach (var (field, value) in new (string, string?)[]
                {
                    ("name.en", p.Name.En), ("name.fr", p.Name.Fr), ("name.nl", p.Name.Nl), ("name.de", p.Name.De),
                    ("description.en", p.Description.En), ("cci", p.Cci), ("managing_authority", p.ManagingAuthority), ("website", p.Website),
                })
                {
                    if (!Has(SubjectType.Programme, p.Id, field, value)) { problems.Add($"programme {p.Slug}.{field}"); }
                }

                if (!HasAmount(SubjectType.Programme, p.Id, "total_budget_eur", p.TotalBudget)) { problems.Add($"programme {p.Slug}.total_budget_eur"); }
                if (!HasAmount(SubjectType.Programme, p.Id, "eu_contribution_eur", p.EuContribution)) { problems.Add($"programme {p.Slug}.eu_contribution_eur"); }
            }

            foreach (var g in await db.Groupings.AsNoTracking().ToListAsync(Ct))
            {
                foreach (var (field, value) in new (string, string?)[]
                {
                    ("name.en", g.Name.En), ("name.fr", g.Name.Fr), ("name.nl", g.Name.Nl), ("description.en", g.Description.En),
                    ("founded_on", g.FoundedOn), ("website", g.Website),
                    ("municipality_count", g.MunicipalityCount?.ToString(CultureInfo.InvariantCulture)),
                    ("population", g.Population?.ToString(CultureInfo.InvariantCulture)),
                })
                {
                    if (!Has(SubjectType.Grouping, g.Id, field, value)) { problems.Add($"grouping {g.Slug}.{field}"); }
                }

                if (!HasAmount(SubjectType.Grouping, g.Id, "area_km2", g.AreaKm2)) { problems.Add($"grouping {g.Slug}.area_km2"); }
            }

            if (await db.GroupingMembers.AnyAsync(m => m.SourceId == null, Ct)) { problems.Add("a grouping member without a source"); }

            var aliases = await db.OrganisationAliases.AsNoTracking().Where(a => a.SourceId != null).Select(a => a.OrganisationId).ToListAsync(Ct);
            foreach (var o in await db.Organisations.AsNoTracking().ToListAsync(Ct))
            {
                if (!Has(SubjectType.Organisation, o.Id, "country", o.Country)) { problems.Add($"organisation {o.Slug}.country"); }
                if (!Has(SubjectType.Organisation, o.Id, "city", o.City)) { problems.Add($"organisation {o.Slug}.city"); }
                if (!facts.Any(f => f.SubjectType == SubjectType.Organisation && f.SubjectId == o.Id && f.Field == "name") && !aliases.Contains(o.Id))
                {
                    problems.Add($"organisation {o.Slug}: no source names it");
                }
            }

            foreach (var p in await db.Participations.AsNoTracking().ToListAsync(Ct))
            {
                if (!facts.Any(f => f.SubjectType == SubjectType.Participation && f.SubjectId == p.Id && f.Field == "role")) { problems.Add($"participation {p.Id}: role without source"); }
                if (!HasAmount(SubjectType.Participation, p.Id, "budget_eur", p.Budget)) { problems.Add($"participation {p.Id}.budget_eur"); }
            }

            return problems;
        });

        Assert.Empty(missing);
    }

    [Fact]
    public async Task Organisations_LilleMetropoleUnderAllItsNames_IsOneRecord()
    {
        var count = await app.WithDbAsync(db => db.Organisations.CountAsync(o => o.Name.Contains("Lille") && (o.Name.Contains("Métropole") || o.Name.Contains("Metropole")), Ct));
        Assert.Equal(1, count);
    }
}
