using System.Globalization;
using System.Text;

namespace Passerelle.Core.OpenData.Catalog;

/// <summary>
/// Writes an <see cref="RdfGraph"/> as Turtle (RDF 1.1 Turtle, W3C Recommendation 2014): the prefixes of
/// <see cref="Vocab"/>, then one block per subject, its predicates in the order first added, values of one predicate
/// joined by commas. A small writer instead of a library because no maintained RDF library for .NET restores here
/// (ADR 27); the SHACL tests parse every output with N3.js and the JSON-LD output with jsonld.js.
/// </summary>
public static class TurtleWriter
{
    public static string Write(RdfGraph graph)
    {
        var text = new StringBuilder();
        foreach (var (prefix, ns) in Vocab.Prefixes)
        {
            text.Append("@prefix ").Append(prefix).Append(": ").Append(IriRef(ns)).Append(" .\n");
        }

        foreach (var subject in graph.BySubject())
        {
            text.Append('\n').Append(Name(subject.Key.Value));
            var predicates = subject.GroupBy(t => t.Predicate).ToList();
            for (var i = 0; i < predicates.Count; i++)
            {
                var predicate = predicates[i].Key;
                text.Append(i == 0 ? "\n    " : " ;\n    ")
                    .Append(predicate == Vocab.Type ? "a" : Name(predicate.Value))
                    .Append(' ')
                    .AppendJoin(", ", predicates[i].Select(t => Term(t.Object)));
            }

            text.Append(" .\n");
        }

        return text.ToString();
    }

    private static string Term(RdfTerm term) => term switch
    {
        Iri iri => Name(iri.Value),
        Literal { Language: { } language } literal => Quote(literal.Value) + "@" + language,
        Literal { Datatype: { } datatype } literal => Quote(literal.Value) + "^^" + Name(datatype),
        Literal literal => Quote(literal.Value),
        _ => throw new ArgumentOutOfRangeException(nameof(term)),
    };

    /// <summary>A prefixed name (dcat:Dataset) where the IRI is a declared namespace plus a simple local name, else &lt;IRI&gt;.</summary>
    private static string Name(string iri)
    {
        foreach (var (prefix, ns) in Vocab.Prefixes)
        {
            if (iri.Length > ns.Length && iri.StartsWith(ns, StringComparison.Ordinal) && IsSimpleLocalName(iri.AsSpan(ns.Length)))
            {
                return prefix + ":" + iri[ns.Length..];
            }
        }

        return IriRef(iri);
    }

    // A subset of PN_LOCAL that needs no escaping: a letter or underscore, then letters, digits, '_' and '-'.
    private static bool IsSimpleLocalName(ReadOnlySpan<char> local)
    {
        if (!(char.IsAsciiLetter(local[0]) || local[0] == '_'))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>&lt;IRI&gt;, with the characters IRIREF forbids (controls, space, &lt;&gt;"{}|^`\) written as \u escapes.</summary>
    private static string IriRef(string iri)
    {
        var text = new StringBuilder(iri.Length + 2).Append('<');
        foreach (var c in iri)
        {
            if (c <= ' ' || c is '<' or '>' or '"' or '{' or '}' or '|' or '^' or '`' or '\\')
            {
                text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.Append('>').ToString();
    }

    /// <summary>A STRING_LITERAL_QUOTE: quote, backslash and line breaks escaped, other control characters as \u.</summary>
    private static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }
}
