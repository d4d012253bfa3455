import { getEventListeners } from 'node:events';
import { MalformedResponse, withRetries, type AttemptResult } from '../../connector/http/retry-loop';
import { DEFAULT_RETRY_POLICY } from '../../connector/http/retry-policy';
import { ThrottleGate, type AttemptFeedback, type RequestGate } from '../../connector/http/throttle-gate';
import { DeadlineError } from '../../connector/http/deadline';
import { InterruptedError } from '../../connector/errors';

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

/** A gate that counts: slots taken, slots released (first release only), and what each release was told. */
function countingGate() {
  const counts = { acquired: 0, released: 0, inFlight: 0, most: 0, pauses: [] as number[], feedback: [] as Array<AttemptFeedback | undefined> };
  const gate: RequestGate = {
    acquire: async () => {
      counts.acquired++;
      counts.inFlight++;
      counts.most = Math.max(counts.most, counts.inFlight);
      let done = false;
      return {
        release: (feedback) => {
          if (done) return;
          done = true;
          counts.released++;
          counts.inFlight--;
          counts.feedback.push(feedback);
        },
      };
    },
    pauseFor: (ms) => void counts.pauses.push(ms),
  };
  return { gate, counts };
}

describe('withRetries with a throttle gate', () => {
  const malformed: AttemptResult<string> = { outcome: { kind: 'response', status: 200 }, accept: () => { throw new MalformedResponse('not JSON'); } };
  const cases: Array<[string, Array<AttemptResult<string> | Error>, 'resolves' | 'rejects', number, number[]]> = [
    ['an accepted answer', [ok('rows')], 'resolves', 1, []],
    ['a 503 then an answer', [status(503), ok('rows')], 'resolves', 2, []],
    ['a 429 with Retry-After then an answer', [status(429, '3'), ok('rows')], 'resolves', 2, [3000]],
    ['a 429 without Retry-After then an answer', [status(429), ok('rows')], 'resolves', 2, [1000]],
    ['a 503 with Retry-After then an answer', [status(503, '2'), ok('rows')], 'resolves', 2, [2000]],
    ['a 401 answered again at once', [{ outcome: { kind: 'response', status: 401 }, again: true }, ok('rows')], 'resolves', 2, []],
    ['a malformed body then an answer', [malformed, ok('rows')], 'resolves', 2, []],
    ['a 400 that fails', [status(400)], 'rejects', 1, []],
    ['a Retry-After over the cap', [status(429, '100000')], 'rejects', 1, []],
    ['a deadline error thrown by the attempt', [new DeadlineError(5000)], 'rejects', 1, []],
    ['a stop during the attempt', [status(503), new InterruptedError('stopped by SIGTERM during GET /x')], 'rejects', 2, []],
  ];
  test.each(cases)('releases every slot it took: %s', async (_name, answers, settles, attempts, pauses) => {
    const d = deps();
    const { gate, counts } = countingGate();
    const run = withRetries('GET /x', DEFAULT_RETRY_POLICY, { ...d, gate }, async () => {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    }, fail);
    if (settles === 'resolves') await expect(run).resolves.toBe('rows');
    else await expect(run).rejects.toThrow();
    expect(counts).toMatchObject({ acquired: attempts, released: attempts, inFlight: 0, most: 1, pauses });
  });

  test('each release carries the attempt\'s outcome and headers; a thrown attempt releases without feedback', async () => {
    const d = deps();
    const { gate, counts } = countingGate();
    const hinted = new Headers({ 'x-ms-dop-hint': '6' });
    const answers: Array<AttemptResult<string> | Error> = [{ ...status(429, '1'), headers: hinted }, { ...ok('rows'), headers: hinted }];
    await withRetries('GET /x', DEFAULT_RETRY_POLICY, { ...d, gate }, async () => answers.shift() as AttemptResult<string>, fail);
    expect(counts.feedback).toEqual([
      { outcome: { kind: 'response', status: 429, retryAfter: '1' }, headers: hinted },
      { outcome: { kind: 'response', status: 200 }, headers: hinted },
    ]);
    const thrown = countingGate();
    await expect(withRetries('GET /x', DEFAULT_RETRY_POLICY, { ...d, gate: thrown.gate }, async () => { throw new Error('boom'); }, fail)).rejects.toThrow('boom');
    expect(thrown.counts.feedback).toEqual([undefined]);
  });

  test('a stop while waiting for a slot ends the call without an attempt; the slot holder\'s release is untouched', async () => {
    const d = deps();
    const gate = new ThrottleGate({ sleep: d.sleep, now: d.now, maxParallelRequests: 1 });
    const held = await gate.acquire();
    const controller = new AbortController();
    let attempted = 0;
    const run = withRetries('GET /x', DEFAULT_RETRY_POLICY, { ...d, gate, signal: controller.signal }, async () => (attempted++, ok('rows')), fail);
    controller.abort('SIGTERM');
    await expect(run).rejects.toThrow(new InterruptedError('stopped by SIGTERM while waiting for a free request slot before GET /x'));
    expect(attempted).toBe(0);
    expect(gate.inFlight).toBe(1);
    held.release();
    expect(gate.inFlight).toBe(0);
  });

  test('one call\'s 429 makes another call through the same gate wait out its Retry-After', async () => {
    let time = 0;
    const sleeps: number[] = [];
    const clockDeps = { sleep: async (ms: number) => void (sleeps.push(ms), (time += ms)), now: () => time, random: () => 0.5 };
    const gate = new ThrottleGate({ sleep: clockDeps.sleep, now: clockDeps.now, maxParallelRequests: 2 });
    const first = await withRetries('GET /a', DEFAULT_RETRY_POLICY, { ...clockDeps, gate }, async (n) => (n === 1 ? status(429, '7') : ok('a')), fail);
    expect(first).toBe('a');
    // The 429 call slept its 7 s itself; the pause it set ended at the same moment.
    expect(sleeps).toEqual([7000]);
    expect(gate.pausedUntil).toBe(7000);
    gate.pauseFor(4000);
    const sentAt: number[] = [];
    await withRetries('GET /b', DEFAULT_RETRY_POLICY, { ...clockDeps, gate }, async () => (sentAt.push(time), ok('b')), fail);
    expect(sentAt).toEqual([11000]);
  });
});
