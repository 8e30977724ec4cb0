using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;

namespace Passerelle.Web.Api.Editing;

/// <summary>
/// 422 <c>rule_violation</c>, as the OpenAPI document describes it: the problem details and every rule the edit broke.
/// Nothing was written.
/// </summary>
/// <param name="Errors">Each violation: the field to show it next to ("end_date", "partner.12.budget_eur",
/// "website.source.url"), a stable code ("end_before_start", "invalid_url", ...) and an English message.</param>
public sealed record RuleViolationProblem(string? Type, string? Title, int Status, string? Detail, string? Instance, string ErrorCode,
    IReadOnlyList<RuleViolation> Errors);

/// <summary>
/// 409 <c>edit_conflict</c>, as the OpenAPI document describes it: the record changed since the version in If-Match.
/// Nothing was written; read the changes, then send the edit again with <paramref name="CurrentVersion"/> (also the
/// response's ETag) if it still stands.
/// </summary>
/// <param name="CurrentVersion">The record's version now.</param>
/// <param name="ExpectedVersion">The version If-Match named.</param>
/// <param name="Changes">What changed after that version, oldest first: who, when, which field, from what to what, with which source.</param>
public sealed record EditConflictProblem(string? Type, string? Title, int Status, string? Detail, string? Instance, string ErrorCode,
    int CurrentVersion, int ExpectedVersion, IReadOnlyList<RecordChange> Changes);

/// <summary>
/// Turns the editing service's refusals into problem details with a stable errorCode, for every editing route: access
/// (403 <c>forbidden</c>), existence (404 <c>not_found</c>), version (409 <c>edit_conflict</c>) and rules (422
/// <c>rule_violation</c>). Anything else is a fault and goes to the exception handler (500, logged, no details).
/// </summary>
public static class EditingProblems
{
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (ToProblem(context.HttpContext, e) is { } problem)
        {
            return problem;
        }
    }

    private static ProblemHttpResult? ToProblem(HttpContext http, Exception e)
    {
        switch (e)
        {
            case RuleViolationException rules:
                return TypedResults.Problem(
                    detail: rules.Violations.Count == 1 ? rules.Violations[0].Message : $"{rules.Violations.Count} rules are broken; see errors.",
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    extensions: new Dictionary<string, object?>
                    {
                        ["errorCode"] = ErrorCodes.RuleViolation,
                        ["errors"] = rules.Violations,
                    });
            case EditConflictException conflict:
                http.Response.Headers.ETag = ETags.Of(conflict.CurrentVersion);
                return TypedResults.Problem(
                    detail: $"The {Kind(conflict.Record)} changed since version {conflict.ExpectedVersion}: it is at version {conflict.CurrentVersion}. " +
                            "Nothing was written; see changes, then send the edit again with If-Match: " + ETags.Of(conflict.CurrentVersion) + " if it still stands.",
                    statusCode: StatusCodes.Status409Conflict,
                    extensions: new Dictionary<string, object?>
                    {
                        ["errorCode"] = ErrorCodes.EditConflict,
                        ["currentVersion"] = conflict.CurrentVersion,
                        ["expectedVersion"] = conflict.ExpectedVersion,
                        ["changes"] = conflict.Changes,
                    });
            case AccessDeniedException denied:
                return ApiErrors.Problem(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, denied.Message);
            case RecordNotFoundException missing:
                return NotFound(missing.Record);
            default:
                return null;
        }
    }

    public static ProblemHttpResult NotFound(RecordRef record) =>
        ApiErrors.Problem(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"No {Kind(record)} has the id {record.Id}.");

    private static string Kind(RecordRef record) => record.Type.ToString().ToLowerInvariant();
}
