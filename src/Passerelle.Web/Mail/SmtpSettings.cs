using Microsoft.Extensions.Options;

using MimeKit;

namespace Passerelle.Web.Mail;

/// <summary>How the connection to the SMTP server is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain connection upgraded by STARTTLS, which the server must offer (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,

    /// <summary>No encryption: only for a relay on the same machine (a loopback address).</summary>
    None,
}

/// <summary>
/// Optional settings (section <c>Smtp</c>) to send password links by e-mail. Without <c>Smtp:Host</c> nothing is sent:
/// the back office shows each link to the administrator, who passes it on (ADR 0020).
/// </summary>
public sealed class SmtpSettings
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>StartTls (the default), SslOnConnect or None; read as text so a wrong word is a named setting error.</summary>
    public string Security { get; set; } = nameof(SmtpSecurity.StartTls);

    public SmtpSecurity Mode => Enum.TryParse<SmtpSecurity>(Security, ignoreCase: true, out var mode) && Enum.IsDefined(mode) ? mode : SmtpSecurity.StartTls;

    /// <summary>The sender, e.g. <c>Passerelle &lt;no-reply@passerelle.example.eu&gt;</c>.</summary>
    public string? From { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public int TimeoutSeconds { get; set; } = 30;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>
/// Refuses to start with SMTP half configured, naming each problem (joined with "; " into the one `error:` line, so
/// the messages end without a full stop).
/// </summary>
public sealed class SmtpSettingsValidator(IConfiguration configuration) : IValidateOptions<SmtpSettings>
{
    public ValidateOptionsResult Validate(string? name, SmtpSettings options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        const string S = SmtpSettings.Section;
        var failures = new List<string>();
        if (Uri.CheckHostName(options.Host) == UriHostNameType.Unknown)
        {
            failures.Add($"{S}:Host '{options.Host}' is not a host name or address");
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"{S}:Port must be between 1 and 65535 (it is {options.Port})");
        }

        if (string.IsNullOrWhiteSpace(options.From) || !MailboxAddress.TryParse(options.From, out var from) || !from.Address.Contains('@', StringComparison.Ordinal))
        {
            failures.Add($"{S}:From must be the sender's address, e.g. 'Passerelle <no-reply@example.eu>' (it is '{options.From}')");
        }

        if (string.IsNullOrEmpty(options.UserName) != string.IsNullOrEmpty(options.Password))
        {
            failures.Add($"{S}:UserName and {S}:Password go together: set both or neither");
        }

        if (!Enum.TryParse<SmtpSecurity>(options.Security, ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || int.TryParse(options.Security, out _))
        {
            failures.Add($"{S}:Security must be StartTls, SslOnConnect or None (it is '{options.Security}')");
        }
        else if (mode == SmtpSecurity.None && !IsLoopback(options.Host))
        {
            // A password link is a key to an account: it must not cross a network in clear.
            failures.Add($"{S}:Security None is accepted for a relay on this machine only (localhost, 127.0.0.1, ::1); use StartTls or SslOnConnect for '{options.Host}'");
        }

        if (options.TimeoutSeconds is < 1 or > 300)
        {
            failures.Add($"{S}:TimeoutSeconds must be between 1 and 300 (it is {options.TimeoutSeconds})");
        }

        if (string.IsNullOrWhiteSpace(configuration[Security.SecurityExtensions.PublicUrlKey]))
        {
            // A link in an e-mail is opened outside the portal: it needs the portal's whole address.
            failures.Add($"{S}:Host needs PublicUrl (the portal's address, e.g. https://passerelle.example.eu): mailed links must be whole addresses");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsLoopback(string? host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
}
