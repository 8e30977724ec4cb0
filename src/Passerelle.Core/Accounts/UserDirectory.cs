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
