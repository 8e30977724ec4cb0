using Microsoft.AspNetCore.Http.HttpResults;

namespace Passerelle.Web.Api;

/// <summary>Stable error codes of the API: clients may branch on them; the wording of "detail" may change.</summary>
public static class ErrorCodes
{
    public const string NotFound = "not_found";
    public const string InvalidPaging = "invalid_paging";
    public const string InvalidParameter = "invalid_parameter";
    public const string UnsupportedFormat = "unsupported_format";
    public const string RouteNotFound = "route_not_found";
    public const string InternalError = "internal_error";

    /// <summary>401: no personal access token, or one that is unknown, revoked, expired or whose user is disabled.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>403: the token's user lacks the role (or, on a write route, the scope) the request needs.</summary>
    public const string Forbidden = "forbidden";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string RateLimited = "rate_limited";

    /// <summary>400: a write route's body is not JSON, not of the route's shape, or names a property the route does not know.</summary>
    public const string InvalidBody = "invalid_body";

    /// <summary>400: an If-Match header that is not one record version's ETag ("3" or W/"3").</summary>
    public const string InvalidIfMatch = "invalid_if_match";

    /// <summary>428: a write route that changes a record was called without If-Match (the version the caller read).</summary>
    public const string PreconditionRequired = "precondition_required";

    /// <summary>409: the record changed since the version in If-Match; the body has the current version and the changes meanwhile.</summary>
    public const string EditConflict = "edit_conflict";

    /// <summary>422: the edit breaks rules; the body's "errors" list each as {field, code, message}. Nothing was written.</summary>
    public const string RuleViolation = "rule_violation";

    /// <summary>404: an export's programme filter names no published programme (slug or code).</summary>
    public const string ProgrammeNotFound = "programme_not_found";

    /// <summary>400: the Kohesio export's period filter is not a Kohesio programming period.</summary>
    public const string InvalidPeriod = "invalid_period";

    /// <summary>406: /catalog was asked for in a format it has not (the catalogue is Turtle or JSON-LD).</summary>
    public const string NotAcceptable = "not_acceptable";
}

public static class ApiErrors
{
    public static ProblemHttpResult NotFound(string kind, string slug) => Problem(
        StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"No {kind} has the slug '{slug}'.");

    public static ProblemHttpResult BadRequest(string errorCode, string detail) =>
        Problem(StatusCodes.Status400BadRequest, errorCode, detail);

    public static ProblemHttpResult Problem(int status, string errorCode, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { ["errorCode"] = errorCode });
}
