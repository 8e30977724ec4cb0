using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;

namespace Passerelle.Core.Accounts;

/// <summary>A personal access token as its owner and administrators see it: never the secret.</summary>
public sealed record AccessTokenSummary(
    int Id, int UserId, string Name, string Prefix, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt)
{
    /// <summary>How the token's beginning is shown ("pat_Xy3…"): enough to tell tokens apart, useless to an attacker.</summary>
    public string Shown => AccessTokens.SecretPrefix + Prefix + "…";

    public AccessTokenState StateAt(DateTime utcNow) =>
        RevokedAt is not null ? AccessTokenState.Revoked
        : ExpiresAt <= utcNow ? AccessTokenState.Expired
        : AccessTokenState.Active;
}

public enum AccessTokenState
{
    Active = 1,
    Expired = 2,
    Revoked = 3,
}

/// <summary>A token just made: <see cref="Secret"/> exists only here, to be shown to its owner once.</summary>
public sealed record NewAccessToken(AccessTokenSummary Token, string Secret);

/// <summary>Whom a valid token acts for, and which token it was (so a request can say "as token X").</summary>
public sealed record TokenHolder(int UserId, int TokenId);

/// <summary>
/// Personal access tokens for the API's write routes (ADR 0016). The secret is <c>pat_</c> and 32 random bytes in
/// base64url; only its SHA-256 is stored, so a copy of the database (a backup) holds nothing that authenticates. A token
/// carries no role or scope of its own: it acts as its owner is at each request, so changing the owner's scope or
/// disabling them takes effect at the next request.
/// </summary>
public sealed class AccessTokens(PasserelleDbContext db, AuditLog audit, TimeProvider clock)
{
    /// <summary>Marks a Passerelle token, so that secret scanners (and people) recognise one pasted where it should not be.</summary>
    public const string SecretPrefix = "pat_";

    /// <summary>How many characters after <see cref="SecretPrefix"/> are stored and shown to tell tokens apart.</summary>
    public const int ShownLength = 8;

    public const int NameMaxLength = 100;

    /// <summary>Base64url of 32 bytes, without padding.</summary>
    private const int RandomLength = 43;

    /// <summary>
    /// LastUsedAt moves, and a TokenUsed audit entry is written, at most once per token in this time: a script sending
    /// a thousand requests a minute writes one row, not a thousand.
    /// </summary>
    public static readonly TimeSpan UseRecordInterval = TimeSpan.FromMinutes(1);

    /// <summary>Makes a token for an active user. The returned secret is never stored nor shown again.</summary>
    /// <exception cref="AccountException">token_name_required, token_name_too_long, token_expiry_invalid, account_not_found.</exception>
    public async Task<NewAccessToken> CreateAsync(int userId, string name, TimeSpan? expiresIn, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            throw new AccountException("token_name_required", "Give the token a name that says what it is for (for example \"import script\").");
        }

        if (name.Length > NameMaxLength)
        {
            throw new AccountException("token_name_too_long", $"A token's name has at most {NameMaxLength} characters.");
        }

