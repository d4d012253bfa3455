/**
 * The assertions of ../shared/airbyte/ACCEPTANCE.md as functions that return the problems they
 * find (an empty list when the point holds), so each can be shown to fail (cat-checks.test.ts)
 * and cat.test.ts can print what broke.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Message } from '../helpers/cli';
import { parseJsonKeepingLiterals } from './strict-json';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = Record<string, any>;

export const ALLOWED_TYPES = ['null', 'string', 'number', 'integer', 'boolean', 'object', 'array'];
export const ALLOWED_FORMATS = ['date', 'date-time'];
export const ALLOWED_AIRBYTE_TYPES = ['timestamp_with_timezone', 'timestamp_without_timezone', 'integer'];
const FORBIDDEN_KEYWORDS = ['$ref', 'allOf', 'not'];
const SYNC_MODES = ['full_refresh', 'incremental'];

function newAjv(): Ajv {
  // strict: unknown keywords and misplaced ones are errors (so is a typo such as "fromat").
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'airbyte_type', schemaType: 'string' });
  return ajv;
}

const typesOf = (schema: Schema): string[] => (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]);

/** Every sub-schema with its path: properties, items, and the branches of oneOf/anyOf. */
export function subSchemas(schema: Schema, at = '', out: Array<[string, Schema]> = []): Array<[string, Schema]> {
  if (typeof schema !== 'object' || schema === null) return out;
  out.push([at || '/', schema]);
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) subSchemas(child, `${at}/${name}`, out);
  if (Array.isArray(schema.items)) schema.items.forEach((s: Schema, k: number) => subSchemas(s, `${at}[${k}]`, out));
  else if (schema.items) subSchemas(schema.items, `${at}[]`, out);
  for (const keyword of ['oneOf', 'anyOf', 'allOf']) (schema[keyword] ?? []).forEach((s: Schema, k: number) => subSchemas(s, `${at}|${keyword}${k}`, out));
  if (schema.not) subSchemas(schema.not, `${at}|not`, out);
  return out;
}

/** The schema of a property path (["a", "b"] = properties.a.properties.b), or undefined. */
export function schemaAt(schema: Schema, path: readonly string[]): Schema | undefined {
  let current: Schema | undefined = schema;
  for (const key of path) current = current?.properties?.[key];
  return current;
}

/** discover: "Every json_schema is a valid draft-07 schema with no $ref, allOf or not." */
export function schemaValidityProblems(schema: Schema): string[] {
  const problems: string[] = [];
  const ajv = newAjv();
  if (!ajv.validateSchema(schema)) problems.push(`not a valid draft-07 schema: ${ajv.errorsText(ajv.errors)}`);
  else {
    try {
      ajv.compile(schema);
    } catch (err) {
      problems.push(`does not compile: ${(err as Error).message}`);
    }
  }
  for (const [at, sub] of subSchemas(schema)) {
    for (const keyword of FORBIDDEN_KEYWORDS) if (keyword in sub) problems.push(`${at}: uses ${keyword}`);
  }
  if (typesOf(schema).join() !== 'object') problems.push(`/: type is ${JSON.stringify(schema.type)}, not "object"`);
  return problems;
}

/** discover: "Types used: null, string, number, integer, boolean, object, array; formats date and date-time; airbyte_type ..." */
export function typeProblems(schema: Schema): string[] {
  const problems: string[] = [];
  for (const [at, sub] of subSchemas(schema)) {
    if (sub.type === undefined && at !== '/') problems.push(`${at}: no type`);
    for (const t of typesOf(sub)) if (!ALLOWED_TYPES.includes(t)) problems.push(`${at}: type ${JSON.stringify(t)} is not allowed`);
    if (Array.isArray(sub.type) && new Set(sub.type).size !== sub.type.length) problems.push(`${at}: repeated type`);
    if ('format' in sub && !ALLOWED_FORMATS.includes(sub.format)) problems.push(`${at}: format ${JSON.stringify(sub.format)} is not allowed`);
    if ('airbyte_type' in sub && !ALLOWED_AIRBYTE_TYPES.includes(sub.airbyte_type)) problems.push(`${at}: airbyte_type ${JSON.stringify(sub.airbyte_type)} is not allowed`);
    if (typesOf(sub).includes('object') && sub.properties === undefined) problems.push(`${at}: object without properties`);
    if (typesOf(sub).includes('array') && (typeof sub.items !== 'object' || Array.isArray(sub.items))) problems.push(`${at}: array without one items schema`);
  }
  return problems;
}

/** discover: "default_cursor_field and every primary-key path exist in the schema's properties". */
export function keyPathProblems(stream: Schema): string[] {
  const problems: string[] = [];
  const schema = stream.json_schema as Schema;
  if (stream.default_cursor_field !== undefined) {
    if (!Array.isArray(stream.default_cursor_field) || stream.default_cursor_field.length === 0) problems.push('default_cursor_field is not a non-empty path');
    else if (!schemaAt(schema, stream.default_cursor_field)) problems.push(`default_cursor_field ${JSON.stringify(stream.default_cursor_field)} is not in the schema's properties`);
  }
  for (const key of (stream.source_defined_primary_key ?? []) as string[][]) {
    if (!Array.isArray(key) || key.length === 0 || !schemaAt(schema, key)) problems.push(`primary key ${JSON.stringify(key)} is not in the schema's properties`);
  }
  return problems;
}

