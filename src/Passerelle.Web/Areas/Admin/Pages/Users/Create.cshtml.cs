using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;

namespace Passerelle.Web.Areas.Admin.Pages.Users;

/// <summary>An administrator creates an account; the new user gets a one-time link to choose their own password.</summary>
public sealed class CreateModel(UserDirectory directory, PasswordLinks links, PasserelleDbContext db, CurrentAccess current) : AdminPage
{
    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public AccessRole Role { get; set; } = AccessRole.Editor;

    [BindProperty]
    public List<int> ProgrammeIds { get; set; } = [];

    [BindProperty]
    public List<int> GroupingIds { get; set; } = [];

    public string? Message { get; private set; }
    public PasswordLinkResult? Issued { get; private set; }
    public UserForm Form { get; private set; } = null!;

    public async Task OnGetAsync() => await LoadFormAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var actor = (await current.RequireAsync()).Name;
        try
        {
            var user = await directory.CreateAsync(Email ?? "", DisplayName ?? "", Role, ProgrammeIds, GroupingIds, actor);
            Issued = await links.IssueAsync(user, actor, Lang, newAccount: true);
        }
        catch (AccountException e)
        {
            Message = Error(e.Code, e.Message);
            await LoadFormAsync();
        }

        return Page();
    }

    public static string PasswordPath(int userId, string token, string lang) =>
        $"{(lang == "en" ? "" : "/" + lang)}/admin/account/set-password?user={userId}&token={Uri.EscapeDataString(token)}";

    private async Task LoadFormAsync()
    {
        var (programmes, groupings) = await UserForm.ChoicesAsync(db, Lang);
        Form = new UserForm { Page = this, DisplayName = DisplayName, Role = Role, ProgrammeIds = ProgrammeIds, GroupingIds = GroupingIds, Programmes = programmes, Groupings = groupings };
    }
}
