namespace Passerelle.Core.Accounts;

/// <summary>
/// A personal access token for the API's write routes. Only a SHA-256 hash of the secret is stored: the secret is shown
/// once, when it is made. It acts with its owner's role and scope as they are at each use, so revoking a scope or
/// disabling the user takes effect at once.
/// </summary>
public sealed class AccessToken
{
    public int Id { get; set; }
    public int UserId { get; set; }
    public User User { get; set; } = null!;

    /// <summary>What the owner calls it ("import script", "CI").</summary>
    public required string Name { get; set; }

    /// <summary>The first characters of the secret (not secret themselves), so an owner can tell tokens apart.</summary>
    public required string Prefix { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole secret.</summary>
    public required string Hash { get; set; }

    /// <summary>UTC.</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>UTC; null for a token that does not expire.</summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>UTC; updated at most once a minute so that a busy script does not write on every request.</summary>
    public DateTime? LastUsedAt { get; set; }

    /// <summary>UTC; a revoked token is kept (the audit log names it) and refused.</summary>
    public DateTime? RevokedAt { get; set; }
}
