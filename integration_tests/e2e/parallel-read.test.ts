/**
 * Streams read concurrently against the emulator, through real MSAL and HTTPS. In process: the
 * worker count is the `read` command's injected `workers` getter, which the CLI fills from the
 * throttle gate and `max_parallel_requests` (parallel-cli.test.ts runs the CLI itself); everything
 * else is the production path (source build, token, requester, scheduler, writer's messages).
 * Tables of at most 3 pages: streams read whole (the planner cuts tables of 4 pages or more),
 * so each stream keeps the emulator's row order while the streams interleave.
 */
import { startEmulator, type Emulator } from '../emulator';
import type { CommandDeps } from '../../connector/commands/deps';
import { read } from '../../connector/commands/read';
import type { AirbyteMessage, Output } from '../../connector/protocol/messages';
import { Redactor } from '../../connector/protocol/redactor';
import { writeJson } from '../helpers/cli';

let emulator: Emulator;
const TABLES: Record<string, { set: string; key: string; rows: number }> = {
  account: { set: 'accounts', key: 'accountid', rows: 260 },
  contact: { set: 'contacts', key: 'contactid', rows: 180 },
  opportunity: { set: 'opportunities', key: 'opportunityid', rows: 140 },
};

beforeAll(async () => {
  emulator = await startEmulator();
  for (const [entity, { rows }] of Object.entries(TABLES)) emulator.tables.define(entity, { rowCount: rows });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.faults.clear();
  emulator.log.length = 0;
  // Each page takes a moment, as on the service: concurrent reads then overlap for certain.
  emulator.faults.add({ target: 'org', method: 'GET', path: /\/(accounts|contacts|opportunities)\?/, times: Infinity, action: { kind: 'delay', ms: 25 } });
});

function deps(workers: number): CommandDeps {
  const redactor = new Redactor();
  return {
    redactor,
    now: Date.now,
    workers: () => workers,
    http: {
      fetch: globalThis.fetch,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: Date.now,
      random: Math.random,
      timeoutMs: 30_000,
      redact: (text) => redactor.redact(text),
      reachedHosts: new Set(),
      log: () => undefined,
    },
  };
}

async function readAll(workers: number, mode: 'full_refresh' | 'incremental', state?: string): Promise<Output[]> {
  const config = writeJson(`parallel-config-${Math.random()}.json`, emulator.config({ entities: Object.keys(TABLES), page_size: 100 }));
  const catalog = writeJson(`parallel-catalog-${Math.random()}.json`, {
    streams: Object.keys(TABLES).map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: mode, destination_sync_mode: 'append' })),
  });
  const outputs: Output[] = [];
  for await (const output of read({ config, catalog, ...(state ? { state } : {}) }, deps(workers))) outputs.push(output);
  return outputs;
}

/** Per message: [kind, stream, detail] with records expanded to their keys. */
function linesOf(outputs: Output[]): Array<[string, string, unknown]> {
  const lines: Array<[string, string, unknown]> = [];
  for (const output of outputs) {
    if (output.type === 'RECORD_BATCH') {
      for (const record of output.records) lines.push(['RECORD', output.stream, record[TABLES[output.stream].key]]);
      continue;
    }
    const m = output as AirbyteMessage & Record<string, any>;
    if (m.type === 'STATE') lines.push(['STATE', m.state.stream.stream_descriptor.name, { count: m.state.sourceStats.recordCount, state: m.state.stream.stream_state }]);
    if (m.type === 'TRACE' && m.trace.stream_status) lines.push(['STATUS', m.trace.stream_status.stream_descriptor.name, m.trace.stream_status.status]);
  }
  return lines;
}

