using System.Net.Sockets;

using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

using Microsoft.Extensions.Options;

using MimeKit;

namespace Passerelle.Web.Mail;

/// <summary>The SMTP server refused or could not take a message; the message says why, for the person who sent it.</summary>
public sealed class MailFailedException(string message, Exception inner) : Exception(message, inner);

/// <summary>Sends plain-text messages through the configured SMTP server (MailKit: System.Net.Mail is not recommended for new code).</summary>
public sealed class Mailer(IOptions<SmtpSettings> options, ILogger<Mailer> logger)
{
    public bool Enabled => options.Value.Enabled;

    /// <exception cref="MailFailedException">The server cannot be reached, refuses the credentials, the sender or the address.</exception>
    public async Task SendAsync(string toAddress, string toName, string subject, string body, CancellationToken ct = default)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            throw new InvalidOperationException("SMTP is not configured (Smtp:Host).");
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From!));
        message.To.Add(new MailboxAddress(toName, toAddress));
        message.Subject = subject;
        message.Body = new TextPart(MimeKit.Text.TextFormat.Plain) { Text = body };

        using var client = new SmtpClient { Timeout = settings.TimeoutSeconds * 1000 };
        try
        {
            var security = settings.Mode switch
            {
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(settings.Host!, settings.Port, security, ct);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", ct);
            }

            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or AuthenticationException or SslHandshakeException
            or SocketException or IOException or ServiceNotConnectedException or ServiceNotAuthenticatedException or TimeoutException
            or NotSupportedException)
        {
            logger.LogWarning("Mail to {Address} through {Host}:{Port} failed: {Reason}", toAddress, settings.Host, settings.Port, e.Message);
            // The server's reply code says who must act: 5xx the address or the account, 4xx try later.
            var reply = e is SmtpCommandException command ? $"{(int)command.StatusCode} {e.Message}" : e.Message;
            throw new MailFailedException($"{settings.Host}:{settings.Port}: {reply}", e);
        }
    }
}

public static class MailRegistration
{
    /// <summary>The mailer and its settings, validated when the host starts (whether SMTP is set or not).</summary>
    public static IServiceCollection AddPasserelleMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<SmtpSettings>, SmtpSettingsValidator>();
        services.AddOptions<SmtpSettings>().Bind(configuration.GetSection(SmtpSettings.Section)).ValidateOnStart();
        services.AddSingleton<Mailer>();
        return services;
    }
}
