/**
 * Parallel reads through the built CLI: the throttle gate's limit (`max_parallel_requests`, else
 * the service's dop hint) decides how many streams read at once, against the emulator with its
 * latency model on, so concurrent page requests overlap for certain.
 */
import { startEmulator, type Emulator } from '../emulator';
import { runCli, writeJson } from '../helpers/cli';
import { maxInFlight } from '../helpers/service-limits';

const TABLES: Record<string, { set: string; key: string; rows: number }> = {
  account: { set: 'accounts', key: 'accountid', rows: 120 },
  contact: { set: 'contacts', key: 'contactid', rows: 90 },
  opportunity: { set: 'opportunities', key: 'opportunityid', rows: 60 },
};

let emulator: Emulator;
beforeAll(async () => {
  // 40 ms a page plus a little per cell: pages of different streams overlap when read concurrently.
  emulator = await startEmulator({ service: { latency: { baseMs: 40, perCellMs: 0.001 }, dopHint: 2 } });
  for (const [entity, { rows }] of Object.entries(TABLES)) emulator.tables.define(entity, { rowCount: rows });
});
afterAll(() => emulator.close());

async function readAll(extra: Record<string, unknown>) {
  emulator.log.length = 0;
  const config = writeJson(`parallel-cli-config-${Math.random()}.json`, { ...emulator.config({ entities: Object.keys(TABLES), page_size: 30 }), ...extra });
  const catalog = writeJson(`parallel-cli-catalog-${Math.random()}.json`, {
    streams: Object.keys(TABLES).map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })),
  });
  const result = await runCli(['read', '--config', config, '--catalog', catalog]);
  const pageGets = emulator.log.filter((e) => e.target === 'org' && e.method === 'GET' && /^\/api\/data\/v9\.2\/(accounts|contacts|opportunities)\?/.test(e.path));
  return { result, pageGets };
}

/** Every row once; each STATE counts exactly the stream's records since its previous STATE; the last follows them all. */
function checkOutput(messages: Array<Record<string, any>>): void {
  for (const [name, { key, rows }] of Object.entries(TABLES)) {
    const ids = messages.filter((m) => m.type === 'RECORD' && m.record.stream === name).map((m) => m.record.data[key]);
    expect([ids.length, new Set(ids).size]).toEqual([rows, rows]);
    let since = 0;
    const counted: number[] = [];
    for (const m of messages) {
      if (m.type === 'RECORD' && m.record.stream === name) since++;
      if (m.type === 'STATE' && m.state.stream.stream_descriptor.name === name) {
        expect(m.state.sourceStats.recordCount).toBe(since);
        counted.push(since);
        since = 0;
      }
    }
    expect(since).toBe(0);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(rows);
  }
}

test('max_parallel_requests: 3 reads the three streams at once, every row once', async () => {
  const { result, pageGets } = await readAll({ max_parallel_requests: 3 });
  expect(result.code).toBe(0);
  checkOutput(result.messages as Array<Record<string, any>>);
  expect(maxInFlight(pageGets)).toBe(3);
});

test('without the field the service\'s dop hint (2 here) is the bound', async () => {
  const { result, pageGets } = await readAll({});
  expect(result.code).toBe(0);
  checkOutput(result.messages as Array<Record<string, any>>);
  expect(maxInFlight(pageGets)).toBe(2);
});

test('max_parallel_requests: 1 reads one stream after another, as before parallel reads', async () => {
  const { result, pageGets } = await readAll({ max_parallel_requests: 1 });
  expect(result.code).toBe(0);
  checkOutput(result.messages as Array<Record<string, any>>);
  expect(maxInFlight(pageGets)).toBe(1);
  const order = (result.messages as Array<Record<string, any>>).filter((m) => m.type === 'RECORD').map((m) => m.record.stream);
  expect([...new Set(order)]).toEqual(['account', 'contact', 'opportunity']);
  expect(order.lastIndexOf('account')).toBeLessThan(order.indexOf('contact'));
});
