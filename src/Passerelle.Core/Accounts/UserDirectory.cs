using System.Security.Cryptography;
using System.Text;

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;

namespace Passerelle.Core.Accounts;

/// <summary>Thrown when an account operation is refused for a reason the person can fix (a taken e-mail, a weak password).</summary>
public sealed class AccountException(string code, string message) : Exception(message)
{
    /// <summary>Stable: the hosts translate it (account_email_taken, account_password_rules, account_not_found, ...).</summary>
    public string Code { get; } = code;
}

/// <summary>What an OpenID Connect authority says of a person at sign-in, with its claims mapped to a role and scope.</summary>
/// <param name="Issuer">The authority's issuer (the id token's iss).</param>
/// <param name="Subject">The person's identifier at the authority (sub): with the issuer, what finds them again.</param>
/// <param name="ProviderName">The authority's display name, for messages and the audit log.</param>
/// <param name="Email">The e-mail claim; Passerelle needs one.</param>
/// <param name="Name">The name claim, the user's display name.</param>
/// <param name="Role">The role the claims map to; null when they map to none (sign-in refused).</param>
/// <param name="ProgrammeSlugs">The programmes an editor edits, by slug (unknown ones are ignored).</param>
/// <param name="GroupingSlugs">The groupings an editor edits, by slug (unknown ones are ignored).</param>
public sealed record ExternalIdentity(string Issuer, string Subject, string ProviderName, string? Email, string? Name, AccessRole? Role,
    IReadOnlyCollection<string> ProgrammeSlugs, IReadOnlyCollection<string> GroupingSlugs);

/// <summary>
/// Users, their role and scope, and the one-time links that let a person choose a password. No password is ever
/// chosen by anyone but its owner: an administrator (or the `users add` command) creates the account and hands over
/// a link, valid once and for a limited time (Identity's reset token, dead as soon as the password is set because
/// setting it changes the security stamp).
/// </summary>
public sealed class UserDirectory(PasserelleDbContext db, UserManager<User> users, AuditLog audit, TimeProvider clock)
{
    /// <summary>The access of an active user, as it is now in the database; null for an unknown or disabled user.</summary>
    public async Task<Access?> AccessAsync(int userId, CancellationToken ct = default)
    {
        var user = await db.Users.AsNoTracking().Include(u => u.Scopes).FirstOrDefaultAsync(u => u.Id == userId, ct);
        return user is null || user.DisabledAt is not null ? null : AccessOf(user);
    }

    public static Access AccessOf(User user) => new(
        user.Id,
        user.DisplayName,
        user.Role,
        user.Scopes.Where(s => s.ProgrammeId is not null).Select(s => s.ProgrammeId!.Value).ToHashSet(),
        user.Scopes.Where(s => s.GroupingId is not null).Select(s => s.GroupingId!.Value).ToHashSet());

    public Task<bool> AnyAdministratorAsync(CancellationToken ct = default) =>
        db.Users.AnyAsync(u => u.Role == AccessRole.Administrator && u.DisabledAt == null, ct);

