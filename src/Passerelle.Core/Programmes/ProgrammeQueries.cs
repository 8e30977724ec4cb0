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
public sealed record PublishedProgrammesWithFacts(IReadOnlyList<(ProgrammeListItem Programme, FactSheet Facts)> Items);

public sealed class ProgrammeQueries(PasserelleDbContext db, ProjectQueries projects, RegistryCache<PublishedProgrammesWithFacts> withFacts)
{
    public async Task<Paged<ProgrammeListItem>> ListAsync(PageRequest page, CancellationToken ct = default)
    {
        var query = db.Programmes.AsNoTracking().Where(p => p.IsPublished);
        var total = await query.CountAsync(ct);
        var items = await Items(query.OrderBy(p => p.Code).ThenBy(p => p.Period).Skip(page.Skip).Take(page.PageSize)).ToListAsync(ct);
        return new Paged<ProgrammeListItem>(items, page.Page, page.PageSize, total);
    }

    /// <summary>
    /// Every published programme with its sourced facts, in two queries (the home page lists them all), kept until the
    /// registry moves: with Kohesio's hundreds of programmes, each with its project count, reading them on every visit
    /// of the home page cost more than the rest of the page.
    /// </summary>
    public async Task<IReadOnlyList<(ProgrammeListItem Programme, FactSheet Facts)>> ListWithFactsAsync(CancellationToken ct = default) =>
        (await withFacts.GetAsync(db, async c => new PublishedProgrammesWithFacts(await ReadWithFactsAsync(c)), ct)).Items;

    private async Task<IReadOnlyList<(ProgrammeListItem Programme, FactSheet Facts)>> ReadWithFactsAsync(CancellationToken ct)
    {
        var rows = await db.Programmes.AsNoTracking().Where(p => p.IsPublished).OrderBy(p => p.Code).ThenBy(p => p.Period)
            .Select(p => new { p.Id, p.Slug }).ToListAsync(ct);
        var items = (await Items(db.Programmes.AsNoTracking().Where(p => p.IsPublished)).ToListAsync(ct)).ToDictionary(i => i.Slug);
        var facts = await FactQueries.ForSubjectsAsync(db, SubjectType.Programme, rows.Select(r => r.Id).ToList(), ct);
        return rows.Select(r => (items[r.Slug], facts.GetValueOrDefault(r.Id) ?? FactSheet.Empty)).ToList();
    }

    public async Task<ProgrammeDetails?> GetAsync(string slug, CancellationToken ct = default)
    {
        var programme = await db.Programmes.AsNoTracking().SingleOrDefaultAsync(p => p.IsPublished && p.Slug == slug, ct);
        if (programme is null)
        {
            return null;
        }

        var summary = (await Items(db.Programmes.AsNoTracking().Where(p => p.Id == programme.Id)).ToListAsync(ct)).Single();
        var others = await Items(db.Programmes.AsNoTracking()
            .Where(p => p.IsPublished && p.Code == programme.Code && p.Id != programme.Id).OrderBy(p => p.Period)).ToListAsync(ct);
        var list = await projects.ListAsync(new ProjectFilter(Programme: programme.Slug), new PageRequest(1, PageRequest.MaxSize), ct);
        var facts = await FactQueries.ForSubjectAsync(db, SubjectType.Programme, programme.Id, ct);
        return new ProgrammeDetails(summary, programme.Description, programme.Cci, programme.Funds, programme.ManagingAuthority,
            programme.Website, programme.TotalBudget, programme.EuContribution, programme.AreaNote, others, list.Items, facts);
    }

    private IQueryable<ProgrammeListItem> Items(IQueryable<Programme> query) => query.Select(p => new ProgrammeListItem(
        p.Slug, p.Code, p.Name, p.Kind, p.Period, p.Countries,
        db.Projects.Count(x => x.IsPublished && x.ProgrammeId == p.Id)));
}
