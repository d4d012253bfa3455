#!/usr/bin/env node
'use strict';
/**
 * `npm run docs`: regenerates the generated sections of docs/*.md and README.md, each written between
 * `<!-- generated:NAME -->` and `<!-- /generated -->`; the prose around them is written by hand.
 * `--check` writes nothing and exits 1 when a committed doc differs from what would be generated,
 * so a table can never drift from spec.yaml, schemas/, the manifest or the error-message tables.
 *
 * The error tables and the manifest loader are TypeScript: the CLI reads them from dist/ (the npm
 * script builds first); tests pass the modules in, compiled fresh by ts-jest, through renderDocs().
 */
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..');

/** Which generated sections each doc holds, in order; a doc missing one, or holding another, is an error. */
const DOC_SECTIONS = {
  'docs/setup.md': ['setup-errors'],
  'docs/reference.md': ['config-table', 'streams-table', 'stream-fields'],
  'docs/integrations-sources-dataverse.md': ['streams-table', 'type-mapping', 'config-table', 'changelog-table'],
  'README.md': ['config-table'],
};

/** Context values the error messages are rendered with: the config field each one comes from. */
const PLACEHOLDERS = {
  orgUrl: '<org_url>',
  tenantId: '<tenant_id>',
  clientId: '<client_id>',
  authorityHost: '<authority_host>',
};
const PLACEHOLDER_PATTERN = new RegExp(`(${Object.values(PLACEHOLDERS).join('|')})`, 'g');

const MARKER = /<!-- generated:([\w:-]+) -->\n[\s\S]*?<!-- \/generated -->/g;

// ---- Markdown helpers -------------------------------------------------------------------------

/** Text for a table cell: one line, `|` escaped, `<` escaped outside code spans (it would open an HTML tag). */
function cell(text) {
  return String(text)
    .replace(/\s+/g, ' ')
    .trim()
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')).replace(/\|/g, '\\|'))
    .join('');
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function code(value) {
  return `\`${value}\``;
}

function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map((row) => line(row.map(cell)))].join('\n');
}

/** A JSON Schema type for humans: `string or null`, `array of string`, `string (date-time)`. */
function typeName(schema) {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'any'];
  const named = types
    .filter((t) => t !== 'null')
    .map((t) => {
      if (t === 'array' && schema.items) return `array of ${typeName(schema.items)}`;
      if (schema.format) return `${t} (${schema.format})`;
      return t;
    })
    .join(' or ');
  const constraints = [];
  if (schema.minimum !== undefined || schema.maximum !== undefined) constraints.push(`${schema.minimum ?? '…'} to ${schema.maximum ?? '…'}`);
  if (Array.isArray(schema.enum)) constraints.push(`one of ${schema.enum.map((v) => code(v)).join(', ')}`);
  const described = constraints.length > 0 ? `${named}, ${constraints.join(', ')}` : named;
  if (!types.includes('null')) return described;
  return constraints.length > 0 ? `${described}, or null` : `${named} or null`;
}

// ---- Generated sections -----------------------------------------------------------------------

/** Every setup error the connector can report, one row per code, in the order of its tables. */
function setupErrors({ ENTRA_ERRORS, DATAVERSE_ERRORS }) {
  const rows = [
    ...Object.entries(ENTRA_ERRORS).map(([number, describe]) => ['Entra ID', `AADSTS${number}`, describe(PLACEHOLDERS, '')]),
    ...Object.entries(DATAVERSE_ERRORS).map(([hex, describe]) => ['Dataverse', hex, describe(PLACEHOLDERS, '')]),
  ].map(([where, errorCode, message]) => {
    // Every message is "what is wrong: what to do" (DESIGN.md); the table shows the two apart.
    const split = message.indexOf(': ');
    if (split < 0) throw new Error(`the ${where} message for ${errorCode} has no ": " between the problem and its fix: ${message}`);
    const steps = [...message.matchAll(/setup step (\d)/g)].map((m) => m[1]);
    const mark = (text) => text.replace(PLACEHOLDER_PATTERN, (p) => code(p));
    return [where, code(errorCode), mark(message.slice(0, split)), capitalize(mark(message.slice(split + 2))), [...new Set(steps)].join(', ')];
  });
  return table(['from', 'code', 'what the connector says is wrong', 'what to do', 'setup step'], rows);
}

/**
 * spec.yaml's connection_specification, in form order: every field it declares, so a new field
 * reaches the README and the docs without touching this script. The type cell carries the range.
 */
