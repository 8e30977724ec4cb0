using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using Passerelle.Core.Common;
using Passerelle.Core.Data;

namespace Passerelle.Web.Tests.Infrastructure;

public static class ReadinessExtensions
{
    // A bound against a hang, not a timing check: the test data's indexes build in about a second, but a parallel test
    // run on two shared cores can stretch that a lot.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    /// <summary>Waits until the host's background start-up (search index, territory index) reports ready.</summary>
    public static async Task WaitUntilReadyAsync(this IServiceProvider services)
    {
        var status = services.GetRequiredService<ServiceStatus>();
        var deadline = DateTime.UtcNow + Patience;
        while (!status.IsReady)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The host did not become ready: " +
                    string.Join("; ", status.All.Select(c => $"{c.Name} {c.State} {c.Reason}")));
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Waits until the registry values computed after the start (RegistryWarmUp, ADR 33) are written to the database
    /// (ADR 37), as a host stopped right after its readiness would not have kept them.
    /// </summary>
    public static async Task WaitUntilRegistryValuesKeptAsync(this IServiceProvider services)
    {
        var warmUp = services.GetServices<IHostedService>().OfType<RegistryWarmUp>().Single();
        await (warmUp.ExecuteTask ?? Task.CompletedTask).WaitAsync(Patience, TestContext.Current.CancellationToken);
        foreach (var value in services.GetServices<IRegistryValue>())
        {
            await value.Keeping.WaitAsync(Patience, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (bounded like <see cref="WaitUntilReadyAsync"/>).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still waiting for {what}.");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
