using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

using Passerelle.Web.Api;

namespace Passerelle.Web.Security;

/// <summary>The <c>RateLimits</c> settings: requests per minute and client address, per policy.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in attempts (the sign-in form's POST) per minute and client address.</summary>
    public int SignInPerMinute { get; set; } = 10;

    /// <summary>API requests per minute and client address: generous for people and scripts, a brake on scrapers.</summary>
    public int ApiPerMinute { get; set; } = 600;

    /// <summary>Every problem with the settings, each naming its key; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (SignInPerMinute is < 1 or > 10_000)
        {
            problems.Add($"{Section}:{nameof(SignInPerMinute)} is {SignInPerMinute}; it must be between 1 and 10000");
        }

        if (ApiPerMinute is < 1 or > 1_000_000)
        {
            problems.Add($"{Section}:{nameof(ApiPerMinute)} is {ApiPerMinute}; it must be between 1 and 1000000");
        }

        return problems;
    }
}

/// <summary>
/// The rate-limiting policies, each a fixed one-minute window per client address (ADR 17). Endpoints opt in by name:
/// <c>.RequireRateLimiting(RateLimits.SignIn)</c>. A rejection answers 429 with <c>Retry-After</c>: problem details
/// with errorCode <c>rate_limited</c> under /api, the portal's error page elsewhere.
/// </summary>
public static class RateLimits
{
    /// <summary>The sign-in form's POST: few attempts per address, against password guessing.</summary>
    public const string SignIn = "sign-in";

    /// <summary>Every /api route.</summary>
    public const string Api = "api";

    internal static IServiceCollection AddPasserelleRateLimits(this IServiceCollection services, RateLimitOptions options)
    {
        services.AddSingleton(options);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Attempts only: showing the sign-in form (GET) is not one, and a person who mistypes should still see it.
            o.AddPolicy(SignIn, context => HttpMethods.IsPost(context.Request.Method)
                ? PerClient(context, options.SignInPerMinute)
                : RateLimitPartition.GetNoLimiter("form"));
            o.AddPolicy(Api, context => PerClient(context, options.ApiPerMinute));
            o.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    private static RateLimitPartition<string> PerClient(HttpContext context, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(ClientKey(context.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    /// <summary>
    /// The partition of a client address: an IPv4 address as it is, an IPv6 address by its /64 network, since one
    /// subscriber usually holds a whole /64 and could otherwise change address at every attempt. The address is the
    /// connection's, or the one a configured proxy forwarded (ForwardedHeaders:KnownProxies).
    /// </summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken ct)
    {
        var response = context.HttpContext.Response;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (context.HttpContext.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            await ApiErrors.Problem(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                    $"Too many requests from this address; try again in {seconds} seconds.")
                .ExecuteAsync(context.HttpContext);
        }

        // Elsewhere nothing is written: the status-code pages show the portal's error page for 429.
    }

    /// <summary>Reads and checks the settings; a start with unusable ones stops with every problem named.</summary>
    internal static RateLimitOptions Read(IConfiguration configuration)
    {
        var options = new RateLimitOptions();
        try
        {
            configuration.GetSection(RateLimitOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // "abc" for a number: the binder's message names the key and the value.
            throw new OptionsValidationException(RateLimitOptions.Section, typeof(RateLimitOptions), [e.Message]);
        }

        return options.Problems() is { Count: > 0 } problems
            ? throw new OptionsValidationException(RateLimitOptions.Section, typeof(RateLimitOptions), problems)
            : options;
    }
}
