using System.Net;
using System.Net.Sockets;

namespace Passerelle.Web.Tests.Hosting;

/// <summary>
/// The real web host executable serving on a loopback port, as an operator starts it (<see cref="PasserelleProcess"/>),
/// with an HTTP client to it. <see cref="StartAsync"/> returns once /readyz answers 200: the start-up work in the
/// background (territory import, search and territory indexes) is done.
/// </summary>
public sealed class WebHostProcess : IDisposable
{
    // A bound, not a timing check: a start under a parallel test run, with a territory import, can take a while.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(240);

    private WebHostProcess(PasserelleProcess.Running process, int port)
    {
        Process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(100) };
    }

    public PasserelleProcess.Running Process { get; }

    public HttpClient Client { get; }

    public static async Task<WebHostProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var host = new WebHostProcess(PasserelleProcess.Start(settings, $"--urls=http://127.0.0.1:{port}"), port);
        try
        {
            await host.WaitUntilReadyAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = "no answer";
        while (true)
        {
            if (Process.Process.HasExited)
            {
                Assert.Fail($"the web host ended before it was ready; {await Process.WaitAsync()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the web host was not ready within {Patience.TotalSeconds} s (/readyz: {last}); stdout so far:\n{Process.Stdout}");
            }

            try
            {
                using var response = await Client.GetAsync("/readyz", TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            }
            catch (HttpRequestException e)
            {
                last = e.Message; // not listening yet
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Stops the host as a service manager does (SIGTERM) and returns how it ended.</summary>
    public Task<ProcessResult> StopAsync() => Process.StopAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Client.Dispose();
        Process.Dispose();
    }
}
