namespace Passerelle.Core.OpenData.Catalog;

/// <summary>An RDF term: an IRI, or a literal with a language tag or a datatype.</summary>
public abstract record RdfTerm;

/// <summary>
/// An IRI. Absolute when the catalogue knows its public address (<c>PublicUrl</c>); otherwise a reference relative to
/// the document's own address ("/catalog#projects"), which Turtle and JSON-LD readers resolve against the address they
/// fetched it from (RFC 3986), so the catalogue never takes a host name from the request.
/// </summary>
public sealed record Iri(string Value) : RdfTerm;

/// <summary>A literal: plain (xsd:string), with a language tag, or with a datatype IRI.</summary>
public sealed record Literal(string Value, string? Language = null, string? Datatype = null) : RdfTerm;

public sealed record Triple(Iri Subject, Iri Predicate, RdfTerm Object);

/// <summary>
/// A small RDF graph: the triples in the order they were added, grouped by subject when written. No blank nodes: every
/// node of the catalogue has an IRI (fragments of the catalogue's own address), so Turtle and JSON-LD say the same
/// thing without blank-node labels to keep in step.
/// </summary>
public sealed class RdfGraph
{
    private readonly List<Triple> _triples = [];
    private readonly HashSet<Triple> _seen = [];

    public IReadOnlyList<Triple> Triples => _triples;

    /// <summary>Adds a triple once (the same vocabulary concept typed by two datasets is written once).</summary>
    public void Add(Iri subject, Iri predicate, RdfTerm value)
    {
        var triple = new Triple(subject, predicate, value);
        if (_seen.Add(triple))
        {
            _triples.Add(triple);
        }
    }

    /// <summary>The subjects in the order of their first triple, each with its triples in order.</summary>
    public IEnumerable<IGrouping<Iri, Triple>> BySubject() => _triples.GroupBy(t => t.Subject);
}

/// <summary>The vocabularies the catalogue uses, with the prefixes both writers declare.</summary>
public static class Vocab
{
    public const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string Rdfs = "http://www.w3.org/2000/01/rdf-schema#";
    public const string Dcat = "http://www.w3.org/ns/dcat#";
    public const string Dct = "http://purl.org/dc/terms/";
    public const string DcatAp = "http://data.europa.eu/r5r/";
    public const string Foaf = "http://xmlns.com/foaf/0.1/";
    public const string Vcard = "http://www.w3.org/2006/vcard/ns#";
    public const string Skos = "http://www.w3.org/2004/02/skos/core#";
    public const string Xsd = "http://www.w3.org/2001/XMLSchema#";
    public const string Eli = "http://data.europa.eu/eli/ontology#";

    /// <summary>Prefix and namespace, in the order the documents declare them.</summary>
    public static readonly IReadOnlyList<(string Prefix, string Namespace)> Prefixes =
    [
        ("rdf", Rdf), ("rdfs", Rdfs), ("dcat", Dcat), ("dct", Dct), ("dcatap", DcatAp), ("foaf", Foaf), ("vcard", Vcard),
        ("skos", Skos), ("xsd", Xsd), ("eli", Eli),
    ];

    public static readonly Iri Type = new(Rdf + "type");

    public static Iri Of(string ns, string local) => new(ns + local);
}
