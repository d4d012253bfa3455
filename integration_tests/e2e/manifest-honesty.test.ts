/**
 * The engine does what the manifest says or refuses it, end to end: the built CLI runs on an
 * edited copy of the shipped manifest (SOURCE_DATAVERSE_MANIFEST, a test-only override) against
 * the emulator. A manifest mistake stops the run at start, before any request, naming the key or
 * variable and its YAML path; a FAIL filter for 500 placed before RETRY stops at the first 500.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { startEmulator, type Emulator } from '../emulator';
import { ROOT, records, runCli, writeJson, type CliResult } from '../helpers/cli';
import { PAGE_1, PAGE_SIZE, ROWS } from './fault-cases';

const SHIPPED = fs.readFileSync(path.join(ROOT, 'connector', 'manifest.yaml'), 'utf8');
const ACCOUNT_PAGES = '/api/data/v9.2/accounts?';

let emulator: Emulator;
let catalog: string;

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.tables.define('account', { rowCount: ROWS });
  catalog = writeJson('honesty-catalog.json', {
    streams: [{ stream: { name: 'account', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }],
  });
});
afterAll(() => emulator.close());

beforeEach(() => {
  emulator.faults.clear();
  emulator.log.length = 0;
});

/** Writes the shipped manifest with `edit` applied and returns its file. */
function manifest(name: string, edit: (doc: any) => void): string {
  const doc = YAML.parse(SHIPPED);
  edit(doc);
  // writeJson writes a string as it is: here the YAML text.
  return writeJson(`honesty-${name}.yaml`, YAML.stringify(doc));
}

async function run(command: 'check' | 'read', manifestFile?: string): Promise<CliResult> {
  const config = writeJson(`honesty-config-${Math.random()}.json`, emulator.config({ entities: ['account'], page_size: PAGE_SIZE }));
  const args = command === 'read' ? ['read', '--config', config, '--catalog', catalog] : ['check', '--config', config];
  const env: Record<string, string> = { SOURCE_DATAVERSE_BACKOFF_BASE_MS: '20' };
  if (manifestFile) env.SOURCE_DATAVERSE_MANIFEST = manifestFile;
  return runCli(args, { env });
}

function onlyError(result: CliResult): { message: string; failure_type: string } {
  const errors = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
  expect(errors).toHaveLength(1);
  return errors[0].trace.error;
}

const accountRequests = (): number => emulator.requests('org').filter((e) => e.path.includes(ACCOUNT_PAGES)).length;

describe('a manifest mistake is refused at start, before any request, with the key or variable and its YAML path', () => {
  test.each<[string, (doc: any) => void, string]>([
    [
      'an unknown key',
      (d) => (d.definitions.requester.request_parameter = { $top: 1 }),
      'manifest error at streams[0].retriever.requester.request_parameter: unknown field "request_parameter" for HttpRequester; expected one of: authenticator, error_handler, http_method, path, request_headers, request_parameters, url_base',
    ],
    [
      'an Airbyte field this engine does not implement',
      (d) => (d.definitions.entity_stream.incremental_sync.lookback_window = 'P1D'),
      'manifest error at dynamic_streams[0].stream_template(account).incremental_sync.lookback_window: lookback_window is not supported by this engine; DatetimeBasedCursor reads only: cursor_field, datetime_format, start_datetime',
    ],
    [
      'an undeclared template variable',
      (d) => (d.definitions.requester.url_base = "{{ confg['org_url'] }}/api/data/v9.2/"),
      'manifest error at streams[0].retriever.requester.url_base: undeclared template variable "confg" in "{{ confg[\'org_url\'] }}/api/data/v9.2/"; this field can read: config, parameters, stream_partition, stream_slice, stream_state, stream_interval, next_page_token',
    ],
  ])('%s', async (name, edit, message) => {
    const result = await run('read', manifest(name.replace(/\W+/g, '-'), edit));
    expect(result.code).toBe(1);
    expect(onlyError(result).message).toBe(message);
    expect(records(result.messages)).toEqual([]);
    expect(emulator.log).toEqual([]);
  });
});

describe('response filters in manifest order, first match wins', () => {
  const fault = () =>
    emulator.faults.add({ target: 'org', path: PAGE_1, times: Infinity, action: { kind: 'status', status: 500, body: { error: { code: '0x80040216', message: 'An unexpected error occurred.' } } } });

  test('a FAIL filter for 500 placed before RETRY stops at the first 500: exactly 1 request to the page', async () => {
    const failFirst = manifest('fail-first', (d) =>
      d.definitions.error_handler.response_filters.unshift({ type: 'HttpResponseFilter', action: 'FAIL', http_codes: [500], failure_type: 'system_error' }),
    );
    fault();
    const result = await run('read', failFirst);
    expect(result.code).toBe(1);
    expect(accountRequests()).toBe(1);
    expect(emulator.log.filter((e) => e.faulted === 'status')).toHaveLength(1);
    expect(onlyError(result)).toMatchObject({
      failure_type: 'system_error',
      message: 'Dataverse refused GET /api/data/v9.2/accounts (HTTP 500, 0x80040216): An unexpected error occurred.',
    });
    expect(records(result.messages, 'account')).toEqual([]);
  });

  test('control: the shipped manifest (RETRY for 500) retries the same fault 5 times', async () => {
    fault();
    const result = await run('read');
    expect(result.code).toBe(1);
    expect(accountRequests()).toBe(6);
    expect(onlyError(result).failure_type).toBe('transient_error');
  });
});
