/**
 * Reads and validates the connector config against spec.yaml's connection_specification, then
 * normalises it. Every rejection names the field and what to put there, in the setup guide's terms,
 * and never echoes a secret field's value.
 */
import * as fs from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { ConfigError } from '../errors';
import type { DataverseConfig } from '../generated/config';
import { quote } from './quote';
import { loadSpec } from './spec';
import { authorityHostFor } from './cloud';

/** Fields spec.yaml gives a `default`, which ajv fills in (test/config/config.test.ts checks this list against the spec). */
export const DEFAULTED_FIELDS = ['page_size', 'formatted_values', 'request_timeout_seconds', 'max_retry_after_seconds'] as const;
type Defaulted = (typeof DEFAULTED_FIELDS)[number];
/** The generated type without its index signature: spec.yaml's fields only. */
type SpecFields = { [K in keyof DataverseConfig as string extends K ? never : K]: DataverseConfig[K] };

/** The config after validation and normalisation: spec.yaml's defaults filled, authority_host derived, org_url canonical. */
export type Config = Omit<SpecFields, Defaulted | 'authority_host'> & Required<Pick<SpecFields, Defaulted | 'authority_host'>>;

const AIRBYTE_KEYWORDS = ['airbyte_secret', 'order', 'group', 'always_show', 'airbyte_hidden'];

/**
 * What each text field should hold, for error messages, in the setup guide's terms. Integer and
 * boolean fields are described from spec.yaml (type, minimum, maximum): see hintFor.
 */
const FIELD_HINTS: Record<string, string> = {
  org_url: 'the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost',
  tenant_id: 'the Directory (tenant) ID GUID from the app registration overview (setup step 1)',
  client_id: 'the Application (client) ID GUID from the app registration overview (setup step 1)',
  client_secret: "the client secret's Value from Certificates & secrets (setup step 2)",
  authority_host: 'an https URL such as https://login.microsoftonline.com',
  picklists: 'a list of "entity" or "entity.attribute" logical names, e.g. ["account", "opportunity.statuscode"]',
  entities: 'a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]',
};

function specProperties(): Record<string, Record<string, unknown>> {
  return (loadSpec().connection_specification.properties ?? {}) as Record<string, Record<string, unknown>>;
}

/** What a field should hold: the hand-written hint, else one derived from the field's schema in spec.yaml. */
function hintFor(field: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(FIELD_HINTS, field)) return FIELD_HINTS[field];
  const schema = specProperties()[field];
  if (schema?.type === 'boolean') return 'true or false';
  if (schema?.type === 'integer' && typeof schema.minimum === 'number' && typeof schema.maximum === 'number') {
    return `an integer from ${schema.minimum} to ${schema.maximum}`;
  }
  return undefined;
}

const TYPE_NAMES: Record<string, string> = {
  array: 'a list',
  integer: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  number: 'a number',
};

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(value: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true });
    for (const keyword of AIRBYTE_KEYWORDS) ajv.addKeyword(keyword);
    const schema = { ...loadSpec().connection_specification };
    delete schema.$schema;
    validator = ajv.compile(schema);
  }
  return validator(value) ? [] : [...(validator.errors ?? [])];
}

