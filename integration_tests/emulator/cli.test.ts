/** `npm run emulator`: argument parsing, and the built CLI end to end (needs `npm run build`). */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCliArgs } from './cli';
import { requestToken } from './testing';
import { GOOD_CLIENT_ID, GOOD_CLIENT_SECRET, GOOD_TENANT_ID } from './world';

const REPO = path.resolve(__dirname, '..', '..');
const BUILT_CLI = path.join(REPO, 'dist', 'integration_tests', 'emulator', 'cli.js');

describe('parseCliArgs', () => {
  it('reads every flag', () => {
    expect(parseCliArgs(['--login-port', '4431', '--org-port', '4432', '--seed', '9', '--config-out', 'c.json', '--rows', 'account=1000', '--rows', 'contact=5'])).toEqual({
      help: false,
      loginPort: 4431,
      orgPort: 4432,
      seed: 9,
      configOut: 'c.json',
      rows: { account: 1000, contact: 5 },
    });
    expect(parseCliArgs([])).toEqual({ help: false, rows: {} });
    expect(parseCliArgs(['--help']).help).toBe(true);
  });

  it('reads the service-model flags into the service option, and leaves it out without them', () => {
    expect(parseCliArgs(['--latency']).service).toEqual({ latency: {} });
    expect(
      parseCliArgs(['--latency-base-ms', '100', '--latency-per-cell-ms', '0.5', '--max-concurrent-requests', '4', '--execution-budget-ms', '5000', '--execution-window-ms', '10000', '--dop-hint', '6', '--seed', '2']),
    ).toEqual({ help: false, rows: {}, seed: 2, service: { latency: { baseMs: 100, perCellMs: 0.5 }, maxConcurrentRequests: 4, executionBudgetMs: 5000, executionWindowMs: 10000, dopHint: 6 } });
    expect(parseCliArgs(['--seed', '3'])).toEqual({ help: false, rows: {}, seed: 3 });
  });

  it.each([
    [['--nope'], "unknown argument '--nope'"],
    [['--latency-per-cell-ms', 'x'], "--latency-per-cell-ms needs a decimal number of milliseconds, got 'x'"],
    [['--max-concurrent-requests', '0'], "--max-concurrent-requests needs an integer from 1 to 10000, got '0'"],
    [['--rows', 'account'], '--rows needs ENTITY=N, e.g. account=1000'],
    [['--org-port'], '--org-port needs an integer from 0 to 65535, got nothing'],
    [['--org-port', '70000'], "--org-port needs an integer from 0 to 65535, got '70000'"],
    [['--seed', '-1'], "--seed needs an integer from 0 to 4294967295, got '-1'"],
    [['--config-out'], '--config-out needs a file name'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('built CLI', () => {
  it('prints a working config, writes it to --config-out, and exits 0 on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-cli-'));
    const out = path.join(dir, 'config.json');
    const child = spawn(process.execPath, [BUILT_CLI, '--config-out', out, '--seed', '3'], {
      cwd: REPO,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(REPO, 'integration_tests/emulator/certs/ca.pem') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('Ctrl-C stops it.\n')) resolve();
        });
        child.on('exit', () => reject(new Error(`CLI exited early: ${stderr}`)));
      });
      const config = JSON.parse(stdout);
      expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(config);
      expect(config).toEqual({
        org_url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
        tenant_id: GOOD_TENANT_ID,
        client_id: GOOD_CLIENT_ID,
        client_secret: GOOD_CLIENT_SECRET,
        authority_host: expect.stringMatching(/^https:\/\/localhost:\d+$/),
      });
      expect(stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
      const res = await requestToken({ loginUrl: config.authority_host, orgUrl: config.org_url });
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(await exited).toBe(0);
  });
});
