/**
 * `$batch` parts that fail inside a 200 batch go through the same failure policy as any request:
 * a throttled or 5xx part is sent again, alone, after the wait it asks for; a part that keeps
 * failing ends the read as transient; other part errors are explained like a failed request.
 */
import { startEmulator, type Emulator } from '../emulator';
import { records, runCli, writeJson, type CliResult, type Message } from '../helpers/cli';

let emulator: Emulator;
const catalog = () => writeJson('batch-parts-catalog.json', { streams: [{ stream: { name: 'picklist', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] });
/** The account query for Status columns: one part of the single $batch of `picklists: ["account"]`. */
const STATUS_PART = /EntityDefinitions\(LogicalName='account'\)\/Attributes\/Microsoft\.Dynamics\.CRM\.StatusAttributeMetadata/;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

async function read(): Promise<CliResult> {
  emulator.log.length = 0;
  const config = writeJson(`batch-parts-${Math.random()}.json`, emulator.config({ picklists: ['account'], max_retry_after_seconds: 5 }));
  return runCli(['read', '--config', config, '--catalog', catalog()], { env: { SOURCE_DATAVERSE_BACKOFF_BASE_MS: '20' } });
}

const batches = () => emulator.requests('org').filter((e) => e.method === 'POST' && e.path.endsWith('/$batch'));
const key = (m: Message) => `${m.record.data.attribute}=${m.record.data.value}`;

let baseline: string[];
beforeAll(async () => {
  const clean = await read();
  expect(clean.code).toBe(0);
  baseline = records(clean.messages, 'picklist').map(key).sort();
  expect(batches().map((b) => b.inner?.length)).toEqual([5]);
});

test('a throttled part is sent again alone after its Retry-After; every option exactly once', async () => {
  emulator.faults.clear();
  emulator.faults.add({ target: 'part', path: STATUS_PART, action: { kind: 'throttle', code: 'execution', retryAfterSeconds: 1 } });
  const result = await read();
  expect(result.code).toBe(0);
  expect(records(result.messages, 'picklist').map(key).sort()).toEqual(baseline);
  const sent = batches();
  expect(sent.map((b) => b.inner?.map((p) => p.status))).toEqual([[200, 200, 200, 429, 200], [200]]);
  expect(sent[1].inner?.[0].path).toMatch(STATUS_PART);
  expect(sent[1].at - sent[0].at).toBeGreaterThanOrEqual(995);
  const warns = result.messages.filter((m) => m.type === 'LOG' && m.log.level === 'WARN').map((m) => m.log.message);
  // The execution-time code also halves the throttle gate's limit (the emulator's dop hint is 48).
  expect(warns).toEqual([
    'Dataverse answered 429 0x80072321 (execution time over the limit): parallel requests lowered from 48 to 24; raised again by 1 after each 24 successes',
    '$batch of 5 requests: HTTP 429, Retry-After 1 s (1 of the parts, 0x80072321); retrying in 1.0 s',
  ]);
});

test('a 503 part on every try ends the read as transient after the retries, with no option written', async () => {
  emulator.faults.clear();
  emulator.faults.add({ target: 'part', path: STATUS_PART, times: Infinity, action: { kind: 'status', status: 503, body: { error: { code: '0x80040216', message: 'An unexpected error occurred.' } } } });
  const result = await read();
  expect(result.code).toBe(1);
  const errors = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
  expect(errors.map((e) => [e.trace.error.failure_type, e.trace.error.message])).toEqual([
    ['transient_error', 'Dataverse is busy or unavailable: a $batch part HTTP 503, still failing after 5 retries (0x80040216: An unexpected error occurred.); try again later'],
  ]);
  expect(records(result.messages, 'picklist')).toHaveLength(0);
  expect(batches().map((b) => b.inner?.length)).toEqual([5, 1, 1, 1, 1, 1]);
});

test('a part refused with 400 fails at once, explained like a request', async () => {
  emulator.faults.clear();
  emulator.faults.add({ target: 'part', path: STATUS_PART, action: { kind: 'status', status: 400, body: { error: { code: '0x0', message: 'Invalid query.' } } } });
  const result = await read();
  expect(result.code).toBe(1);
  const errors = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
  expect(errors.map((e) => [e.trace.error.failure_type, e.trace.error.message])).toEqual([
    ['system_error', 'Dataverse refused the option-set metadata of account (Status) (HTTP 400, 0x0): Invalid query.'],
  ]);
  expect(batches()).toHaveLength(1);
});
