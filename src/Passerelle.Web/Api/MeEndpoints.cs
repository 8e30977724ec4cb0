using System.Security.Claims;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Web.Areas.Admin;

namespace Passerelle.Web.Api;

/// <summary>Who a personal access token acts for, as the API's write routes will see it.</summary>
/// <param name="Id">The user's id.</param>
/// <param name="Name">The user's display name, recorded on each change they make.</param>
/// <param name="Email">The user's e-mail address.</param>
/// <param name="Role">Viewer, Editor or Administrator.</param>
/// <param name="CanWrite">Whether the write routes accept this token (Editor or Administrator).</param>
/// <param name="Scope">What the user may edit.</param>
/// <param name="Token">The token of this request.</param>
public sealed record MeResponse(int Id, string Name, string Email, AccessRole Role, bool CanWrite, MeScope Scope, MeToken Token);

/// <summary>An editor's programmes and groupings (and the projects and partners under them); everything for an administrator.</summary>
/// <param name="Everything">True for an administrator: every record, whatever the lists say.</param>
/// <param name="Programmes">The programmes an editor edits.</param>
/// <param name="Groupings">The groupings an editor edits.</param>
public sealed record MeScope(bool Everything, IReadOnlyList<MeScopeRecord> Programmes, IReadOnlyList<MeScopeRecord> Groupings);

/// <param name="Slug">As in the read routes (/api/v1/programmes/{slug}).</param>
/// <param name="Name">In English, else the first language the record has.</param>
public sealed record MeScopeRecord(string Slug, string Name);

/// <param name="Name">What its owner called it.</param>
/// <param name="Prefix">The token's first characters ("pat_Xy3…"), as the back office lists it.</param>
/// <param name="CreatedAt">UTC.</param>
/// <param name="ExpiresAt">UTC; null when it does not expire.</param>
/// <param name="LastUsedAt">UTC, to the minute: recorded at most once a minute.</param>
public sealed record MeToken(int Id, string Name, string Prefix, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? LastUsedAt);

public static class MeEndpoints
{
    public static RouteGroupBuilder MapMeEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/me", async Task<Results<Ok<MeResponse>, ProblemHttpResult>> (
            ClaimsPrincipal principal, CurrentAccess current, AccessTokens tokens, PasserelleDbContext db, CancellationToken ct) =>
        {
            // The policy admitted an active user with a token; both are read again here as they are now.
            var user = await current.GetUserAsync();
            var token = TokenAuthentication.TokenId(principal) is { } tokenId ? await tokens.FindAsync(tokenId, ct) : null;
            if (user is null || token is null)
            {
                return ApiErrors.Problem(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "The access token is not valid any more.");
            }

            var access = UserDirectory.AccessOf(user);
            var editor = access.Role == AccessRole.Editor;
            var programmes = !editor ? [] : (await db.Programmes.AsNoTracking().Where(p => access.ProgrammeIds.Contains(p.Id)).OrderBy(p => p.Slug).ToListAsync(ct))
                .Select(p => new MeScopeRecord(p.Slug, p.Name.Best() ?? p.Slug)).ToList();
            var groupings = !editor ? [] : (await db.Groupings.AsNoTracking().Where(g => access.GroupingIds.Contains(g.Id)).OrderBy(g => g.Slug).ToListAsync(ct))
                .Select(g => new MeScopeRecord(g.Slug, g.Name.Best() ?? g.Slug)).ToList();
            return TypedResults.Ok(new MeResponse(
                user.Id,
                user.DisplayName,
                user.Email ?? "",
                user.Role,
                access.CanEditAnything,
                new MeScope(access.IsAdministrator, programmes, groupings),
                new MeToken(token.Id, token.Name, token.Shown, Utc(token.CreatedAt), Utc(token.ExpiresAt), Utc(token.LastUsedAt))));
        })
        .RequireTokenAccess()
        .WithTags("Account")
        .WithName("GetMe")
        .WithSummary("Who the access token acts for: user, role, scope and the token itself")
        .WithDescription(
            "Needs a personal access token ('Authorization: Bearer pat_…'), of any role. The role and scope are the user's as they " +
            "are now: the write routes check the same at each request. Useful to check a token before a script writes with it.");
        return api;
    }

    // SQLite gives back unspecified-kind times: say they are UTC, so JSON carries the "Z" on both providers.
    private static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);

    private static DateTime? Utc(DateTime? time) => time is { } t ? Utc(t) : null;
}
