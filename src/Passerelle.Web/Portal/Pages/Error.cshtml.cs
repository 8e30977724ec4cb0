using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Common;
using Passerelle.Web.Api;

namespace Passerelle.Web.Portal.Pages;

/// <summary>
/// The page behind the exception handler and the status-code pages. API callers get problem details instead, with
/// no internals: the exception is logged, never shown. Only the application's own re-execution reaches it (ADR 17):
/// asked for directly (/error, /error/101), it is a plain "page not found", so no address can make the site answer
/// a status it chooses.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel(IProblemDetailsService problems, ILogger<ErrorModel> logger) : PortalPage
{
    public int Code { get; private set; }
    public bool Preparing { get; private set; }

    /// <summary>The page's heading, in the language of the address that failed (/fr/... is answered in French).</summary>
    public string Heading => T(Preparing ? "portal.error.preparing" : "portal.error." + Kind);

    public string Message => Preparing ? T("portal.error.preparing_text")
        : Kind == "other" ? T("portal.error.other_text", Code)
        : T("portal.error." + Kind + "_text");

    private string Kind => Code switch
    {
        404 => "not_found",
        405 => "method_not_allowed",
        429 => "too_many_requests",
        >= 500 => "server",
        _ => "other",
    };

    /// <summary>The problem details' title for the API: English, as every API text (clients read the errorCode).</summary>
    private string ApiTitle => Preparing ? "Being prepared"
        : Code switch
        {
            404 => "Page not found",
            405 => "Method not allowed",
            429 => "Too many requests",
            >= 500 => "Sorry, something went wrong",
            _ => "The request could not be handled",
        };

    public async Task<IActionResult> OnGetAsync(int? code) => await Handle(code);

    // The status-code pages re-execute with the request's method: every method gets the same page.
    public async Task<IActionResult> OnPostAsync(int? code) => await Handle(code);

    public async Task<IActionResult> OnPutAsync(int? code) => await Handle(code);

    public async Task<IActionResult> OnPatchAsync(int? code) => await Handle(code);

    public async Task<IActionResult> OnDeleteAsync(int? code) => await Handle(code);

    public async Task<IActionResult> OnOptionsAsync(int? code) => await Handle(code);

    private async Task<IActionResult> Handle(int? code)
    {
        var exception = HttpContext.Features.Get<IExceptionHandlerFeature>();
        var reExecuted = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        // The status-code pages only re-execute for 400-599; the clamp keeps it so whatever changes upstream.
        Code = exception is not null ? 500
            : reExecuted is not null && code is >= 400 and <= 599 ? code.Value
            : StatusCodes.Status404NotFound;
        var notReady = exception?.Error as NotReadyException;
        if (notReady is not null)
        {
            // Something still being prepared in the background (an index): not a fault, come back shortly.
            Code = StatusCodes.Status503ServiceUnavailable;
            Preparing = true;
            Readiness.SetRetryAfter(Response);
        }
        else if (exception is not null)
        {
            logger.LogError(exception.Error, "Unhandled exception on {Path}", exception.Path);
        }

        var originalPath = exception?.Path ?? reExecuted?.OriginalPath;
        Response.StatusCode = Code;
        if (originalPath?.StartsWith("/api/", StringComparison.Ordinal) == true)
        {
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = HttpContext,
                ProblemDetails =
                {
                    Status = Code,
                    Title = ApiTitle,
                    Instance = originalPath,
                    Detail = notReady?.Message,
                    Extensions =
                    {
                        ["errorCode"] = notReady?.ErrorCode ?? ApiErrorCode(Code),
                    },
                },
            });
            return new EmptyResult();
        }

        return Page();
    }

    /// <summary>
    /// The errorCode of an API status no route answered itself. A 400 without a body is a query value the route could
    /// not bind (e.g. zoom=abc).
    /// </summary>
    private static string ApiErrorCode(int code) => code switch
    {
        400 => ErrorCodes.InvalidParameter,
        404 => ErrorCodes.RouteNotFound,
        405 => ErrorCodes.MethodNotAllowed,
        429 => ErrorCodes.RateLimited,
        >= 500 => ErrorCodes.InternalError,
        _ => "error",
    };
}
