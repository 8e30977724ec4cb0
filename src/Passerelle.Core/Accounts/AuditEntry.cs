namespace Passerelle.Core.Accounts;

/// <summary>What an audit entry records. Changes to the registry are in the history (change sets) and shown beside these.</summary>
public enum AuditKind
{
    SignIn = 1,
    SignInFailed = 2,
    LockedOut = 3,
    SignOut = 4,
    TwoFactorEnabled = 5,
    TwoFactorFailed = 6,
    PasswordSet = 7,
    ResetLinkIssued = 8,
    UserCreated = 9,
    UserChanged = 10,
    TokenCreated = 11,
    TokenRevoked = 12,
    TokenUsed = 13,
    TokenRefused = 14,
    Import = 15,
    Export = 16,
    Backup = 17,
    Restore = 18,
    SetupLinkIssued = 19,
    PasswordLinkMailed = 20,
    MailFailed = 21,
    EditionPublished = 22,
}

/// <summary>One security-relevant event: append-only, like the history.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    /// <summary>UTC.</summary>
    public DateTime At { get; set; }

    public AuditKind Kind { get; set; }

    /// <summary>Who acted: a user's name, the name tried at a failed sign-in, a command.</summary>
    public string? Actor { get; set; }

    public int? UserId { get; set; }

    /// <summary>What it concerned: a user, a token, a file.</summary>
    public string? Subject { get; set; }

    public string? Detail { get; set; }

    /// <summary>The client's address, for sign-ins and token use.</summary>
    public string? Address { get; set; }
}
