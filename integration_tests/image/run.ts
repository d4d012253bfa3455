/**
 * `npm run test:image`: builds the Dockerfile with podman and runs spec, check, discover and read
 * inside the image against the emulator (host network), then compares every message with what the
 * same commands print on the host. Also checks what the platform relies on: the image runs as a
 * non-root user, with a read-only root filesystem, and holds no npm logs.
 *
 * podman comes from ../shared/tools/container-base.sh (Debian packages and a local stand-in for the
 * Dockerfile's base image; read its header). PODMAN and PODMAN_BUILD_CA in the environment skip
 * that step. Exits 1 on any difference.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { startEmulator } from '../emulator';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'source-dataverse');
const CA = path.join(ROOT, 'integration_tests', 'emulator', 'certs', 'ca.pem');
const CONTAINER_BASE = path.resolve(ROOT, '..', 'shared', 'tools', 'container-base.sh');

type Message = Record<string, any>;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; echo?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (options.echo) process.stdout.write(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (options.echo) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** This machine cannot provide podman (no packages, no debootstrap mirror): the test cannot run here, which is not a failure of the image. */
class CannotSetUp extends Error {}

/** Exit code for CannotSetUp, which .ci/run reports as a skipped step. */
const CANNOT_SET_UP = 3;

/** The podman wrapper and the build's CA mount, from the environment or from container-base.sh. */
async function podman(): Promise<{ podman: string; buildCa: string[] }> {
  if (process.env.PODMAN) return { podman: process.env.PODMAN, buildCa: (process.env.PODMAN_BUILD_CA ?? '').split(/\s+/).filter(Boolean) };
  if (!fs.existsSync(CONTAINER_BASE)) throw new CannotSetUp(`${CONTAINER_BASE} is missing: set PODMAN (and PODMAN_BUILD_CA) to a podman that can build`);
  // The script copies npm from the installation of the `node` on PATH and the binary from NODE_BIN:
  // put first the node that sits beside npm (this Node 24 may have no npm of its own).
  const npmCli = (await exec('bash', ['-c', 'readlink -f "$(command -v npm)"'])).stdout.trim();
  const npmPrefix = path.resolve(npmCli, '..', '..', '..', '..', '..');
  if (!fs.existsSync(path.join(npmPrefix, 'bin', 'node')) || !fs.existsSync(path.join(npmPrefix, 'lib', 'node_modules', 'npm'))) {
    throw new Error(`npm at ${npmCli} is not in a Node installation (${npmPrefix}/bin/node and lib/node_modules/npm) that container-base.sh can copy it from`);
  }
  process.stdout.write(`Setting up podman with ${path.relative(ROOT, CONTAINER_BASE)} (NODE_BIN=${process.execPath}, Node ${process.version}; npm from ${npmPrefix})\n`);
  const env = { ...process.env, NODE_BIN: process.execPath, PATH: `${path.join(npmPrefix, 'bin')}:${process.env.PATH ?? ''}` };
  const setup = await exec('bash', [CONTAINER_BASE], { env });
  process.stderr.write(setup.stderr);
  const match = /PODMAN=(\S+) PODMAN_BUILD_CA='([^']*)'/.exec(setup.stdout.trim().split('\n').pop() ?? '');
  if (setup.code !== 0 || !match) throw new CannotSetUp(`container-base.sh failed (exit ${setup.code}): ${setup.stdout.slice(-500)}`);
  return { podman: match[1]!, buildCa: match[2]!.split(/\s+/).filter(Boolean) };
}

/** Messages with what differs between any two runs blanked: times and durations. */
function normalise(stdout: string): Message[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line, (key, value) => (key === 'emitted_at' || key === 'emittedAt' ? 0 : value)) as Message)
    .map((m) => (m.type === 'LOG' ? { ...m, log: { ...m.log, message: String(m.log.message).replace(/\b\d+(\.\d+)? (s|ms)\b/g, 'N $2') } } : m));
}

/**
 * The messages per stream, each stream's in its order. Streams are read concurrently, so how
 * their messages interleave differs from run to run; within a stream the order is the contract.
 * Messages of no stream (LOGs of several streams) are compared as a sorted list.
 */
function perStream(messages: Message[]): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const m of messages) {
    const name = m.record?.stream ?? m.state?.stream?.stream_descriptor?.name ?? m.trace?.stream_status?.stream_descriptor?.name ?? m.trace?.estimate?.name ?? '';
    groups.set(name, [...(groups.get(name) ?? []), JSON.stringify(m)]);
  }
  const other = groups.get('');
  if (other) other.sort();
  return [...groups].sort(([x], [y]) => x.localeCompare(y));
}

