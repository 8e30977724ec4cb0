using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Passerelle.Core.Common;

namespace Passerelle.Core.Data;

/// <summary>
/// Computes every value registered with <see cref="RegistryCacheServiceCollectionExtensions.AddRegistryValue{T}"/> once
/// the instance is ready, one after the other in the order of registration, so that
/// the first visitors after a start find the home page's key figures and the open-data catalogue computed: at two
/// million projects they take minutes, and the visitor who asked first would otherwise be told they are being counted
/// (ADR 33). It waits for readiness so as not to slow the search index's opening, which traffic waits for.
/// </summary>
public sealed class RegistryWarmUp(
    IEnumerable<IRegistryValue> values,
    ServiceStatus status,
    IOptions<RegistryCacheOptions> options,
    TimeProvider clock,
    ILogger<RegistryWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmUpAtStart)
        {
            return;
        }

        try
        {
            while (!status.IsReady)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), clock, stoppingToken);
            }

            var began = clock.GetTimestamp();
            foreach (var value in values)
            {
                var one = clock.GetTimestamp();
                await value.WarmAsync(stoppingToken);
                logger.LogDebug("{Value} ready after the start in {Seconds:F1} s", value.Name, clock.GetElapsedTime(one).TotalSeconds);
            }

            logger.LogInformation("Registry figures ready after the start in {Seconds:F1} s (computed, or read as kept at the same position: ADR 37)", clock.GetElapsedTime(began).TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Not fatal: the first request that needs a value computes it, and reports what fails.
            logger.LogWarning(e, "Computing the registry figures after the start failed");
        }
    }
}
