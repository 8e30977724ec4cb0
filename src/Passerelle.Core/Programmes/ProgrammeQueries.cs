using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Programmes;

public sealed record ProgrammeListItem(
    string Slug,
    string Code,
    LocalizedText Name,
    ProgrammeKind Kind,
    string Period,
    IReadOnlyList<string> Countries,
    int ProjectCount);

public sealed record ProgrammeDetails(
    ProgrammeListItem Summary,
    LocalizedText Description,
    string? Cci,
    IReadOnlyList<string> Funds,
    string? ManagingAuthority,
    string? Website,
    decimal? TotalBudget,
    decimal? EuContribution,
    string? AreaNote,
    IReadOnlyList<ProgrammeListItem> OtherPeriods,
    IReadOnlyList<ProjectListItem> Projects,
    FactSheet Facts);

/// <summary>Every published programme with its facts, as the registry was when it was read (see <see cref="RegistryCache{T}"/>).</summary>
public sealed record PublishedProgrammesWithFacts(IReadOnlyList<(int Id, ProgrammeListItem Programme, FactSheet Facts)> Items);

/// <summary>The number of published projects of each programme (by id), as the registry was when they were counted.</summary>
public sealed record ProjectCountsByProgramme(IReadOnlyDictionary<int, int> Counts);

public sealed class ProgrammeQueries(
    PasserelleDbContext db,
    ProjectQueries projects,
    RegistryCache<PublishedProgrammesWithFacts> withFacts,
    RegistryCache<ProjectCountsByProgramme> projectCounts,
    RegistryRead registry)
{
    public async Task<Paged<ProgrammeListItem>> ListAsync(PageRequest page, CancellationToken ct = default)
    {
        var query = db.Programmes.AsNoTracking().Where(p => p.IsPublished);
        var total = await query.CountAsync(ct);
        var rows = await Rows(query.OrderBy(p => p.Code).ThenBy(p => p.Period).Skip(page.Skip).Take(page.PageSize)).ToListAsync(ct);
        return new Paged<ProgrammeListItem>(await CountedAsync(rows, ct), page.Page, page.PageSize, total);
    }

    /// <summary>
    /// Every published programme with its sourced facts, in two queries (the home page lists them all), kept until the
    /// registry moves: with Kohesio's hundreds of programmes, reading them on every visit of the home page cost more
    /// than the rest of the page.
    /// </summary>
    public async Task<IReadOnlyList<(ProgrammeListItem Programme, FactSheet Facts)>> ListWithFactsAsync(CancellationToken ct = default)
    {
        var all = (await withFacts.GetAsync(registry, ct)).Value.Items;
        var counted = await CountedAsync(all.Select(x => new Row(x.Id, x.Programme)), ct);
        return all.Select((x, i) => (counted[i], x.Facts)).ToList();
    }

    internal static async Task<PublishedProgrammesWithFacts> ReadWithFactsAsync(PasserelleDbContext db, CancellationToken ct)
    {
        var rows = await Rows(db.Programmes.AsNoTracking().Where(p => p.IsPublished).OrderBy(p => p.Code).ThenBy(p => p.Period)).ToListAsync(ct);
        var facts = await FactQueries.ForSubjectsAsync(db, SubjectType.Programme, rows.Select(r => r.Id).ToList(), ct);
        return new PublishedProgrammesWithFacts(rows.Select(r => (r.Id, r.Item, facts.GetValueOrDefault(r.Id) ?? FactSheet.Empty)).ToList());
    }

    public async Task<ProgrammeDetails?> GetAsync(string slug, CancellationToken ct = default)
    {
        var programme = await db.Programmes.AsNoTracking().SingleOrDefaultAsync(p => p.IsPublished && p.Slug == slug, ct);
        if (programme is null)
        {
            return null;
        }

        // The programme and its other periods in one read, counted with one look at the counts.
        var periods = await CountedAsync(await Rows(db.Programmes.AsNoTracking()
            .Where(p => p.Id == programme.Id || (p.IsPublished && p.Code == programme.Code)).OrderBy(p => p.Period)).ToListAsync(ct), ct);
        var summary = periods.Single(p => p.Slug == programme.Slug);
        var others = periods.Where(p => p.Slug != programme.Slug).ToList();
        var list = await projects.ListAsync(new ProjectFilter(Programme: programme.Slug), new PageRequest(1, PageRequest.MaxSize), ct);
        var facts = await FactQueries.ForSubjectAsync(db, SubjectType.Programme, programme.Id, ct);
        return new ProgrammeDetails(summary, programme.Description, programme.Cci, programme.Funds, programme.ManagingAuthority,
            programme.Website, programme.TotalBudget, programme.EuContribution, programme.AreaNote, others, list.Items, facts);
    }

    private sealed record Row(int Id, ProgrammeListItem Item);

    private static IQueryable<Row> Rows(IQueryable<Programme> query) => query.Select(p => new Row(
        p.Id, new ProgrammeListItem(p.Slug, p.Code, p.Name, p.Kind, p.Period, p.Countries, 0)));

    /// <summary>
    /// The programmes with their numbers of published projects, counted for all programmes in one pass and kept until
    /// the registry moves: counted per programme in each request, the list of programmes took 4 s at 2 M projects.
    /// </summary>
    private async Task<List<ProgrammeListItem>> CountedAsync(IEnumerable<Row> rows, CancellationToken ct)
    {
        var counts = (await projectCounts.GetAsync(registry, ct)).Value.Counts;
        return rows.Select(r => r.Item with { ProjectCount = counts.GetValueOrDefault(r.Id) }).ToList();
    }

    internal static async Task<ProjectCountsByProgramme> CountProjectsAsync(PasserelleDbContext db, CancellationToken ct) =>
        new((await db.Projects.AsNoTracking().Where(p => p.IsPublished && p.ProgrammeId != null)
                .GroupBy(p => p.ProgrammeId!.Value).Select(g => new { Programme = g.Key, Count = g.Count() })
                .ToListAsync(ct))
            .ToDictionary(x => x.Programme, x => x.Count));
}
