import { checkSelection, parseCatalog } from '../../connector/config/catalog';
import { ConfigError } from '../../connector/errors';

const AVAILABLE = [
  { name: 'organization', supportedSyncModes: ['full_refresh'], cursorField: [] },
  { name: 'account', supportedSyncModes: ['full_refresh', 'incremental'], cursorField: ['modifiedon'] },
];
const entry = (stream: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ streams: [{ stream: { name: 'account', ...stream }, sync_mode: 'incremental', destination_sync_mode: 'append', ...rest }] });

describe('parseCatalog', () => {
  test.each([
    ['no json_schema', entry({})],
    ['an object json_schema', entry({ json_schema: { type: 'object' } })],
    ['the source-defined cursor', entry({}, { cursor_field: ['modifiedon'] })],
  ])('accepts %s', (_name, catalog) => {
    expect(parseCatalog(catalog, 'c.json', AVAILABLE)).toEqual([{ name: 'account', syncMode: 'incremental', cursorField: (catalog.streams[0] as { cursor_field?: string[] }).cursor_field, where: '--catalog c.json streams[0]' }]);
  });

  test.each([
    ['a json_schema that is a string', entry({ json_schema: 'account.json' }), '--catalog c.json streams[0]: stream.json_schema of "account" must be a JSON schema object, as discover printed it (found a string)'],
    ['a json_schema that is a list', entry({ json_schema: [] }), '--catalog c.json streams[0]: stream.json_schema of "account" must be a JSON schema object, as discover printed it (found a list)'],
    ['a cursor_field item that is not a string', entry({}, { cursor_field: ['modifiedon', 2] }), '--catalog c.json streams[0]: cursor_field must be a list of field names, e.g. ["modifiedon"]'],
    ['a 100 KB stream name', entry({ name: 'n'.repeat(100_000) }), `--catalog c.json streams[0]: stream "${'n'.repeat(60)}..." (100000 characters) does not exist in this source (streams: organization, account); run discover for the current catalog`],
    ['a 100 KB sync_mode', entry({}, { sync_mode: 's'.repeat(100_000) }), `--catalog c.json streams[0]: sync_mode "${'s'.repeat(60)}..." (100000 characters) is invalid; use full_refresh or incremental`],
    [
      'a long cursor_field',
      entry({}, { cursor_field: ['c'.repeat(100)] }),
      `--catalog c.json streams[0]: stream "account" has the source-defined cursor ["modifiedon"]; cursor_field ["${'c'.repeat(58)}... (104 characters) cannot be used (remove it or set it to ["modifiedon"])`,
    ],
  ])('refuses %s', (_name, catalog, message) => {
    expect(() => parseCatalog(catalog, 'c.json', AVAILABLE)).toThrow(new ConfigError(message));
  });
});

describe('column selection from json_schema', () => {
  const selected = (json_schema: unknown) => parseCatalog(entry({ json_schema }), 'c.json', AVAILABLE)[0].selectedFields;

  test('the properties json_schema lists are the selection; none listed means every column', () => {
    expect(selected({ type: 'object', properties: { name: {}, revenue: { type: 'number' } } })).toEqual(['name', 'revenue']);
    expect(selected({})).toBeUndefined();
    expect(selected({ type: 'object' })).toBeUndefined();
    expect(selected({ type: 'object', properties: {} })).toBeUndefined();
  });

  test('properties that are not an object are refused', () => {
    expect(() => selected({ properties: ['name'] })).toThrow(
      new ConfigError('--catalog c.json streams[0]: stream.json_schema.properties of "account" must be an object of property schemas, as discover printed it (found a list)'),
    );
  });

  test('a selected property the stream lacks is named with its stream', () => {
    const [configured] = parseCatalog(entry({ json_schema: { properties: { name: {}, nmae: {}, revenue: {} } } }), 'c.json', AVAILABLE);
    expect(() => checkSelection(configured, ['accountid', 'name', 'revenue'])).toThrow(
      new ConfigError('--catalog c.json streams[0]: stream "account" has no property "nmae" (json_schema.properties); run discover for the stream\'s current properties and select among them'),
    );
    expect(() => checkSelection(configured, ['accountid', 'name', 'nmae', 'revenue'])).not.toThrow();
    const many = parseCatalog(entry({ json_schema: { properties: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => [k, {}])) } }), 'c.json', AVAILABLE)[0];
    expect(() => checkSelection(many, ['a'])).toThrow(
      new ConfigError('--catalog c.json streams[0]: stream "account" has no properties "b", "c", "d", "e", "f" and 1 more (json_schema.properties); run discover for the stream\'s current properties and select among them'),
    );
  });
});
