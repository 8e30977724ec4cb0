using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Groupings;
using Passerelle.Core.History;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Core.Themes;

namespace Passerelle.Core.DefaultData;

/// <summary>What seeding did: whether it wrote anything, the data set's size, and how many changes it recorded.</summary>
public sealed record SeedResult(bool Changed, int Sources, int Programmes, int Groupings, int Organisations, int Projects, int Facts, int Revisions = 0);

/// <summary>
/// Brings the registry in line with the default data, through the one write path (ADR 0010), in one transaction.
/// Records are matched on their slug or key and never duplicated. The default data owns the values of its own
/// sources: those it no longer gives are retracted, new ones added, and nothing else is touched, so values that an
/// import or an editor added, and the participations, aliases and members they created, stay. Links the default
/// data gives (partners, aliases, members, themes) are added when missing and never removed by seeding. A data set
/// whose hash is already recorded is not read against the database at all.
/// </summary>
public sealed class DefaultDataSeeder(PasserelleDbContext db, RegistryWriter writer, ILogger<DefaultDataSeeder> logger)
{
    public const string HashSetting = "default-data-hash";

    /// <summary>Whether the database already holds the data set of this hash (<see cref="DefaultDataLoader.Hash"/>).</summary>
    /// <remarks>
    /// Plain SQL rather than a LINQ query: at a web start this runs on the host's thread before it serves, where EF's
    /// first LINQ query would build its query pipeline (0.3 s); a warm-up thread builds that beside it (ADR 36, "At 2 M,
    /// what the start's path still paid for").
    /// </remarks>
    public async Task<bool> IsCurrentAsync(string hash, CancellationToken ct = default) =>
        await FlatQuery.FirstAsync(
            db, "SELECT \"Value\" FROM \"AppSettings\" WHERE \"Key\" = @key", [new("@key", HashSetting)], r => r.GetString(0), null, ct) == hash;

    public async Task<SeedResult> SeedAsync(DefaultDataSet data, Actor actor, CancellationToken ct = default)
    {
        if (await IsCurrentAsync(data.Hash, ct))
        {
            logger.LogInformation("Default data unchanged (hash {Hash}); nothing written", data.Hash[..12]);
            return new SeedResult(false, 0, 0, 0, 0, 0, 0);
        }

        await using var session = await writer.BeginAsync(actor, ct);
        var sources = await session.SourcesAsync(data.Sources, ct);
        await session.FlushAsync(ct: ct);
        var owned = sources.Values.Select(s => s.Id).ToHashSet();

        var themes = await SeedThemesAsync(data, ct);
        var programmes = await SeedProgrammesAsync(session, data, sources, owned, ct);
        var organisations = await SeedOrganisationsAsync(session, data, sources, owned, ct);

        // Programmes and organisations get their ids here: groupings and projects refer to them by id.
        await session.FlushAsync(ct: ct);
        await SeedGroupingsAsync(session, data, sources, owned, organisations, ct);
        await SeedProjectsAsync(session, data, sources, owned, themes, programmes, organisations, ct);

        var setting = await db.AppSettings.FindAsync([HashSetting], ct);
        if (setting is null)
        {
            db.AppSettings.Add(new AppSetting { Key = HashSetting, Value = data.Hash });
        }
        else
        {
            setting.Value = data.Hash;
        }

        var changed = await session.CommitAsync(ct);
        var facts = data.Programmes.Sum(p => p.Facts.Count) + data.Organisations.Sum(o => o.Facts.Count) + data.Groupings.Sum(g => g.Facts.Count)
            + data.Projects.Sum(p => p.Facts.Count + p.Participations.Sum(x => x.Facts.Count));
        logger.LogInformation("Default data seeded: {Revisions} changes recorded ({Projects} projects, {Organisations} organisations in the data set)",
            session.RevisionCount, data.Projects.Count, data.Organisations.Count);
        return new SeedResult(changed, data.Sources.Count, data.Programmes.Count, data.Groupings.Count, data.Organisations.Count, data.Projects.Count, facts,
            session.RevisionCount);
    }

    private async Task<Dictionary<string, Theme>> SeedThemesAsync(DefaultDataSet data, CancellationToken ct)
    {
        var existing = await db.Themes.ToDictionaryAsync(t => t.Slug, StringComparer.Ordinal, ct);
        foreach (var theme in data.Themes)
        {
            if (existing.TryGetValue(theme.Slug, out var current))
            {
                if (current.Label != theme.Label)
                {
                    current.Label = theme.Label;
                }
            }
            else
            {
                db.Themes.Add(theme);
                existing[theme.Slug] = theme;
            }
        }

        return existing;
    }

