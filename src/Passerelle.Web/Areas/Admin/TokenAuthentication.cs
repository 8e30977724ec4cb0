using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

using Passerelle.Core.Accounts;
using Passerelle.Web.Api;

namespace Passerelle.Web.Areas.Admin;

/// <summary>
/// The authentication scheme of the API's token-protected routes: <c>Authorization: Bearer pat_…</c> (ADR 0016). It is
/// the only scheme those routes accept. The back office's cookie is not: a browser sends a cookie with any request a
/// page of another site makes it send, so a cookie-authenticated API would need CSRF protection on every write route;
/// a bearer token is only ever sent by a client that holds it.
/// </summary>
public static class TokenAuthentication
{
    public const string Scheme = "Token";

    /// <summary>The claim holding the id of the token that authenticated the request (beside ClaimTypes.NameIdentifier, the user's id).</summary>
    public const string TokenIdClaim = "passerelle:token_id";

    /// <summary>The id of the token that authenticated <paramref name="principal"/>; null for a cookie or no sign-in.</summary>
    public static int? TokenId(ClaimsPrincipal? principal) =>
        int.TryParse(principal?.FindFirstValue(TokenIdClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}

/// <summary>
/// Reads a personal access token from the Authorization header and makes a principal whose NameIdentifier is the
/// token's owner, so <see cref="CurrentAccess"/> and the policies treat it like any signed-in user (their role and
/// scope read from the database at each request). Challenges and refusals answer problem details, never a redirect.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessTokens tokens, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string Bearer = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var secret = header[Bearer.Length..].Trim();
        if (!secret.StartsWith(AccessTokens.SecretPrefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.Fail("The bearer token is not a Passerelle personal access token (they begin with pat_).");
        }

        var holder = await tokens.AuthenticateAsync(secret, Context.Connection.RemoteIpAddress?.ToString(), $"{Request.Method} {Request.Path}", Context.RequestAborted);
        if (holder is null)
        {
            return AuthenticateResult.Fail("The access token is not valid: unknown, revoked or expired, or its user is disabled.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, holder.UserId.ToString(CultureInfo.InvariantCulture)),
                new Claim(TokenAuthentication.TokenIdClaim, holder.TokenId.ToString(CultureInfo.InvariantCulture)),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        // RFC 6750: the scheme always; error="invalid_token" when a token was sent and refused.
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, result.Failure?.Message
            ?? "This route needs a personal access token: send the header 'Authorization: Bearer pat_…'. Create one in the back office " +
               "(My account, Access tokens). The back office's sign-in cookie is not accepted by the API.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
            "The token's user is not allowed this: their role does not include it.");

    private async Task WriteProblemAsync(int status, string errorCode, string detail)
    {
        Response.StatusCode = status;
        var context = new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Detail = detail, Extensions = { ["errorCode"] = errorCode } },
        };
        // A client whose Accept header excludes JSON still gets the problem, as from every other API route.
        if (!await problems.TryWriteAsync(context))
        {
            await Response.WriteAsJsonAsync(context.ProblemDetails, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