/** discover: "Primary keys are not objects or arrays" (by the schema type of each key field). */
export function keyTypeProblems(stream: Schema): string[] {
  const problems: string[] = [];
  for (const key of (stream.source_defined_primary_key ?? []) as string[][]) {
    const field = Array.isArray(key) ? schemaAt(stream.json_schema, key) : undefined;
    if (!field) continue;
    const types = typesOf(field);
    if (types.length === 0 || types.some((t) => t === 'object' || t === 'array')) problems.push(`primary key ${JSON.stringify(key)} has type ${JSON.stringify(field.type)}`);
  }
  return problems;
}

/** discover: "supported_sync_modes is non-empty" (and only Airbyte's modes); incremental ones have a cursor. */
export function syncModeProblems(stream: Schema): string[] {
  const modes = stream.supported_sync_modes;
  if (!Array.isArray(modes) || modes.length === 0) return ['supported_sync_modes is empty'];
  const problems = modes.filter((m: unknown) => !SYNC_MODES.includes(m as string)).map((m: unknown) => `unknown sync mode ${JSON.stringify(m)}`);
  if (new Set(modes).size !== modes.length) problems.push('repeated sync mode');
  return problems;
}

/** incremental: "Incremental streams have a cursor field (declared or source-defined)." */
export function cursorProblems(stream: Schema, configured?: Schema): string[] {
  if (!stream.supported_sync_modes?.includes('incremental')) return ['does not support incremental'];
  const declared = configured?.cursor_field;
  const cursor = Array.isArray(declared) && declared.length > 0 ? declared : stream.default_cursor_field;
  if (stream.source_defined_cursor !== true && !(Array.isArray(cursor) && cursor.length > 0)) return ['no cursor: neither source_defined_cursor nor a cursor field'];
  if (Array.isArray(cursor) && !schemaAt(stream.json_schema, cursor)) return [`cursor ${JSON.stringify(cursor)} is not in the schema`];
  return [];
}

/** discover: "Exactly one CATALOG message with non-empty, uniquely named streams." */
export function catalogMessageProblems(messages: Message[]): string[] {
  const catalogs = messages.filter((m) => m.type === 'CATALOG');
  if (catalogs.length !== 1) return [`${catalogs.length} CATALOG messages`];
  const streams = catalogs[0].catalog.streams as Schema[];
  const problems: string[] = [];
  if (!Array.isArray(streams) || streams.length === 0) return ['no streams'];
  const names = streams.map((s) => s.name);
  names.forEach((n, k) => {
    if (typeof n !== 'string' || n.length === 0) problems.push(`stream ${k} has no name`);
  });
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) problems.push(`stream name ${JSON.stringify(n)} is repeated`);
    seen.add(n);
  }
  return problems;
}

/** A copy where every object schema forbids properties it does not declare ("no fields outside the schema"). */
export function closedSchema(schema: Schema): Schema {
  const copy: Schema = { ...schema };
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties as Record<string, Schema>).map(([k, s]) => [k, closedSchema(s)]));
    copy.additionalProperties = false;
  }
  if (copy.items && !Array.isArray(copy.items)) copy.items = closedSchema(copy.items);
  // Python's parsers accept a date-time without offset only where the schema says so.
  if (copy.format === 'date-time' && copy.airbyte_type === 'timestamp_without_timezone') copy.format = 'iso-date-time';
  return copy;
}

/** The schema's type list at a JSON pointer into the record (through properties and items). */
function typesAtPointer(schema: Schema, pointer: string): string[] {
  let current: Schema | undefined = schema;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!current) return [];
    current = current.properties?.[key] ?? (current.items && /^\d+$/.test(key) ? current.items : undefined);
  }
  return current ? typesOf(current) : [];
}

export interface RecordValidator {
  /** Problems of one RECORD line (its raw stdout text): schema errors, `1.0` for integers. */
  (line: string): string[];
}