/** The most entity-set GETs the emulator was answering at one moment. */
function maxOverlap(): number {
  const pages = emulator.requests('org').filter((e) => e.method === 'GET' && /\/(accounts|contacts|opportunities)\?/.test(e.path));
  const edges = pages.flatMap((e) => [[e.at, 1], [e.endedAt ?? Infinity, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (now += step));
  return most;
}

function checkStreams(lines: Array<[string, string, unknown]>): void {
  for (const [entity, { key, rows }] of Object.entries(TABLES)) {
    const own = lines.filter((l) => l[1] === entity);
    expect(own.filter((l) => l[0] === 'STATUS').map((l) => l[2])).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    const ids = own.filter((l) => l[0] === 'RECORD').map((l) => l[2]);
    expect(ids).toEqual(emulator.tables.rows(entity).map((row) => row[key]));
    expect(ids).toHaveLength(rows);
    let since = 0;
    for (const [kind, , detail] of own) {
      if (kind === 'RECORD') since++;
      if (kind === 'STATE') {
        expect((detail as { count: number }).count).toBe(since);
        since = 0;
      }
    }
    expect(since).toBe(0);
  }
}

test('three entity streams read by three workers at once: every row once, per-stream order and exact counts kept', async () => {
  const lines = linesOf(await readAll(3, 'full_refresh'));
  checkStreams(lines);
  expect(maxOverlap()).toBe(3);
  // Records of the streams interleave: contact's first record comes before account's COMPLETE.
  const accountDone = lines.findIndex((l) => l[0] === 'STATUS' && l[1] === 'account' && l[2] === 'COMPLETE');
  expect(lines.findIndex((l) => l[0] === 'RECORD' && l[1] === 'contact')).toBeLessThan(accountDone);
  // One token request for the whole read: every worker sends the same cached token.
  expect(emulator.requests('login').filter((e) => e.method === 'POST')).toHaveLength(1);
});

test('change-tracked incremental reads by three workers: every STATE with its exact count, resume links between pages, a delta token at the end', async () => {
  const lines = linesOf(await readAll(3, 'incremental'));
  checkStreams(lines);
  expect(maxOverlap()).toBe(3);
  for (const entity of Object.keys(TABLES)) {
    const states = lines.filter((l) => l[0] === 'STATE' && l[1] === entity).map((l) => (l[2] as { state: Record<string, unknown> }).state);
    expect(states.slice(0, -1).every((s) => typeof s.resume_link === 'string')).toBe(true);
    expect(Object.keys(states.at(-1) as object)).toEqual(['deltatoken']);
  }
});

test('one worker reads the streams one after another, one page at a time', async () => {
  const lines = linesOf(await readAll(1, 'full_refresh'));
  checkStreams(lines);
  expect(maxOverlap()).toBe(1);
  const order = lines.filter((l) => l[0] === 'STATUS').map((l) => `${l[1]} ${l[2]}`);
  expect(order).toEqual(Object.keys(TABLES).flatMap((entity) => [`${entity} STARTED`, `${entity} RUNNING`, `${entity} COMPLETE`]));
});

test.each([[0.15], [0.5], [0.85]])('incremental reads by three workers cut at %f of their output and resumed from each stream\'s last STATE: every row exactly once', async (at) => {
  const whole = await readAll(3, 'incremental');
  // The kill: the platform got every message before the cut and nothing after it.
  const cut = whole.slice(0, Math.floor(whole.length * at));
  const lastStates = new Map<string, AirbyteMessage>();
  for (const m of cut) if (m.type === 'STATE') lastStates.set((m as any).state.stream.stream_descriptor.name, m as AirbyteMessage);
  const kept = linesOf(cut);
  const state = writeJson(`parallel-state-${Math.random()}.json`, [...lastStates.values()].map((m) => (m as any).state));
  const resumed = linesOf(await readAll(3, 'incremental', state));
  for (const [entity, { key }] of Object.entries(TABLES)) {
    const lastState = kept.map((l) => l[0] === 'STATE' && l[1] === entity).lastIndexOf(true);
    const before = kept.slice(0, lastState + 1).filter((l) => l[0] === 'RECORD' && l[1] === entity).map((l) => l[2]);
    const after = resumed.filter((l) => l[0] === 'RECORD' && l[1] === entity).map((l) => l[2]);
    expect([...before, ...after].sort()).toEqual(emulator.tables.rows(entity).map((row) => row[key]).sort());
  }
});
