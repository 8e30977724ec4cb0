using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Passerelle.Web.Areas.Admin;

/// <summary>
/// Authorization of the back office by folder, so that a new page is protected by where it is put, not by remembering
/// an attribute: everything needs a signed-in active user (Viewer and up); Users/ and Audit/ need an administrator;
/// pages that change something carry [Authorize(Policy = Policies.Edit)] on top (the policies add up); Account/ (sign-in,
/// links, setup) is open. The authorization matrix test walks every page and proves it.
/// </summary>
public static class Conventions
{
    public static PageConventionCollection AddAdminConventions(this PageConventionCollection conventions)
    {
        conventions.AuthorizeAreaFolder("Admin", "/", Policies.View);
        conventions.AuthorizeAreaFolder("Admin", "/Users", Policies.Administer);
        conventions.AuthorizeAreaFolder("Admin", "/Audit", Policies.Administer);
        conventions.AllowAnonymousToAreaFolder("Admin", "/Account");
        conventions.AllowAnonymousToAreaPage("Admin", "/Setup");
        conventions.AddAreaFolderApplicationModelConvention("Admin", "/", model =>
        {
            model.Filters.Add(new RequireTwoFactorFilter());
            model.Filters.Add(new AccessDeniedFilter());
        });
        return conventions;
    }
}

/// <summary>Marks a page that an administrator may open before enrolling an authenticator (the enrolment page itself).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AllowWithoutTwoFactorAttribute : Attribute;

/// <summary>
/// Two-factor sign-in is required for administrators: one who has not enrolled an authenticator yet is sent to enrol
/// before anything else. Users of an OpenID Connect authority without a local password are exempt: their authority is
/// responsible for the second factor (ADR 0015).
/// </summary>
public sealed class RequireTwoFactorFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.ActionDescriptor.ModelTypeInfo?.IsDefined(typeof(AllowWithoutTwoFactorAttribute), inherit: false) == true
            || context.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any())
        {
            await next();
            return;
        }

        var current = context.HttpContext.RequestServices.GetRequiredService<CurrentAccess>();
        // An administrator from the authority who also has a password (an administrator issued them a link) signs in
        // here with it too, so enrols like everybody else.
        if (await current.GetUserAsync() is { Role: Core.Accounts.AccessRole.Administrator, TwoFactorEnabled: false } user
            && (user.ExternalIssuer is null || user.PasswordHash is not null))
        {
            var lang = context.RouteData.Values[Portal.LanguageRouteConvention.RouteKey] as string;
            context.Result = new RedirectResult((lang is null ? "" : "/" + lang) + "/admin/profile/authenticator");
            return;
        }

        await next();
    }
}

/// <summary>
/// Core refuses a write the user's scope does not allow (<see cref="Core.Accounts.AccessDeniedException"/>): the page
/// answers as for any refused page, never with an error page or a stack trace.
/// </summary>
public sealed class AccessDeniedFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is Core.Accounts.AccessDeniedException)
        {
            executed.ExceptionHandled = true;
            executed.Result = new ForbidResult();
        }
    }
}
