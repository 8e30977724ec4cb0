using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

using Passerelle.Core.Accounts;

namespace Passerelle.Web.Areas.Admin.Pages;

/// <summary>
/// The first administrator, from the one-time link printed at the first start. The link dies with its use and as soon
/// as any administrator exists; the new administrator then enrols an authenticator before anything else.
/// </summary>
[EnableRateLimiting("sign-in")]
public sealed class SetupModel(UserDirectory directory, SignInManager<User> signIn) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? Confirm { get; set; }

    public bool Valid { get; private set; }
    public string? Message { get; private set; }

    public async Task OnGetAsync() => Valid = await directory.SetupTokenValidAsync(Token);

    public async Task<IActionResult> OnPostAsync()
    {
        Valid = await directory.SetupTokenValidAsync(Token);
        if (!Valid)
        {
            return Page();
        }

        if (Password != Confirm)
        {
            Message = T("account.passwords_differ");
            return Page();
        }

        try
        {
            var user = await directory.CompleteSetupAsync(Token!, Email ?? "", DisplayName ?? "", Password ?? "");
            await signIn.SignInAsync(user, isPersistent: false);
            return LocalRedirect(Link("/profile/authenticator"));
        }
        catch (AccountException e)
        {
            Message = Error(e.Code, e.Message);
            return Page();
        }
    }
}
