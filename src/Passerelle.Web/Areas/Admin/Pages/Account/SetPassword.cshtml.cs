using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

using Passerelle.Core.Accounts;

namespace Passerelle.Web.Areas.Admin.Pages.Account;

/// <summary>Where the one-time link an administrator (or `users add`) issued lets a person choose their password.</summary>
[EnableRateLimiting("sign-in")]
public sealed class SetPasswordModel(UserDirectory directory) : AdminPage
{
    [BindProperty(SupportsGet = true, Name = "user")]
    public int UserId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? Confirm { get; set; }

    public string? Message { get; private set; }
    public bool Done { get; private set; }

    public void OnGet()
    {
        if (string.IsNullOrEmpty(Token))
        {
            Message = T("error.account_link_invalid");
        }
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (Password != Confirm)
        {
            Message = T("account.passwords_differ");
            return Page();
        }

        try
        {
            await directory.SetPasswordAsync(UserId, Token ?? "", Password ?? "");
            Done = true;
        }
        catch (AccountException e)
        {
            Message = Error(e.Code, e.Message);
        }

        return Page();
    }
}
