using Microsoft.Extensions.Diagnostics.HealthChecks;

using Passerelle.Core.Common;

namespace Passerelle.Web;

/// <summary>
/// Degraded while a component runs without something optional (no territories: maps and the eligibility finder are
/// off; the default data not loaded on PostgreSQL), each with its reason and what to do; unhealthy when one failed.
/// The instance still serves: a load balancer keeps it, an operator sees why it is incomplete.
/// </summary>
public sealed class ServiceStatusHealthCheck(ServiceStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var components = status.All;
        var failed = components.Where(c => c.State == ComponentState.Failed).ToList();
        var degraded = components.Where(c => c.State == ComponentState.Degraded).ToList();
        var data = components.ToDictionary(c => c.Name, c => (object)new { state = c.State.ToString(), reason = c.Reason });
        if (failed.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(Describe(failed), data: data));
        }

        return Task.FromResult(degraded.Count > 0
            ? HealthCheckResult.Degraded(Describe(degraded), data: data)
            : HealthCheckResult.Healthy("every component is working", data));
    }

    private static string Describe(IEnumerable<ComponentStatus> components) =>
        string.Join("; ", components.Select(c => $"{c.Name}: {c.Reason}"));
}
