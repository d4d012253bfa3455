/**
 * Large rows end to end (issue 10): tables whose memo columns hold 16-256 KB a row. A walk's
 * first page past 32 MB is asked again with a quarter of the rows until it fits in 8 MB
 * (streams/retriever.ts); the walk
 * keeps that size, and a saved link carries it, so a resumed read asks for the same page size
 * its link was made with (Dataverse wants one odata.maxpagesize per walk, facts §5).
 */
import { startEmulator, type Emulator } from '../emulator';
import { createDefaultWorld } from '../emulator/world';
import { ofType, records, runCli, writeJson, type CliResult, type Message } from '../helpers/cli';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ world: createDefaultWorld() });
});
afterAll(() => emulator.close());

async function read(mode: 'full_refresh' | 'incremental', extra: Record<string, unknown> = {}, state?: unknown): Promise<CliResult> {
  const config = writeJson(`large-config-${Math.random()}.json`, emulator.config({ entities: ['account'], ...extra }));
  const catalog = writeJson(`large-catalog-${Math.random()}.json`, {
    streams: [{ stream: { name: 'account', json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: mode, destination_sync_mode: 'append' }],
  });
  const args = ['read', '--config', config, '--catalog', catalog];
  if (state) args.push('--state', writeJson(`large-state-${Math.random()}.json`, [state]));
  const result = await runCli(args, { timeoutMs: 240_000 });
  if (result.code !== 0) console.log(result.messages.filter((m) => m.type !== 'RECORD').map((m) => JSON.stringify(m).slice(0, 500)).join('\n').slice(0, 3000), result.stderr.slice(0, 2000));
  return result;
}

/** The entity-set GETs since `from`: the page size each asked for, and its link (skiptoken kept). */
function pageRequests(from: number): Array<{ size: number; path: string }> {
  return emulator
    .requests('org')
    .slice(from)
    .filter((e) => e.method === 'GET' && e.path.startsWith('/api/data/v9.2/accounts?') && !decodeURIComponent(e.path).includes('$top=1'))
    .map((e) => ({ size: Number(/odata\.maxpagesize=(\d+)/.exec(String(e.headers.prefer))?.[1]), path: e.path }));
}

const ids = (messages: Message[]) => records(messages, 'account').map((m) => m.record.data.accountid as string);
const allIds = (n: number) => Array.from({ length: n }, (_, i) => emulator.tables.idAt('account', i));
const logs = (result: CliResult) => ofType(result.messages, 'LOG').map((m) => m.log.message as string).filter((m) => m.includes('large rows'));

test('a full refresh of 200 rows of 256 KB asks 5000, 1250, 312, 78, then 19 rows a page, and reads every row whole, once', async () => {
  emulator.tables.define('account', { rowCount: 200, memoBytes: 256 * 1024 });
  const from = emulator.requests('org').length;
  const result = await read('full_refresh');
  expect(result.code).toBe(0);
  const rows = records(result.messages, 'account');
  expect(ids(result.messages)).toEqual(allIds(200));
  expect(rows.filter((m) => (m.record.data.description as string).length === 256 * 1024)).toHaveLength(200);
  // 10 pages of 19 rows and one of 10.
  expect(pageRequests(from).map((r) => r.size)).toEqual([5000, 1250, 312, 78, ...Array(11).fill(19)]);
  expect(logs(result)).toEqual([
    'the first page of GET /api/data/v9.2/accounts passed 32 MB at 5000 rows per page (large rows); asking again with 1250 rows per page',
    'the first page of GET /api/data/v9.2/accounts passed 8 MB at 1250 rows per page (large rows); asking again with 312 rows per page',
    'the first page of GET /api/data/v9.2/accounts passed 8 MB at 312 rows per page (large rows); asking again with 78 rows per page',
    'the first page of GET /api/data/v9.2/accounts passed 8 MB at 78 rows per page (large rows); asking again with 19 rows per page',
  ]);
  // The emulator stopped writing each page given up soon after the connector left it.
  const given = emulator.requests('org').slice(from).filter((e) => e.path.startsWith('/api/data/v9.2/accounts?')).slice(0, 4);
  for (const entry of given) expect(entry.sentBytes).toBeLessThan(64 * 1024 * 1024);
});

test('a partitioned read settles its page size once for every partition, saves it with each link, and a read resumed from a STATE asks that size', async () => {
  // Four pages at least, or the table is read sequentially (entity-partitions.ts MIN_PAGES): 8 ranges of 2,500 rows, 42 MB each (312 rows: 5.2 MB).
  emulator.tables.define('account', { rowCount: 20_000, memoBytes: 16 * 1024 });
  const first = await read('full_refresh', { max_parallel_requests: 2 });
  expect(first.code).toBe(0);
  expect(new Set(ids(first.messages))).toEqual(new Set(allIds(20_000)));
  expect(ids(first.messages)).toHaveLength(20_000);
  // Partitions share the settled size: each range asks 312 rows a page; more only before it was known.
  const states = ofType(first.messages, 'STATE').map((m) => m.state.stream.stream_state);
  const saved = states.flatMap((s) => (s.partitions?.open ?? []) as Array<{ key: string; next?: string; page_size?: number }>).filter((p) => p.next !== undefined);
  expect(saved.length).toBeGreaterThan(0);
  expect(new Set(saved.map((p) => p.page_size))).toEqual(new Set([312]));

  // Resume from the first STATE that holds a link: the records up to it and the resumed read's are every row, once.
  const at = first.messages.findIndex((m) => m.type === 'STATE' && (m.state.stream.stream_state.partitions?.open ?? []).some((p: { next?: string }) => p.next));
  const before = ids(first.messages.slice(0, at));
  const from = emulator.requests('org').length;
  const second = await read('full_refresh', { max_parallel_requests: 2 }, first.messages[at].state);
  expect(second.code).toBe(0);
  const after = ids(second.messages);
  expect([...before, ...after].sort()).toEqual(allIds(20_000).sort());
  const links = (first.messages[at].state.stream.stream_state.partitions.open as Array<{ next?: string }>).map((p) => p.next).filter((n): n is string => n !== undefined);
  const resumed = pageRequests(from).filter((r) => links.some((link) => link.endsWith(r.path)));
  expect(resumed.map((r) => r.size)).toEqual(links.map(() => 312));
});

test('a first change-tracked sync of large rows saves page_size with its resume_link, and the resumed sync reads at that size to its delta token', async () => {
  emulator.tables.define('account', { rowCount: 200, memoBytes: 256 * 1024 });
  const first = await read('incremental');
  expect(first.code).toBe(0);
  expect(ids(first.messages)).toEqual(allIds(200));
  const states = ofType(first.messages, 'STATE').map((m) => m.state.stream.stream_state);
  expect(states.map((s) => [typeof s.resume_link, s.page_size])).toEqual([...Array(10).fill(['string', 19]), ['undefined', undefined]]);
  expect(Object.keys(states[10])).toEqual(['deltatoken']);

  const at = first.messages.findIndex((m) => m.type === 'STATE');
  const from = emulator.requests('org').length;
  const second = await read('incremental', {}, first.messages[at].state);
  expect(second.code).toBe(0);
  expect([...ids(first.messages.slice(0, at)), ...ids(second.messages)]).toEqual(allIds(200));
  expect(pageRequests(from).map((r) => r.size)).toEqual(Array(10).fill(19));
  expect(Object.keys(ofType(second.messages, 'STATE').pop()?.state.stream.stream_state ?? {})).toEqual(['deltatoken']);
  expect(logs(second)).toEqual([]);
});
