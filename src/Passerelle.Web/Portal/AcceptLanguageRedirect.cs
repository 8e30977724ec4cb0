using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Net.Http.Headers;

using Passerelle.Core.Common;

namespace Passerelle.Web.Portal;

/// <summary>
/// A first visit follows the browser's language: a GET of a portal page at an address without a language segment
/// (/, /projects?p=2) from a browser whose Accept-Language prefers French, Dutch or German is sent (302) to the same
/// address in that language (/fr, /fr/projects?p=2). From there every link keeps the language in the address, so a
/// shared link opens in the language it was shared in, and the switch (to /en/... as well) is the visitor's choice.
/// English, or no header, serves the unprefixed page. Only portal pages get here: the API, the back office (its own
/// rules), static files, health checks and the error page never redirect; nor does anything but GET and HEAD.
/// The answer depends on the header, hence <c>Vary: Accept-Language</c> on both the redirect and the page.
/// </summary>
public sealed class AcceptLanguageRedirect : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var http = context.HttpContext;
        if (context.ActionDescriptor.AreaName is not null
            || context.RouteData.Values.ContainsKey(LanguageRouteConvention.RouteKey)
            || !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
            || http.Features.Get<IStatusCodeReExecuteFeature>() is not null
            || http.Features.Get<IExceptionHandlerFeature>() is not null
            || context.HandlerInstance is Pages.ErrorModel)
        {
            await next();
            return;
        }

        http.Response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptLanguage);
        var ranges = http.Request.GetTypedHeaders().AcceptLanguage
            .Select(r => (Tag: r.Value.Value ?? "", Quality: r.Quality ?? 1.0));
        if (Language.Preferred(ranges) is { } preferred && preferred != Language.Default)
        {
            var path = http.Request.Path.Value is null or "/" ? "" : http.Request.Path.Value;
            context.Result = new RedirectResult($"{http.Request.PathBase}/{preferred.Code}{path}{http.Request.QueryString}");
            return;
        }

        await next();
    }
}
