import { getEventListeners } from 'node:events';
import { MalformedResponse, withRetries, type AttemptResult } from '../../connector/http/retry-loop';
import { DEFAULT_RETRY_POLICY } from '../../connector/http/retry-policy';

function deps() {
  const sleeps: number[] = [];
  const logs: string[] = [];
  return {
    sleeps,
    logs,
    sleep: async (ms: number) => void sleeps.push(ms),
    now: () => Date.parse('2026-12-01T00:00:00Z'),
    random: () => 0.999999999,
    log: (_level: string, message: string) => void logs.push(message),
  };
}

const ok = <T>(value: T): AttemptResult<T> => ({ outcome: { kind: 'response', status: 200 }, accept: () => value });
const status = (s: number, retryAfter?: string): AttemptResult<string> => ({ outcome: { kind: 'response', status: s, retryAfter } });
const fail = () => new Error('gave up');

describe('withRetries', () => {
  test('retries a 503 and a 429 with the policy waits, then returns the accepted value', async () => {
    const d = deps();
    const answers = [status(503), status(429, '2'), ok('rows')];
    const result = await withRetries('GET /accounts', DEFAULT_RETRY_POLICY, d, async () => answers.shift()!, fail);
    expect(result).toBe('rows');
    expect(d.sleeps).toEqual([1000, 2000]);
    expect(d.logs).toEqual(['GET /accounts: HTTP 503; retrying in 1.0 s', 'GET /accounts: HTTP 429, Retry-After 2 s; retrying in 2.0 s']);
  });

  test('gives up with the last outcome and decision once the budget is spent', async () => {
    const d = deps();
    let seen: unknown;
    await expect(
      withRetries('GET /x', { ...DEFAULT_RETRY_POLICY, maxRetries: 2 }, d, async () => status(500), (g) => {
        seen = g;
        return new Error('no more');
      }),
    ).rejects.toThrow('no more');
    expect(seen).toEqual({ outcome: { kind: 'response', status: 500 }, decision: { action: 'fail', transient: true, reason: 'HTTP 500, still failing after 2 retries' } });
    expect(d.sleeps).toHaveLength(2);
  });

  test('an accepted answer that turns out malformed is retried like a broken connection', async () => {
    const d = deps();
    const answers: AttemptResult<string>[] = [
      { outcome: { kind: 'response', status: 200 }, accept: () => { throw new MalformedResponse('not JSON'); } },
      ok('fine'),
    ];
    await expect(withRetries('GET /x', DEFAULT_RETRY_POLICY, d, async () => answers.shift()!, fail)).resolves.toBe('fine');
    expect(d.logs).toEqual(['GET /x: not JSON; retrying in 1.0 s']);
  });

  test('`again` retries at once without waiting, only once per call', async () => {
    const d = deps();
    let calls = 0;
    const again: AttemptResult<string> = { outcome: { kind: 'response', status: 401 }, again: true };
    await expect(withRetries('GET /x', DEFAULT_RETRY_POLICY, d, async () => (calls++, again), () => new Error('401 twice'))).rejects.toThrow('401 twice');
    expect(calls).toBe(2);
    expect(d.sleeps).toEqual([]);
  });

  test('the stop signal gains no listener per wait', async () => {
    const d = deps();
    const controller = new AbortController();
    let n = 0;
    await withRetries('GET /x', { ...DEFAULT_RETRY_POLICY, maxRateLimitRetries: 60 }, { ...d, signal: controller.signal }, async () => (++n <= 50 ? status(429, '1') : ok('done')), fail);
    expect(n).toBe(51);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
