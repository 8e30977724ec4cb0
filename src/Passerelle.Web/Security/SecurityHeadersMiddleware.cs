using Scalar.AspNetCore;

namespace Passerelle.Web.Security;

/// <summary>
/// Adds the security headers to every response: pages, API, static files, errors, the host filter's 400 (and sends
/// no body for HEAD). It is the
/// outermost middleware (<see cref="SecurityStartupFilter"/>) and writes the headers when the response starts, so
/// nothing that runs inside it (the exception handler clears the headers) can drop them.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next, ContentSecurityPolicies policies)
{
    /// <summary>The powerful browser features no page of the site uses, denied to it and to anything it might embed.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), geolocation=(), gyroscope=(), " +
        "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=(), xr-spatial-tracking=()";

    public async Task InvokeAsync(HttpContext context)
    {
        // Decided on the address asked for, not on where an error re-executes the request: anything under /api/docs
        // gets the reference's policy, whose script-src allows only a nonce Scalar has just put in its page.
        var apiDocs = ContentSecurityPolicies.IsApiDocs(context.Request.Path);
        context.Response.OnStarting(() =>
        {
            Apply(context, apiDocs);
            return Task.CompletedTask;
        });

        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }

        // HEAD is answered by the GET endpoint (ApiMethods.WithHeadForGet, Razor Pages' OnGet): its headers, and no
        // body whatever the server (Kestrel drops it, other servers and the test host would send it).
        var body = context.Response.Body;
        context.Response.Body = Stream.Null;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }
    }

    private void Apply(HttpContext context, bool apiDocs)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = apiDocs
            ? ContentSecurityPolicies.ApiDocs(context.Items[ScalarOptions.NonceHttpContextItemKey] as string)
            : policies.Site;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Permissions-Policy"] = PermissionsPolicy;
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }
}

/// <summary>
/// Puts <see cref="SecurityHeadersMiddleware"/> before every other middleware, the host filter included: startup
/// filters wrap the application's pipeline, the first registered outermost.
/// </summary>
public sealed class SecurityStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<SecurityHeadersMiddleware>();
        next(app);
    };
}
