using System.Text;
using System.Text.Json;

namespace Passerelle.Core.OpenData.Catalog;

/// <summary>
/// Writes an <see cref="RdfGraph"/> as JSON-LD 1.1: an inline <c>@context</c> with the prefixes of <see cref="Vocab"/>
/// (no remote context, so a reader fetches nothing to understand it), then <c>@graph</c> with one node object per
/// subject. Properties are compact IRIs (dct:title); every value is an explicit value object (<c>{"@id"}</c>,
/// <c>{"@value","@language"}</c>, <c>{"@value","@type"}</c>), so no term definition decides how a value is read.
/// </summary>
public static class JsonLdWriter
{
    public static string Write(RdfGraph graph)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("@context");
            foreach (var (prefix, ns) in Vocab.Prefixes)
            {
                json.WriteString(prefix, ns);
            }

            json.WriteEndObject();
            json.WriteStartArray("@graph");
            foreach (var subject in graph.BySubject())
            {
                json.WriteStartObject();
                json.WriteString("@id", subject.Key.Value);
                foreach (var predicate in subject.GroupBy(t => t.Predicate))
                {
                    if (predicate.Key == Vocab.Type)
                    {
                        json.WriteStartArray("@type");
                        foreach (var type in predicate)
                        {
                            json.WriteStringValue(Compact(((Iri)type.Object).Value));
                        }

                        json.WriteEndArray();
                        continue;
                    }

                    json.WriteStartArray(Compact(predicate.Key.Value));
                    foreach (var triple in predicate)
                    {
                        WriteValue(json, triple.Object);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter json, RdfTerm term)
    {
        json.WriteStartObject();
        switch (term)
        {
            case Iri iri:
                json.WriteString("@id", iri.Value);
                break;
            case Literal literal:
                json.WriteString("@value", literal.Value);
                if (literal.Language is { } language)
                {
                    json.WriteString("@language", language);
                }
                else if (literal.Datatype is { } datatype)
                {
                    json.WriteString("@type", Compact(datatype));
                }

                break;
        }

        json.WriteEndObject();
    }

    /// <summary>prefix:local for an IRI in a declared namespace, else the IRI itself.</summary>
    private static string Compact(string iri)
    {
        foreach (var (prefix, ns) in Vocab.Prefixes)
        {
            if (iri.Length > ns.Length && iri.StartsWith(ns, StringComparison.Ordinal))
            {
                return prefix + ":" + iri[ns.Length..];
            }
        }

        return iri;
    }
}
