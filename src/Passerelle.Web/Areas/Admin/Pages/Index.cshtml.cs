using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;

namespace Passerelle.Web.Areas.Admin.Pages;

public sealed class IndexModel(CurrentAccess current, PasserelleDbContext db) : AdminPage
{
    public Access Access { get; private set; } = null!;
    public List<string> ScopeNames { get; } = [];

    public async Task OnGetAsync()
    {
        Access = await current.RequireAsync();
        foreach (var p in await db.Programmes.AsNoTracking().Where(p => Access.ProgrammeIds.Contains(p.Id)).OrderBy(p => p.Slug).ToListAsync())
        {
            ScopeNames.Add($"{p.Name.Best(Lang) ?? p.Slug} ({p.Period})");
        }

        foreach (var g in await db.Groupings.AsNoTracking().Where(g => Access.GroupingIds.Contains(g.Id)).OrderBy(g => g.Slug).ToListAsync())
        {
            ScopeNames.Add(g.Name.Best(Lang) ?? g.Slug);
        }
    }
}
