using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Statistics;

/// <summary>A source of a figure, with how many of the records counted (or values summed) it gives.</summary>
public sealed record FigureSource(SourceRef Source, int Records);

/// <summary>A count of published records, with the sources that name them.</summary>
public sealed record CountFigure(int Count, IReadOnlyList<FigureSource> Sources);

/// <summary>
/// A sum over published records of the value each shows first, with how many records have one (<see cref="Known"/>)
/// and how many have none (<see cref="Unknown"/>: counted apart, never as 0), and the sources of the summed values.
/// </summary>
public sealed record SumFigure(decimal Total, int Known, int Unknown, IReadOnlyList<FigureSource> Sources);

/// <summary>The registry in four figures, as the home page shows them.</summary>
public sealed record KeyFigureSet(CountFigure Programmes, CountFigure Projects, CountFigure Partners, SumFigure ProjectBudgets);

/// <summary>
/// The home page's key figures, each computed by SQL aggregates in the database (counts, one sum, and the sources
/// grouped), never by loading the records. They are computed again only when the registry has moved, once and in the
/// background (<see cref="RegistryCache{T}"/>): at two million projects the sources' aggregates take minutes, and the
/// home page shows the previous figures, with their date, until the new ones are ready (ADR 33).
/// </summary>
public sealed class KeyFigures(RegistryRead registry, RegistryCache<KeyFigureSet> cache)
{
    /// <summary>The figures, or the previous ones if the new ones are not ready within the wait; null before the first are.</summary>
    public Task<Cached<KeyFigureSet>?> TryGetAsync(CancellationToken ct = default) =>
        cache.TryGetAsync(registry, ct);

    /// <summary>The figures, waiting for the first if there are none yet.</summary>
    public Task<Cached<KeyFigureSet>> GetAsync(CancellationToken ct = default) =>
        cache.GetAsync(registry, ct);

    /// <summary>The computation kept by the cache (registered in <see cref="CoreServiceCollectionExtensions"/>).</summary>
    internal static Task<KeyFigureSet> ComputeAsync(PasserelleDbContext db, CancellationToken ct) => new Computation(db).ComputeAsync(ct);
}

/// <summary>The queries behind the key figures, on the context of the scope that computes them.</summary>
file sealed class Computation(PasserelleDbContext db)
{
    public async Task<KeyFigureSet> ComputeAsync(CancellationToken ct)
    {
        var programmes = db.Programmes.Where(p => p.IsPublished).Select(p => p.Id);
        var projects = db.Projects.Where(p => p.IsPublished);
        var participations = db.Participations.Where(x => x.Project.IsPublished && x.Organisation.IsPublished);

        // A programme is named by the sources of its name; a project by those of its acronym and title; a partner by
        // those that state its role in a project. In each case the value shown first (see Shown), as for the budget.
        var programmeNames = Fields.Programme.Name.All.Select(f => f.Name).ToList();
        var projectNames = Fields.Project.Title.All.Select(f => f.Name).Append(Fields.Project.Acronym.Name).ToList();
        var programmeFigure = new CountFigure(
            await programmes.CountAsync(ct),
            await SourcesAsync(Shown(SubjectType.Programme, programmeNames).Where(f => programmes.Contains(f.SubjectId)), ct));
        var projectFigure = new CountFigure(
            await projects.CountAsync(ct),
            await SourcesAsync(Shown(SubjectType.Project, projectNames).Where(f => projects.Select(p => p.Id).Contains(f.SubjectId)), ct));
        var partnerFigure = new CountFigure(
            await participations.Select(x => x.OrganisationId).Distinct().CountAsync(ct),
            await SourcesAsync(Shown(SubjectType.Participation, [Fields.Participation.Role.Name])
                .Where(f => participations.Select(x => x.Id).Contains(f.SubjectId)), ct));

        // The budget column holds the value shown first: the sum is of those, and its sources are theirs.
        var budgets = projects.Where(p => p.TotalBudget != null);
        var known = await budgets.CountAsync(ct);
        var budgetFigure = new SumFigure(
            known == 0 ? 0m : await budgets.SumAsync(p => p.TotalBudget!.Value, ct),
            known,
            await projects.CountAsync(p => p.TotalBudget == null, ct),
            await SourcesAsync(Shown(SubjectType.Project, [Fields.Project.TotalBudget.Name]).Where(f => budgets.Select(p => p.Id).Contains(f.SubjectId)), ct));
        return new KeyFigureSet(programmeFigure, projectFigure, partnerFigure, budgetFigure);
    }

    /// <summary>
    /// The facts shown first of these fields: per record and field, the first-ranked one still given (the value the
    /// record's column holds). Other sources' values stay on the record's page; a figure cites the values it counts.
    /// </summary>
    private IQueryable<Fact> Shown(SubjectType subject, IReadOnlyCollection<string> fields) =>
        Facts(subject, fields).Where(f => !db.Facts.Any(o => o.SubjectType == subject && o.SubjectId == f.SubjectId && o.Field == f.Field
            && !o.Retracted && o.Rank < f.Rank));

    private IQueryable<Fact> Facts(SubjectType subject, IReadOnlyCollection<string> fields) =>
        db.Facts.Where(f => f.SubjectType == subject && !f.Retracted && fields.Contains(f.Field));

    /// <summary>The sources of these facts, each with the number of records it gives a fact for, the most used first.</summary>
    private async Task<IReadOnlyList<FigureSource>> SourcesAsync(IQueryable<Fact> facts, CancellationToken ct)
    {
        var counts = await facts
            .GroupBy(f => f.SourceId)
            .Select(g => new { SourceId = g.Key, Records = g.Select(f => f.SubjectId).Distinct().Count() })
            .ToListAsync(ct);
        var ids = counts.Select(c => c.SourceId).ToList();
        var sources = await db.Sources.AsNoTracking().Where(s => ids.Contains(s.Id))
            .Select(s => new { s.Id, Source = new SourceRef(s.Key, s.Title, s.Url, s.SourceDate) })
            .ToDictionaryAsync(s => s.Id, s => s.Source, ct);
        return counts
            .Where(c => sources.ContainsKey(c.SourceId))
            .Select(c => new FigureSource(sources[c.SourceId], c.Records))
            .OrderByDescending(s => s.Records).ThenBy(s => s.Source.Title, StringComparer.Ordinal)
            .ToList();
    }
}
