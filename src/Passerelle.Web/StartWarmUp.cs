using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Passerelle.Core.Data;
using Passerelle.Web.Api;

namespace Passerelle.Web;

/// <summary>
/// Builds, on one pool thread from the pipeline's setup on, and so beside the database's start-up, what the host's own
/// thread and the first request otherwise build in turn (issue 17: the first search within 2 s of a restart; ADR 36,
/// "At 2 M, what the start's path still paid for"): EF's query pipeline (its first LINQ query's translation, paid by
/// the first query of the data-protection keys or of a request), the endpoints (every minimal API and Razor page, which
/// the pipeline's build reads), and the search response's JSON contract. Each is cached where its own first use finds
/// it; nothing here touches the database, which may not be migrated yet. A failure loses only the warming: the first
/// use builds it again and reports what fails.
/// </summary>
internal static class StartWarmUp
{
    /// <summary>Begins the warming on a pool thread; <paramref name="endpoints"/> are the application's, all mapped.</summary>
    public static void Begin(IServiceProvider services, EndpointDataSource endpoints) =>
        _ = Task.Run(() => Build(services, endpoints), CancellationToken.None);

    private static void Build(IServiceProvider services, EndpointDataSource endpointSource)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartWarmUp));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // In the order the host needs them: EF's first (the data-protection keys are read as the host starts),
            // the endpoints when the pipeline is built, the contract at the first search.
            using (var scope = services.CreateScope())
            {
                // Translated to SQL and cached, not run.
                var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
                _ = db.AppSettings.AsNoTracking().Where(s => s.Key == DatabaseIdentity.SettingKey).Select(s => s.Value).ToQueryString();
            }

            var queries = clock.Elapsed;
            _ = endpointSource.Endpoints;
            var endpoints = clock.Elapsed;
            services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions.GetTypeInfo(typeof(SearchResponse));
            logger.LogInformation(
                "Built ahead of the first request in {Seconds:F2} s: EF's query pipeline {Queries:F2} s, endpoints {Endpoints:F2} s, the search response's contract {Json:F2} s",
                clock.Elapsed.TotalSeconds, queries.TotalSeconds, (endpoints - queries).TotalSeconds, (clock.Elapsed - endpoints).TotalSeconds);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or JsonException or ArgumentException)
        {
            // ObjectDisposedException is an InvalidOperationException: a host stopped before the warming ended.
            logger.LogWarning(e, "Building the endpoints, queries and contracts ahead of the first request failed");
        }
    }
}
