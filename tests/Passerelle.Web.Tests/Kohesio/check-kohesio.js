// Checks a Kohesio list-of-operations CSV the way the Commission's Kohesio validator does: the Table Schema with the
// Frictionless "tableschema" package (types, formats, required values, enums, ranges, patterns), then the validator's
// three extra rules (its plugin, ISAITB/validator-plugin-kohesio): start date not after end date, at least one location
// indicator, an exchange rate when the currency is not EUR.
// Usage: node check-kohesio.js <file.csv> <schema.json>
// Prints {"rows": n, "errors": [...]} and exits 0 when there is no error, 1 otherwise.
'use strict';
const fs = require('fs');
const { Table } = require('tableschema');

async function main() {
  const [file, schemaPath] = process.argv.slice(2);
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  const errors = [];
  const table = await Table.load(file, { schema, headers: 1 });
  const names = schema.fields.map(f => f.name);
  let rows = 0;
  const raw = await table.read({ keyed: true, cast: false });
  // Header: the schema's names, each once (the validator ignores case and order; the export writes them as they are).
  const headers = table.headers || [];
  const seen = new Set();
  for (const h of headers) {
    const name = names.find(n => n.toLowerCase() === String(h).toLowerCase());
    if (!name) errors.push({ row: 1, column: h, message: 'not a Kohesio column' });
    else if (seen.has(name)) errors.push({ row: 1, column: h, message: 'column given twice' });
    seen.add(name);
  }
  for (const field of schema.fields) {
    if (field.constraints && field.constraints.required && !seen.has(field.name)) {
      errors.push({ row: 1, column: field.name, message: 'missing required column' });
    }
  }
  const fields = new Map(table.schema.fields.map(f => [f.name, f]));
  const parseDate = text => {
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text || '');
    return m ? new Date(Date.UTC(+m[3], +m[2] - 1, +m[1])) : null;
  };
  raw.forEach((row, i) => {
    rows++;
    const line = i + 2;
    for (const [name, value] of Object.entries(row)) {
      const field = fields.get(name);
      if (!field) continue;
      try {
        // castValue checks the type and format, then the constraints (required, enum, minimum, maximum, pattern).
        field.castValue(value === undefined ? '' : value);
      } catch (e) {
        const detail = (e.errors ? e.errors.map(x => x.message) : [e.message]).filter(Boolean).join('; ');
        errors.push({ row: line, column: name, message: detail || `'${value}' is not a valid ${field.type}${field.format && field.format !== 'default' ? ' (' + field.format + ')' : ''} or breaks a constraint` });
      }
    }
    const blank = v => v === undefined || v === null || String(v).trim() === '';
    const start = parseDate(row.Operation_Start_Date), end = parseDate(row.Operation_End_Date);
    if (start && end && start > end) errors.push({ row: line, column: 'Operation_Start_Date', message: 'start date after end date' });
    if (['Location_Indicator_Postcode', 'Location_Indicator_NUTS_code', 'Location_Indicator_latitude_longitude'].every(c => blank(row[c]))) {
      errors.push({ row: line, column: 'Location_Indicator', message: 'no location indicator' });
    }
    if (!blank(row.Total_Eligible_Expenditure_Currency) && row.Total_Eligible_Expenditure_Currency !== 'EUR'
        && blank(row.Total_Eligible_Expenditure_Exchange_Rate)) {
      errors.push({ row: line, column: 'Total_Eligible_Expenditure_Exchange_Rate', message: 'exchange rate required for a currency other than EUR' });
    }
  });
  process.stdout.write(JSON.stringify({ rows, errors }) + '\n');
  process.exit(errors.length === 0 ? 0 : 1);
}

main().catch(e => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(2);
});
