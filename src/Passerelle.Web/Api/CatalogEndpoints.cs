using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

using Passerelle.Core.OpenData.Catalog;
using Passerelle.Web.Security;

namespace Passerelle.Web.Api;

/// <summary>
/// The DCAT-AP 3.0.1 catalogue of the open data (ADR 27): <c>/catalog.ttl</c> (Turtle), <c>/catalog.jsonld</c>
/// (JSON-LD) and <c>/catalog</c>, which answers the one the Accept header prefers, sends a browser to the open-data page
/// and anything else a 406. Every export answers with <c>Link: &lt;…/catalog&gt;; rel="describedby"</c>, so a file
/// downloaded alone still says where its description is.
/// </summary>
public static class CatalogEndpoints
{
    public const string TurtleType = "text/turtle";
    public const string JsonLdType = "application/ld+json";


    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var catalog = app.MapGroup("").WithHeadForGet().ExcludeFromDescription();
        catalog.MapGet("/catalog.ttl", (HttpContext http, CatalogQueries queries, CancellationToken ct) => WriteAsync(http, queries, Turtle, ct));
        catalog.MapGet("/catalog.jsonld", (HttpContext http, CatalogQueries queries, CancellationToken ct) => WriteAsync(http, queries, JsonLd, ct));
        catalog.MapGet("/catalog", async (HttpContext http, CatalogQueries queries, CancellationToken ct) =>
        {
            http.Response.Headers.Vary = HeaderNames.Accept;
            return Negotiate(http.Request.Headers.Accept) switch
            {
                Choice.Turtle => await WriteAsync(http, queries, Turtle, ct),
                Choice.JsonLd => await WriteAsync(http, queries, JsonLd, ct),
                // 303: the page is about the catalogue, not the catalogue itself; it picks its language as any page does.
                Choice.Page => SeeOther("/open-data"),
                _ => (IResult)ApiErrors.Problem(StatusCodes.Status406NotAcceptable, ErrorCodes.NotAcceptable,
                    $"The catalogue is {TurtleType} (/catalog.ttl) or {JsonLdType} (/catalog.jsonld); the Accept header asks for neither."),
            };
        });
        return app;
    }

    /// <summary>
    /// Adds <c>Link: &lt;{PublicUrl}/catalog&gt;; rel="describedby"</c> to the answers of the export routes (tagged
    /// Exports, and the statistics tables), whatever their status, so the files point to their description.
    /// </summary>
    public static IApplicationBuilder UseCatalogLinks(this IApplicationBuilder app)
    {
        var link = $"<{PublicRoot(app.ApplicationServices.GetRequiredService<IConfiguration>())}/catalog>; rel=\"describedby\"";
        return app.Use((http, next) =>
        {
            if (IsExport(http.GetEndpoint()))
            {
                http.Response.Headers.Append(HeaderNames.Link, link);
            }

            return next(http);
        });
    }

    private static bool IsExport(Endpoint? endpoint) =>
        endpoint is not null
        && (endpoint.Metadata.GetOrderedMetadata<ITagsMetadata>().Any(t => t.Tags.Contains("Exports", StringComparer.Ordinal))
            || endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "GetStatisticsTable");

    private enum Choice
    {
        None,
        Turtle,
        JsonLd,
        Page,
    }

    private sealed record Format(string ContentType, string Location, Func<RdfGraph, string> Write);

    private static readonly Format Turtle = new(TurtleType, "/catalog.ttl", TurtleWriter.Write);
    private static readonly Format JsonLd = new(JsonLdType, "/catalog.jsonld", JsonLdWriter.Write);

    private static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// The Accept header's choice, by quality then order: Turtle for text/turtle, text/* and */* (and no header at all),
    /// JSON-LD for application/ld+json, application/json and application/*, the open-data page for text/html.
    /// </summary>
    private static Choice Negotiate(IList<string> accept)
    {
        if (accept.Count == 0 || accept.All(string.IsNullOrWhiteSpace))
        {
            return Choice.Turtle;
        }

        if (!MediaTypeHeaderValue.TryParseList(accept, out var ranges))
        {
            return Choice.None;
        }

        foreach (var range in ranges.Select((r, i) => (r, i)).OrderByDescending(x => x.r.Quality ?? 1).ThenBy(x => x.i).Select(x => x.r))
        {
            if (range.Quality is 0)
            {
                continue;
            }

            var type = range.MediaType.Value?.ToLowerInvariant();
            switch (type)
            {
                case TurtleType or "text/*" or "*/*":
                    return Choice.Turtle;
                case JsonLdType or "application/json" or "application/*":
                    return Choice.JsonLd;
                case "text/html" or "application/xhtml+xml":
                    return Choice.Page;
            }
        }

        return Choice.None;
    }

    private static async Task<IResult> WriteAsync(HttpContext http, CatalogQueries queries, Format format, CancellationToken ct)
    {
        var catalog = await queries.GetAsync(ct);
        var document = http.RequestServices.GetRequiredService<CatalogDocuments>().Get(catalog, format.ContentType, format.Write);
        http.Response.Headers.ContentLocation = format.Location;
        // The bytes written once for this catalogue; If-None-Match with its tag answers 304 (FileContentHttpResult).
        return TypedResults.Bytes(document.Bytes, format.ContentType + "; charset=utf-8", entityTag: document.ETag);
    }

    /// <summary>The public address without its final slash, or "" (addresses then relative to the document's own).</summary>
    internal static string PublicRoot(IConfiguration configuration) =>
        configuration[SecurityExtensions.PublicUrlKey] is { Length: > 0 } url ? url.Trim().TrimEnd('/') : "";
}
