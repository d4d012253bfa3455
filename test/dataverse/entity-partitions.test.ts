/**
 * The entity partition planner against a fake requester holding a table in memory: the exact
 * requests of a plan (bounds, data partitions, the change-tracking pass), keys and their round
 * trip, refused keys, skew, the null partition, and the cases that stay sequential.
 */
import type { EntityPartition } from '../../connector/dataverse/entity-components';
import type { EntityMetadataProvider } from '../../connector/dataverse/entity-metadata';
import { cutRanges, keyOf, parseKey } from '../../connector/dataverse/entity-partition-keys';
import { EntityPartitionPlanner, rangeCount } from '../../connector/dataverse/entity-partitions';
import { ConfigError, DataverseError } from '../../connector/errors';
import type { HttpRequester } from '../../connector/http/requester';
import { buildUrl } from '../../connector/http/url';
import { CursorPaginator } from '../../connector/streams/paginator';
import type { PartitionPlan, PartitionRequest } from '../../connector/streams/partitions';
import { DpathExtractor, RecordSelector } from '../../connector/streams/record-selector';
import { SimpleRetriever } from '../../connector/streams/retriever';
import type { StreamContext, StreamRecord } from '../../connector/streams/types';

const BASE = 'https://org.example.com/api/data/v9.2/';
const TOKEN = '919042!12/01/2026 10:00:00';
const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const day = (d: number) => Date.parse('2024-01-01T00:00:00Z') + d * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** `t`: createdon as epoch ms, for the fake's filters (never selected). */
type Row = { accountid: string; createdon: string | null; name: string; t: number | null };

/** Rows created at the given instants (null: no createdon). */
const tableOf = (times: Array<number | null>): Row[] => times.map((t, i) => ({ accountid: `id-${String(i).padStart(6, '0')}`, createdon: t === null ? null : iso(t), name: `row ${i}`, t }));

function matches(row: Row, filter: string | null): boolean {
  if (!filter) return true;
  return filter.split(' and ').every((clause) => {
    const [, op, literal] = /^createdon (ge|lt|le|eq|ne) (.+)$/.exec(clause) ?? [];
    if (literal === 'null') return op === 'eq' ? row.t === null : row.t !== null;
    if (row.t === null || !op) return false;
    const [a, b] = [row.t, Date.parse(literal)];
    return op === 'ge' ? a >= b : op === 'lt' ? a < b : op === 'le' ? a <= b : a === b;
  });
}

/** A requester that renders requests as the manifest does and answers from `rows`. */
class FakeRequester {
  readonly sent: Array<{ url: string; prefer: string }> = [];
  refuseTracking?: DataverseError;

  constructor(public rows: Row[]) {}

  async send(context: StreamContext, absoluteUrl?: string, extra?: { headers?: Record<string, string>; parameters?: Record<string, unknown> }) {
    const partition = context.stream_partition as EntityPartition;
    const config = context.config as { page_size: number };
    const url = absoluteUrl ?? buildUrl(BASE, partition.entity_set, { $select: partition.select, ...extra?.parameters });
    let prefer = `odata.maxpagesize=${config.page_size}${partition.include_annotations ? `,odata.include-annotations="${partition.include_annotations}"` : ''}`;
    if (extra?.headers?.Prefer) prefer += `,${extra.headers.Prefer}`;
    this.sent.push({ url: decodeURIComponent(url), prefer });
    const tracking = prefer.includes('odata.track-changes');
    if (tracking && this.refuseTracking) throw this.refuseTracking;
    return { url, status: 200, headers: new Headers(), body: this.answer(new URL(url), config.page_size, tracking) };
  }

