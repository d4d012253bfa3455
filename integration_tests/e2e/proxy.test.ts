/**
 * HTTPS_PROXY / NO_PROXY end to end: check and read through a local CONNECT proxy, with no Node
 * flag set by the user. Every tunnel the connector opens is to the login host or the org host; a
 * proxy that refuses a host fails the run (no direct fallback), and NO_PROXY bypasses it.
 */
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../emulator';
import { ROOT, records, runCli, writeJson } from '../helpers/cli';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy';

let emulator: Emulator;
let proxy: ConnectProxy;
let config: string;
let loginTarget: string;
let orgTarget: string;
const catalog = path.join(ROOT, 'integration_tests', 'configured_catalog.json');

beforeAll(async () => {
  emulator = await startEmulator();
  proxy = await startConnectProxy();
  config = writeJson('proxy-config.json', emulator.config());
  loginTarget = new URL(emulator.loginUrl).host;
  orgTarget = new URL(emulator.orgUrl).host;
});
afterAll(async () => {
  await proxy.close();
  await emulator.close();
});
beforeEach(() => {
  proxy.connects.length = 0;
  proxy.refuse.clear();
  emulator.log.length = 0;
});

const connectionStatus = (messages: Array<Record<string, any>>) => messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;

test('check succeeds through HTTPS_PROXY: the login and the org connections are tunnels of the proxy', async () => {
  const result = await runCli(['check', '--config', config], { env: { HTTPS_PROXY: proxy.url } });
  expect(result.code).toBe(0);
  expect(connectionStatus(result.messages)).toEqual({ status: 'SUCCEEDED' });
  expect(new Set(proxy.connects)).toEqual(new Set([loginTarget, orgTarget]));
  expect(emulator.requests('login').length).toBeGreaterThan(0);
  expect(emulator.requests('org').length).toBeGreaterThan(0);
});

test('read succeeds through the lower-case https_proxy, every record there', async () => {
  const result = await runCli(['read', '--config', config, '--catalog', catalog], { env: { https_proxy: proxy.url } });
  expect(result.code).toBe(0);
  expect(records(result.messages, 'organization')).toHaveLength(1);
  expect(new Set(proxy.connects)).toEqual(new Set([loginTarget, orgTarget]));
});

test('a proxy refusing the login host fails check: the connector never goes around the proxy', async () => {
  proxy.refuse.add(loginTarget);
  const result = await runCli(['check', '--config', config], { env: { HTTPS_PROXY: proxy.url, SOURCE_DATAVERSE_BACKOFF_BASE_MS: '1' } });
  expect(result.code).toBe(0);
  expect(connectionStatus(result.messages)).toEqual({ status: 'FAILED', message: `Microsoft Entra ID at ${emulator.loginUrl} did not answer (fetch failed); try again later` });
  // The org's unauthenticated probe (which cloud signs it in) may pass; nothing reaches the login host.
  expect(emulator.requests('login')).toEqual([]);
  expect(emulator.requests('org').every((entry) => entry.headers.authorization === undefined)).toBe(true);
  expect(proxy.connects).toContain(loginTarget);
});

test('a proxy refusing the org host fails check after the token: no org request arrives', async () => {
  proxy.refuse.add(orgTarget);
  const result = await runCli(['check', '--config', config], { env: { HTTPS_PROXY: proxy.url, SOURCE_DATAVERSE_BACKOFF_BASE_MS: '1' } });
  expect(result.code).toBe(0);
  expect(connectionStatus(result.messages)).toEqual({ status: 'FAILED', message: 'Dataverse did not answer GET /api/data/v9.2/WhoAmI properly: fetch failed, still failing after 5 retries' });
  expect(emulator.requests('login').length).toBeGreaterThan(0);
  expect(emulator.requests('org')).toEqual([]);
  expect(proxy.connects).toContain(orgTarget);
});

test('NO_PROXY covering both hosts: check and read go direct, the proxy sees nothing', async () => {
  const env = { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' };
  const checked = await runCli(['check', '--config', config], { env });
  expect(connectionStatus(checked.messages)).toEqual({ status: 'SUCCEEDED' });
  const read = await runCli(['read', '--config', config, '--catalog', catalog], { env });
  expect(read.code).toBe(0);
  expect(records(read.messages, 'organization')).toHaveLength(1);
  expect(proxy.connects).toEqual([]);
  expect(emulator.requests('org').length).toBeGreaterThan(0);
});
