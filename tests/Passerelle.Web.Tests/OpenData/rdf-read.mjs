// Reads an RDF document with N3.js (Turtle) or jsonld.js (JSON-LD) and prints its triples as JSON, sorted:
//   node rdf-read.mjs <file> <text/turtle|application/ld+json> <base IRI>
// [{"s": ..., "p": ..., "o": ..., "kind": "iri"|"literal", "lang": ..., "datatype": ...}]; exit 2 when it cannot parse.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const { Parser } = require('n3');
const jsonld = require('jsonld');

const [file, type, baseIRI] = process.argv.slice(2);
try {
  const text = await readFile(file, 'utf8');
  const quads = type === 'application/ld+json'
    ? new Parser({ format: 'application/n-quads' }).parse(await jsonld.toRDF(JSON.parse(text), {
      base: baseIRI,
      format: 'application/n-quads',
      documentLoader: (url) => { throw new Error(`remote context not allowed: ${url}`); },
    }))
    : new Parser({ baseIRI, format: 'text/turtle' }).parse(text);
  const triples = quads.map((q) => ({
    s: q.subject.value,
    p: q.predicate.value,
    o: q.object.value,
    kind: q.object.termType === 'Literal' ? 'literal' : 'iri',
    lang: q.object.termType === 'Literal' ? (q.object.language || null) : null,
    datatype: q.object.termType === 'Literal' ? q.object.datatype.value : null,
  }));
  triples.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  console.log(JSON.stringify(triples));
} catch (e) {
  console.error(`cannot parse: ${e.message}`);
  process.exit(2);
}
