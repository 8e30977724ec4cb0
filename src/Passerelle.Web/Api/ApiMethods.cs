using System.Runtime.CompilerServices;

using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace Passerelle.Web.Api;

/// <summary>
/// HTTP methods of the API, from endpoint metadata only (no list to keep up to date): HEAD wherever GET is mapped,
/// and the methods an address accepts, for the 405 answer's <c>Allow</c> header.
/// </summary>
public static class ApiMethods
{
    /// <summary>
    /// Every endpoint of the group (and of the groups in it, mapped before or after) that answers GET also answers
    /// HEAD: routing selects the same endpoint, with its own metadata (authorization, rate limit), and the server sends
    /// the headers without the body.
    /// </summary>
    public static TBuilder WithHeadForGet<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        // Runs once the endpoint's own HttpMethodMetadata is there; the last such metadata is the one routing uses.
        builder.Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { } methods
                && methods.HttpMethods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase)
                && !methods.HttpMethods.Contains(HttpMethods.Head, StringComparer.OrdinalIgnoreCase))
            {
                endpoint.Metadata.Add(new HttpMethodMetadata([.. methods.HttpMethods, HttpMethods.Head], methods.AcceptCorsPreflight));
            }
        });
        return builder;
    }
}

/// <summary>
/// Matches a path against the route pattern (and its constraints) of every endpoint that declares its methods, so that
/// the API's fallback can tell "no such address" (404) from "not with this method" (405). Only requests that match no
/// endpoint pay for it.
/// </summary>
public sealed class RouteMethodLookup(EndpointDataSource endpoints, ParameterPolicyFactory policies)
{
    private readonly ConditionalWeakTable<RouteEndpoint, Candidate> _candidates = [];

    /// <summary>The order of the Allow header: the usual one, then any other alphabetically.</summary>
    private static readonly string[] Order = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete, HttpMethods.Options];

    /// <summary>The methods the endpoints whose route matches this request's path accept, in Allow-header order.</summary>
    public IReadOnlyList<string> Allowed(HttpContext http)
    {
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            // Endpoints for any method (fallbacks, pages, health checks) say nothing about which methods are allowed.
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 } methods)
            {
                continue;
            }

            var candidate = _candidates.GetValue(endpoint, e => new Candidate(e.RoutePattern, policies));
            if (candidate.Matches(http, http.Request.Path))
            {
                allowed.UnionWith(methods.HttpMethods.Select(m => m.ToUpperInvariant()));
            }
        }

        return [.. allowed.OrderBy(m => Array.IndexOf(Order, m) is var i and >= 0 ? i : Order.Length).ThenBy(m => m, StringComparer.Ordinal)];
    }

    private sealed class Candidate
    {
        private readonly TemplateMatcher _matcher;
        private readonly List<(string Name, IRouteConstraint Constraint)> _constraints = [];

        public Candidate(RoutePattern pattern, ParameterPolicyFactory policies)
        {
            _matcher = new TemplateMatcher(new RouteTemplate(pattern), new RouteValueDictionary(pattern.Defaults));
            foreach (var (name, references) in pattern.ParameterPolicies)
            {
                var parameter = pattern.GetParameter(name);
                foreach (var reference in references)
                {
                    if (policies.Create(parameter, reference) is IRouteConstraint constraint)
                    {
                        _constraints.Add((name, constraint));
                    }
                }
            }
        }

        public bool Matches(HttpContext http, PathString path)
        {
            var values = new RouteValueDictionary();
            return _matcher.TryMatch(path, values)
                && _constraints.All(c => c.Constraint.Match(http, null, c.Name, values, RouteDirection.IncomingRequest));
        }
    }
}
