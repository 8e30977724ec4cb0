// Validates an RDF document against SHACL shapes with rdf-validate-shacl (the SHACL engine of Zazuko), as the tests
// of the DCAT-AP catalogue call it:
//   node shacl-check.mjs <data file> <text/turtle|application/ld+json> <base IRI> <shapes.ttl> [<more shapes.ttl> ...]
// Prints {"conforms": bool, "triples": n, "results": [{severity, focusNode, path, message, sourceShape, value}]} and
// exits 0 when the data conforms, 1 when it has violations, 2 when a file cannot be read or parsed.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

// The packages are the repository's devDependencies (root package.json): resolve them from the working directory,
// which the tests set to the repository root, whatever folder this script was copied to.
const require = createRequire(path.join(process.cwd(), 'package.json'));
const { Parser } = require('n3');
const jsonld = require('jsonld');
const factory = require('@zazuko/env').default ?? require('@zazuko/env');
const SHACLValidator = require('rdf-validate-shacl').default ?? require('rdf-validate-shacl');

function parseTurtle(text, baseIRI) {
  return new Parser({ baseIRI, format: 'text/turtle' }).parse(text);
}

async function parse(text, type, baseIRI) {
  if (type === 'application/ld+json') {
    // No document loader: the catalogue's context is inline, and a remote context must fail the check, not be fetched.
    const nquads = await jsonld.toRDF(JSON.parse(text), {
      base: baseIRI,
      format: 'application/n-quads',
      documentLoader: (url) => { throw new Error(`remote context not allowed: ${url}`); },
    });
    return new Parser({ format: 'application/n-quads' }).parse(nquads);
  }
  return parseTurtle(text, baseIRI);
}

function term(t) {
  return t ? t.value : null;
}

async function main() {
  const [dataFile, type, baseIRI, ...shapeFiles] = process.argv.slice(2);
  if (!dataFile || !type || !baseIRI || shapeFiles.length === 0) {
    console.error('usage: node shacl-check.mjs <data> <type> <base IRI> <shapes.ttl>...');
    process.exit(2);
  }

  let shapes, data;
  try {
    shapes = factory.dataset();
    for (const file of shapeFiles) {
      for (const quad of parseTurtle(await readFile(file, 'utf8'), 'file://' + path.resolve(file))) shapes.add(quad);
    }
    data = factory.dataset();
    for (const quad of await parse(await readFile(dataFile, 'utf8'), type, baseIRI)) data.add(quad);
  } catch (e) {
    console.error(`cannot read or parse: ${e.message}`);
    process.exit(2);
  }

  const validator = new SHACLValidator(shapes, { factory });
  const report = await validator.validate(data);
  const results = report.results.map((r) => ({
    severity: term(r.severity)?.replace('http://www.w3.org/ns/shacl#', ''),
    focusNode: term(r.focusNode),
    path: term(r.path),
    message: r.message.map((m) => m.value),
    sourceShape: term(r.sourceShape),
    value: term(r.value),
  }));
  const violations = results.filter((r) => r.severity === 'Violation');
  console.log(JSON.stringify({ conforms: violations.length === 0, triples: data.size, results }, null, 2));
  process.exit(violations.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(2);
});