        if (expiresIn is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            throw new AccountException("token_expiry_invalid", "A token expires in the future, or never.");
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId && u.DisabledAt == null, ct)
            ?? throw new AccountException("account_not_found", $"No active user has the id {userId}.");
        var secret = SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new AccessToken
        {
            UserId = user.Id,
            Name = name,
            Prefix = secret.Substring(SecretPrefix.Length, ShownLength),
            Hash = UserDirectory.Hash(secret),
            CreatedAt = now,
            ExpiresAt = expiresIn is { } span ? now + span : null,
        };
        db.AccessTokens.Add(token);
        await db.SaveChangesAsync(ct);
        var summary = Summary(token);
        await audit.RecordAsync(AuditKind.TokenCreated, user.DisplayName, user.Id, Subject(summary),
            token.ExpiresAt is { } expires ? $"expires {expires:yyyy-MM-dd HH:mm} UTC" : "does not expire", ct: ct);
        return new NewAccessToken(summary, secret);
    }

    /// <summary>A user's tokens, newest first, revoked and expired ones included (they explain audit entries).</summary>
    public Task<List<AccessTokenSummary>> ListAsync(int userId, CancellationToken ct = default) =>
        db.AccessTokens.AsNoTracking()
            .Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
            .Select(t => new AccessTokenSummary(t.Id, t.UserId, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt))
            .ToListAsync(ct);

    public Task<AccessTokenSummary?> FindAsync(int tokenId, CancellationToken ct = default) =>
        db.AccessTokens.AsNoTracking()
            .Where(t => t.Id == tokenId)
            .Select(t => new AccessTokenSummary(t.Id, t.UserId, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt))
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// Revokes a token of <paramref name="by"/> themselves, or any token when <paramref name="by"/> is an administrator.
    /// The row stays (the audit log names it). True when revoked now, false when it already was.
    /// </summary>
    /// <exception cref="AccountException">token_not_found: no such token, or one of someone else for a non-administrator.</exception>
    public async Task<bool> RevokeAsync(int tokenId, Access by, CancellationToken ct = default)
    {
        var token = await db.AccessTokens.FirstOrDefaultAsync(t => t.Id == tokenId, ct);
        // Someone else's token is "not found" rather than "forbidden": its existence is none of a non-administrator's business.
        if (token is null || (token.UserId != by.UserId && !by.IsAdministrator))
        {
            throw new AccountException("token_not_found", "No such access token.");
        }

        if (token.RevokedAt is not null)
        {
            return false;
        }

        token.RevokedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditKind.TokenRevoked, by.Name, token.UserId, Subject(Summary(token)),
            token.UserId == by.UserId ? null : "by an administrator", ct: ct);
        return true;
    }

    /// <summary>
    /// The user and token a secret stands for, or null (with a TokenRefused audit entry) when it is malformed, unknown,
    /// revoked, expired or its user disabled. The secret is looked up by its hash, never compared character by
    /// character, so the time an answer takes says nothing about how much of a guess was right.
    /// </summary>
    /// <param name="secret">The whole token as the client sent it.</param>
    /// <param name="address">The client's address, for the audit log.</param>
    /// <param name="request">What was asked ("POST /api/v1/projects"), for the audit log.</param>
    public async Task<TokenHolder?> AuthenticateAsync(string secret, string? address = null, string? request = null, CancellationToken ct = default)
    {
        if (!IsWellFormed(secret))
        {
            await audit.RecordAsync(AuditKind.TokenRefused, null, subject: Shown(secret), detail: Detail("malformed", request), address: address, ct: ct);
            return null;
        }

        var hash = UserDirectory.Hash(secret);
        var token = await db.AccessTokens.AsNoTracking()
            .Where(t => t.Hash == hash)
            .Select(t => new { Token = t, UserName = t.User.DisplayName, UserDisabled = t.User.DisabledAt != null })
            .FirstOrDefaultAsync(ct);
        // Defence in depth should a database ever compare the hash loosely (a case-insensitive collation): the stored
        // hash must be exactly ours. Fixed-time, though what it compares is no secret.
        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token.Token.Hash), Encoding.ASCII.GetBytes(hash)))
        {
            await audit.RecordAsync(AuditKind.TokenRefused, null, subject: Shown(secret), detail: Detail("unknown token", request), address: address, ct: ct);
            return null;
        }

        var summary = Summary(token.Token);
        var now = clock.GetUtcNow().UtcDateTime;
        var refusal = summary.StateAt(now) switch
        {
            AccessTokenState.Revoked => "revoked",
            AccessTokenState.Expired => "expired",
            _ => token.UserDisabled ? "user disabled" : null,
        };
        if (refusal is not null)
        {
            await audit.RecordAsync(AuditKind.TokenRefused, token.UserName, summary.UserId, Subject(summary), Detail(refusal, request), address, ct);
            return null;
        }

        await RecordUseAsync(summary, token.UserName, now, address, request, ct);
        return new TokenHolder(summary.UserId, summary.Id);
    }

    /// <summary>
    /// Moves LastUsedAt and writes TokenUsed when the last recorded use is older than <see cref="UseRecordInterval"/>.
    /// The condition is in the UPDATE itself, so of several requests at once (on several instances) one writes.
    /// </summary>
    private async Task RecordUseAsync(AccessTokenSummary token, string userName, DateTime now, string? address, string? request, CancellationToken ct)
    {
        var before = now - UseRecordInterval;
        if (token.LastUsedAt > before)
        {
            return;
        }

        var updated = await db.AccessTokens
            .Where(t => t.Id == token.Id && (t.LastUsedAt == null || t.LastUsedAt <= before))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
        if (updated == 1)
        {
            await audit.RecordAsync(AuditKind.TokenUsed, userName, token.UserId, Subject(token), request, address, ct);
        }
    }

    private static bool IsWellFormed(string? secret) =>
        secret is not null
        && secret.Length == SecretPrefix.Length + RandomLength
        && secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
        && secret.AsSpan(SecretPrefix.Length).ContainsAnyExcept(Base64UrlCharacters) is false;

    private static readonly System.Buffers.SearchValues<char> Base64UrlCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>At most the part of a presented secret that an owner sees anyway: the audit log never holds a secret.</summary>
    private static string Shown(string? secret) =>
        secret is null ? "" : secret.Length <= SecretPrefix.Length + ShownLength ? "(too short)" : secret[..(SecretPrefix.Length + ShownLength)] + "…";

    private static string Subject(AccessTokenSummary token) => $"token {token.Id} \"{token.Name}\" ({token.Shown})";

    private static string Detail(string reason, string? request) => request is null ? reason : $"{reason}: {request}";

    private static AccessTokenSummary Summary(AccessToken t) => new(t.Id, t.UserId, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);
}