function summary(command: string, messages: Message[]): string {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.type, (counts.get(m.type) ?? 0) + 1);
  const detail =
    command === 'check'
      ? ` (${messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status})`
      : command === 'discover'
        ? ` (streams ${messages.find((m) => m.type === 'CATALOG')?.catalog.streams.map((s: Message) => s.name).join(', ')})`
        : '';
  return `${[...counts].map(([type, n]) => `${n} ${type}`).join(', ')}${detail}`;
}

async function main(): Promise<number> {
  const metadata = (YAML.parse(fs.readFileSync(path.join(ROOT, 'metadata.yaml'), 'utf8')) as { data: { dockerRepository: string } }).data;
  const image = `${metadata.dockerRepository}:dev`;
  const { podman: P, buildCa } = await podman();
  process.stdout.write(`\n$ podman build -t ${image} .\n`);
  const build = await exec(P, ['build', ...buildCa, '-t', image, '.'], { echo: true });
  if (build.code !== 0) throw new Error(`podman build failed (exit ${build.code})`);

  let failures = 0;
  const fail = (what: string): void => {
    failures++;
    process.stdout.write(`FAIL ${what}\n`);
  };
  const inImage = (entrypoint: string, args: string[], user: string[] = []) => exec(P, ['run', '--rm', '--read-only', ...user, '--entrypoint', entrypoint, image, ...args]);
  const user = await inImage('id', ['-u']);
  if (user.code !== 0 || user.stdout.trim() === '0') fail(`the image must run as a non-root user (id -u: ${user.stdout.trim()} ${user.stderr.trim()})`);
  else process.stdout.write(`image user: uid ${user.stdout.trim()}\n`);
  // As root: the build's npm ran as root, and /root is closed to the image's own user.
  const logs = await inImage('sh', ['-c', "find / -xdev \\( -path '*/.npm/_logs*' -o -name 'npm-debug.log*' \\) -print 2>/dev/null; true"], ['--user', '0']);
  if (logs.stdout.trim() !== '') fail(`the image holds npm logs:\n${logs.stdout}`);
  else process.stdout.write('image npm logs: none\n');

  const emulator = await startEmulator();
  try {
    emulator.tables.define('account', { rowCount: 12 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-dataverse-image-'));
    fs.chmodSync(dir, 0o755);
    const config = emulator.config({ entities: ['account'], picklists: ['account.industrycode'], page_size: 5 });
    const entry = (name: string, mode: string) => ({ stream: { name, json_schema: {}, supported_sync_modes: [mode] }, sync_mode: mode, destination_sync_mode: 'append' });
    const files = {
      'config.json': JSON.stringify(config),
      'catalog.json': JSON.stringify({ streams: [entry('organization', 'full_refresh'), entry('picklist', 'full_refresh'), entry('account', 'incremental')] }),
      'ca.pem': fs.readFileSync(CA, 'utf8'),
    };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text, { mode: 0o644 });
    const commands: Array<[string, (at: string) => string[]]> = [
      ['spec', () => ['spec']],
      ['check', (at) => ['check', '--config', `${at}/config.json`]],
      ['discover', (at) => ['discover', '--config', `${at}/config.json`]],
      ['read', (at) => ['read', '--config', `${at}/config.json`, '--catalog', `${at}/catalog.json`]],
    ];
    for (const [name, args] of commands) {
      const host = await exec(process.execPath, [BIN, ...args(dir)], { env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: CA } });
      const container = await exec(P, ['run', '--rm', '--read-only', '--network', 'host', '-v', `${dir}:/config:ro`, '-e', 'NODE_EXTRA_CA_CERTS=/config/ca.pem', image, ...args('/config')]);
      process.stdout.write(`\n$ podman run ${image} ${args('/config').join(' ')}\n  exit ${container.code}: ${container.code === 0 ? summary(name, normalise(container.stdout)) : container.stderr.slice(-500)}\n`);
      if (host.code !== 0 || container.code !== 0) {
        fail(`${name}: exit ${container.code} in the image, ${host.code} on the host`);
        continue;
      }
      const [a, b] = [JSON.stringify(perStream(normalise(host.stdout))), JSON.stringify(perStream(normalise(container.stdout)))];
      if (a !== b) fail(`${name}: the image printed other messages than the host\n  host:  ${a.slice(0, 800)}\n  image: ${b.slice(0, 800)}`);
      else process.stdout.write(`  same ${normalise(host.stdout).length} messages as on the host\n`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    await emulator.close();
  }
  process.stdout.write(failures === 0 ? '\nimage test: passed\n' : `\nimage test: ${failures} failure(s)\n`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    process.stderr.write(`image test: ${err instanceof CannotSetUp ? 'cannot run on this machine: ' : ''}${err.message}\n`);
    process.exitCode = err instanceof CannotSetUp ? CANNOT_SET_UP : 1;
  },
);
