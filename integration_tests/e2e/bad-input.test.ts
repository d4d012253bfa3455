/** Every bad input of the table is rejected by `read` with one TRACE config_error carrying the exact message, exit 1. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../emulator';
import { runCli } from '../helpers/cli';
import { BAD_INPUT_CASES, BASE, DIRECTORY, MISSING, ORG_URL, type FileContent } from './bad-input-cases';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-dataverse-bad-input-'));
let emulator: Emulator | undefined;
beforeAll(async () => {
  if (BAD_INPUT_CASES.some((c) => c.emulator)) emulator = await startEmulator();
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await emulator?.close();
});

function place(name: string, content: FileContent, orgUrl?: string): string {
  const file = path.join(dir, name);
  if (content === MISSING) return file;
  if (content === DIRECTORY) {
    fs.mkdirSync(file);
    return file;
  }
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  fs.writeFileSync(file, orgUrl ? text.split(ORG_URL).join(orgUrl) : text);
  return file;
}

/** The connection fields of the emulator's config over the case's own config. */
function emulatorConfig(config: FileContent): Record<string, unknown> {
  const { org_url, tenant_id, client_id, client_secret, authority_host } = (emulator as Emulator).config();
  return { ...(config as Record<string, unknown>), org_url, tenant_id, client_id, client_secret, authority_host };
}

test('at least 30 bad inputs are tried', () => {
  expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(30);
});

test.each(BAD_INPUT_CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
  const orgUrl = c.emulator ? (emulator as Emulator).orgUrl : undefined;
  const before = emulator?.requests().length ?? 0;
  const configFile = place(`config-${i}.json`, c.emulator ? emulatorConfig(c.config ?? BASE.config) : (c.config ?? BASE.config));
  const catalogFile = place(`catalog-${i}.json`, c.catalog ?? BASE.catalog);
  const args = ['read', '--config', configFile, '--catalog', catalogFile];
  let stateFile: string | undefined;
  if (c.input === 'state') {
    stateFile = place(`state-${i}.json`, c.state, orgUrl);
    args.push('--state', stateFile);
  }
  const fileAtFault = { config: configFile, catalog: catalogFile, state: stateFile }[c.input] as string;
  const result = await runCli(args);
  expect(result.code).toBe(1);
  expect(result.messages).toHaveLength(1);
  const [trace] = result.messages;
  expect(trace.trace.error.failure_type).toBe('config_error');
  expect(trace.trace.error.message).toBe(c.message.replace('FILE', fileAtFault).split(ORG_URL).join(orgUrl ?? ORG_URL));
  if (c.emulator) {
    // Only metadata was asked for: the check came before any row was requested.
    const paths = (emulator as Emulator).requests().slice(before).map((r) => r.path.split('?')[0]);
    expect(paths.filter((p) => /\/api\/data\/v9\.2\/(accounts|contacts)$/.test(p))).toEqual([]);
    expect(paths).toContain('/api/data/v9.2/EntityDefinitions');
  }
});
