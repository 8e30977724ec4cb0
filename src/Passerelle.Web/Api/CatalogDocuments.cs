using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

using Passerelle.Core.OpenData.Catalog;
using Passerelle.Web.Localization;

namespace Passerelle.Web.Api;

/// <summary>
/// The catalogue's documents as they are sent, written once per catalogue and format. A catalogue is a value of the
/// registry as it was at one position (<see cref="CatalogQueries"/>, ADR 33): while the registry does not move, every
/// request gets the same instance, so the same bytes. Writing them took 41–44 ms a request (2 MB of Turtle for 300
/// programmes, issue 17's page budget is 50 ms at p99), for harvesters that poll the catalogue to learn whether it
/// changed. Each document carries a strong ETag (a hash of its bytes), so a poll with <c>If-None-Match</c> is a 304.
/// </summary>
/// <remarks>
/// Keyed by the catalogue instance in a <see cref="ConditionalWeakTable{TKey,TValue}"/>: a document lives as long as its
/// catalogue is referenced (the cache's current value), so the documents of earlier positions go with them.
/// </remarks>
public sealed class CatalogDocuments(IOptions<CatalogOptions> options, IConfiguration configuration, UiText text)
{
    private readonly ConditionalWeakTable<DataCatalog, ConcurrentDictionary<string, CatalogDocument>> _documents = new();

    /// <summary>
    /// The document of <paramref name="catalog"/> that <paramref name="write"/> gives, under <paramref name="contentType"/>
    /// (its key: one writer per content type).
    /// </summary>
    public CatalogDocument Get(DataCatalog catalog, string contentType, Func<RdfGraph, string> write) =>
        _documents.GetOrCreateValue(catalog).GetOrAdd(contentType, _ =>
        {
            var root = CatalogEndpoints.PublicRoot(configuration);
            var graph = CatalogGraph.Build(catalog, options.Value, root.Length > 0 ? root : null, new Texts(text));
            var bytes = Encoding.UTF8.GetBytes(write(graph));
            // Strong: the same tag means the same bytes (a range request may resume on it).
            var tag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16)) + "\"");
            return new CatalogDocument(bytes, tag);
        });

    private sealed class Texts(UiText text) : ICatalogTexts
    {
        public string Format(string language, string key, params object?[] args) => text.Format(language, key, args);
    }
}

/// <summary>A catalogue document's bytes (UTF-8) and its entity tag.</summary>
public sealed record CatalogDocument(byte[] Bytes, EntityTagHeaderValue ETag);