  private answer(url: URL, pageSize: number, tracking: boolean): unknown {
    const q = url.searchParams;
    const select = (q.get('$select') ?? '').split(',');
    let rows = this.rows.filter((r) => matches(r, q.get('$filter')));
    const order = q.get('$orderby');
    if (order) rows = [...rows].sort((a, b) => ((a.t ?? 0) - (b.t ?? 0)) * (order.endsWith('desc') ? -1 : 1));
    const offset = Number(q.get('$skiptoken') ?? 0);
    const page = rows.slice(offset, offset + pageSize).map((r) => Object.fromEntries(select.map((c) => [c, r[c as keyof Row]])));
    const body: Record<string, unknown> = { value: page };
    if (offset + pageSize < rows.length) {
      // As the service does: the request's URL with a skiptoken appended.
      body['@odata.nextLink'] = `${url.toString().replace(/&\$skiptoken=\d+$/, '')}&$skiptoken=${offset + pageSize}`;
    } else if (tracking) {
      body['@odata.deltaLink'] = `${BASE}accounts?$select=accountid&$deltatoken=${encodeURIComponent(TOKEN)}`;
    }
    return body;
  }

  checkFollowable(): void {}

  urlFor(_context: StreamContext, path: string, params: Record<string, unknown> = {}): string {
    return buildUrl(BASE, path, params);
  }
}

const PARTITION: EntityPartition = {
  entity: 'account',
  entity_set: 'accounts',
  primary_key: 'accountid',
  select: 'accountid,createdon,name',
  change_tracking: true,
  formatted_columns: [],
  lookup_columns: [],
  include_annotations: FORMATTED,
};

const attribute = (logicalName: string, attributeType: string) => ({ logicalName, attributeType, typeName: `${attributeType}Type`, attributeOf: null, isValidForRead: true, isValidODataAttribute: true, dateTimeBehavior: 'UserLocal' });

interface Setup {
  rows: Row[];
  estimate?: number;
  columns?: string[];
  partition?: Partial<EntityPartition>;
  pageSize?: number;
}

function setup({ rows, estimate = 100_000, columns = ['accountid', 'createdon', 'name'], partition = {}, pageSize = 5000 }: Setup) {
  const requester = new FakeRequester(rows);
  const router = { partitions: async () => [{ ...PARTITION, ...partition }] };
  const paginator = new CursorPaginator({ render: (ctx) => (ctx.response as Record<string, unknown>)['@odata.nextLink'] }, undefined);
  const inner = new SimpleRetriever(requester as unknown as HttpRequester, new RecordSelector(new DpathExtractor(['value'])), paginator, router);
  const types: Record<string, string> = { accountid: 'Uniqueidentifier', createdon: 'DateTime', name: 'String' };
  const info = { logicalName: 'account', entitySetName: 'accounts', primaryIdAttribute: 'accountid', changeTracking: true, attributes: columns.map((c) => attribute(c, types[c])) };
  const metadata = { entity: async () => info, estimate: async () => estimate } as unknown as EntityMetadataProvider;
  const planner = new EntityPartitionPlanner({ inner, now: () => Date.parse('2026-12-01T10:00:00Z'), metadata });
  const request = (syncMode: 'full_refresh' | 'incremental', workers: number, state: Record<string, unknown> = {}): PartitionRequest => ({
    context: { config: { page_size: pageSize, formatted_values: true }, stream_state: state },
    syncMode,
    workers,
    transform: (records: StreamRecord[]) => records.forEach((r) => (r.shaped = true)),
  });
  return { requester, planner, request };
}

/** Reads every partition to its end: records per key, results per key. */
async function readAll(plan: PartitionPlan) {
  const records = new Map<string, StreamRecord[]>();
  const results = new Map<string, Record<string, unknown>>();
  for (const partition of plan.partitions) {
    const rows: StreamRecord[] = [];
    for await (const page of partition.pages()) {
      rows.push(...page.records);
      if (page.result) results.set(partition.key, page.result);
    }
    records.set(partition.key, rows);
  }
  return { records, results };
}

