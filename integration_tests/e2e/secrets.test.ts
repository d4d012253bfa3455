/**
 * Runs every command, on success and failure paths, with a known client secret, and asserts that
 * neither the secret nor any access token the emulator issued appears in stdout or stderr.
 */
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../emulator';
import { GOOD_CLIENT_SECRET, UNKNOWN_TENANT_ID, WRONG_CLIENT_SECRET } from '../emulator/world';
import { ROOT, runCli, writeJson, type CliResult } from '../helpers/cli';

let emulator: Emulator;
const outputs: Array<[string, CliResult]> = [];
const catalog = path.join(ROOT, 'integration_tests', 'configured_catalog.json');

beforeAll(async () => {
  emulator = await startEmulator();
  const good = writeJson('secrets-good.json', emulator.config());
  const wrong = writeJson('secrets-wrong.json', emulator.config({ client_secret: WRONG_CLIENT_SECRET }));
  const badTenant = writeJson('secrets-tenant.json', emulator.config({ tenant_id: UNKNOWN_TENANT_ID }));
  const badType = writeJson('secrets-type.json', { ...emulator.config(), page_size: 'lots', tenant_id: 42 });
  const runs: Array<[string, string[]]> = [
    ['spec', ['spec']],
    ['check good', ['check', '--config', good]],
    ['check wrong secret', ['check', '--config', wrong]],
    ['check unknown tenant', ['check', '--config', badTenant]],
    ['check bad types', ['check', '--config', badType]],
    ['discover', ['discover', '--config', good]],
    ['discover wrong secret', ['discover', '--config', wrong]],
    ['read', ['read', '--config', good, '--catalog', catalog]],
    ['read wrong secret', ['read', '--config', wrong, '--catalog', catalog]],
  ];
  for (const [name, args] of runs) outputs.push([name, await runCli(args)]);
  // A 401 mid-read forces a second token; both must stay hidden.
  emulator.faults.add({ target: 'org', path: '/organizations', action: { kind: 'expireTokens' } });
  outputs.push(['read after token revocation', await runCli(['read', '--config', good, '--catalog', catalog])]);
});
afterAll(() => emulator.close());

test('the runs did what they should (so the scan below covers real output)', () => {
  const codes = Object.fromEntries(outputs.map(([name, r]) => [name, r.code]));
  expect(codes).toEqual({
    spec: 0,
    'check good': 0,
    'check wrong secret': 0,
    'check unknown tenant': 0,
    'check bad types': 0,
    discover: 0,
    'discover wrong secret': 0,
    read: 0,
    'read wrong secret': 1,
    'read after token revocation': 0,
  });
  // check good, read, and read after revocation twice: discover reads no metadata yet.
  expect(emulator.issuedTokens()).toHaveLength(4);
});

test('no secret and no access token in any stdout or stderr', () => {
  const secrets = [GOOD_CLIENT_SECRET, WRONG_CLIENT_SECRET, ...emulator.issuedTokens()];
  for (const [name, result] of outputs) {
    for (const secret of secrets) {
      expect([name, result.stdout.includes(secret), result.stderr.includes(secret)]).toEqual([name, false, false]);
    }
  }
});
