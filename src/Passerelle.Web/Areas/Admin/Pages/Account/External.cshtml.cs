using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

using Passerelle.Core.Accounts;

namespace Passerelle.Web.Areas.Admin.Pages.Account;

/// <summary>
/// The way back from the OpenID Connect authority: the handler has checked the callback (state, PKCE, id token) and put
/// the authority's claims into Identity's external cookie. This page maps them to a role and scope, finds or provisions
/// the user (UserDirectory.SignInExternalAsync) and signs them in; the page itself shows only why a sign-in was refused.
/// Without Authentication:OpenIdConnect it does not exist (404).
/// </summary>
[EnableRateLimiting("sign-in")]
public sealed class ExternalModel(SignInManager<User> signIn, UserDirectory directory, AuditLog audit, IOptions<OpenIdConnectSettings> options) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Set by the handler when the callback itself failed (RemoteFailure): tampered state, refused code, ...</summary>
    [BindProperty(SupportsGet = true)]
    public bool Failed { get; set; }

    public string ProviderName => options.Value.DisplayName ?? "";

    public string Message { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        var settings = options.Value;
        if (!settings.IsEnabled)
        {
            return NotFound();
        }

        var external = await HttpContext.AuthenticateAsync(IdentityConstants.ExternalScheme);
        // Read once: a reload of this page does not sign in again.
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        if (Failed || !external.Succeeded || external.Properties?.Items.TryGetValue("LoginProvider", out var provider) != true
            || provider != OpenIdConnectSettings.Scheme)
        {
            // The failure itself was recorded where it happened (the handler's RemoteFailure).
            Message = T("account.external_failed", ProviderName);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var identity = settings.Read(external.Principal);
        var address = HttpContext.Connection.RemoteIpAddress?.ToString();
        var ct = HttpContext.RequestAborted;
        User user;
        try
        {
            user = await directory.SignInExternalAsync(identity, settings.LinkExistingUsers, ct);
        }
        catch (AccountException e)
        {
            await audit.RecordAsync(AuditKind.SignInFailed, identity.Email ?? identity.Subject, subject: $"{identity.Issuer} {identity.Subject}",
                detail: $"{ProviderName}: {e.Message}", address: address, ct: ct);
            Message = Error(e.Code, e.Message).Replace("{0}", ProviderName, StringComparison.Ordinal);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        // The authentication method claim tells this session came through the authority.
        await signIn.SignInAsync(user, isPersistent: false, authenticationMethod: OpenIdConnectSettings.Scheme);
        await audit.RecordAsync(AuditKind.SignIn, user.DisplayName, user.Id, detail: $"with {ProviderName}", address: address, ct: ct);
        return LocalRedirect(SafeReturn(ReturnUrl));
    }
}
