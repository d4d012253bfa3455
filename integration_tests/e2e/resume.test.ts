/**
 * Resume after a crash: a read killed with SIGKILL at several points, resumed from the last STATE it
 * printed, yields every row at least once across both runs; and in every run no STATE is printed
 * before the records it covers (each recordCount equals the records printed since the previous one).
 */
import { spawn } from 'node:child_process';
import { startEmulator, type Emulator } from '../emulator';
import { assertValidMessage } from '../helpers/messages';
import { BIN, CA, ROOT, runCli, writeJson, type Message } from '../helpers/cli';

let emulator: Emulator;
const ROWS = { account: 600, sample_bankaccount: 400 };
const KEY = { account: 'accountid', sample_bankaccount: 'sample_bankaccountid' } as const;
type Entity = keyof typeof ROWS;

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.tables.define('account', { rowCount: ROWS.account });
  emulator.tables.define('sample_bankaccount', { rowCount: ROWS.sample_bankaccount });
});
afterAll(() => emulator.close());

const config = () => writeJson(`resume-config-${Math.random()}.json`, emulator.config({ entities: ['account', 'sample_bankaccount'], page_size: 40 }));
const catalog = () =>
  writeJson('resume-catalog.json', {
    streams: (['account', 'sample_bankaccount'] as const).map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append' })),
  });

/** Runs read and SIGKILLs it once `killAfter` complete lines were printed; returns the complete lines. */
function readUntilKilled(args: string[], killAfter: number): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: CA }, stdio: ['ignore', 'pipe', 'ignore'] });
    let buffer = '';
    const lines: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) if (lines.length < killAfter) lines.push(line);
      if (lines.length >= killAfter) child.kill('SIGKILL');
    });
    child.on('error', reject);
    // A half-written last line is what a crash leaves: it is dropped, as a platform would.
    child.on('close', () => resolve(lines.map((l) => JSON.parse(l) as Message)));
  });
}

/** The invariant of every run: each STATE's recordCount equals the records of its stream printed since its previous STATE. */
function assertStatesFollowTheirRecords(messages: Message[]): void {
  const since = new Map<string, number>();
  for (const m of messages) {
    assertValidMessage(m);
    if (m.type === 'RECORD') since.set(m.record.stream, (since.get(m.record.stream) ?? 0) + 1);
    if (m.type === 'STATE') {
      const name = m.state.stream.stream_descriptor.name;
      expect([name, m.state.sourceStats.recordCount]).toEqual([name, since.get(name) ?? 0]);
      since.set(name, 0);
    }
  }
}

const idsOf = (messages: Message[], entity: Entity) => messages.filter((m) => m.type === 'RECORD' && m.record.stream === entity).map((m) => m.record.data[KEY[entity]] as string);

test('an uninterrupted read: every STATE follows exactly the records it counts', async () => {
  const result = await runCli(['read', '--config', config(), '--catalog', catalog()]);
  expect(result.code).toBe(0);
  assertStatesFollowTheirRecords(result.messages);
  for (const entity of Object.keys(ROWS) as Entity[]) expect(new Set(idsOf(result.messages, entity)).size).toBe(ROWS[entity]);
});

// Kill points spread over both streams: early in account's initial load, mid-way, at the stream
// boundary, inside sample_bankaccount's cursor read, near the end.
test.each([25, 180, 420, 640, 700, 900, 1020])('killed after %i lines, resumed from the last STATE: every row at least once', async (killAfter) => {
  const first = await readUntilKilled(['read', '--config', config(), '--catalog', catalog()], killAfter);
  // It printed at least that many lines: the kill landed mid-run, not after the end.
  expect(first).toHaveLength(killAfter);
  assertStatesFollowTheirRecords(first);
  const lastStates = new Map<string, Message>();
  for (const m of first) if (m.type === 'STATE') lastStates.set(m.state.stream.stream_descriptor.name, m.state);
  const args = ['read', '--config', config(), '--catalog', catalog()];
  if (lastStates.size > 0) args.push('--state', writeJson(`resume-state-${killAfter}.json`, [...lastStates.values()]));
  const second = await runCli(args);
  expect(second.code).toBe(0);
  assertStatesFollowTheirRecords(second.messages);
  for (const entity of Object.keys(ROWS) as Entity[]) {
    const union = new Set([...idsOf(first, entity), ...idsOf(second.messages, entity)]);
    expect([entity, union.size]).toEqual([entity, ROWS[entity]]);
  }
});
