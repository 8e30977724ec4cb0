using Microsoft.AspNetCore.Identity;

namespace Passerelle.Core.Accounts;

/// <summary>
/// A person who works in the back office. Identity keeps the password hash, lockout counters and the authenticator key;
/// the role is one per user and the scope a list of programmes and groupings (<see cref="UserScope"/>), because a
/// secretariat's editor edits "programme X" rather than holding a role named after it.
/// </summary>
public sealed class User : IdentityUser<int>
{
    public required string DisplayName { get; set; }
    public AccessRole Role { get; set; } = AccessRole.Viewer;

    /// <summary>The back office's language for this person when the address does not say (en, fr, nl, de).</summary>
    public string Language { get; set; } = "en";

    /// <summary>UTC.</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>UTC; a disabled user cannot sign in and their tokens stop working. Users are never deleted: history names them.</summary>
    public DateTime? DisabledAt { get; set; }

    /// <summary>Set for a user provisioned by an OpenID Connect sign-in: the authority's issuer, whose claims set role and scope.</summary>
    public string? ExternalIssuer { get; set; }

    public List<UserScope> Scopes { get; set; } = [];
}

/// <summary>One programme or one grouping an <see cref="AccessRole.Editor"/> edits (exactly one of the two ids is set).</summary>
public sealed class UserScope
{
    public int Id { get; set; }
    public int UserId { get; set; }
    public int? ProgrammeId { get; set; }
    public int? GroupingId { get; set; }
}