function configTable({ root }) {
  const spec = YAML.parse(fs.readFileSync(path.join(root, 'spec.yaml'), 'utf8')).connection_specification;
  const required = new Set(spec.required ?? []);
  const fields = Object.entries(spec.properties).sort(([, a], [, b]) => (a.order ?? Infinity) - (b.order ?? Infinity));
  const rows = fields.map(([name, field]) => [
    code(name),
    field.title ?? '',
    typeName(field),
    required.has(name) ? 'yes' : 'no',
    field.default === undefined ? '' : code(JSON.stringify(field.default)),
    field.airbyte_secret ? 'yes' : 'no',
    field.description ?? '',
  ]);
  return table(['field', 'title', 'type', 'required', 'default', 'secret', 'description'], rows);
}

/** The manifest's static streams: primary key, sync modes and schema file. */
function streamsTable({ root, loadManifest }) {
  const manifest = loadManifest(fs.readFileSync(path.join(root, 'connector', 'manifest.yaml'), 'utf8')).root;
  const rows = manifest.streams.map((stream) => {
    const key = [].concat(stream.primary_key ?? []).map((k) => code([].concat(k).join('.'))).join(', ');
    const modes = stream.incremental_sync ? 'full refresh, incremental' : 'full refresh';
    const file = stream.schema_loader?.file_path;
    return [code(stream.name), key, modes, file ? `[${file}](../${file})` : 'built at run time'];
  });
  return table(['stream', 'primary key', 'sync modes', 'schema'], rows);
}

/** One field table per schemas/*.json, nested array items as `parent[].child`. */
function streamFields({ root }) {
  const dir = path.join(root, 'schemas');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files
    .map((file) => {
      const schema = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      const rows = [];
      const walk = (properties, prefix) => {
        for (const [name, field] of Object.entries(properties ?? {})) {
          rows.push([code(prefix + name), typeName(field), field.description ?? '']);
          if (field.items?.properties) walk(field.items.properties, `${prefix}${name}[].`);
          if (field.properties) walk(field.properties, `${prefix}${name}.`);
        }
      };
      walk(schema.properties, '');
      const title = schema.title ?? file.replace(/\.json$/, '');
      return [`### ${title}`, '', `${schema.description ?? ''} Schema: [schemas/${file}](../schemas/${file}).`.trim(), '', table(['field', 'type', 'description'], rows)].join('\n');
    })
    .join('\n\n');
}

/**
 * Dataverse attribute types -> fields, computed by the connector's own mapping (entity-schema.ts)
 * on one sample attribute per type; types that come out alike share a row.
 */
const TYPE_SAMPLES = [
  ['Lookup (one table in `Targets`)', { attributeType: 'Lookup', targets: ['account'] }],
  ['Lookup (several tables in `Targets`)', { attributeType: 'Lookup', targets: ['account', 'contact'] }],
  ['Customer', { attributeType: 'Customer', targets: ['account', 'contact'] }],
  ['Owner', { attributeType: 'Owner', targets: ['systemuser', 'team'] }],
  ['Picklist', { attributeType: 'Picklist' }],
  ['State', { attributeType: 'State' }],
  ['Status', { attributeType: 'Status' }],
  ['MultiSelectPicklist', { attributeType: 'Virtual', typeName: 'MultiSelectPicklistType' }],
  ['Boolean', { attributeType: 'Boolean' }],
  ['Integer', { attributeType: 'Integer' }],
  ['BigInt', { attributeType: 'BigInt' }],
  ['Decimal', { attributeType: 'Decimal' }],
  ['Double', { attributeType: 'Double' }],
  ['Money', { attributeType: 'Money' }],
  ['DateTime (behavior UserLocal)', { attributeType: 'DateTime', dateTimeBehavior: 'UserLocal' }],
  ['DateTime (behavior TimeZoneIndependent)', { attributeType: 'DateTime', dateTimeBehavior: 'TimeZoneIndependent' }],
  ['DateTime (behavior DateOnly)', { attributeType: 'DateTime', dateTimeBehavior: 'DateOnly' }],
  ['ManagedProperty', { attributeType: 'ManagedProperty' }],
  ['String', { attributeType: 'String' }],
  ['Memo', { attributeType: 'Memo' }],
  ['Uniqueidentifier', { attributeType: 'Uniqueidentifier' }],
  ['EntityName', { attributeType: 'EntityName' }],
  ['Image', { attributeType: 'Virtual', typeName: 'ImageType' }],
  ['File', { attributeType: 'Virtual', typeName: 'FileType' }],
  ['other Virtual', { attributeType: 'Virtual', typeName: 'VirtualType' }],
  ['PartyList', { attributeType: 'PartyList' }],
  ['CalendarRules', { attributeType: 'CalendarRules' }],
  ['a shadow column (`IsValidODataAttribute` false, e.g. `owneridname`)', { attributeType: 'String', isValidODataAttribute: false, attributeOf: 'ownerid' }],
];

