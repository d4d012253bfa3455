/**
 * `--log-level debug`: one LOG line per HTTP attempt, to the login host and the org alike, with the
 * method, the path without its query, the status, the time and the attempt number. The emulator's
 * own request log is the reference: the lines and the requests it received are the same multiset.
 * Secrets and tokens are scanned for by runCli on every run.
 */
import { startEmulator, type Emulator } from '../emulator';
import { ofType, runCli, writeJson, type Message } from '../helpers/cli';

let emulator: Emulator;
let config: string;
beforeAll(async () => {
  emulator = await startEmulator();
  config = writeJson('debug-config.json', emulator.config({ entities: ['account'], page_size: 2 }));
  emulator.tables.define('account', { rowCount: 5 });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.log.length = 0;
});

const LINE = /^HTTP (GET|POST) (\/[^?\s]*) -> (\d{3}|no answer \([a-z_-]+\)) in (\d+) ms, attempt (\d+)$/;

function requestLines(messages: Message[]): Array<{ method: string; path: string; status: string; attempt: number }> {
  return ofType(messages, 'LOG')
    .filter((m) => m.log.level === 'DEBUG' && m.log.message.startsWith('HTTP '))
    .map((m) => {
      const match = LINE.exec(m.log.message);
      if (!match) throw new Error(`debug line not in the expected form: ${m.log.message}`);
      return { method: match[1]!, path: match[2]!, status: match[3]!, attempt: Number(match[5]) };
    });
}

/** What the emulator received, in the same terms: method, path without query, status. */
function received(): string[] {
  return emulator.log.map((e) => `${e.method} ${e.path.split('?')[0]} ${e.status}`).sort();
}

function catalog(): string {
  return writeJson(`debug-catalog-${Math.random()}.json`, {
    streams: ['organization', 'picklist', 'account'].map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'overwrite',
    })),
  });
}

test('read at debug: one line per request the emulator received, login and org, no query in any', async () => {
  const result = await runCli(['read', '--log-level', 'debug', '--config', config, '--catalog', catalog()]);
  expect(result.code).toBe(0);
  const lines = requestLines(result.messages);
  expect(lines.length).toBe(emulator.log.length);
  expect(lines.map((l) => `${l.method} ${l.path} ${l.status}`).sort()).toEqual(received());
  expect(emulator.requests('login').length).toBeGreaterThanOrEqual(2);
  expect(lines.filter((l) => l.path.endsWith('/$batch')).length).toBe(emulator.log.filter((e) => e.path.split('?')[0]!.endsWith('/$batch')).length);
  // 5 rows at page_size 2: three pages, each its own line.
  expect(lines.filter((l) => l.path === '/api/data/v9.2/accounts').map((l) => l.status)).toEqual(['200', '200', '200']);
  expect(lines.every((l) => l.attempt === 1)).toBe(true);
});

test('a 401 mid-read shows the refused attempt, the new token and the second attempt', async () => {
  emulator.faults.add({ target: 'org', path: '/organizations', action: { kind: 'expireTokens' } });
  const result = await runCli(['read', '--log-level', 'debug', '--config', config, '--catalog', catalog()]);
  expect(result.code).toBe(0);
  const lines = requestLines(result.messages);
  expect(lines.map((l) => `${l.method} ${l.path} ${l.status}`).sort()).toEqual(received());
  const organizations = lines.filter((l) => l.path === '/api/data/v9.2/organizations');
  expect(organizations.map((l) => [l.status, l.attempt])).toEqual([
    ['401', 1],
    ['200', 2],
  ]);
  expect(lines.filter((l) => l.path.endsWith('/oauth2/v2.0/token'))).toHaveLength(2);
});

test('at the default level no debug line is printed', async () => {
  const result = await runCli(['check', '--config', config]);
  expect(result.code).toBe(0);
  expect(emulator.log.length).toBeGreaterThan(0);
  expect(ofType(result.messages, 'LOG').filter((m) => m.log.level === 'DEBUG')).toEqual([]);
});
