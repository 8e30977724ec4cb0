using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>
/// The same host with portal pages that fail when asked (?fail=1): the exception handler's error page answers them,
/// for tests of what a visitor sees of a failure.
/// </summary>
internal static class FailingPages
{
    public static WebApplicationFactory<Program> Of(PasserelleApp app) =>
        app.WithWebHostBuilder(b => b.ConfigureServices(s => s.Configure<MvcOptions>(o => o.Filters.Add(new FailWhenAsked()))));

    private sealed class FailWhenAsked : IPageFilter
    {
        public void OnPageHandlerSelected(PageHandlerSelectedContext context)
        {
        }

        public void OnPageHandlerExecuting(PageHandlerExecutingContext context)
        {
            var request = context.HttpContext.Request;
            if (request.Query.ContainsKey("fail") && !request.Path.StartsWithSegments("/error", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("Failing as the test asked.");
            }
        }

        public void OnPageHandlerExecuted(PageHandlerExecutedContext context)
        {
        }
    }
}
