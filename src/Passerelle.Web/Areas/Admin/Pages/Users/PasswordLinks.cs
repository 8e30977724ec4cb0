using Passerelle.Core.Accounts;
using Passerelle.Web.Localization;
using Passerelle.Web.Mail;

namespace Passerelle.Web.Areas.Admin.Pages.Users;

/// <summary>
/// A link issued for a user: mailed to them when SMTP is set (then not shown to the administrator: it is the user's
/// key), otherwise shown for the administrator to pass on; shown too when the mail failed, so nothing is lost.
/// </summary>
public sealed record PasswordLinkResult(string Email, string Link, bool Mailed, string? MailError)
{
    /// <summary>The link the administrator sees: none when it went by mail.</summary>
    public string? Shown => Mailed ? null : Link;
}

/// <summary>Issues the one-time link on which a user chooses a password, for the users pages and the `users` command alike.</summary>
public sealed class PasswordLinks(UserDirectory directory, Mailer mailer, UiText text, AuditLog audit, IConfiguration configuration)
{
    public async Task<PasswordLinkResult> IssueAsync(User user, string actor, string language, bool newAccount, CancellationToken ct = default)
    {
        var token = await directory.PasswordLinkAsync(user, actor, ct);
        var link = Links.Absolute(configuration, CreateModel.PasswordPath(user.Id, token, language));
        var email = user.Email ?? "";
        if (!mailer.Enabled)
        {
            return new(email, link, Mailed: false, MailError: null);
        }

        try
        {
            var subject = text.Get(language, newAccount ? "mail.new_account_subject" : "mail.password_link_subject");
            var body = text.Format(language, newAccount ? "mail.new_account_body" : "mail.password_link_body", user.DisplayName, link, email);
            await mailer.SendAsync(email, user.DisplayName, subject, body, ct);
            await audit.RecordAsync(AuditKind.PasswordLinkMailed, actor, user.Id, email, ct: ct);
            return new(email, link, Mailed: true, MailError: null);
        }
        catch (MailFailedException e)
        {
            await audit.RecordAsync(AuditKind.MailFailed, actor, user.Id, email, e.Message, ct: ct);
            return new(email, link, Mailed: false, MailError: e.Message);
        }
    }
}
