using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;

namespace Passerelle.Core.Themes;

public sealed record ThemeListItem(string Slug, LocalizedText Label, int ProjectCount);

public sealed class ThemeQueries(PasserelleDbContext db)
{
    public async Task<Paged<ThemeListItem>> ListAsync(PageRequest page, CancellationToken ct = default)
    {
        var total = await db.Themes.CountAsync(ct);
        var items = await Items(db.Themes.AsNoTracking().OrderBy(t => t.Slug).Skip(page.Skip).Take(page.PageSize)).ToListAsync(ct);
        return new Paged<ThemeListItem>(items, page.Page, page.PageSize, total);
    }

    /// <summary>Every theme's label (a short list), without counting projects: for naming a theme in each language.</summary>
    public async Task<IReadOnlyList<(string Slug, LocalizedText Label)>> LabelsAsync(CancellationToken ct = default) =>
        (await db.Themes.AsNoTracking().OrderBy(t => t.Slug).Select(t => new { t.Slug, t.Label }).ToListAsync(ct))
            .Select(t => (t.Slug, t.Label)).ToList();

    public Task<ThemeListItem?> GetAsync(string slug, CancellationToken ct = default) =>
        Items(db.Themes.AsNoTracking().Where(t => t.Slug == slug)).SingleOrDefaultAsync(ct);

    private IQueryable<ThemeListItem> Items(IQueryable<Theme> query) => query.Select(t => new ThemeListItem(
        t.Slug, t.Label, db.Projects.Count(p => p.IsPublished && p.Themes.Any(x => x.Id == t.Id))));
}
