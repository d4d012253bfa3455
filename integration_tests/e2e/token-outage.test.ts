/**
 * The token endpoint down for good (an HTML 500 page on every try), met on the very first token
 * request: a transient failure named for Entra ID, never a config error. (In the fault matrix the
 * row-count estimate meets it first and only skips the estimate.)
 */
import { startEmulator, type Emulator } from '../emulator';
import { ofType, runCli, writeJson } from '../helpers/cli';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  emulator.faults.add({
    target: 'login',
    path: /\/oauth2\/v2\.0\/token/,
    times: Infinity,
    action: { kind: 'status', status: 500, body: '<html><body>Service unavailable</body></html>', headers: { 'Content-Type': 'text/html' } },
  });
});
afterAll(() => emulator.close());

const config = () => writeJson(`token-outage-${Math.random()}.json`, emulator.config({ request_timeout_seconds: 2 }));
const message = () => `Microsoft Entra ID at ${emulator.loginUrl} is not available (HTTP 500); try again later`;
const env = { SOURCE_DATAVERSE_BACKOFF_BASE_MS: '10' };

test('read: one TRACE transient_error naming Entra ID, after the retries, no record', async () => {
  emulator.log.length = 0;
  const catalog = writeJson('token-outage-catalog.json', { streams: [{ stream: { name: 'organization', json_schema: {} }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] });
  const result = await runCli(['read', '--config', config(), '--catalog', catalog], { env });
  expect(result.code).toBe(1);
  expect(ofType(result.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR').map((m) => [m.trace.error.failure_type, m.trace.error.message])).toEqual([['transient_error', message()]]);
  expect(ofType(result.messages, 'RECORD')).toEqual([]);
  // The first try and 5 retries, all through the one failure policy.
  expect(emulator.requests('login').filter((e) => e.method === 'POST')).toHaveLength(6);
  expect(emulator.requests('org').filter((e) => e.headers.authorization !== undefined)).toEqual([]);
});

test('check: FAILED with the same message (the customer can only wait)', async () => {
  const result = await runCli(['check', '--config', config()], { env });
  expect(result.code).toBe(0);
  expect(ofType(result.messages, 'CONNECTION_STATUS').map((m) => m.connectionStatus)).toEqual([{ status: 'FAILED', message: message() }]);
});
