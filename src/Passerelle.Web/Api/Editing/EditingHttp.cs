using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Passerelle.Web.Api.Editing;

/// <summary>
/// A write route's JSON body, read by the route itself so that a body that is not JSON, or not of the route's shape,
/// answers 400 <c>invalid_body</c> with where and why, never the framework's empty 400 or a 500. The body type is still
/// described in the OpenAPI document (as the request body, application/json).
/// </summary>
public sealed partial class JsonBody<T> : IBindableFromHttpContext<JsonBody<T>>, IEndpointParameterMetadataProvider
    where T : class
{
    private JsonBody(T? value, ProblemHttpResult? problem)
    {
        Value = value;
        Problem = problem;
    }

    /// <summary>The body, when <see cref="Problem"/> is null.</summary>
    public T? Value { get; }

    /// <summary>Why the body was refused (400 invalid_body), or null.</summary>
    public ProblemHttpResult? Problem { get; }

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        if (!context.Request.HasJsonContentType())
        {
            return Refused("Send the body as JSON, with Content-Type: application/json.");
        }

        var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, options, context.RequestAborted);
            return value is null ? Refused("The body is null; send a JSON object.") : new JsonBody<T>(value, null);
        }
        catch (JsonException e)
        {
            return Refused(Describe(e));
        }
    }

    // The body's type without content types: routing then leaves a request with another Content-Type to this route,
    // which answers invalid_body, instead of passing it on to the API's fallback (a misleading 404 or 405). The OpenAPI
    // document still gives the body as application/json.
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new JsonBodyMetadata(typeof(T)));

    private static JsonBody<T> Refused(string detail) => new(null, ApiErrors.BadRequest(ErrorCodes.InvalidBody, detail));

    /// <summary>Where and why, in the client's terms: the JSON path and position, without .NET type names.</summary>
    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        string reason;
        if (Unmapped().Match(message) is { Success: true } unmapped)
        {
            reason = $"the property '{unmapped.Groups[1].Value}' is not one this route takes";
        }
        else if (MissingRequired().Match(message) is { Success: true } missing)
        {
            reason = $"a required property is missing: {missing.Groups[1].Value}";
        }
        else if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            reason = "a value has the wrong type (a number, text, list or object where another is expected) or is not one of the names allowed there";
        }
        else if (message.Contains("Passerelle.", StringComparison.Ordinal) || message.Contains("System.", StringComparison.Ordinal))
        {
            reason = "it does not have the shape this route takes";
        }
        else
        {
            reason = message.TrimEnd('.');
        }

        var where = e.Path is { Length: > 0 } path ? $" at {path}" : "";
        var position = e.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1})")
            : "";
        return $"The body is not valid for this route{where}{position}: {reason}. See the route's request schema in /openapi/v1.json.";
    }

    [GeneratedRegex("^The JSON property '(.*)' could not be mapped")]
    private static partial Regex Unmapped();

    [GeneratedRegex("missing required properties including: (.*?)\\.?$")]
    private static partial Regex MissingRequired();
}

/// <summary>A JSON request body of <see cref="RequestType"/>, for the OpenAPI document only (no content types: see JsonBody).</summary>
public sealed class JsonBodyMetadata(Type requestType) : IAcceptsMetadata
{
    public IReadOnlyList<string> ContentTypes => [];

    public Type? RequestType { get; } = requestType;

    public bool IsOptional => false;
}

/// <summary>Marks an endpoint whose requests must carry If-Match (the OpenAPI document then lists the header as required).</summary>
public sealed class IfMatchRequiredMetadata
{
    public static readonly IfMatchRequiredMetadata Instance = new();
}

/// <summary>
/// The record version a write is based on, from <c>If-Match</c>: the ETag the editing view and every write answer
/// (<c>"3"</c>; a weak <c>W/"3"</c>, as some proxies rewrite it, is taken too). Required on every change to an existing
/// record: without it, 428 <c>precondition_required</c>; a value that is not one version, <c>*</c> included, 400
/// <c>invalid_if_match</c> (nothing may be overwritten blindly, ADR 14).
/// </summary>
public sealed partial class IfMatch : IBindableFromHttpContext<IfMatch>, IEndpointParameterMetadataProvider
{
    private IfMatch(int? version, ProblemHttpResult? problem)
    {
        Version = version;
        Problem = problem;
    }

    /// <summary>The version, when <see cref="Problem"/> is null.</summary>
    public int? Version { get; }

    /// <summary>Why the header was refused, or null.</summary>
    public ProblemHttpResult? Problem { get; }

    public static ValueTask<IfMatch?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var values = context.Request.Headers.IfMatch;
        if (values.Count == 0 || values.All(string.IsNullOrWhiteSpace))
        {
            return ValueTask.FromResult<IfMatch?>(new IfMatch(null, ApiErrors.Problem(StatusCodes.Status428PreconditionRequired, ErrorCodes.PreconditionRequired,
                "Send If-Match with the record's version as its ETag (e.g. If-Match: \"3\"), as GET …/{id}/editing or the last write answered it.")));
        }

        var value = string.Join(",", values.Select(v => v?.Trim()));
        return ValueTask.FromResult<IfMatch?>(VersionTag().Match(value) is { Success: true } m
            && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                ? new IfMatch(version, null)
                : new IfMatch(null, ApiErrors.BadRequest(ErrorCodes.InvalidIfMatch,
                    "If-Match must be one record version as its ETag, e.g. \"3\"; * and lists are not accepted, so that nothing is overwritten unseen.")));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(IfMatchRequiredMetadata.Instance);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status428PreconditionRequired, typeof(ProblemDetails), ["application/problem+json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status409Conflict, typeof(EditConflictProblem), ["application/problem+json"]));
    }

    [GeneratedRegex("^(?:W/)?\"([0-9]{1,9})\"$")]
    private static partial Regex VersionTag();
}

/// <summary>The ETag of a record version: the same text If-Match sends back.</summary>
public static class ETags
{
    public static string Of(int version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");
}
