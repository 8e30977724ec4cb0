using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

using Passerelle.Core.Accounts;

namespace Passerelle.Web.Areas.Admin.Pages.Account;

/// <summary>The second step of sign-in: the code of the user's authenticator app (TOTP, RFC 6238).</summary>
[EnableRateLimiting("sign-in")]
public sealed class TwoFactorModel(SignInManager<User> signIn, AuditLog audit) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? LocalRedirect(Link("/account/sign-in")) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return LocalRedirect(Link("/account/sign-in"));
        }

        var address = HttpContext.Connection.RemoteIpAddress?.ToString();
        var code = (Code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        if (result.Succeeded)
        {
            await audit.RecordAsync(AuditKind.SignIn, user.DisplayName, user.Id, detail: "with authenticator", address: address);
            return LocalRedirect(SafeReturn(ReturnUrl));
        }

        if (result.IsLockedOut)
        {
            await audit.RecordAsync(AuditKind.LockedOut, user.DisplayName, user.Id, address: address);
            Message = T("account.locked_out");
            return Page();
        }

        await audit.RecordAsync(AuditKind.TwoFactorFailed, user.DisplayName, user.Id, address: address);
        Message = T("account.code_wrong");
        return Page();
    }
}
