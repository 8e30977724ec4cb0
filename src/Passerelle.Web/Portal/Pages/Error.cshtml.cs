using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Common;
using Passerelle.Web.Api;

namespace Passerelle.Web.Portal.Pages;

/// <summary>
/// The page behind the exception handler and the status-code pages. API callers get problem details instead, with
/// no internals: the exception is logged, never shown.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel(IProblemDetailsService problems, ILogger<ErrorModel> logger) : PortalPage
{
    public int Code { get; private set; }
    public bool Preparing { get; private set; }
    public string Heading => Preparing ? "Being prepared" : Code == 404 ? "Page not found" : Code >= 500 ? "Sorry, something went wrong" : "The request could not be handled";
    public string Message => Preparing
        ? "This part of the site is being prepared after a start. Please try again in a few seconds."
        : Code == 404
        ? "No page has this address. It may have moved, or the address may be mistyped."
        : Code >= 500 ? "The error has been logged. Please try again later." : $"Status {Code}.";

    public async Task<IActionResult> OnGetAsync(int? code) => await Handle(code);

    public async Task<IActionResult> OnPostAsync(int? code) => await Handle(code);

    private async Task<IActionResult> Handle(int? code)
    {
        var exception = HttpContext.Features.Get<IExceptionHandlerFeature>();
        Code = exception is not null ? 500 : code ?? 500;
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

        var originalPath = exception?.Path ?? HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>()?.OriginalPath;
        Response.StatusCode = Code;
        if (originalPath?.StartsWith("/api/", StringComparison.Ordinal) == true)
        {
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = HttpContext,
                ProblemDetails =
                {
                    Status = Code,
                    Title = Heading,
                    Instance = originalPath,
                    Detail = notReady?.Message,
                    Extensions =
                    {
                        ["errorCode"] = notReady?.ErrorCode ?? (Code == 404 ? ErrorCodes.RouteNotFound : Code >= 500 ? ErrorCodes.InternalError : "error"),
                    },
                },
            });
            return new EmptyResult();
        }

        return Page();
    }
}