    private async Task<Dictionary<string, Programme>> SeedProgrammesAsync(
        WriteSession session, DefaultDataSet data, Dictionary<string, SourceHandle> sources, HashSet<int> owned, CancellationToken ct)
    {
        var existing = await db.Programmes.ToDictionaryAsync(p => p.Slug, StringComparer.Ordinal, ct);
        await session.LoadValuesAsync(existing.Values, ct);
        foreach (var seed in data.Programmes)
        {
            var from = seed.Entity;
            if (!existing.TryGetValue(from.Slug, out var to))
            {
                to = session.Create(new Programme { Slug = from.Slug, Code = from.Code, Period = from.Period });
                existing[from.Slug] = to;
            }

            Editorial.Assign(to.Code, from.Code, v => to.Code = v);
            Editorial.Assign(to.Kind, from.Kind, v => to.Kind = v);
            Editorial.Assign(to.Period, from.Period, v => to.Period = v);
            Editorial.Assign(to.AreaNote, from.AreaNote, v => to.AreaNote = v);
            if (!to.Funds.SequenceEqual(from.Funds))
            {
                to.Funds = [.. from.Funds];
            }

            if (!to.Countries.SequenceEqual(from.Countries))
            {
                to.Countries = [.. from.Countries];
            }

            SyncFacts(session, to, SubjectType.Programme, seed.Facts, sources, owned);
        }

        return existing;
    }

    private async Task<Dictionary<string, Organisation>> SeedOrganisationsAsync(
        WriteSession session, DefaultDataSet data, Dictionary<string, SourceHandle> sources, HashSet<int> owned, CancellationToken ct)
    {
        var existing = await db.Organisations.Include(o => o.Aliases).ToDictionaryAsync(o => o.Slug, StringComparer.Ordinal, ct);
        await session.LoadValuesAsync(existing.Values, ct);
        foreach (var seed in data.Organisations)
        {
            var from = seed.Entity;
            if (!existing.TryGetValue(from.Slug, out var to))
            {
                to = session.Create(new Organisation { Slug = from.Slug, Name = from.Name, LegalStatus = from.LegalStatus });
                existing[from.Slug] = to;
            }
            else
            {
                // Editorial identity, unless sources now give the value (then the sourced value stands).
                if (session.Values(to, Fields.Organisation.Name).Count == 0)
                {
                    Editorial.Assign(to.Name, from.Name, v => to.Name = v);
                }

                if (session.Values(to, Fields.Organisation.LegalStatus).Count == 0 && from.LegalStatus != LegalStatus.Unknown)
                {
                    Editorial.Assign(to.LegalStatus, from.LegalStatus, v => to.LegalStatus = v);
                }
            }

            foreach (var alias in seed.Aliases.DistinctBy(a => a.Name))
            {
                var sourceId = alias.SourceKey is null ? (int?)null : sources[alias.SourceKey].Id;
                var current = to.Aliases.FirstOrDefault(a => a.Name == alias.Name);
                if (current is null)
                {
                    to.Aliases.Add(new OrganisationAlias { Name = alias.Name, SourceId = sourceId });
                }
                else if (current.SourceId is null && sourceId is not null)
                {
                    current.SourceId = sourceId;
                }
            }

            SyncFacts(session, to, SubjectType.Organisation, seed.Facts, sources, owned);
        }

        return existing;
    }