/** read: "Records validate against their stream schema (draft-07, strict integers: 1.0 is not an integer; date-times must parse); no fields outside the schema." */
export function recordValidator(schemas: Record<string, Schema>, options: { closed?: boolean } = {}): RecordValidator {
  const ajv = newAjv();
  const compiled = new Map<string, ReturnType<Ajv['compile']>>();
  for (const [stream, schema] of Object.entries(schemas)) {
    const closed = closedSchema(schema);
    compiled.set(stream, ajv.compile(options.closed === false ? { ...closed, additionalProperties: schema.additionalProperties ?? true } : closed));
  }
  return (line: string) => {
    const { value, fractionalLiterals } = parseJsonKeepingLiterals(line);
    const message = value as Message;
    const stream = message?.record?.stream;
    const validate = compiled.get(stream);
    if (!validate) return [`RECORD of stream ${JSON.stringify(stream)}, which has no schema`];
    const problems: string[] = [];
    if (!validate(message.record.data)) {
      for (const e of validate.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? ` (${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)})` : '';
        problems.push(`${stream}${e.instancePath || '/'}: ${e.message}${extra}`);
      }
    }
    for (const pointer of fractionalLiterals) {
      if (!pointer.startsWith('/record/data/')) continue;
      const at = pointer.slice('/record/data'.length);
      const types = typesAtPointer(schemas[stream], at);
      if (types.includes('integer') && !types.includes('number')) problems.push(`${stream}${at}: written with a fraction or exponent, not an integer`);
    }
    // date-times must parse, not only match the pattern.
    for (const [at, sub] of subSchemas(schemas[stream])) {
      if (sub.format !== 'date-time' && sub.format !== 'date') continue;
      const path = at.split('/').slice(1);
      if (path.some((p) => p.includes('[') || p.includes('|'))) continue;
      let v: unknown = message.record.data;
      for (const p of path) v = (v as Record<string, unknown> | null)?.[p];
      if (typeof v === 'string' && Number.isNaN(Date.parse(v))) problems.push(`${stream}${at}: ${JSON.stringify(v)} does not parse as a ${sub.format}`);
    }
    return problems;
  };
}

/** read: "Primary-key values are present, not lists or objects." */
export function primaryKeyProblems(data: Record<string, unknown>, primaryKey: string[][]): string[] {
  const problems: string[] = [];
  for (const path of primaryKey) {
    let v: unknown = data;
    for (const p of path) v = (v as Record<string, unknown> | null | undefined)?.[p];
    if (v === undefined || v === null) problems.push(`primary key ${path.join('.')} is missing`);
    else if (typeof v === 'object') problems.push(`primary key ${path.join('.')} is ${Array.isArray(v) ? 'a list' : 'an object'}`);
  }
  return problems;
}

export const streamOf = (m: Message): string | undefined =>
  m.type === 'RECORD' ? m.record.stream : m.type === 'STATE' ? m.state?.stream?.stream_descriptor?.name : m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' ? m.trace.stream_status.stream_descriptor.name : undefined;

/** read: "Stream status TRACE messages: STARTED, then RUNNING, then COMPLETE, per stream" (records and states between RUNNING and COMPLETE). */
export function statusProblems(messages: Message[], stream: string): string[] {
  const sequence: string[] = [];
  const problems: string[] = [];
  for (const m of messages) {
    if (streamOf(m) !== stream) continue;
    if (m.type === 'TRACE') {
      sequence.push(m.trace.stream_status.status);
      continue;
    }
    const phase = sequence[sequence.length - 1];
    if (phase !== 'RUNNING') problems.push(`a ${m.type} ${phase ? `after ${phase}` : 'before STARTED'}`);
  }
  if (sequence.join() !== 'STARTED,RUNNING,COMPLETE') problems.unshift(`statuses ${sequence.join(', ') || '(none)'}`);
  return [...new Set(problems)];
}

/** read: "At least one STATE per stream, none LEGACY, each with sourceStats"; incremental: recordCount exact (records since the previous state). */
export function stateProblems(messages: Message[], stream: string): string[] {
  const problems: string[] = [];
  let since = 0;
  let states = 0;
  for (const m of messages) {
    if (m.type === 'STATE' && m.state.type !== 'STREAM') problems.push(`a ${m.state.type ?? 'LEGACY'} state`);
    if (streamOf(m) !== stream) continue;
    if (m.type === 'RECORD') since++;
    if (m.type !== 'STATE') continue;
    states++;
    const count = m.state.sourceStats?.recordCount;
    if (!Number.isInteger(count)) problems.push(`state ${states} has no sourceStats.recordCount`);
    else if (count !== since) problems.push(`state ${states} says recordCount ${count}, ${since} records came since the previous state`);
    since = 0;
  }
  if (states === 0) problems.push('no STATE');
  if (since > 0) problems.push(`${since} records after the last STATE`);
  return problems;
}

/** "read with a bogus catalog emits at least one TRACE ERROR" */
export const traceErrors = (messages: Message[]): Message[] => messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');

/** A message meant for people: one paragraph, no stack frames, no exception class names. */
export function readableMessageProblems(text: unknown): string[] {
  if (typeof text !== 'string' || text.trim().length === 0) return ['no message'];
  const problems: string[] = [];
  if (/\n\s+at /.test(text) || /\bat .+:\d+:\d+\)?/.test(text)) problems.push('holds a stack trace');
  if (/^\w*(Error|Exception)\b:/.test(text) || /\b(TypeError|ReferenceError|SyntaxError|RangeError)\b/.test(text)) problems.push('names an exception class');
  if (text.includes('\n')) problems.push('spans several lines');
  if (/\[object Object\]|undefined|NaN/.test(text)) problems.push('holds a stringified value (undefined, NaN, [object Object])');
  return problems;
}

/** The value of a record's primary key as one string. */
export const pkOf = (data: Record<string, unknown>, primaryKey: string[][]): string =>
  JSON.stringify(primaryKey.map((path) => path.reduce<unknown>((v, p) => (v as Record<string, unknown>)?.[p], data)));