function fieldOf(error: ErrorObject): string {
  if (error.keyword === 'required') return String(error.params.missingProperty);
  return error.instancePath.replace(/^\//, '').split('/')[0] ?? '';
}

/** `entities.0` for `/entities/0`: the item at fault, in the form the messages use. */
function dottedPath(error: ErrorObject): string {
  return error.instancePath.replace(/^\//, '').replace(/\//g, '.');
}

/** The value an error is about (for its length or item count; never quoted, it may be a secret). */
function valueAt(config: unknown, instancePath: string): unknown {
  let node = config;
  for (const key of instancePath.split('/').slice(1)) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

function describe(error: ErrorObject, config: unknown): string {
  const field = fieldOf(error);
  const described = hintFor(field);
  const hint = described ? `: set it to ${described}` : '';
  switch (error.keyword) {
    case 'required':
      return `the config is missing the required field "${field}"${hint}`;
    case 'type':
      return `config field "${dottedPath(error)}" must be ${TYPE_NAMES[String(error.params.type)] ?? String(error.params.type)}${hint}`;
    case 'pattern':
    case 'minimum':
    case 'maximum':
      return `config field "${dottedPath(error)}" has an invalid value${hint}`;
    case 'minLength':
      return `config field "${dottedPath(error)}" is empty${hint}`;
    case 'maxLength': {
      const length = String(valueAt(config, error.instancePath)).length;
      return `config field "${dottedPath(error)}" is ${length} characters long, more than the ${String(error.params.limit)} allowed${hint}`;
    }
    case 'maxItems': {
      const items = valueAt(config, error.instancePath);
      return `config field "${dottedPath(error)}" lists ${Array.isArray(items) ? items.length : '?'} items, more than the ${String(error.params.limit)} allowed${hint}`;
    }
    default:
      return `config field "${field}" ${error.message ?? 'is invalid'}${hint}`;
  }
}

/** Keywords that say all there is to say about a value: its other errors (a pattern on 100 KB of text) add nothing. */
const DECISIVE = new Set(['maxLength', 'maxItems', 'minLength', 'type']);
/** Messages named in one error; a config with 10,000 bad items gets the first few and a count. */
const MAX_MESSAGES = 5;

/**
 * One message per value at fault: a decisive error of a value hides the value's other errors
 * and those of its items (a list over maxItems is not also checked item by item).
 */
function messagesOf(errors: ErrorObject[], config: unknown): string[] {
  const decided = errors.filter((e) => DECISIVE.has(e.keyword)).map((e) => e.instancePath);
  const hidden = (e: ErrorObject) =>
    e.keyword !== 'required' && decided.some((path) => (path === e.instancePath && !DECISIVE.has(e.keyword)) || e.instancePath.startsWith(`${path}/`));
  const messages = [...new Set(errors.filter((e) => !hidden(e)).map((e) => describe(e, config)))];
  if (messages.length <= MAX_MESSAGES) return messages;
  return [...messages.slice(0, MAX_MESSAGES), `... (${messages.length} problems in all)`];
}

/** Canonical org URL: scheme and host (with port), no trailing slash, no /api/data/... suffix. */
export function normaliseOrgUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`config field "org_url" is not a URL: set it to ${FIELD_HINTS.org_url}`);
  }
  const loopback = url.hostname === 'localhost' || /^127\./.test(url.hostname) || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`config field "org_url" must use https: set it to ${FIELD_HINTS.org_url}`);
  }
  if (url.username || url.password) throw new ConfigError('config field "org_url" must not contain a user name or password');
  let pathname = url.pathname.replace(/\/api\/data(\/.*)?$/i, '').replace(/\/+$/, '');
  if (pathname !== '') {
    throw new ConfigError(`config field "org_url" must be the environment's base URL without a path (found ${quote(pathname)}): set it to ${FIELD_HINTS.org_url}`);
  }
  return `${url.protocol}//${url.host}`;
}

/** Validates a parsed config object; throws ConfigError naming every field at fault. */
export function parseConfig(value: unknown): Config {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('the config must be a JSON object with org_url, tenant_id, client_id and client_secret');
  }
  const known = Object.keys(specProperties());
  // Keys starting with "__" are the platform's own (Airbyte injects some); anything else unknown is a typo.
  const unknown = Object.keys(value).filter((k) => !known.includes(k) && !k.startsWith('__'));
  if (unknown.length > 0) {
    // A config can hold any number of stray keys: name the first few, count the rest.
    const named = unknown.slice(0, 5).map((k) => `config field ${quote(k)} is not known${suggest(k, known)}: remove it`);
    const more = unknown.length > named.length ? `; ... (${unknown.length} unknown fields in all)` : '';
    throw new ConfigError(`${named.join('; ')}${more} (known fields: ${known.join(', ')})`);
  }
  // ajv fills spec.yaml's defaults in: into a copy, so the caller's object stays as given.
  const raw = { ...value } as DataverseConfig & Pick<Config, Defaulted>;
  const errors = validate(raw);
  if (errors.length > 0) {
    throw new ConfigError(messagesOf(errors, raw).join('; '));
  }
  // Every spec field as validated (a new field needs no line here); platform keys ("__...") stay out.
  const fields = Object.fromEntries(known.filter((k) => Object.prototype.hasOwnProperty.call(raw, k)).map((k) => [k, raw[k]])) as Config;
  return {
    ...fields,
    org_url: normaliseOrgUrl(raw.org_url),
    tenant_id: raw.tenant_id.toLowerCase(),
    client_id: raw.client_id.toLowerCase(),
    authority_host: (raw.authority_host ?? authorityHostFor(raw.org_url)).replace(/\/+$/, ''),
  };
}

/** Reads a file given on the command line, naming the file and the flag when it cannot. */
export function readTextFile(file: string, flag: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(err)})`;
    throw new ConfigError(`the ${flag} file ${file} ${why}`);
  }
}

/** Parses a JSON file's text; a syntax error names the line (counted from `firstLine`), never the text. */
export function parseJsonText(text: string, file: string, flag: string, firstLine = 1): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the fault, which may be a secret: report only the position.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    const where = position === undefined ? '' : ` (line ${lineOf(text, Number(position)) + firstLine - 1})`;
    throw new ConfigError(`the ${flag} file ${file} is not valid JSON${where}: fix its syntax`);
  }
}

/** Reads a JSON file given on the command line, naming the file and the flag when it cannot. */
export function readJsonFile(file: string, flag: string): unknown {
  return parseJsonText(readTextFile(file, flag), file, flag);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** ", did you mean X?" for a field one or two edits away from a known one. */
function suggest(field: string, known: string[]): string {
  if (field.length > 64) return '';
  const near = known.find((k) => distance(field.toLowerCase(), k) <= 2);
  return near ? ` (did you mean "${near}"?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
