using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;

namespace Passerelle.Web.Areas.Admin.Pages.Account;

/// <summary>Sign-out is a POST with the antiforgery token: a link on another site cannot sign anyone out.</summary>
public sealed class SignOutModel(SignInManager<User> signIn, AuditLog audit) : AdminPage
{
    public IActionResult OnGet() => LocalRedirect(Link("/"));

    public async Task<IActionResult> OnPostAsync()
    {
        if (CurrentAccess.UserId(User) is { } id)
        {
            await audit.RecordAsync(AuditKind.SignOut, User.Identity?.Name, id);
        }

        await signIn.SignOutAsync();
        return LocalRedirect(Link("/account/sign-in"));
    }
}