const bound = (direction: string) => ({ url: `${BASE}accounts?$select=accountid,createdon&$filter=createdon ne null&$orderby=createdon ${direction}&$top=1`, prefer: 'odata.maxpagesize=1' });
const data = (filter: string) => ({ url: `${BASE}accounts?$select=accountid,createdon,name&$filter=${filter}`, prefer: `odata.maxpagesize=5000,odata.include-annotations="${FORMATTED}"` });
/** 20,000 rows over four days (one every 17.28 s), and three without createdon. */
const EVEN = tableOf([...Array.from({ length: 20_000 }, (_, i) => day(0) + Math.floor((i * 4 * 86_400_000) / 19_999)), null, null, null]);

describe('full refresh plans', () => {
  test('two one-row bound requests, then ranges cut at whole seconds and the null partition, every row exactly once', async () => {
    const { requester, planner, request } = setup({ rows: EVEN });
    const plan = (await planner.planPartitions(request('full_refresh', 2))) as PartitionPlan;
    expect(requester.sent).toEqual([bound('asc'), bound('desc')]);
    // 4 ranges per worker: 8 of 12 hours over the four days.
    const cuts = Array.from({ length: 7 }, (_, i) => iso(day(0) + (i + 1) * 43_200_000));
    expect(cuts[0]).toBe('2024-01-01T12:00:00Z');
    expect(plan.partitions.map((p) => p.key)).toEqual([
      `createdon:[,${cuts[0]})`,
      ...cuts.slice(1).map((cut, i) => `createdon:[${cuts[i]},${cut})`),
      `createdon:[${cuts[6]},)`,
      'createdon:null',
    ]);
    expect(plan.partitions.every((p) => p.emits)).toBe(true);
    requester.sent.length = 0;
    const { records } = await readAll(plan);
    const filters = [`createdon lt ${cuts[0]}`, ...cuts.slice(1).map((cut, i) => `createdon ge ${cuts[i]} and createdon lt ${cut}`), `createdon ge ${cuts[6]}`, 'createdon eq null'];
    // Each range is 2,500 rows: one page of 5,000 each, with the stream's select and annotations.
    expect(requester.sent).toEqual(filters.map(data));
    const all = [...records.values()].flat();
    expect(all.map((r) => r.accountid).sort()).toEqual(EVEN.map((r) => r.accountid));
    expect(all.every((r) => r.shaped === true)).toBe(true);
    expect(records.get('createdon:null')?.map((r) => r.accountid)).toEqual(['id-020000', 'id-020001', 'id-020002']);
    expect(plan.finalState(new Map())).toEqual({});
  });

  test('restorePartitions rebuilds the same partitions from their keys alone, with no request', async () => {
    const { requester, planner, request } = setup({ rows: EVEN });
    const plan = (await planner.planPartitions(request('full_refresh', 2))) as PartitionPlan;
    const keys = plan.partitions.map((p) => p.key);
    requester.sent.length = 0;
    const restored = await planner.restorePartitions(request('full_refresh', 2), keys.slice(2));
    expect(requester.sent).toEqual([]);
    expect(restored.partitions.map((p) => p.key)).toEqual(keys.slice(2));
    const { records } = await readAll(restored);
    expect(requester.sent[0]).toEqual(data('createdon ge 2024-01-02T00:00:00Z and createdon lt 2024-01-02T12:00:00Z'));
    expect(records.get('createdon:null')).toHaveLength(3);
    for (const key of keys) expect(keyOf(parseKey(key))).toBe(key);
  });

  test('a resumed partition continues at its saved link', async () => {
    const { requester, planner, request } = setup({ rows: EVEN, pageSize: 1000 });
    const [partition] = (await planner.restorePartitions(request('full_refresh', 2), ['createdon:[,2024-01-02T00:00:00Z)'])).partitions;
    const link = `${BASE}accounts?$select=accountid,createdon,name&$filter=createdon lt 2024-01-02T00:00:00Z&$skiptoken=4000`;
    const rows: StreamRecord[] = [];
    for await (const page of partition.pages(link)) rows.push(...page.records);
    expect(requester.sent[0].url).toBe(link);
    // 5,000 rows are before day 1; the first 4,000 were read before the resume.
    expect(rows.map((r) => r.accountid)).toEqual(EVEN.slice(4000, 5000).map((r) => r.accountid));
  });

  test('a skewed table (rows created ever faster) still balances: no range holds more than a worker share', async () => {
    // Density grows with the square of time: a quarter of the span holds 58% of the rows.
    const n = 20_000;
    const rows = tableOf(Array.from({ length: n }, (_, i) => day(0) + Math.floor(Math.cbrt(i / (n - 1)) * 100 * 86_400_000)));
    const { planner, request } = setup({ rows });
    const plan = (await planner.planPartitions(request('full_refresh', 4))) as PartitionPlan;
    expect(plan.partitions).toHaveLength(17); // 16 ranges and the null partition
    const { records } = await readAll(plan);
    const sizes = [...records.values()].map((r) => r.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    expect(new Set([...records.values()].flat().map((r) => r.accountid)).size).toBe(n);
    // The last range is the largest (1 - (15/16)^3 of the rows, 17.6%), yet under a worker's quarter.
    expect(sizes.slice(0, 16).every((size, i) => i === 0 || size > sizes[i - 1])).toBe(true);
    expect(sizes[15]).toBeGreaterThan(0.17 * n);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(n / 4);
  });
});

describe('sequential reads stay sequential (undefined)', () => {
  test.each([
    ['one worker', { rows: EVEN }, 1, 0],
    ['an estimate under four pages', { rows: EVEN, estimate: 15_000, pageSize: 5000 }, 4, 0],
    ['a table without createdon', { rows: EVEN, columns: ['accountid', 'name'] }, 4, 0],
    ['every createdon null: one bound request finds no row', { rows: tableOf([null, null]), estimate: 50_000 }, 4, 1],
    ['every row created in the same second: nothing to cut', { rows: tableOf([day(1), day(1), day(1)]), estimate: 50_000 }, 4, 2],
  ])('%s', async (_name, options, workers, requests) => {
    const { requester, planner, request } = setup(options as Setup);
    expect(await planner.planPartitions(request('full_refresh', workers))).toBeUndefined();
    expect(requester.sent).toHaveLength(requests);
  });

  test.each([
    ['a later delta (the state holds a token)', { deltatoken: TOKEN }, {}],
    ['a cursor state (after the 403 fallback)', { modifiedon: '2026-01-01T00:00:00Z' }, {}],
    ['a table without change tracking', {}, { change_tracking: false }],
  ])('incremental: %s', async (_name, state, partition) => {
    const { requester, planner, request } = setup({ rows: EVEN, partition });
    expect(await planner.planPartitions(request('incremental', 4, state))).toBeUndefined();
    expect(requester.sent).toEqual([]);
  });

  test('change tracking refused (403): undefined after the one tracking request, for the sequential fallback', async () => {
    const { requester, planner, request } = setup({ rows: EVEN });
    requester.refuseTracking = new DataverseError('privilege', 403, '0x80040220');
    expect(await planner.planPartitions(request('incremental', 4))).toBeUndefined();
    expect(requester.sent).toEqual([{ url: `${BASE}accounts?$select=accountid`, prefer: 'odata.maxpagesize=5000,odata.track-changes' }]);
  });
});

describe('first change-tracked sync', () => {
  test('the narrow pass first (its first page before anything else), plain data ranges, the pass token as state', async () => {
    const { requester, planner, request } = setup({ rows: EVEN });
    const plan = (await planner.planPartitions(request('incremental', 2))) as PartitionPlan;
    expect(requester.sent).toEqual([{ url: `${BASE}accounts?$select=accountid`, prefer: 'odata.maxpagesize=5000,odata.track-changes' }, bound('asc'), bound('desc')]);
    const [pass, ...rest] = plan.partitions;
    expect([pass.key, pass.emits]).toEqual(['changes', false]);
    expect(rest.map((p) => p.key)).toHaveLength(9);
    requester.sent.length = 0;
    const { records, results } = await readAll(plan);
    expect(requester.sent.slice(0, 4).map((s) => s.url)).toEqual([5000, 10_000, 15_000, 20_000].map((o) => `${BASE}accounts?$select=accountid&$skiptoken=${o}`));
    expect(requester.sent.every((s, i) => (i < 4) === s.prefer.includes('odata.track-changes'))).toBe(true);
    expect(records.get(pass.key)).toEqual([]);
    expect(results).toEqual(new Map([[pass.key, { deltatoken: TOKEN }]]));
    expect(plan.finalState(results)).toEqual({ deltatoken: TOKEN });
    const rows = [...records.values()].flat();
    expect(rows.map((r) => r.accountid).sort()).toEqual(EVEN.map((r) => r.accountid));
  });

  test('a table without modifiedon: data rows are stamped with the time the read saw them', async () => {
    const { planner, request } = setup({ rows: EVEN });
    const plan = (await planner.planPartitions(request('incremental', 2))) as PartitionPlan;
    const { records } = await readAll(plan);
    expect(new Set([...records.values()].flat().map((r) => r._ab_cdc_updated_at))).toEqual(new Set(['2026-12-01T10:00:00.000Z']));
  });

  test('a restored pass starts afresh without a saved link, or continues at it; its result may come from an earlier run', async () => {
    const { requester, planner, request } = setup({ rows: EVEN });
    const plan = await planner.restorePartitions(request('incremental', 2), ['changes', 'createdon:null']);
    expect(requester.sent).toEqual([]);
    const { results } = await readAll(plan);
    expect(requester.sent.map((s) => s.url)).toEqual([
      `${BASE}accounts?$select=accountid`,
      ...[5000, 10_000, 15_000, 20_000].map((o) => `${BASE}accounts?$select=accountid&$skiptoken=${o}`),
      data('createdon eq null').url,
    ]);
    expect(plan.finalState(results)).toEqual({ deltatoken: TOKEN });
    requester.sent.length = 0;
    const pages = [];
    for await (const page of plan.partitions[0].pages(`${BASE}accounts?$select=accountid&$skiptoken=15000`)) pages.push(page);
    expect(requester.sent.map((s) => [s.url, s.prefer])).toEqual([15_000, 20_000].map((o) => [`${BASE}accounts?$select=accountid&$skiptoken=${o}`, 'odata.maxpagesize=5000,odata.track-changes']));
    expect(pages).toEqual([{ records: [], next: `${BASE}accounts?$select=accountid&$skiptoken=20000` }, { records: [], result: { deltatoken: TOKEN } }]);
    const later = await planner.restorePartitions(request('incremental', 2), ['createdon:null']);
    expect(later.finalState(new Map([['changes', { deltatoken: TOKEN }], ['createdon:null', {}]]))).toEqual({ deltatoken: TOKEN });
    expect(() => later.finalState(new Map())).toThrow('a partitioned first sync ended without the change-tracking pass');
    expect(() => later.finalState(new Map([['changes', { deltatoken: 'a\nb' }]]))).toThrow(ConfigError);
  });

  test('a table of one tracking page: the planned pass ends with the token of the page read while planning, without a request', async () => {
    const rows = tableOf(Array.from({ length: 3000 }, (_, i) => day(0) + i * 1000));
    const { requester, planner, request } = setup({ rows, estimate: 50_000 });
    const plan = (await planner.planPartitions(request('incremental', 2))) as PartitionPlan;
    requester.sent.length = 0;
    const pages = [];
    for await (const page of plan.partitions[0].pages()) pages.push(page);
    expect(pages).toEqual([{ records: [], result: { deltatoken: TOKEN } }]);
    expect(requester.sent).toEqual([]);
  });
});

describe('saved keys', () => {
  test.each([
    ['createdon:[2024-01-01T00:00:00Z,2024-02-01T00:00:00Z)'],
    ['createdon:[,2024-02-01T00:00:00Z)'],
    ['createdon:[2024-03-01T00:00:00Z,)'],
    ['createdon:null'],
    ['changes'],
  ])('%s round trips', (key) => {
    expect(keyOf(parseKey(key))).toBe(key);
  });

  test.each([
    ['createdon:[,)', 'createdon:[,)', 'has neither a start nor an end'],
    ['createdon:[2024-02-01T00:00:00Z,2024-01-01T00:00:00Z)', 'createdon:[2024-02-01T00:00:00Z,2024-01-01T00:00:00Z)', 'ends before it starts'],
    ['createdon:[2024-01-01T00:00:00Z,2024-01-01T00:00:00Z)', 'createdon:[2024-01-01T00:00:00Z,2024-01-01T00:00:00Z)', 'ends before it starts'],
    ['createdon:[2024-02-30T00:00:00Z,)', 'createdon:[2024-02-30T00:00:00Z,)', 'holds "2024-02-30T00:00:00Z", which is not an instant in whole seconds'],
    ['createdon:[2024-01-01T00:00:00.5Z,)', 'createdon:[2024-01-01T00:00:00.5Z,)', 'which is not an instant in whole seconds'],
    ['createdon:[2024-01-01,)', 'createdon:[2024-01-01,)', 'which is not an instant in whole seconds'],
    ['createdon:[2024-01-01T00:00:00Z,2024-02-01T00:00:00Z]', 'createdon:[2024-01-01T00:00:00Z,2024-02-01T00:00:00Z]', 'is not a createdon range, createdon:null or a change-tracking pass'],
    ['modifiedon:[2024-01-01T00:00:00Z,)', 'modifiedon:[2024-01-01T00:00:00Z,)', 'is not a createdon range'],
    ['changes:https://org.example.com/x', 'changes:https://org.example.com/x', 'is not a createdon range, createdon:null or a change-tracking pass'],
    ['a key of 2,000 characters', 'x'.repeat(2000), 'is 2000 characters long'],
  ])('%s is refused', (_name, key, message) => {
    expect(() => parseKey(key)).toThrow(ConfigError);
    expect(() => parseKey(key)).toThrow(message);
  });

  test.each([
    ['full_refresh', ['changes', 'createdon:null'], 'a change-tracking pass, which a full refresh never has'],
    ['full_refresh', ['createdon:null', 'createdon:null'], 'repeat a key'],
    ['full_refresh', [42], 'a saved partition key is not a string'],
  ])('restorePartitions(%s, %j) refuses', async (mode, keys, message) => {
    const { planner, request } = setup({ rows: EVEN });
    await expect(planner.restorePartitions(request(mode as 'full_refresh', 2), keys as string[])).rejects.toThrow(message);
    await expect(planner.restorePartitions(request(mode as 'full_refresh', 2), keys as string[])).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('cutRanges', () => {
  test('whole-second cuts, first open below, last open above, no duplicate cut in a short span', () => {
    expect(cutRanges(day(0), day(4), 4).map(keyOf)).toEqual([
      'createdon:[,2024-01-02T00:00:00Z)',
      'createdon:[2024-01-02T00:00:00Z,2024-01-03T00:00:00Z)',
      'createdon:[2024-01-03T00:00:00Z,2024-01-04T00:00:00Z)',
      'createdon:[2024-01-04T00:00:00Z,)',
    ]);
    // Two seconds cut in eight: only one whole-second cut falls strictly inside.
    expect(cutRanges(day(0), day(0) + 2000, 8).map(keyOf)).toEqual(['createdon:[,2024-01-01T00:00:01Z)', 'createdon:[2024-01-01T00:00:01Z,)']);
    expect(cutRanges(day(0) + 500, day(0) + 900, 8)).toEqual([{ kind: 'range', start: undefined }]);
  });
});

describe('rangeCount: 4 ranges a worker, never more than twice the estimated pages, 2 to 64', () => {
  test.each([
    [4, 6, 12],
    [4, 100, 16],
    [16, 1000, 64],
    [2, 3, 6],
    [4, 1, 2],
    [4, undefined, 16],
  ])('%i workers, %s pages: %i ranges', (workers, pages, expected) => {
    expect(rangeCount(workers, pages)).toBe(expected);
  });
});
