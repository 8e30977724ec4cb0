using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

using Passerelle.Core.Accounts;

namespace Passerelle.Web.Areas.Admin.Pages.Account;

/// <summary>Sign-in with e-mail and password; then the authenticator code when the user has two-factor sign-in on.</summary>
[EnableRateLimiting("sign-in")]
public sealed class SignInModel(SignInManager<User> signIn, AuditLog audit, IConfiguration configuration) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Message { get; private set; }

    /// <summary>The OpenID Connect authority's display name when one is configured (Authentication:OpenIdConnect).</summary>
    public string? ExternalName => configuration["Authentication:OpenIdConnect:DisplayName"] is { Length: > 0 } name
        && configuration["Authentication:OpenIdConnect:Authority"] is { Length: > 0 } ? name : null;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var address = HttpContext.Connection.RemoteIpAddress?.ToString();
        var user = string.IsNullOrWhiteSpace(Email) ? null : await signIn.UserManager.FindByEmailAsync(Email.Trim());
        if (user is null || user.DisabledAt is not null || string.IsNullOrEmpty(Password))
        {
            await audit.RecordAsync(AuditKind.SignInFailed, Email, user?.Id, detail: user is null ? "unknown e-mail" : "disabled or empty password", address: address);
            Message = T("account.sign_in_failed");
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(user, Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            await audit.RecordAsync(AuditKind.SignIn, user.DisplayName, user.Id, address: address);
            return LocalRedirect(SafeReturn(ReturnUrl));
        }

        if (result.RequiresTwoFactor)
        {
            return LocalRedirect(Link("/account/two-factor") + "?returnUrl=" + Uri.EscapeDataString(SafeReturn(ReturnUrl)));
        }

        if (result.IsLockedOut)
        {
            await audit.RecordAsync(AuditKind.LockedOut, user.DisplayName, user.Id, address: address);
            Message = T("account.locked_out");
            return Page();
        }

        await audit.RecordAsync(AuditKind.SignInFailed, Email, user.Id, detail: "wrong password", address: address);
        Message = T("account.sign_in_failed");
        return Page();
    }

    /// <summary>Hands over to the configured OpenID Connect authority (Accounts/ExternalSignIn handles the way back).</summary>
    public IActionResult OnPostExternal() => ExternalName is null
        ? NotFound()
        : Challenge(signIn.ConfigureExternalAuthenticationProperties("oidc", Link("/account/external") + "?returnUrl=" + Uri.EscapeDataString(SafeReturn(ReturnUrl))), "oidc");
}
