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
