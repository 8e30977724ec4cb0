using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;

namespace Passerelle.Web.Areas.Admin.Pages.Users;

public sealed class IndexModel(PasserelleDbContext db) : AdminPage
{
    public List<User> Users { get; private set; } = [];

    public async Task OnGetAsync() => Users = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).ToListAsync();
}
