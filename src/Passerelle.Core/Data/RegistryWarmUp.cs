using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Passerelle.Core.Common;
using Passerelle.Core.OpenData.Catalog;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Statistics;

namespace Passerelle.Core.Data;

/// <summary>
/// Computes the values kept in <see cref="RegistryCache{T}"/> once the instance is ready, one after the other, so that
/// the first visitors after a start find the home page's key figures and the open-data catalogue computed: at two
/// million projects they take minutes, and the visitor who asked first would otherwise be told they are being counted
/// (ADR 33). It waits for readiness so as not to slow the search index's opening, which traffic waits for.
/// </summary>
public sealed class RegistryWarmUp(
    IServiceScopeFactory scopes,
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
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var first = new PageRequest(1, PageRequest.DefaultSize);
            await services.GetRequiredService<ProjectQueries>().ListAsync(new ProjectFilter(), first, stoppingToken);
            await services.GetRequiredService<OrganisationQueries>().ListAsync(null, first, stoppingToken);
            await services.GetRequiredService<ProgrammeQueries>().ListWithFactsAsync(stoppingToken);
            await services.GetRequiredService<KeyFigures>().GetAsync(stoppingToken);
            await services.GetRequiredService<CatalogQueries>().GetAsync(stoppingToken);
            logger.LogInformation("Registry figures computed after the start in {Seconds:F1} s", clock.GetElapsedTime(began).TotalSeconds);
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
