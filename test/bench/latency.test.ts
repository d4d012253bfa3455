import { IdCollector, latencyBars, latencyRows, type LatencyResults, type LatencyRun } from '../../bench/latency';

const run = (client: LatencyRun['client'], wallMs: number, extra: Partial<LatencyRun> = {}): LatencyRun => ({
  client,
  wallMs,
  records: 0,
  orgRequests: 10,
  maxInFlight: 4,
  throttled: 0,
  retryAfterViolations: 0,
  exact: true,
  ...extra,
});

function results(w1: number, w2: number, w3: number, tight: Partial<LatencyRun> = {}): LatencyResults {
  const workload = (id: 1 | 2 | 3 | 4, ms: number, extra: Partial<LatencyRun> = {}) => ({ id, title: `w${id}`, entities: ['account'], rows: 60_000, columns: { account: 20 }, boundMs: 30_000, runs: [run('connector', ms, extra), run('dynamics-web-api', 31_000)] });
  return { model: { baseMs: 300, perCellMs: 0.017 }, dopHint: 8, hasMaxParallel: true, budget: { budgetMs: 6000, windowMs: 10_000 }, workloads: [workload(1, w1), workload(2, w2), workload(3, w3), workload(4, 20_000, tight)] };
}

test('the speed-up bars compare the connector with the sequential bound at 2.5x, 3x and 2x', () => {
  const at = (r: LatencyResults) => latencyBars(r).slice(0, 3).map((b) => [b.value, b.pass]);
  // 30 s bound: 12 s is 2.50x, 10 s 3.00x, 15 s 2.00x (each exactly at its bar)
  expect(at(results(12_000, 10_000, 15_000))).toEqual([['2.50x', true], ['3.00x', true], ['2.00x', true]]);
  expect(at(results(12_100, 10_100, 15_100))).toEqual([['2.48x', false], ['2.97x', false], ['1.99x', false]]);
});

test('the limit bars fail on a request before a Retry-After, more in flight than the hint, or a row lost', () => {
  const [, , , exact, within, tight] = latencyBars(results(1, 1, 1, { maxInFlight: 8, throttled: 3 }));
  expect([exact.pass, within.pass, tight.pass, tight.value]).toEqual([true, true, true, 'max 8 in flight, 3 x 429, 0 early requests']);
  expect(latencyBars(results(1, 1, 1, { retryAfterViolations: 1 }))[5].pass).toBe(false);
  expect(latencyBars(results(1, 1, 1, { maxInFlight: 9 }))[5].pass).toBe(false);
  expect(latencyBars(results(1, 1, 1, { exact: false }))[3]).toEqual({ name: expect.any(String), value: '7 of 8 runs', pass: false });
  const inFlight = results(1, 1, 1);
  inFlight.workloads[0].runs[0].throttled = 1;
  expect(latencyBars(inFlight)[4].pass).toBe(false);
});

test('rows: the sequential bound first, records/s from the rows and the wall time', () => {
  expect(latencyRows(results(12_000, 10_000, 15_000)).slice(0, 3)).toEqual([
    [1, 'sequential bound', '30.00', '2,000', '1.00x', '-', 1, '-', '-'],
    [1, 'connector', '12.00', '5,000', '2.50x', 10, 4, 0, 'yes'],
    [1, 'dynamics-web-api', '31.00', '1,935', '0.97x', 10, 4, 0, 'yes'],
  ]);
});

test('the id collector counts ids per stream, duplicates, missing ones and deletions', () => {
  const ids = new IdCollector({ account: 'accountid' });
  const a = '00000000-0000-4000-8000-000000000001';
  const b = '00000000-0000-4000-8000-000000000002';
  const line = (id: string, deleted = false) => `{"type":"RECORD","record":{"stream":"account","data":{"@odata.etag":"W/1","name":"x","accountid":"${id}","_ab_cdc_deleted_at":${deleted ? '"2026-01-01T00:00:00Z"' : 'null'}},"emitted_at":1}}`;
  ids.line(line(a));
  ids.line(line(a));
  ids.line(line(b, true));
  ids.line('{"type":"STATE","state":{}}');
  expect(ids.records).toBe(3);
  expect([...ids.deleted]).toEqual([b]);
  expect(ids.stateLines).toEqual(['{"type":"STATE","state":{}}']);
  expect(ids.mismatch('account', [a, b])).toBe('account: 0 of 2 ids missing, 0 unexpected, 1 more than once');
  const once = new IdCollector({ account: 'accountid' });
  once.line(line(a));
  expect(once.mismatch('account', [a])).toBeUndefined();
  expect(once.mismatch('account', [a, b])).toBe('account: 1 of 2 ids missing, 0 unexpected, 0 more than once');
});