function typeMapping({ columnOf, leftOut }) {
  const rows = [];
  for (const [label, sample] of TYPE_SAMPLES) {
    const attribute = { logicalName: '<name>', typeName: `${sample.attributeType}Type`, attributeOf: null, isValidForRead: true, isValidODataAttribute: true, ...sample };
    const reason = leftOut(attribute);
    let row;
    if (reason !== undefined) row = ['left out', '', `${capitalize(reason)}.`];
    else {
      const column = columnOf(attribute);
      const extra = [];
      if (column.formatted) extra.push(`${code(`${column.property}__formatted`)} with \`formatted_values\``);
      if (column.lookupTarget) extra.push(`${code(`${column.property}__lookuplogicalname`)}: the referenced row's table`);
      const { airbyte_type: airbyteType, format } = column.schema;
      const shown = airbyteType ? { ...column.schema, format: `${format}, ${airbyteType}` } : column.schema;
      row = [code(column.property), typeName(shown), extra.join('; ')];
    }
    const last = rows[rows.length - 1];
    if (last && JSON.stringify(last.slice(1)) === JSON.stringify(row)) last[0] += `, ${label}`;
    else rows.push([label, ...row]);
  }
  return table(['Dataverse attribute type', 'field', 'JSON Schema type', 'also written'], rows);
}

/** CHANGELOG.md's releases: `## [version] - date` and the summary line under each. */
function releases(root) {
  const text = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  return [...text.matchAll(/^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})\n\n(.+)$/gm)].map(([, version, date, summary]) => ({ version, date, summary }));
}

function changelogTable({ root }) {
  return table(['Version', 'Date', 'Subject'], releases(root).map((r) => [r.version, r.date, r.summary]));
}

const GENERATORS = {
  'type-mapping': typeMapping,
  'changelog-table': changelogTable,
  'setup-errors': setupErrors,
  'config-table': configTable,
  'streams-table': streamsTable,
  'stream-fields': streamFields,
};

// ---- Docs -------------------------------------------------------------------------------------

/** A doc's text with its generated sections refreshed; throws when its markers do not match DOC_SECTIONS. */
function refresh(file, text, sources) {
  const found = [...text.matchAll(MARKER)].map((m) => m[1]);
  const expected = DOC_SECTIONS[file];
  if (JSON.stringify(found) !== JSON.stringify(expected)) {
    throw new Error(`${file} has generated sections [${found.join(', ')}], expected [${expected.join(', ')}] (each closed by <!-- /generated -->)`);
  }
  return text.replace(MARKER, (_, name) => `<!-- generated:${name} -->\n${GENERATORS[name](sources)}\n<!-- /generated -->`);
}

/**
 * The docs as they should be: { 'docs/x.md': text }.
 * sources: { root, ENTRA_ERRORS, DATAVERSE_ERRORS, loadManifest, columnOf, leftOut }.
 */
function renderDocs(sources) {
  const out = {};
  for (const file of Object.keys(DOC_SECTIONS)) {
    out[file] = refresh(file, fs.readFileSync(path.join(sources.root, file), 'utf8'), sources);
  }
  return out;
}

function compiledSources() {
  const dist = path.join(ROOT, 'dist', 'connector');
  const errorMessages = path.join(dist, 'dataverse', 'error-messages.js');
  if (!fs.existsSync(errorMessages)) throw new Error(`${path.relative(ROOT, errorMessages)} is missing: run \`npm run build\` first`);
  const { ENTRA_ERRORS, DATAVERSE_ERRORS } = require(errorMessages);
  const { loadManifest } = require(path.join(dist, 'manifest', 'loader.js'));
  const { columnOf, leftOut } = require(path.join(dist, 'dataverse', 'entity-schema.js'));
  return { root: ROOT, ENTRA_ERRORS, DATAVERSE_ERRORS, loadManifest, columnOf, leftOut };
}

function main(args) {
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`generate-docs: unknown argument ${unknown.join(' ')} (usage: generate-docs.js [--check])\n`);
    return 2;
  }
  const check = args.includes('--check');
  const stale = [];
  for (const [file, text] of Object.entries(renderDocs(compiledSources()))) {
    const target = path.join(ROOT, file);
    if (fs.readFileSync(target, 'utf8') === text) continue;
    if (check) stale.push(file);
    else fs.writeFileSync(target, text);
  }
  if (stale.length > 0) {
    process.stderr.write(`stale generated docs: ${stale.join(', ')}; run \`npm run docs\` and commit the result\n`);
    return 1;
  }
  return 0;
}

module.exports = { renderDocs, releases, DOC_SECTIONS, PLACEHOLDERS };

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`generate-docs: ${err.message}\n`);
    process.exitCode = 1;
  }
}
