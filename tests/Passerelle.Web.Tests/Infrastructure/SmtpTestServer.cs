using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

using MimeKit;

using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>A message the test server accepted, with the account that sent it (null without AUTH).</summary>
public sealed record ReceivedMail(MimeMessage Message, string? AuthenticatedUser)
{
    public string To => Message.To.Mailboxes.Single().Address;

    public string Text => Message.TextBody ?? "";
}

/// <summary>
/// A real SMTP server (the SmtpServer library: ESMTP, AUTH PLAIN/LOGIN) on a free loopback port, so the mail tests go
/// through MailKit, TCP and the SMTP dialogue as in production. It accepts the given credentials and refuses any
/// recipient at <see cref="RefusedDomain"/> with 550.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    public const string UserName = "passerelle";
    public const string Password = "smtp secret for the tests";
    public const string RefusedDomain = "refused.example";

    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private SmtpTestServer(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).AllowUnsecureAuthentication(true))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter());
        services.Add(new DelegatingUserAuthenticator((user, password) => user == UserName && password == Password));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    public IReadOnlyCollection<ReceivedMail> Received => _received;

    public static SmtpTestServer Start()
    {
        // A port the system just gave out and that nothing listens on: the server binds it at once.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new SmtpTestServer(port);
    }

    /// <summary>The settings that make Passerelle send through this server.</summary>
    public Dictionary<string, string> Settings() => new()
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:From"] = "Passerelle <no-reply@passerelle.example.eu>",
        ["Smtp:UserName"] = UserName,
        ["Smtp:Password"] = Password,
        ["PublicUrl"] = "https://passerelle.example.eu",
    };

    /// <summary>The first message to an address, waiting for it a while (the send is over once the page answered; this is a guard against a hang).</summary>
    public async Task<ReceivedMail> WaitForAsync(string to)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_received.FirstOrDefault(m => string.Equals(m.To, to, StringComparison.OrdinalIgnoreCase)) is { } found)
            {
                return found;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"No mail to {to} arrived; the server holds {_received.Count} others.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _arrived.Dispose();
    }

    private sealed class Store(SmtpTestServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            server._received.Enqueue(new ReceivedMail(message, context.Authentication.IsAuthenticated ? context.Authentication.User : null));
            server._arrived.Release();
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!string.Equals(to.Host, RefusedDomain, StringComparison.OrdinalIgnoreCase));
    }
}
