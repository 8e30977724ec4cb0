using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Groupings;

public sealed record GroupingListItem(string Slug, LocalizedText Name, string LegalForm, int? YearFounded, int MemberCount);

public sealed record GroupingMemberView(int Order, string Name, string Country, string Level, string? OrganisationSlug, SourceRef? Source);

public sealed record GroupingDetails(
    GroupingListItem Summary,
    LocalizedText Description,
    string? FoundedOn,
    string? Website,
    int? MunicipalityCount,
    decimal? AreaKm2,
    long? Population,
    IReadOnlyList<string> FieldsOfAction,
    IReadOnlyList<GroupingMemberView> Members,
    FactSheet Facts);

public sealed class GroupingQueries(PasserelleDbContext db)
{
    public async Task<Paged<GroupingListItem>> ListAsync(PageRequest page, CancellationToken ct = default)
    {
        var query = db.Groupings.AsNoTracking().Where(g => g.IsPublished);
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(g => g.Slug).Skip(page.Skip).Take(page.PageSize)
            .Select(g => new GroupingListItem(g.Slug, g.Name, g.LegalForm, g.YearFounded, g.Members.Count))
            .ToListAsync(ct);
        return new Paged<GroupingListItem>(items, page.Page, page.PageSize, total);
    }

    /// <summary>The names of the published groupings among these slugs, for pages that name the groupings they refer to.</summary>
    public async Task<IReadOnlyDictionary<string, LocalizedText>> NamesAsync(IReadOnlyCollection<string> slugs, CancellationToken ct = default) =>
        slugs.Count == 0 ? new Dictionary<string, LocalizedText>()
        : (await db.Groupings.AsNoTracking().Where(g => g.IsPublished && slugs.Contains(g.Slug)).Select(g => new { g.Slug, g.Name }).ToListAsync(ct))
            .ToDictionary(g => g.Slug, g => g.Name, StringComparer.Ordinal);

    public async Task<GroupingDetails?> GetAsync(string slug, CancellationToken ct = default)
    {
        var g = await db.Groupings.AsNoTracking().SingleOrDefaultAsync(x => x.IsPublished && x.Slug == slug, ct);
        if (g is null)
        {
            return null;
        }

        var members = await (
            from m in db.GroupingMembers.AsNoTracking()
            where m.GroupingId == g.Id
            join s in db.Sources on m.SourceId equals s.Id into sources
            from s in sources.DefaultIfEmpty()
            join o in db.Organisations on m.OrganisationId equals o.Id into organisations
            from o in organisations.DefaultIfEmpty()
            orderby m.Order
            // A member is the grouping's own data; the organisation's page is linked only when it is published.
            select new GroupingMemberView(m.Order, m.Name, m.Country, m.Level, o == null || !o.IsPublished ? null : o.Slug,
                s == null ? null : new SourceRef(s.Key, s.Title, s.Url, s.SourceDate))).ToListAsync(ct);
        var facts = await FactQueries.ForSubjectAsync(db, SubjectType.Grouping, g.Id, ct);
        return new GroupingDetails(
            new GroupingListItem(g.Slug, g.Name, g.LegalForm, g.YearFounded, members.Count),
            g.Description, g.FoundedOn, g.Website, g.MunicipalityCount, g.AreaKm2, g.Population, g.FieldsOfAction, members, facts);
    }
}
