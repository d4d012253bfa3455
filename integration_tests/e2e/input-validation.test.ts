/**
 * All input is validated before the first record (issue 15), end to end through the built CLI and
 * the emulator: an empty client_secret is a config error for every command; a broken state of the
 * second stream fails the read before the first stream is read; cursor values reach `$filter` only
 * as literals the connector renders; and the STATE lines `read` printed are a valid --state file.
 */
import { startEmulator, type Emulator } from '../emulator';
import { ofType, records, runCli, writeJson, type CliResult, type Message } from '../helpers/cli';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  emulator.tables.define('account', { rowCount: 180 });
  emulator.tables.define('sample_bankaccount', { rowCount: 120 });
});
afterAll(() => emulator.close());

const RESTART = 'start from a state printed by this connector';
type Mode = 'full_refresh' | 'incremental';
const catalog = (streams: Array<[string, Mode]>) =>
  writeJson(`iv-catalog-${Math.random()}.json`, {
    streams: streams.map(([name, mode]) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: mode, destination_sync_mode: mode === 'incremental' ? 'append' : 'overwrite' })),
  });
const stateOf = (name: string, streamState: Record<string, unknown>) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState } });

/** Runs read and returns its result and the emulator requests it made. */
async function read(entities: string[], streams: Array<[string, Mode]>, stateFile?: string): Promise<{ result: CliResult; paths: string[] }> {
  const before = emulator.requests('org').length;
  const args = ['read', '--config', writeJson(`iv-config-${Math.random()}.json`, emulator.config({ entities, page_size: 50 })), '--catalog', catalog(streams)];
  if (stateFile) args.push('--state', stateFile);
  const result = await runCli(args);
  // Dataverse requests only (the token endpoint's are on the login host).
  return { result, paths: emulator.requests('org').slice(before).map((r) => r.path) };
}

/** Entity-set and organization reads: the requests that fetch rows. */
const rowRequests = (paths: string[]) => paths.filter((p) => /\/api\/data\/v9\.2\/(accounts|contacts|sample_bankaccounts|organizations|RetrieveCurrentOrganization)\b/.test(p));

describe('client_secret ""', () => {
  const message = 'config field "client_secret" is empty: set it to the client secret\'s Value from Certificates & secrets (setup step 2)';
  const config = () => writeJson(`iv-empty-secret-${Math.random()}.json`, emulator.config({ client_secret: '' }));

  test('check: CONNECTION_STATUS FAILED naming client_secret and setup step 2, no request sent', async () => {
    const before = emulator.requests().length;
    const result = await runCli(['check', '--config', config()]);
    expect(result.code).toBe(0);
    expect(result.messages).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message } }]);
    expect(emulator.requests().length).toBe(before);
  });

  test.each([['discover'], ['read']])('%s: one TRACE config_error, exit 1', async (command) => {
    const args = [command, '--config', config(), ...(command === 'read' ? ['--catalog', catalog([['organization', 'full_refresh']])] : [])];
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0].trace.error).toMatchObject({ failure_type: 'config_error', message });
  });
});

