using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

using Passerelle.Web.Areas.Admin;

namespace Passerelle.Web.Api;

/// <summary>
/// Access to the API's protected routes: a personal access token (<c>Authorization: Bearer pat_…</c>) and nothing else
/// (ADR 0016). Put <see cref="RequireWriteAccess{TBuilder}"/> on every POST, PUT, PATCH and DELETE route or group:
/// <code>
/// var writes = api.MapGroup("/projects").RequireWriteAccess();
/// writes.MapPost("/", ...);   // 401 without a valid token, 403 for a Viewer's token
/// </code>
/// The record's scope (an editor's programmes and groupings) is then Core's to check, with the access
/// <see cref="CurrentAccess"/> gives; a refusal there (AccessDeniedException) is also a 403 with errorCode "forbidden".
/// </summary>
public static class ApiAccess
{
    /// <summary>The OpenAPI document's name for the token scheme (components.securitySchemes).</summary>
    public const string SecuritySchemeName = "bearer";

    /// <summary>Editors and administrators, authenticated by a token: for the write routes.</summary>
    public static TBuilder RequireWriteAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policies.ApiWrite).WithAuthorizationProblems();

    /// <summary>Any active user, authenticated by a token: for routes that only need to know who asks (/api/v1/me).</summary>
    public static TBuilder RequireTokenAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policies.ApiView).WithAuthorizationProblems();

    private static TBuilder WithAuthorizationProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(
            new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), ["application/problem+json"]),
            new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), ["application/problem+json"]));

    /// <summary>
    /// Declares the token scheme in the OpenAPI document and requires it on each operation whose route needs a token,
    /// so a client generator (and the reference page's "Authorize") know what to send.
    /// </summary>
    public static OpenApiOptions AddTokenSecurity(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "pat_…",
                Description =
                    "A personal access token, created in the back office (My account, Access tokens) and shown once: " +
                    "'Authorization: Bearer pat_…'. It acts with its user's role and scope as they are at each request. " +
                    "The back office's sign-in cookie is not accepted by the API.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var policies = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy);
            if (policies.Any(p => p is Policies.ApiView or Policies.ApiWrite))
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [],
                });
            }

            return Task.CompletedTask;
        });
        return options;
    }
}
