using System.Text.Json;

using Microsoft.Extensions.Diagnostics.HealthChecks;

using Passerelle.Core.Data;

namespace Passerelle.Web;

/// <summary>Healthy when the database answers a query; the response names the provider, never the connection string.</summary>
public sealed class DatabaseHealthCheck(PasserelleDbContext db, DatabaseOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy(options.Provider.ToString())
                : HealthCheckResult.Unhealthy(options.Provider.ToString());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(options.Provider.ToString());
        }
    }

    // Operators read this: commands in `backticks` and accented names stay as written (no HTML context here).
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        }, Json));
    }
}
