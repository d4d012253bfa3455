/**
 * The fault matrix, end to end: each case scripts the emulator, runs the built CLI's read and
 * asserts the exact outcome: every row exactly once, or a TRACE error of the right type with
 * nothing after the last complete page.
 */
import { startEmulator, type Emulator } from '../emulator';
import { GOOD_CLIENT_SECRET } from '../emulator/world';
import { records, runCli, writeJson, type CliResult } from '../helpers/cli';
import { findLeak } from '../helpers/leaks';
import { FAULT_CASES, PAGE_SIZE, ROWS } from './fault-cases';

let emulator: Emulator;
let catalog: string;
const outputs: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.tables.define('account', { rowCount: ROWS });
  catalog = writeJson('faults-catalog.json', { streams: [{ stream: { name: 'account', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] });
});
afterAll(() => emulator.close());

async function read(): Promise<CliResult> {
  const config = writeJson(`faults-config-${Math.random()}.json`, emulator.config({ entities: ['account'], page_size: PAGE_SIZE, request_timeout_seconds: 1, max_retry_after_seconds: 2 }));
  const result = await runCli(['read', '--config', config, '--catalog', catalog], { env: { SOURCE_DATAVERSE_BACKOFF_BASE_MS: '20' } });
  outputs.push(result.stdout, result.stderr);
  return result;
}

test('at least 20 faults are tried', () => {
  expect(FAULT_CASES.length).toBeGreaterThanOrEqual(20);
});

describe.each(FAULT_CASES)('$name', ({ faults, outcome }) => {
  let result: CliResult;
  let orgRequests: number;
  let tokenRequests: number;
  beforeAll(async () => {
    emulator.faults.clear();
    emulator.log.length = 0;
    for (const rule of faults(emulator)) emulator.faults.add(rule);
    result = await read();
    orgRequests = emulator.requests('org').filter((e) => e.path.includes('/accounts?')).length;
    tokenRequests = emulator.requests('login').filter((e) => e.method === 'POST').length;
  });

  if (outcome.kind === 'complete') {
    test('every row exactly once, one STATE with recordCount 12, exit 0', () => {
      expect(result.code).toBe(0);
      const ids = records(result.messages, 'account').map((m) => m.record.data.accountid);
      expect(ids).toHaveLength(ROWS);
      expect(new Set(ids)).toEqual(new Set(emulator.tables.rows('account').map((r) => r.accountid)));
      const states = result.messages.filter((m) => m.type === 'STATE');
      expect(states.map((s) => s.state.sourceStats.recordCount)).toEqual([ROWS]);
      if (outcome.orgRequests !== undefined) expect(orgRequests).toBe(outcome.orgRequests);
      if (outcome.tokenRequests !== undefined) expect(tokenRequests).toBe(outcome.tokenRequests);
      if (outcome.waitMs !== undefined) {
        // The request after the faulted one came no sooner than the wait (Retry-After, the deadline), and not much later.
        const throttled = emulator.log.findIndex((e) => e.faulted === (outcome.waitAfter ?? 'throttle'));
        const gap = emulator.log[throttled + 1].at - emulator.log[throttled].at;
        expect(gap).toBeGreaterThanOrEqual(outcome.waitMs - 5);
        expect(gap).toBeLessThan(outcome.waitMs + 1500);
      }
    });
  } else {
    test(`one TRACE ${outcome.failureType}, exit 1, ${outcome.records} records and no STATE after them`, () => {
      expect(result.code).toBe(1);
      const errors = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
      expect(errors).toHaveLength(1);
      expect(errors[0].trace.error.failure_type).toBe(outcome.failureType);
      expect(errors[0].trace.error.message).toMatch(outcome.message);
      expect(records(result.messages, 'account')).toHaveLength(outcome.records);
      expect(result.messages.filter((m) => m.type === 'STATE')).toEqual([]);
    });
  }

  test('only GETs to the org host carry the bearer token', () => {
    for (const entry of emulator.log) {
      if (entry.target !== 'org') expect([entry.target, entry.headers.authorization]).toEqual([entry.target, undefined]);
      else expect([entry.method, entry.path.split('?')[0]]).not.toEqual(['POST', expect.not.stringMatching(/\$batch$/)]);
    }
  });
});

test('no output of the whole matrix holds the secret or an access token', () => {
  const secrets = [GOOD_CLIENT_SECRET, ...emulator.issuedTokens()];
  // Most cases get one token, some two, a few none (the token endpoint is down): the scan covers real tokens.
  expect(emulator.issuedTokens().length).toBeGreaterThan(FAULT_CASES.length / 2);
  for (const text of outputs) expect(findLeak(text, secrets)).toBeUndefined();
});
