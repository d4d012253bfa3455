/**
 * `npm run demo`: starts the emulator, then runs the built CLI's spec, check, discover and read
 * against it exactly as a platform would (separate process, real MSAL, real HTTPS), and shows
 * what came back. Exits 1 if any step does not do what it should.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator } from './emulator';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'source-dataverse');

type Message = Record<string, any>;

function run(args: string[]): Promise<{ code: number | null; messages: Message[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, messages: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Message) }));
  });
}

function show(title: string, lines: string[]): void {
  process.stdout.write(`\n$ source-dataverse ${title}\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

async function main(): Promise<number> {
  const emulator = await startEmulator();
  emulator.tables.define('account', { rowCount: 12 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-dataverse-demo-'));
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(emulator.config({ picklists: ['account.industrycode', 'account.statuscode'], entities: ['account'], page_size: 5 }), null, 2));
  const catalogFile = path.join(dir, 'catalog.json');
  const entry = (name: string, mode: string) => ({ stream: { name, json_schema: {}, supported_sync_modes: [mode] }, sync_mode: mode, destination_sync_mode: 'append' });
  fs.writeFileSync(catalogFile, JSON.stringify({ streams: [entry('organization', 'full_refresh'), entry('picklist', 'full_refresh'), entry('account', 'incremental')] }));
  let ok = true;
  try {
    process.stdout.write(`Emulator: Entra ID at ${emulator.loginUrl}, Dataverse at ${emulator.orgUrl}\nConfig: ${configFile} (client_secret hidden)\n`);

    const spec = await run(['spec']);
    const fields = Object.keys(spec.messages[0]?.spec?.connectionSpecification?.properties ?? {});
    show('spec', [`SPEC with ${fields.length} config fields: ${fields.join(', ')}`]);
    ok &&= spec.code === 0 && fields.length > 0;

    const check = await run(['check', '--config', configFile]);
    const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    show(`check --config ${path.basename(configFile)}`, [`CONNECTION_STATUS ${status?.status}${status?.message ? `: ${status.message}` : ''}`]);
    ok &&= status?.status === 'SUCCEEDED';

    const discover = await run(['discover', '--config', configFile]);
    const streams = discover.messages.find((m) => m.type === 'CATALOG')?.catalog.streams ?? [];
    show(
      `discover --config ${path.basename(configFile)}`,
      streams.map((s: Message) => `stream ${s.name}: ${s.supported_sync_modes.join(', ')}; primary key ${JSON.stringify(s.source_defined_primary_key)}; ${Object.keys(s.json_schema.properties).length} fields`),
    );
    ok &&= streams.length > 0;

    const read = await run(['read', '--config', configFile, '--catalog', catalogFile]);
    const shown = new Map<string, number>();
    const lines = read.messages.flatMap((m) => {
      if (m.type === 'RECORD') {
        // The organization record in full, the first two of every other stream.
        const n = (shown.get(m.record.stream) ?? 0) + 1;
        shown.set(m.record.stream, n);
        if (m.record.stream === 'organization') return [`RECORD organization ${JSON.stringify(m.record.data, null, 2).replace(/\n/g, '\n  ')}`];
        return n <= 2 ? [`RECORD ${m.record.stream} ${JSON.stringify(m.record.data).slice(0, 160)}...`] : [];
      }
      if (m.type === 'STATE') {
        const state = { ...m.state.stream.stream_state };
        if (state.resume_link) state.resume_link = '<next page link>';
        return [`STATE ${m.state.stream.stream_descriptor.name} ${JSON.stringify(state)} recordCount=${m.state.sourceStats.recordCount}`];
      }
      if (m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS') return [`STATUS ${m.trace.stream_status.stream_descriptor.name} ${m.trace.stream_status.status}`];
      if (m.type === 'LOG') return [`LOG ${m.log.level} ${m.log.message}`];
      return [`${m.type} ${JSON.stringify(m).slice(0, 200)}`];
    });
    show(`read --config ${path.basename(configFile)} --catalog ${path.basename(catalogFile)}`, lines);
    ok &&= read.code === 0 && read.messages.some((m) => m.type === 'RECORD');

    const requests = emulator.log.map((e) => `${e.target.padEnd(5)} ${e.method.padEnd(4)} ${e.path.split('?')[0]} -> ${e.status}`);
    process.stdout.write(`\nRequests the emulator received (${requests.length}):\n${requests.map((r) => `  ${r}`).join('\n')}\n`);
    process.stdout.write(ok ? '\nDemo OK.\n' : '\nDemo FAILED: a step did not do what it should (see above).\n');
    return ok ? 0 : 1;
  } finally {
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