    /// <summary>Creates a user without a password; <see cref="PasswordLinkAsync"/> gives the link to choose one.</summary>
    /// <exception cref="AccountException">The e-mail is taken or invalid, or a scope names no programme or grouping.</exception>
    public async Task<User> CreateAsync(string email, string displayName, AccessRole role, IReadOnlyCollection<int> programmeIds,
        IReadOnlyCollection<int> groupingIds, string actor, CancellationToken ct = default)
    {
        email = email.Trim();
        if (await users.FindByEmailAsync(email) is not null)
        {
            throw new AccountException("account_email_taken", $"A user with the e-mail {email} already exists.");
        }

        var user = new User
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? email : displayName.Trim(),
            Role = role,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            LockoutEnabled = true,
        };
        await CheckScopeAsync(role, programmeIds, groupingIds, ct);
        user.Scopes = ScopesOf(role, programmeIds, groupingIds);
        Check(await users.CreateAsync(user));
        await audit.RecordAsync(AuditKind.UserCreated, actor, user.Id, user.Email, $"{role}{ScopeText(user)}", ct: ct);
        return user;
    }

    /// <summary>Changes a user's name, role, scope, or disables / enables them. Their next request sees it.</summary>
    public async Task UpdateAsync(int userId, string displayName, AccessRole role, IReadOnlyCollection<int> programmeIds,
        IReadOnlyCollection<int> groupingIds, bool disabled, string actor, CancellationToken ct = default)
    {
        var user = await db.Users.Include(u => u.Scopes).FirstOrDefaultAsync(u => u.Id == userId, ct)
            ?? throw new AccountException("account_not_found", $"No user has the id {userId}.");
        await CheckScopeAsync(role, programmeIds, groupingIds, ct);
        user.DisplayName = string.IsNullOrWhiteSpace(displayName) ? user.DisplayName : displayName.Trim();
        user.Role = role;
        db.UserScopes.RemoveRange(user.Scopes);
        user.Scopes = ScopesOf(role, programmeIds, groupingIds);
        user.DisabledAt = disabled ? user.DisabledAt ?? clock.GetUtcNow().UtcDateTime : null;
        await db.SaveChangesAsync(ct);
        // Signs the user's other sessions out at their next validation (a disabled user is refused at once anyway).
        await users.UpdateSecurityStampAsync(user);
        await audit.RecordAsync(AuditKind.UserChanged, actor, user.Id, user.Email, $"{role}{ScopeText(user)}{(disabled ? ", disabled" : "")}", ct: ct);
    }

    /// <summary>
    /// The user an OpenID Connect sign-in is for: found by the authority's issuer and subject (Identity's user logins),
    /// else provisioned, and in both cases given the role and scope the authority's claims map to, at every sign-in.
    /// A person whose e-mail belongs to an account without this login is refused, unless <paramref name="linkExisting"/>:
    /// then that account is linked and its password removed (the authority signs it in from then on, with its own
    /// second factor).
    /// </summary>
    /// <exception cref="AccountException">
    /// account_external_no_role, account_external_no_scope, account_external_no_email, account_external_email_local,
    /// account_email_taken (the authority changed the e-mail to another account's), account_disabled.
    /// </exception>
    public async Task<User> SignInExternalAsync(ExternalIdentity identity, bool linkExisting, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(identity.Issuer) || string.IsNullOrEmpty(identity.Subject))
        {
            throw new AccountException("account_external_no_subject", $"{identity.ProviderName} sent no issuer or subject.");
        }

        var user = await users.FindByLoginAsync(identity.Issuer, identity.Subject);
        if (user is not null && user.DisabledAt is not null)
        {
            throw new AccountException("account_disabled", $"The user {user.Email} is disabled in Passerelle.");
        }

        if (identity.Role is not { } role)
        {
            if (user is not null)
            {
                // The authority withdrew the role: the person's other sessions end at their next validation.
                await users.UpdateSecurityStampAsync(user);
            }

            throw new AccountException("account_external_no_role", $"The claims of {identity.ProviderName} map to no role.");
        }

        var programmeIds = await db.Programmes.Where(p => identity.ProgrammeSlugs.Contains(p.Slug)).Select(p => p.Id).ToListAsync(ct);
        var groupingIds = await db.Groupings.Where(g => identity.GroupingSlugs.Contains(g.Slug)).Select(g => g.Id).ToListAsync(ct);
        if (role == AccessRole.Editor && programmeIds.Count + groupingIds.Count == 0)
        {
            if (user is not null)
            {
                await users.UpdateSecurityStampAsync(user);
            }

            throw new AccountException("account_external_no_scope",
                $"The claims of {identity.ProviderName} make an editor but name no programme or grouping of this instance " +
                $"(programmes: {string.Join(", ", identity.ProgrammeSlugs)}; groupings: {string.Join(", ", identity.GroupingSlugs)}).");
        }

        var email = identity.Email?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            throw new AccountException("account_external_no_email", $"{identity.ProviderName} sent no e-mail address.");
        }

        var actor = identity.ProviderName + " (OpenID Connect)";
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (user is null)
        {
            user = await users.FindByEmailAsync(email);
            if (user is not null)
            {
                if (!linkExisting)
                {
                    throw new AccountException("account_external_email_local",
                        $"The e-mail {email} belongs to a Passerelle account that does not sign in with {identity.ProviderName}.");
                }

                if (user.DisabledAt is not null)
                {
                    throw new AccountException("account_disabled", $"The user {user.Email} is disabled in Passerelle.");
                }

                Check(await users.AddLoginAsync(user, new UserLoginInfo(identity.Issuer, identity.Subject, identity.ProviderName)));
                var hadPassword = await users.HasPasswordAsync(user);
                if (hadPassword)
                {
                    Check(await users.RemovePasswordAsync(user));
                }

                user.ExternalIssuer = identity.Issuer;
                await audit.RecordAsync(AuditKind.UserChanged, actor, user.Id, user.Email,
                    $"linked to {identity.Issuer} (subject {identity.Subject}){(hadPassword ? "; password removed" : "")}", ct: ct);
            }
            else
            {
                user = new User
                {
                    UserName = email,
                    Email = email,
                    EmailConfirmed = true,
                    DisplayName = string.IsNullOrWhiteSpace(identity.Name) ? email : identity.Name.Trim(),
                    Role = role,
                    CreatedAt = clock.GetUtcNow().UtcDateTime,
                    LockoutEnabled = true,
                    ExternalIssuer = identity.Issuer,
                    Scopes = ScopesOf(role, programmeIds, groupingIds),
                };
                Check(await users.CreateAsync(user));
                Check(await users.AddLoginAsync(user, new UserLoginInfo(identity.Issuer, identity.Subject, identity.ProviderName)));
                await audit.RecordAsync(AuditKind.UserCreated, actor, user.Id, user.Email,
                    $"{role}{ScopeText(user)}, from {identity.Issuer} (subject {identity.Subject})", ct: ct);
            }
        }

        await db.Entry(user).Collection(u => u.Scopes).LoadAsync(ct);
        var before = $"{user.Role}{ScopeText(user)}";
        if (!string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase))
        {
            if (await users.FindByEmailAsync(email) is { } other && other.Id != user.Id)
            {
                throw new AccountException("account_email_taken", $"{identity.ProviderName} gives the e-mail {email}, which another Passerelle account has.");
            }

            user.Email = email;
            user.UserName = email;
        }

        if (!string.IsNullOrWhiteSpace(identity.Name))
        {
            user.DisplayName = identity.Name.Trim();
        }

        var scopeChanged = user.Role != role
            || !user.Scopes.Where(s => s.ProgrammeId is not null).Select(s => s.ProgrammeId!.Value).ToHashSet().SetEquals(role == AccessRole.Editor ? programmeIds : [])
            || !user.Scopes.Where(s => s.GroupingId is not null).Select(s => s.GroupingId!.Value).ToHashSet().SetEquals(role == AccessRole.Editor ? groupingIds : []);
        if (scopeChanged)
        {
            user.Role = role;
            db.UserScopes.RemoveRange(user.Scopes);
            user.Scopes = ScopesOf(role, programmeIds, groupingIds);
        }

        Check(await users.UpdateAsync(user));
        if (scopeChanged)
        {
            await audit.RecordAsync(AuditKind.UserChanged, actor, user.Id, user.Email, $"{before} → {role}{ScopeText(user)}", ct: ct);
        }

        await transaction.CommitAsync(ct);
        return user;
    }

    /// <summary>A one-time token for the link on which the user chooses a new password (and so the first one).</summary>
    public async Task<string> PasswordLinkAsync(User user, string actor, CancellationToken ct = default)
    {
        var token = await users.GeneratePasswordResetTokenAsync(user);
        await audit.RecordAsync(AuditKind.ResetLinkIssued, actor, user.Id, user.Email, ct: ct);
        return token;
    }

    /// <summary>Sets the password from a link's token; the token is dead afterwards.</summary>
    /// <exception cref="AccountException">account_link_invalid, or account_password_rules with Identity's reasons.</exception>
    public async Task<User> SetPasswordAsync(int userId, string token, string password, CancellationToken ct = default)
    {
        var user = await users.FindByIdAsync(userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (user is null || user.DisabledAt is not null)
        {
            throw new AccountException("account_link_invalid", "This link is not valid (any more). Ask an administrator for a new one.");
        }

        var result = await users.ResetPasswordAsync(user, token, password);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)))
            {
                throw new AccountException("account_link_invalid", "This link is not valid (any more). Ask an administrator for a new one.");
            }

            throw new AccountException("account_password_rules", string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        // A password set from a link also ends a lockout: the administrator who issued it vouched for the person.
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await audit.RecordAsync(AuditKind.PasswordSet, user.DisplayName, user.Id, user.Email, ct: ct);
        return user;
    }

    // ---- The one-time setup link printed at the first start, while no administrator exists. ----
    private const string SetupSetting = "admin-setup-link";

    /// <summary>How long a setup link printed at start stays valid.</summary>
    public static readonly TimeSpan SetupLinkLifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// A new setup token when no administrator exists (replacing any earlier one), else null. Only its hash is kept:
    /// whoever reads the database cannot use it.
    /// </summary>
    public async Task<string?> IssueSetupTokenAsync(CancellationToken ct = default)
    {
        if (await AnyAdministratorAsync(ct))
        {
            return null;
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var value = $"{Hash(token)} {clock.GetUtcNow().UtcDateTime.Add(SetupLinkLifetime):O}";
        var setting = await db.AppSettings.FindAsync([SetupSetting], ct);
        if (setting is null)
        {
            db.AppSettings.Add(new AppSetting { Key = SetupSetting, Value = value });
        }
        else
        {
            setting.Value = value;
        }

        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditKind.SetupLinkIssued, "system", ct: ct);
        return token;
    }

    /// <summary>Whether a setup token is the current one, unexpired, and no administrator exists yet.</summary>
    public async Task<bool> SetupTokenValidAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token) || await AnyAdministratorAsync(ct))
        {
            return false;
        }

        var setting = await db.AppSettings.AsNoTracking().FirstOrDefaultAsync(s => s.Key == SetupSetting, ct);
        if (setting?.Value.Split(' ') is not [var hash, var expires])
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), Encoding.ASCII.GetBytes(Hash(token)))
            && DateTime.Parse(expires, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind) > clock.GetUtcNow().UtcDateTime;
    }

    /// <summary>Creates the first administrator from a valid setup token, with the password they chose; the token dies.</summary>
    public async Task<User> CompleteSetupAsync(string token, string email, string displayName, string password, CancellationToken ct = default)
    {
        if (!await SetupTokenValidAsync(token, ct))
        {
            throw new AccountException("account_link_invalid", "This setup link is not valid (any more). Restart Passerelle for a new one, or run `users add --admin`.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await CreateAsync(email, displayName, AccessRole.Administrator, [], [], "setup link", ct);
        var result = await users.AddPasswordAsync(user, password);
        if (!result.Succeeded)
        {
            throw new AccountException("account_password_rules", string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        db.AppSettings.Remove(await db.AppSettings.FirstAsync(s => s.Key == SetupSetting, ct));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return user;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private async Task CheckScopeAsync(AccessRole role, IReadOnlyCollection<int> programmeIds, IReadOnlyCollection<int> groupingIds, CancellationToken ct)
    {
        if (role != AccessRole.Editor)
        {
            return;
        }

        if (programmeIds.Count + groupingIds.Count == 0)
        {
            throw new AccountException("account_scope_empty", "An editor edits at least one programme or grouping.");
        }

        var programmes = await db.Programmes.CountAsync(p => programmeIds.Contains(p.Id), ct);
        var groupings = await db.Groupings.CountAsync(g => groupingIds.Contains(g.Id), ct);
        if (programmes != programmeIds.Distinct().Count() || groupings != groupingIds.Distinct().Count())
        {
            throw new AccountException("account_scope_unknown", "The scope names a programme or grouping that does not exist.");
        }
    }

    private static List<UserScope> ScopesOf(AccessRole role, IEnumerable<int> programmeIds, IEnumerable<int> groupingIds) =>
        role != AccessRole.Editor ? [] :
        [
            .. programmeIds.Distinct().Select(id => new UserScope { ProgrammeId = id }),
            .. groupingIds.Distinct().Select(id => new UserScope { GroupingId = id }),
        ];

    private static string ScopeText(User user) => user.Scopes.Count == 0 ? "" :
        " of " + string.Join(", ", user.Scopes.Select(s => s.ProgrammeId is { } p ? $"programme {p}" : $"grouping {s.GroupingId}"));

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            var duplicate = result.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName));
            throw new AccountException(duplicate ? "account_email_taken" : "account_invalid", string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
