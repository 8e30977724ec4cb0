using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;

namespace Passerelle.Web.Areas.Admin.Pages.Profile;

/// <summary>Enrols an authenticator app (TOTP): required for administrators, offered to everyone.</summary>
[AllowWithoutTwoFactor]
public sealed class AuthenticatorModel(UserManager<User> users, SignInManager<User> signIn, CurrentAccess current, AuditLog audit) : AdminPage
{
    [BindProperty]
    public string? Code { get; set; }

    public bool Enabled { get; private set; }
    public bool Required { get; private set; }
    public string? Key { get; private set; }
    public string FormattedKey => Key is null ? "" : string.Join(' ', Key.Chunk(4).Select(c => new string(c))).ToLowerInvariant();
    public string? Uri { get; private set; }
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() is { } user ? Page() : Forbid();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await LoadAsync() is not { } user)
        {
            return Forbid();
        }

        var code = (Code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            Message = T("account.code_wrong");
            return Page();
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        await audit.RecordAsync(AuditKind.TwoFactorEnabled, user.DisplayName, user.Id);
        // A fresh cookie, so the session counts as two-factor from now on.
        await signIn.RefreshSignInAsync(user);
        return LocalRedirect(Link("/"));
    }

    private async Task<User?> LoadAsync()
    {
        if (await current.GetUserAsync() is not { } signedIn || await users.FindByIdAsync(signedIn.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) is not { } user)
        {
            return null;
        }

        Enabled = user.TwoFactorEnabled;
        Required = user.Role == AccessRole.Administrator;
        Key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(Key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            Key = await users.GetAuthenticatorKeyAsync(user);
        }

        // The otpauth URI authenticator apps read (Google's Key Uri Format), for a password manager that takes it pasted.
        Uri = $"otpauth://totp/{System.Uri.EscapeDataString("Passerelle:" + user.Email)}?secret={Key}&issuer=Passerelle&digits=6";
        return user;
    }
}
