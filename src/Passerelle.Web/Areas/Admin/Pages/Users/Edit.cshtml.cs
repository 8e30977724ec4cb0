using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;

namespace Passerelle.Web.Areas.Admin.Pages.Users;

/// <summary>
/// Role, scope, disabling, a fresh one-time password link (the password reset: no mail server needed), and the user's
/// access tokens, which an administrator may revoke (a leaked token, a colleague who left).
/// </summary>
public sealed class EditModel(
    UserDirectory directory, PasswordLinks links, PasserelleDbContext db, CurrentAccess current, UserManager<User> users, AccessTokens tokens, TimeProvider clock)
    : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public int Id { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public AccessRole Role { get; set; }

    [BindProperty]
    public List<int> ProgrammeIds { get; set; } = [];

    [BindProperty]
    public List<int> GroupingIds { get; set; } = [];

    [BindProperty]
    public bool Disabled { get; set; }

    /// <summary>The token to revoke (RevokeToken handler).</summary>
    [BindProperty]
    public int TokenId { get; set; }

    /// <summary>The token just revoked (after the revocation's redirect), for the confirmation.</summary>
    [BindProperty(SupportsGet = true, Name = "revoked")]
    public int? Revoked { get; set; }

    public User Target { get; private set; } = null!;
    public UserForm Form { get; private set; } = null!;
    public string? Message { get; private set; }
    public PasswordLinkResult? Issued { get; private set; }
    public bool Saved { get; private set; }
    public Profile.AccessTokenList Tokens { get; private set; } = null!;
    public string? RevokedName { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync(fromDatabase: true))
        {
            return NotFound();
        }

        RevokedName = Tokens.Tokens.FirstOrDefault(t => t.Id == Revoked && t.RevokedAt is not null)?.Name;
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeTokenAsync()
    {
        var actor = await current.RequireAsync();
        if (!await LoadAsync(fromDatabase: true))
        {
            return NotFound();
        }

        // Only a token of the user this page shows: a token id from elsewhere is "not found" here.
        if (Tokens.Tokens.All(t => t.Id != TokenId))
        {
            Message = Error("token_not_found", "No such access token.");
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        await tokens.RevokeAsync(TokenId, actor, HttpContext.RequestAborted);
        return LocalRedirect(Link($"/users/{Id}") + "?revoked=" + TokenId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "#tokens");
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var actor = await current.RequireAsync();
        if (!await LoadAsync(fromDatabase: false))
        {
            return NotFound();
        }

        try
        {
            // An administrator cannot lock themselves out of the back office by mistake.
            if (actor.UserId == Id && (Role != AccessRole.Administrator || Disabled))
            {
                throw new AccountException("account_self_demotion", "You cannot remove your own administrator role or disable yourself.");
            }

            await directory.UpdateAsync(Id, DisplayName ?? "", Role, ProgrammeIds, GroupingIds, Disabled, actor.Name);
            Saved = true;
            await LoadAsync(fromDatabase: true);
        }
        catch (AccountException e)
        {
            Message = Error(e.Code, e.Message);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostLinkAsync()
    {
        var actor = await current.RequireAsync();
        if (!await LoadAsync(fromDatabase: true))
        {
            return NotFound();
        }

        var user = await users.FindByIdAsync(Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Issued = await links.IssueAsync(user!, actor.Name, Lang, newAccount: false);
        return Page();
    }

    private async Task<bool> LoadAsync(bool fromDatabase)
    {
        var target = await db.Users.AsNoTracking().Include(u => u.Scopes).FirstOrDefaultAsync(u => u.Id == Id);
        if (target is null)
        {
            return false;
        }

        Target = target;
        if (fromDatabase)
        {
            DisplayName = target.DisplayName;
            Role = target.Role;
            ProgrammeIds = [.. target.Scopes.Where(s => s.ProgrammeId is not null).Select(s => s.ProgrammeId!.Value)];
            GroupingIds = [.. target.Scopes.Where(s => s.GroupingId is not null).Select(s => s.GroupingId!.Value)];
            Disabled = target.DisabledAt is not null;
        }

        Tokens = new Profile.AccessTokenList
        {
            Page = this,
            Tokens = await tokens.ListAsync(Id, HttpContext.RequestAborted),
            Now = clock.GetUtcNow().UtcDateTime,
            RevokeHandler = "RevokeToken",
        };
        var (programmes, groupings) = await UserForm.ChoicesAsync(db, Lang);
        Form = new UserForm { Page = this, DisplayName = DisplayName, Role = Role, ProgrammeIds = ProgrammeIds, GroupingIds = GroupingIds, Programmes = programmes, Groupings = groupings };
        return true;
    }
}