describe('the second stream\'s state broken: nothing is read', () => {
  test.each<[string, string, Record<string, unknown>, (file: string) => string, boolean]>([
    [
      'a resume_link to another entity set (checked against the metadata)',
      'account',
      { deltatoken: '919042!08/22/2017 08:10:44', resume_link: '{org}/api/data/v9.2/contacts?$select=fullname&$skiptoken=1' },
      (file) => `--state ${file} [1]: stream "account": resume_link points at /api/data/v9.2/contacts, not at /api/data/v9.2/accounts where the read started: ${RESTART}`,
      true,
    ],
    [
      'a modifiedon holding a filter (no request at all)',
      'sample_bankaccount',
      { modifiedon: 'null or modifiedon ne 2024-01-01' },
      (file) => `--state ${file} [1]: stream "sample_bankaccount": modifiedon "null or modifiedon ne 2024-01-01" is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z: ${RESTART}`,
      false,
    ],
  ])('%s', async (_name, entity, broken, message, needsMetadata) => {
    const streamState = JSON.parse(JSON.stringify(broken).split('{org}').join(emulator.orgUrl)) as Record<string, unknown>;
    const stateFile = writeJson(`iv-state-${Math.random()}.json`, [stateOf('organization', {}), stateOf(entity, streamState)]);
    const { result, paths } = await read([entity], [['organization', 'full_refresh'], [entity, 'incremental']], stateFile);
    expect(result.code).toBe(1);
    expect(records(result.messages)).toHaveLength(0);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0].trace.error).toMatchObject({ failure_type: 'config_error', message: message(stateFile) });
    expect(rowRequests(paths)).toEqual([]);
    // Only the metadata a resume_link needs: one EntityDefinitions GET and one $batch of attributes.
    expect(paths.map((p) => p.split('?')[0].replace(/^.*\/api\/data\/v9\.2\//, '')).filter((p) => p !== '')).toEqual(needsMetadata ? ['EntityDefinitions', '$batch'] : []);
  });
});

describe('cursor values reach $filter only as rendered literals', () => {
  test.each([
    ['an offset is rendered in UTC', '2023-01-01T03:00:00+02:00', 'modifiedon ge 2023-01-01T01:00:00Z'],
    ['seven fraction digits are cut to milliseconds', '2023-01-01T01:00:00.1234567Z', 'modifiedon ge 2023-01-01T01:00:00.123Z'],
  ])('%s', async (_name, saved, filter) => {
    const stateFile = writeJson(`iv-cursor-${Math.random()}.json`, [stateOf('sample_bankaccount', { modifiedon: saved })]);
    const { result, paths } = await read(['sample_bankaccount'], [['sample_bankaccount', 'incremental']], stateFile);
    expect(result.code).toBe(0);
    const filters = paths.filter((p) => p.includes('/sample_bankaccounts?')).map((p) => new URL(p, emulator.orgUrl).searchParams.get('$filter'));
    expect(filters[0]).toBe(filter);
    const bound = Date.parse(filter.replace('modifiedon ge ', ''));
    const expected = emulator.tables.rows('sample_bankaccount').filter((r) => Date.parse(String(r.modifiedon)) >= bound).length;
    expect(expected).toBeGreaterThan(0);
    expect(records(result.messages, 'sample_bankaccount')).toHaveLength(expected);
  });
});

describe('--state: the STATE lines read printed, saved verbatim', () => {
  let first: CliResult;
  let stateLines: string[];
  beforeAll(async () => {
    ({ result: first } = await read(['account', 'sample_bankaccount'], [['account', 'incremental'], ['sample_bankaccount', 'incremental']]));
    stateLines = first.stdout.split('\n').filter((line) => line.length > 0 && (JSON.parse(line) as Message).type === 'STATE');
  });

  test('the next read takes them: account resumes from its delta token, sample_bankaccount from its cursor', async () => {
    expect(first.code).toBe(0);
    expect(stateLines).toHaveLength(ofType(first.messages, 'STATE').length);
    expect(stateLines.length).toBeGreaterThan(4);
    const last = (name: string) => ofType(first.messages, 'STATE').filter((m) => m.state.stream.stream_descriptor.name === name).pop()?.state.stream.stream_state;
    const token = last('account').deltatoken as string;
    const cursor = last('sample_bankaccount').modifiedon as string;
    const updated = emulator.tables.update('account', 5);

    const file = writeJson(`iv-lines-${Math.random()}.jsonl`, `${stateLines.join('\n')}\n`);
    const { result, paths } = await read(['account', 'sample_bankaccount'], [['account', 'incremental'], ['sample_bankaccount', 'incremental']], file);
    expect(result.code).toBe(0);
    const accountPages = paths.filter((p) => p.includes('/accounts?'));
    // The delta is read twice from the saved token: first its keys (an empty delta is told apart there), then its rows.
    expect(accountPages.map((p) => new URL(p, emulator.orgUrl).searchParams.get('$deltatoken'))).toEqual([token, token]);
    expect(records(result.messages, 'account').map((m) => m.record.data.accountid).sort()).toEqual([...updated].sort());
    const bankPages = paths.filter((p) => p.includes('/sample_bankaccounts?'));
    expect(new URL(bankPages[0], emulator.orgUrl).searchParams.get('$filter')).toBe(`modifiedon ge ${cursor}`);
    const atOrAfter = emulator.tables.rows('sample_bankaccount').filter((r) => Date.parse(String(r.modifiedon)) >= Date.parse(cursor)).length;
    expect(records(result.messages, 'sample_bankaccount')).toHaveLength(atOrAfter);
  });

  test('the whole stdout is not a state file: the first non-STATE line is named', async () => {
    const file = writeJson(`iv-stdout-${Math.random()}.jsonl`, first.stdout);
    const firstType = (JSON.parse(first.stdout.split('\n')[0]) as Message).type as string;
    const { result, paths } = await read(['account', 'sample_bankaccount'], [['account', 'incremental']], file);
    expect(result.code).toBe(1);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0].trace.error).toMatchObject({
      failure_type: 'config_error',
      message: `--state ${file} line 1 is a "${firstType}" message, not a STATE message: keep only the STATE lines read printed, or give a JSON list of STATE messages`,
    });
    expect(paths).toEqual([]);
  });
});