    private async Task SeedGroupingsAsync(
        WriteSession session, DefaultDataSet data, Dictionary<string, SourceHandle> sources, HashSet<int> owned,
        Dictionary<string, Organisation> organisations, CancellationToken ct)
    {
        var existing = await db.Groupings.Include(g => g.Members).ToDictionaryAsync(g => g.Slug, StringComparer.Ordinal, ct);
        await session.LoadValuesAsync(existing.Values, ct);
        foreach (var seed in data.Groupings)
        {
            var from = seed.Entity;
            if (!existing.TryGetValue(from.Slug, out var to))
            {
                to = session.Create(new Grouping { Slug = from.Slug, LegalForm = from.LegalForm });
                existing[from.Slug] = to;
            }

            Editorial.Assign(to.LegalForm, from.LegalForm, v => to.LegalForm = v);
            if (!to.FieldsOfAction.SequenceEqual(from.FieldsOfAction))
            {
                to.FieldsOfAction = [.. from.FieldsOfAction];
            }

            foreach (var m in seed.Members)
            {
                var organisation = m.OrganisationSlug is null ? null : organisations[m.OrganisationSlug];
                var current = to.Members.FirstOrDefault(x => x.Name == m.Entity.Name);
                if (current is null)
                {
                    to.Members.Add(current = new GroupingMember { Name = m.Entity.Name, Country = m.Entity.Country, Level = m.Entity.Level });
                }

                Editorial.Assign(current.Country, m.Entity.Country, v => current.Country = v);
                Editorial.Assign(current.Level, m.Entity.Level, v => current.Level = v);
                Editorial.Assign(current.Order, m.Entity.Order, v => current.Order = v);
                Editorial.Assign(current.SourceId, sources[m.SourceKey].Id, v => current.SourceId = v);
                if (organisation is not null)
                {
                    Editorial.Assign(current.OrganisationId, organisation.Id, v => current.OrganisationId = v);
                }
            }

            SyncFacts(session, to, SubjectType.Grouping, seed.Facts, sources, owned);
        }
    }

    private async Task SeedProjectsAsync(
        WriteSession session, DefaultDataSet data, Dictionary<string, SourceHandle> sources, HashSet<int> owned,
        Dictionary<string, Theme> themes, Dictionary<string, Programme> programmes, Dictionary<string, Organisation> organisations, CancellationToken ct)
    {
        var existing = await db.Projects.Include(p => p.Themes).Include(p => p.Participations).AsSplitQuery()
            .ToDictionaryAsync(p => p.Slug, StringComparer.Ordinal, ct);
        await session.LoadValuesAsync(existing.Values, ct);
        await session.LoadValuesAsync(existing.Values.SelectMany(p => p.Participations), ct);
        foreach (var seed in data.Projects)
        {
            var from = seed.Entity;
            if (!existing.TryGetValue(from.Slug, out var to))
            {
                to = session.Create(new Project { Slug = from.Slug, Acronym = from.Acronym, ProgrammeCode = from.ProgrammeCode });
                existing[from.Slug] = to;
            }

            Editorial.Assign(to.ProgrammeCode, from.ProgrammeCode, v => to.ProgrammeCode = v);
            Editorial.Assign(to.ProgrammeId, seed.ProgrammeSlug is null ? null : programmes[seed.ProgrammeSlug].Id, v => to.ProgrammeId = v);

            foreach (var slug in seed.ThemeSlugs)
            {
                if (!to.Themes.Any(t => t.Slug == slug))
                {
                    to.Themes.Add(themes[slug]);
                }
            }

            foreach (var p in seed.Participations)
            {
                var organisation = organisations[p.OrganisationSlug];
                var participation = to.Participations.FirstOrDefault(x => x.OrganisationId == organisation.Id);
                if (participation is null)
                {
                    participation = new Participation
                    {
                        Project = to,
                        OrganisationId = organisation.Id,
                        Role = p.Role,
                        RoleLabel = p.RoleLabel,
                        NameInSource = p.NameInSource,
                    };
                    to.Participations.Add(participation);
                    session.Create(participation);
                }
                else
                {
                    Editorial.Assign(participation.NameInSource, p.NameInSource, v => participation.NameInSource = v);
                }

                SyncFacts(session, participation, SubjectType.Participation, p.Facts, sources, owned);
            }

            SyncFacts(session, to, SubjectType.Project, seed.Facts, sources, owned);
        }
    }

    /// <summary>Every field the data gives or its sources gave before: the data's values become exactly those given.</summary>
    private static void SyncFacts(WriteSession session, object record, SubjectType type, List<LoadedFact> facts,
        Dictionary<string, SourceHandle> sources, HashSet<int> owned)
    {
        var given = facts.GroupBy(f => f.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var fields = given.Keys.Concat(session.FieldNames(record)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in fields)
        {
            // The loader checked every field name and value against the registry, with its file and line.
            var field = Fields.Get(type, name);
            var desired = given.TryGetValue(name, out var list)
                ? list.Select(f => new SourcedValue(f.Value, sources[f.SourceKey], f.Note)).ToList()
                : [];
            if (desired.Count == 0 && !session.Values(record, field).Any(v => owned.Contains(v.SourceId)))
            {
                continue;
            }

            session.SyncValues(record, field, desired, owned);
        }
    }
}
