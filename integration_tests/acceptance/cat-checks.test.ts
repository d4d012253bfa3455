/**
 * The acceptance checks can fail: each is fed a message, schema or file that breaks its point and
 * must name the problem. (A check that accepts anything would make cat.test.ts prove nothing.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ROOT, type Message } from '../helpers/cli';
import {
  catalogMessageProblems,
  cursorProblems,
  keyPathProblems,
  keyTypeProblems,
  primaryKeyProblems,
  readableMessageProblems,
  recordValidator,
  schemaValidityProblems,
  stateProblems,
  statusProblems,
  syncModeProblems,
  typeProblems,
  type Schema,
} from './cat-checks';
import { CAT_CONFIG_FILE, configProblems, loadCatConfig } from './cat-config';
import { canonical, missing, normalise, parseExpected, serialise, ORG_URL_PLACEHOLDER } from './expected-records';
import { parseJsonKeepingLiterals } from './strict-json';

const goodSchema: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    n: { type: ['integer', 'null'] },
    x: { type: ['number', 'null'] },
    at: { type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' },
    day: { type: ['string', 'null'], format: 'date' },
    tags: { type: ['array', 'null'], items: { type: 'object', properties: { code: { type: 'integer' } } } },
  },
};
const stream = (over: Schema = {}): Schema => ({
  name: 's',
  json_schema: goodSchema,
  supported_sync_modes: ['full_refresh', 'incremental'],
  source_defined_cursor: true,
  default_cursor_field: ['at'],
  source_defined_primary_key: [['id']],
  ...over,
});
const withProperty = (name: string, schema: Schema): Schema => ({ ...goodSchema, properties: { ...goodSchema.properties, [name]: schema } });

describe('strict JSON: numbers written with a fraction or exponent are found', () => {
  test.each([
    ['{"a":1}', []],
    ['{"a":1.0}', ['/a']],
    ['{"a":[1,2e3,{"b":-0.5}]}', ['/a/1', '/a/2/b']],
    ['{"a/b":1.5,"s":"1.0"}', ['/a~1b']],
  ])('%s', (text, pointers) => {
    const parsed = parseJsonKeepingLiterals(text);
    expect(parsed.value).toEqual(JSON.parse(text));
    expect(parsed.fractionalLiterals).toEqual(pointers);
  });

  test.each(['{"a":}', '{"a":1', '[1,]', '{"a":1} x', "{'a':1}"])('rejects %s', (text) => {
    expect(() => parseJsonKeepingLiterals(text)).toThrow(SyntaxError);
  });
});

describe('discover checks', () => {
  test('a good stream passes every check', () => {
    expect([schemaValidityProblems(goodSchema), typeProblems(goodSchema), keyPathProblems(stream()), keyTypeProblems(stream()), syncModeProblems(stream()), cursorProblems(stream())]).toEqual([[], [], [], [], [], []]);
  });

  test.each<[string, Schema, string]>([
    ['$ref', withProperty('r', { $ref: '#/definitions/x' }), '/r: uses $ref'],
    ['allOf', withProperty('r', { allOf: [{ type: 'string' }] }), '/r: uses allOf'],
    ['not', withProperty('r', { type: 'string', not: { const: 'x' } }), '/r: uses not'],
    ['not a schema', withProperty('r', { type: 'text' }), 'not a valid draft-07 schema'],
    ['an unknown keyword', withProperty('r', { type: 'string', fromat: 'date' }), 'does not compile: strict mode: unknown keyword: "fromat"'],
    ['a top level that is not an object', { ...goodSchema, type: 'array', items: {} }, '/: type is "array", not "object"'],
  ])('schema validity: %s', (_name, schema, problem) => {
    expect(schemaValidityProblems(schema).some((p) => p.startsWith(problem))).toBe(true);
  });

  test.each<[string, Schema, string]>([
    ['a format outside date/date-time', withProperty('r', { type: 'string', format: 'email' }), '/r: format "email" is not allowed'],
    ['an unknown airbyte_type', withProperty('r', { type: 'string', airbyte_type: 'big_integer' }), '/r: airbyte_type "big_integer" is not allowed'],
    ['an object without properties', withProperty('r', { type: 'object' }), '/r: object without properties'],
    ['an array without items', withProperty('r', { type: 'array' }), '/r: array without one items schema'],
    ['no type', withProperty('r', { description: 'x' }), '/r: no type'],
    ['a nested disallowed format', withProperty('r', { type: 'array', items: { type: 'string', format: 'uuid' } }), '/r[]: format "uuid" is not allowed'],
  ])('types: %s', (_name, schema, problem) => {
    expect(typeProblems(schema)).toContain(problem);
  });

  test.each<[string, Schema, string]>([
    ['a cursor outside the properties', stream({ default_cursor_field: ['nope'] }), 'default_cursor_field ["nope"] is not in the schema\'s properties'],
    ['a primary key outside the properties', stream({ source_defined_primary_key: [['nope']] }), 'primary key ["nope"] is not in the schema\'s properties'],
    ['an empty primary-key path', stream({ source_defined_primary_key: [[]] }), 'primary key [] is not in the schema\'s properties'],
  ])('key paths: %s', (_name, s, problem) => {
    expect(keyPathProblems(s)).toEqual([problem]);
  });

  test.each<[string, Schema, string]>([
    ['an array key', stream({ source_defined_primary_key: [['tags']] }), 'primary key ["tags"] has type ["array","null"]'],
    ['an object key', stream({ json_schema: withProperty('o', { type: 'object', properties: {} }), source_defined_primary_key: [['o']] }), 'primary key ["o"] has type "object"'],
  ])('key types: %s', (_name, s, problem) => {
    expect(keyTypeProblems(s)).toEqual([problem]);
  });

  test('sync modes: empty, unknown', () => {
    expect(syncModeProblems(stream({ supported_sync_modes: [] }))).toEqual(['supported_sync_modes is empty']);
    expect(syncModeProblems(stream({ supported_sync_modes: ['full_refresh', 'cdc'] }))).toEqual(['unknown sync mode "cdc"']);
  });

  test('cursor: none declared or source-defined; not incremental', () => {
    expect(cursorProblems(stream({ source_defined_cursor: undefined, default_cursor_field: undefined }))).toEqual(['no cursor: neither source_defined_cursor nor a cursor field']);
    expect(cursorProblems(stream({ source_defined_cursor: undefined, default_cursor_field: undefined }), { cursor_field: ['at'] })).toEqual([]);
    expect(cursorProblems(stream({ supported_sync_modes: ['full_refresh'] }))).toEqual(['does not support incremental']);
  });

  test('catalog message: none, two, empty, repeated and unnamed streams', () => {
    const catalog = (streams: unknown[]): Message => ({ type: 'CATALOG', catalog: { streams } });
    expect(catalogMessageProblems([])).toEqual(['0 CATALOG messages']);
    expect(catalogMessageProblems([catalog([stream()]), catalog([stream()])])).toEqual(['2 CATALOG messages']);
    expect(catalogMessageProblems([catalog([])])).toEqual(['no streams']);
    expect(catalogMessageProblems([catalog([stream(), stream({ name: '' }), stream()])])).toEqual(['stream 1 has no name', 'stream name "s" is repeated']);
  });
});

describe('record checks', () => {
  const validate = recordValidator({ s: goodSchema });
  const line = (data: unknown) => JSON.stringify({ type: 'RECORD', record: { stream: 's', data, emitted_at: 1 } });

  test('a good record passes', () => {
    expect(validate(line({ id: 'a', n: 1, x: 1.5, at: '2023-01-01T00:00:00Z', day: '2023-01-01', tags: [{ code: 2 }] }))).toEqual([]);
  });

  test.each<[string, string, string]>([
    ['1.0 for an integer', '{"type":"RECORD","record":{"stream":"s","data":{"id":"a","n":1.0},"emitted_at":1}}', 's/n: written with a fraction or exponent, not an integer'],
    ['1e0 for a nested integer', '{"type":"RECORD","record":{"stream":"s","data":{"id":"a","tags":[{"code":1e0}]},"emitted_at":1}}', 's/tags/0/code: written with a fraction or exponent, not an integer'],
    ['a field outside the schema', line({ id: 'a', extra: 1 }), 's/: must NOT have additional properties ("extra")'],
    ['a nested field outside the schema', line({ id: 'a', tags: [{ code: 1, more: 2 }] }), 's/tags/0: must NOT have additional properties ("more")'],
    ['a string for an integer', line({ id: 'a', n: '1' }), 's/n: must be integer,null'],
    ['a date-time without offset', line({ id: 'a', at: '2023-01-01T00:00:00' }), 's/at: must match format "date-time"'],
    ['a date-time that does not exist', line({ id: 'a', at: '2023-02-30T00:00:00Z' }), 's/at: must match format "date-time"'],
    ['a date that is a date-time', line({ id: 'a', day: '2023-01-01T00:00:00Z' }), 's/day: must match format "date"'],
    ['a stream without schema', JSON.stringify({ type: 'RECORD', record: { stream: 'other', data: {}, emitted_at: 1 } }), 'RECORD of stream "other", which has no schema'],
  ])('%s', (_name, text, problem) => {
    expect(validate(text)).toContain(problem);
  });

  test('1.0 is fine where the schema says number; extra fields are fine when not closed', () => {
    expect(validate('{"type":"RECORD","record":{"stream":"s","data":{"id":"a","x":1.0},"emitted_at":1}}')).toEqual([]);
    expect(recordValidator({ s: goodSchema }, { closed: false })(line({ id: 'a', extra: 1 }))).toEqual([]);
  });

  test('timestamp_without_timezone accepts a date-time without offset', () => {
    const schema = withProperty('local', { type: 'string', format: 'date-time', airbyte_type: 'timestamp_without_timezone' });
    expect(recordValidator({ s: schema })(line({ id: 'a', local: '2023-01-01T00:00:00' }))).toEqual([]);
  });

  test.each<[string, unknown, string]>([
    ['missing', { n: 1 }, 'primary key id is missing'],
    ['null', { id: null }, 'primary key id is missing'],
    ['a list', { id: ['a'] }, 'primary key id is a list'],
    ['an object', { id: { a: 1 } }, 'primary key id is an object'],
  ])('primary key %s', (_name, data, problem) => {
    expect(primaryKeyProblems(data as Record<string, unknown>, [['id']])).toEqual([problem]);
  });
});

describe('status and state checks', () => {
  const status = (s: string): Message => ({ type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: 1, stream_status: { stream_descriptor: { name: 's' }, status: s } } });
  const record: Message = { type: 'RECORD', record: { stream: 's', data: {}, emitted_at: 1 } };
  const state = (count?: number, type = 'STREAM'): Message => ({
    type: 'STATE',
    state: { type, stream: { stream_descriptor: { name: 's' }, stream_state: {} }, ...(count === undefined ? {} : { sourceStats: { recordCount: count } }) },
  });

  test('statuses: the right sequence passes; others and records outside RUNNING are named', () => {
    expect(statusProblems([status('STARTED'), status('RUNNING'), record, state(1), status('COMPLETE')], 's')).toEqual([]);
    expect(statusProblems([status('STARTED'), status('COMPLETE')], 's')).toEqual(['statuses STARTED, COMPLETE']);
    expect(statusProblems([], 's')).toEqual(['statuses (none)']);
    expect(statusProblems([record, status('STARTED'), status('RUNNING'), status('COMPLETE'), record], 's')).toEqual(['a RECORD before STARTED', 'a RECORD after COMPLETE']);
    expect(statusProblems([status('STARTED'), state(0), status('RUNNING'), status('COMPLETE')], 's')).toEqual(['a STATE after STARTED']);
  });

  test('states: exact recordCount, sourceStats, LEGACY, none, records after the last', () => {
    expect(stateProblems([record, record, state(2), record, state(1)], 's')).toEqual([]);
    expect(stateProblems([record, record, state(1)], 's')).toEqual(['state 1 says recordCount 1, 2 records came since the previous state']);
    expect(stateProblems([record, state()], 's')).toEqual(['state 1 has no sourceStats.recordCount']);
    expect(stateProblems([record, state(1, 'LEGACY')], 's')).toEqual(['a LEGACY state']);
    expect(stateProblems([record], 's')).toEqual(['no STATE', '1 records after the last STATE']);
  });
});

describe('readable messages', () => {
  test.each([
    ['a stack trace', 'failed\n    at readJsonFile (/x/config.js:177:15)', 'holds a stack trace'],
    ['an exception class', 'ConfigError: bad config', 'names an exception class'],
    ['a TypeError', "Cannot read properties of undefined (reading 'x') TypeError", 'names an exception class'],
    ['undefined', 'entity undefined does not exist', 'holds a stringified value (undefined, NaN, [object Object])'],
    ['nothing', '', 'no message'],
  ])('%s', (_name, text, problem) => {
    expect(readableMessageProblems(text)).toContain(problem);
  });

  test('a setup message passes', () => {
    expect(readableMessageProblems('config entities: "nosuchentity" does not exist in https://127.0.0.1:1; use table logical names (e.g. account, opportunity)')).toEqual([]);
  });
});

describe('expected records', () => {
  test('normalise replaces the org URL in every string, at any depth', () => {
    expect(normalise({ a: 'https://127.0.0.1:5/', b: [{ c: 'x https://127.0.0.1:5' }], n: 1 }, 'https://127.0.0.1:5')).toEqual({ a: `${ORG_URL_PLACEHOLDER}/`, b: [{ c: `x ${ORG_URL_PLACEHOLDER}` }], n: 1 });
  });

  test('missing: key order does not matter, any value does', () => {
    const actual = [{ stream: 's', data: { a: 1, b: [1, 2] } }];
    expect(missing([{ stream: 's', data: { b: [1, 2], a: 1 } }], actual)).toEqual([]);
    expect(missing([{ stream: 's', data: { a: 1, b: [2, 1] } }], actual)).toHaveLength(1);
    expect(missing([{ stream: 's', data: { a: 1 } }], actual)).toHaveLength(1);
    expect(missing([{ stream: 't', data: { a: 1, b: [1, 2] } }], actual)).toHaveLength(1);
  });

  test('serialise is sorted and stable, and parses back', () => {
    const records = [
      { stream: 'b', data: { z: 1 } },
      { stream: 'a', data: { y: 2, x: 1 } },
    ];
    const text = serialise(records);
    expect(text).toBe(serialise([...records].reverse()));
    expect(text.split('\n')[0]).toMatch(/^\{"stream":"a"/);
    expect(parseExpected(text)).toEqual([records[1], records[0]]);
    expect(canonical({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
    expect(() => parseExpected('{"stream":"s","data":{}}\n')).toThrow('expected_records.jsonl line 1: needs stream, data and an integer emitted_at');
  });
});

describe('acceptance-test-config.yml', () => {
  test('the file loads, with the sections ACCEPTANCE.md asks for', () => {
    const config = loadCatConfig();
    expect(Object.keys(config.acceptance_tests)).toEqual(['spec', 'connection', 'discovery', 'basic_read', 'full_refresh', 'incremental']);
    expect(config.acceptance_tests.connection?.tests?.map((t) => t.status)).toEqual(['succeed', 'failed', 'failed', 'exception']);
    expect(config.acceptance_tests.incremental?.tests?.[0].future_state?.future_state_path).toBe('integration_tests/abnormal_state.json');
  });

  test.each<[string, (raw: any) => void, string]>([
    ['an unknown top-level key (CAT forbids them)', (raw) => (raw.test_strategy_version = 1), '/: unknown key test_strategy_version'],
    ['an unknown test option', (raw) => (raw.acceptance_tests.basic_read.tests[0].validate_everything = true), 'basic_read.tests[0]: unknown key validate_everything'],
    ['a bad status', (raw) => (raw.acceptance_tests.connection.tests[0].status = 'ok'), 'connection.tests[0].status: succeed, failed or exception'],
    ['a non-boolean flag', (raw) => (raw.acceptance_tests.basic_read.tests[0].fail_on_extra_columns = 'no'), 'basic_read.tests[0].fail_on_extra_columns: not a boolean'],
    ['exact_order as a string', (raw) => (raw.acceptance_tests.basic_read.tests[0].expect_records.exact_order = 'no'), 'basic_read.tests[0].expect_records.exact_order: not a boolean'],
    ['a missing config_path', (raw) => delete raw.acceptance_tests.discovery.tests[0].config_path, 'discovery.tests[0]: config_path missing'],
    ['an unknown future_state key', (raw) => (raw.acceptance_tests.incremental.tests[0].future_state.when = 'later'), 'incremental.tests[0].future_state: unknown key when'],
    ['tests and bypass_reason', (raw) => (raw.acceptance_tests.spec.bypass_reason = 'x'), 'spec: bypass_reason and tests both set'],
  ])('rejects %s', (_name, change, problem) => {
    const raw = YAML.parse(fs.readFileSync(CAT_CONFIG_FILE, 'utf8'), { version: '1.1' });
    expect(configProblems(raw)).toEqual([]);
    change(raw);
    expect(configProblems(raw)).toContain(problem);
  });

  test('sits at the connector root and names the image metadata.yaml names, at the dev tag', () => {
    expect(CAT_CONFIG_FILE).toBe(path.join(ROOT, 'acceptance-test-config.yml'));
    expect(fs.existsSync(path.join(ROOT, 'integration_tests', 'acceptance-test-config.yml'))).toBe(false);
    const metadata = YAML.parse(fs.readFileSync(path.join(ROOT, 'metadata.yaml'), 'utf8')) as { data: { dockerRepository: string } };
    expect(loadCatConfig().connector_image).toBe(`${metadata.data.dockerRepository}:dev`);
  });

  test('YAML 1.1 as CAT reads it: `no` is false', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cat-config-')), 'c.yml');
    fs.writeFileSync(file, 'connector_image: a/b:dev\nacceptance_tests:\n  basic_read:\n    tests:\n      - config_path: x\n        configured_catalog_path: y\n        fail_on_extra_columns: no\n');
    expect(loadCatConfig(file).acceptance_tests.basic_read?.tests?.[0].fail_on_extra_columns).toBe(false);
  });
});
