import { parseCatalog } from '../../connector/config/catalog';
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
    expect(parseCatalog(catalog, 'c.json', AVAILABLE)).toEqual([{ name: 'account', syncMode: 'incremental', cursorField: (catalog.streams[0] as { cursor_field?: string[] }).cursor_field }]);
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
