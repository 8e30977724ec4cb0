using System.Text.Json;

using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Common;
using Passerelle.Web.Api;

namespace Passerelle.Web;

/// <summary>
/// <c>GET /readyz</c>: whether this instance can take traffic, from the components that report to
/// <see cref="ServiceStatus"/> (the search index, the territory index, ...). 200 when every component that gates
/// readiness is ready or degraded, else 503 with <c>Retry-After</c>; both list every component with its state and
/// reason. <c>/healthz</c> answers a different question (is the process and its database alive).
/// </summary>
public static class Readiness
{
    /// <summary>What a 503 for something still being prepared tells the client to wait, in seconds.</summary>
    public const int RetryAfterSeconds = 5;

    public static IEndpointRouteBuilder MapReadiness(this IEndpointRouteBuilder app)
    {
        app.MapGet("/readyz", (ServiceStatus status, HttpContext http) =>
        {
            var ready = status.IsReady;
            http.Response.Headers.CacheControl = "no-store";
            if (!ready)
            {
                SetRetryAfter(http.Response);
            }

            var body = new
            {
                status = ready ? "ready" : "not ready",
                components = status.All.Select(c => new
                {
                    name = c.Name,
                    state = c.State.ToString().ToLowerInvariant(),
                    reason = c.Reason,
                    gatesReadiness = c.GatesReadiness,
                    since = c.Since,
                }),
            };
            return Results.Json(body, JsonOptions, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).ExcludeFromDescription();
        return app;
    }

    private static readonly JsonSerializerOptions JsonOptions = DatabaseHealthCheck.Json;

    public static void SetRetryAfter(HttpResponse response) =>
        response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>503 problem details with <c>Retry-After</c>, for an API route whose data is still being prepared.</summary>
    public static ProblemHttpResult NotReady(HttpContext http, string errorCode, string detail)
    {
        SetRetryAfter(http.Response);
        return ApiErrors.Problem(StatusCodes.Status503ServiceUnavailable, errorCode, detail);
    }
}
