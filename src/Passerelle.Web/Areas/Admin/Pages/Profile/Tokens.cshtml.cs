using System.Globalization;

using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;

namespace Passerelle.Web.Areas.Admin.Pages.Profile;

/// <summary>
/// The signed-in user's personal access tokens for the API's write routes: list, create (the secret shown once, in
/// the answer to the POST, never stored nor put in a cookie or a redirect), revoke. Being a page with forms, it is
/// answered "Cache-Control: no-cache, no-store" by antiforgery: no cache keeps the page that shows a secret.
/// </summary>
public sealed class TokensModel(AccessTokens tokens, CurrentAccess current, TimeProvider clock) : AdminPage
{
    /// <summary>The lifetimes offered, in days; "never" is offered too, last.</summary>
    public static readonly IReadOnlyList<int> ExpiryDays = [30, 90, 365];

    public const string NoExpiry = "never";

    [BindProperty]
    public string? Name { get; set; }

    /// <summary>One of <see cref="ExpiryDays"/> or <see cref="NoExpiry"/>.</summary>
    [BindProperty]
    public string Expiry { get; set; } = "90";

    [BindProperty]
    public int TokenId { get; set; }

    /// <summary>The token just revoked (after the redirect of a revocation), for the confirmation.</summary>
    [BindProperty(SupportsGet = true, Name = "revoked")]
    public int? Revoked { get; set; }

    /// <summary>Set only in the answer to the creating POST: the one time the secret is shown.</summary>
    public NewAccessToken? Created { get; private set; }

    public string? Message { get; private set; }

    public string? RevokedName { get; private set; }

    public AccessTokenList List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await current.RequireAsync();
        await LoadAsync(user);
        RevokedName = List.Tokens.FirstOrDefault(t => t.Id == Revoked && t.RevokedAt is not null)?.Name;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await current.RequireAsync();
        try
        {
            TimeSpan? lifetime = Expiry == NoExpiry ? null
                : int.TryParse(Expiry, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && ExpiryDays.Contains(days) ? TimeSpan.FromDays(days)
                : throw new AccountException("token_expiry_invalid", "Choose one of the lifetimes offered.");
            Created = await tokens.CreateAsync(user.UserId!.Value, Name ?? "", lifetime, HttpContext.RequestAborted);
            Name = null;
        }
        catch (AccountException e)
        {
            Message = Error(e.Code, e.Message);
        }

        await LoadAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync()
    {
        var user = await current.RequireAsync();
        try
        {
            await tokens.RevokeAsync(TokenId, user, HttpContext.RequestAborted);
            return LocalRedirect(Link("/profile/tokens") + "?revoked=" + TokenId.ToString(CultureInfo.InvariantCulture));
        }
        catch (AccountException e)
        {
            Message = Error(e.Code, e.Message);
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        await LoadAsync(user);
        return Page();
    }

    private async Task LoadAsync(Access user)
    {
        List = new AccessTokenList
        {
            Page = this,
            Tokens = await tokens.ListAsync(user.UserId!.Value, HttpContext.RequestAborted),
            Now = clock.GetUtcNow().UtcDateTime,
            RevokeHandler = "Revoke",
        };
    }
}

/// <summary>The token table of the profile page and of an administrator's view of a user (Shared/_AccessTokens).</summary>
public sealed class AccessTokenList
{
    public required AdminPage Page { get; init; }
    public required IReadOnlyList<AccessTokenSummary> Tokens { get; init; }
    public required DateTime Now { get; init; }

    /// <summary>The page handler that revokes the token posted as TokenId.</summary>
    public required string RevokeHandler { get; init; }

    /// <summary>Times are UTC in the database and shown as such, the same for everyone who reads the audit log beside them.</summary>
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
