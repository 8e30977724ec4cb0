using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;

namespace Passerelle.Web.Areas.Admin.Pages.Users;

/// <summary>The fields shared by the create and edit pages, and the programmes and groupings a scope can name.</summary>
public sealed class UserForm
{
    public required AdminPage Page { get; init; }
    public string? DisplayName { get; init; }
    public AccessRole Role { get; init; }
    public IReadOnlyCollection<int> ProgrammeIds { get; init; } = [];
    public IReadOnlyCollection<int> GroupingIds { get; init; } = [];
    public IReadOnlyList<(int Id, string Label)> Programmes { get; init; } = [];
    public IReadOnlyList<(int Id, string Label)> Groupings { get; init; } = [];

    public static async Task<(List<(int, string)> Programmes, List<(int, string)> Groupings)> ChoicesAsync(PasserelleDbContext db, string lang)
    {
        var programmes = (await db.Programmes.AsNoTracking().OrderBy(p => p.Code).ThenBy(p => p.Period).ToListAsync())
            .Select(p => (p.Id, $"{p.Name.Best(lang) ?? p.Code} ({p.Period})")).ToList();
        var groupings = (await db.Groupings.AsNoTracking().OrderBy(g => g.Slug).ToListAsync())
            .Select(g => (g.Id, g.Name.Best(lang) ?? g.Slug)).ToList();
        return (programmes, groupings);
    }
}
