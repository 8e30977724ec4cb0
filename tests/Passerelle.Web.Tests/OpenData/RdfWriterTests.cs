using System.Diagnostics;
using System.Text;
using System.Text.Json;

using Passerelle.Core.OpenData.Catalog;
using Passerelle.Web.Api;

namespace Passerelle.Web.Tests.OpenData;

/// <summary>
/// The hand-written Turtle and JSON-LD writers, read back by real parsers (N3.js, jsonld.js): text that needs escaping
/// (quotes, backslashes, line breaks, control characters, characters outside the BMP), IRIs with a query and non-ASCII
/// characters, local names a prefixed name cannot carry, relative IRIs, language tags and datatypes come back unchanged.
/// </summary>
public sealed class RdfWriterTests
{
    private const string Base = "https://reader.example/dir/catalog.ttl";

    private sealed record Read(string S, string P, string O, string Kind, string? Lang, string? Datatype);

    private static RdfGraph TrickyGraph()
    {
        var g = new RdfGraph();
        var subject = new Iri("https://passerelle.example.org/catalog#a");
        g.Add(subject, Vocab.Type, Vocab.Of(Vocab.Dcat, "Dataset"));
        g.Add(subject, Vocab.Of(Vocab.Dct, "title"), new Literal("Quote \" backslash \\ tab\t line\nbreak\r end", "en"));
        g.Add(subject, Vocab.Of(Vocab.Dct, "title"), new Literal("Contrôle \u0001 et emoji \U0001F30D « guillemets »", "fr"));
        g.Add(subject, Vocab.Of(Vocab.Dct, "description"), new Literal("no language"));
        g.Add(subject, Vocab.Of(Vocab.Dct, "issued"), new Literal("2026-11-30T08:00:00Z", Datatype: Vocab.Xsd + "dateTime"));
        g.Add(subject, Vocab.Of(Vocab.Dcat, "startDate"), CatalogGraph.PartialDateLiteral("2016-05"));
        g.Add(subject, Vocab.Of(Vocab.Dcat, "accessURL"), new Iri("https://passerelle.example.org/api/v1/exports/operations.csv?programme=fwv-2014-2020&q=Li%C3%A8ge&r=Liège"));
        g.Add(subject, Vocab.Of(Vocab.Dcat, "landingPage"), new Iri("/programmes/fwv-2014-2020"));
        // Local names a prefixed name cannot carry as they are: a dot, a leading digit, a slash.
        g.Add(subject, Vocab.Of(Vocab.Dct, "spatial"), new Iri(Vocab.Dct + "a.b"));
        g.Add(subject, Vocab.Of(Vocab.Dct, "spatial"), new Iri(Vocab.Dct + "1st"));
        g.Add(subject, Vocab.Of(Vocab.Dct, "spatial"), new Iri(Vocab.Dct + "x/y"));
        return g;
    }

    private static List<Read> Expected(RdfGraph g) =>
        [.. g.Triples.Select(t => t.Object switch
        {
            Iri iri => new Read(t.Subject.Value, t.Predicate.Value, Resolve(iri.Value), "iri", null, null),
            Literal l => new Read(t.Subject.Value, t.Predicate.Value, l.Value, "literal", l.Language,
                l.Language is null ? l.Datatype ?? Vocab.Xsd + "string" : "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"),
            _ => throw new InvalidOperationException(),
        }).OrderBy(r => r.ToString(), StringComparer.Ordinal)];

    /// <summary>A relative reference (no scheme) is read against the document's address.</summary>
    private static string Resolve(string iri) => iri.StartsWith('/') ? "https://reader.example" + iri : iri;

    [Theory]
    [InlineData(CatalogEndpoints.TurtleType)]
    [InlineData(CatalogEndpoints.JsonLdType)]
    public void Writer_TrickyTextsAndIris_ReadBackUnchanged(string type)
    {
        var graph = TrickyGraph();
        var document = type == CatalogEndpoints.TurtleType ? TurtleWriter.Write(graph) : JsonLdWriter.Write(graph);

        var read = ReadWithNode(document, type);

        Assert.Equal(Expected(graph), read.OrderBy(r => r.ToString(), StringComparer.Ordinal).ToList());
    }

    private static List<Read> ReadWithNode(string document, string type)
    {
        var root = Shacl.RepositoryRoot();
        var file = Path.Combine(Path.GetTempPath(), "passerelle-rdf-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, document, new UTF8Encoding(false));
        try
        {
            var start = new ProcessStartInfo("node")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
            };
            foreach (var argument in new[] { Path.Combine(root, "tests", "Passerelle.Web.Tests", "OpenData", "rdf-read.mjs"), file, type, Base })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "node did not finish");
            Assert.True(process.ExitCode == 0, $"{stderr.Result}\n{document}");
            return [.. JsonSerializer.Deserialize<JsonElement>(stdout.Result).EnumerateArray().Select(e => new Read(
                e.GetProperty("s").GetString()!, e.GetProperty("p").GetString()!, e.GetProperty("o").GetString()!, e.GetProperty("kind").GetString()!,
                e.GetProperty("lang").GetString(), e.GetProperty("datatype").GetString()))];
        }
        finally
        {
            File.Delete(file);
        }
    }
}
