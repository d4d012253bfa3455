import { getEventListeners } from 'node:events';
import { InterruptedError } from '../../connector/errors';
import { dopHint, ThrottleGate, type AttemptFeedback, type GateSlot, type GateState } from '../../connector/http/throttle-gate';

/** A clock that moves only when told to; `sleep` resolves when it has moved far enough. */
class FakeClock {
  time = 1_000_000;
  private timers: Array<{ at: number; resolve: () => void }> = [];
  now = () => this.time;
  sleep = (ms: number) => new Promise<void>((resolve) => this.timers.push({ at: this.time + ms, resolve }));
  get pending(): number {
    return this.timers.length;
  }
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      this.timers.splice(this.timers.indexOf(due), 1);
      due.resolve();
    }
    this.time = until;
    await settle();
  }
}

/** Lets every resolved promise run its continuation. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const headers = (values: Record<string, string>) => new Headers(values);
const ok = (hint?: number): AttemptFeedback => ({ outcome: { kind: 'response', status: 200 }, headers: hint === undefined ? undefined : headers({ 'x-ms-dop-hint': String(hint) }) });
const throttled = (code: string): AttemptFeedback => ({
  outcome: { kind: 'response', status: 429, retryAfter: '1', bodyText: JSON.stringify({ error: { code, message: 'limit' } }) },
});
const EXECUTION = '0x80072321';
const CONCURRENCY = '0x80072326';
const REQUESTS = '0x80072322';

function gate(maxParallelRequests?: number) {
  const clock = new FakeClock();
  const logs: string[] = [];
  const g = new ThrottleGate({ sleep: clock.sleep, now: clock.now, log: (level, message) => void logs.push(`${level} ${message}`), maxParallelRequests });
  return { clock, logs, g };
}

describe('ThrottleGate: the ceiling', () => {
  const cases: Array<[string, number | undefined, Array<number | undefined>, number, GateState['ceilingSource']]> = [
    ['1 before any response has been seen', undefined, [], 1, 'initial'],
    ['1 while responses carry no hint', undefined, [undefined, undefined], 1, 'initial'],
    ['the dop hint of the responses', undefined, [8], 8, 'dop-hint'],
    ['the last dop hint', undefined, [8, 12], 12, 'dop-hint'],
    ['the dop hint capped at 52', undefined, [400], 52, 'dop-hint'],
    ['max_parallel_requests over any hint', 3, [8], 3, 'config'],
    ['max_parallel_requests above the hint', 40, [8], 40, 'config'],
  ];
  test.each(cases)('is %s', async (_name, configured, hints, ceiling, source) => {
    const { g } = gate(configured);
    for (const hint of hints) (await g.acquire()).release(ok(hint));
    expect(g.state).toEqual({ limit: ceiling, ceiling, ceilingSource: source });
  });

  test.each([
    ['8', 8],
    [' 4 ', 4],
    ['0', undefined],
    ['-3', undefined],
    ['2.5', undefined],
    ['lots', undefined],
    ['', undefined],
    ['53', 52],
  ])('dopHint(%p) is %p', (value, expected) => {
    expect(dopHint(headers({ 'x-ms-dop-hint': value }))).toBe(expected);
  });
});

describe('ThrottleGate: the in-flight limit', () => {
  test.each([1, 4, 52])('100 concurrent acquirers never hold more than %i slots, and all get one in arrival order', async (limit) => {
    const { g } = gate(limit);
    let inFlight = 0;
    let most = 0;
    const order: number[] = [];
    const holders: Array<() => void> = [];
    const workers = Array.from({ length: 100 }, async (_, i) => {
      const slot = await g.acquire();
      inFlight++;
      most = Math.max(most, inFlight);
      order.push(i);
      await new Promise<void>((resolve) => holders.push(resolve));
      inFlight--;
      slot.release(ok());
    });
    for (let round = 0; order.length < 100 || holders.length > 0; round++) {
      await settle();
      expect(g.inFlight).toBeLessThanOrEqual(limit);
      holders.splice(0).forEach((resolve) => resolve());
      if (round > 200) throw new Error('stuck');
    }
    await Promise.all(workers);
    expect(most).toBe(limit);
    expect(order).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(g.inFlight).toBe(0);
  });

  test('a second release of the same slot frees nothing more', async () => {
    const { g } = gate(1);
    const first = await g.acquire();
    const second = g.acquire();
    first.release(ok());
    first.release(ok());
    await second;
    expect(g.inFlight).toBe(1);
    let third = false;
    void g.acquire().then(() => (third = true));
    await settle();
    expect(third).toBe(false);
  });

  test('a raised ceiling lets waiting acquirers in at once', async () => {
    const { g } = gate();
    const first = await g.acquire();
    const got: number[] = [];
    const waiting = [1, 2, 3].map((i) => g.acquire().then((slot) => (got.push(i), slot)));
    await settle();
    expect(got).toEqual([]);
    first.release(ok(3));
    await settle();
    expect(got).toEqual([1, 2, 3]);
    expect(g.inFlight).toBe(3);
    (await Promise.all(waiting)).forEach((slot) => slot.release(ok(3)));
    expect(g.inFlight).toBe(0);
  });
});

describe('ThrottleGate: Retry-After pauses every worker', () => {
  test('every acquire waits until the pause ends, also those queued for a slot', async () => {
    const { g, clock } = gate(2);
    const start = clock.now();
    const held = [await g.acquire(), await g.acquire()];
    g.pauseFor(5_000);
    const sentAt: number[] = [];
    const workers = Array.from({ length: 6 }, () => g.acquire().then((slot) => (sentAt.push(clock.now()), slot.release(ok()))));
    held.forEach((slot) => slot.release(ok()));
    await clock.advance(4_999);
    expect(sentAt).toEqual([]);
    await clock.advance(1);
    await Promise.all(workers);
    expect(sentAt).toEqual(Array(6).fill(start + 5_000));
  });

  test('a longer pause extends the wait, a shorter one does not cut it', async () => {
    const { g, clock } = gate(4);
    const start = clock.now();
    g.pauseFor(2_000);
    let sentAt: number | undefined;
    const worker = g.acquire().then((slot) => ((sentAt = clock.now()), slot.release()));
    await clock.advance(1_000);
    g.pauseFor(3_000);
    g.pauseFor(100);
    await clock.advance(2_999);
    expect(sentAt).toBeUndefined();
    await clock.advance(1);
    await worker;
    expect(sentAt).toBe(start + 4_000);
  });

  test('a stop ends a pause wait and a queue wait at once, leaving no listener and no queued waiter', async () => {
    const { g, clock } = gate(1);
    const controller = new AbortController();
    const held = await g.acquire();
    const queued = g.acquire(controller.signal, 'GET /accounts');
    await settle();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort('SIGTERM');
    await expect(queued).rejects.toThrow(new InterruptedError('stopped by SIGTERM while waiting for a free request slot before GET /accounts'));
    held.release();
    expect(g.inFlight).toBe(0);
    const paused = new AbortController();
    g.pauseFor(60_000);
    const waiting = g.acquire(paused.signal, 'GET /contacts');
    await settle();
    paused.abort('SIGINT');
    await expect(waiting).rejects.toThrow(new InterruptedError("stopped by SIGINT while waiting out Dataverse's Retry-After before GET /contacts"));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(paused.signal, 'abort')).toHaveLength(0);
    expect(g.inFlight).toBe(0);
    expect(clock.now()).toBe(1_000_000);
  });

  test('1,000 acquires with one signal leave no listener behind', async () => {
    const { g } = gate(2);
    const controller = new AbortController();
    const holders = Array.from({ length: 1_000 }, () => g.acquire(controller.signal).then((slot) => slot.release(ok())));
    await Promise.all(holders);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('ThrottleGate: AIMD', () => {
  async function answer(g: ThrottleGate, feedback: AttemptFeedback): Promise<void> {
    (await g.acquire()).release(feedback);
  }

  test('the execution-time limit halves the limit and logs it; successes raise it by 1 per round', async () => {
    const { g, logs } = gate(16);
    const steps: number[] = [];
    g.onChange((state) => steps.push(state.limit));
    await answer(g, throttled(EXECUTION));
    expect(g.limit).toBe(8);
    expect(logs).toEqual(['WARN Dataverse answered 429 0x80072321 (execution time over the limit): parallel requests lowered from 16 to 8; raised again by 1 after each 8 successes']);
    for (let i = 0; i < 7; i++) await answer(g, ok());
    expect(g.limit).toBe(8);
    await answer(g, ok());
    expect(g.limit).toBe(9);
    for (let i = 0; i < 9 + 10 + 11 + 12 + 13 + 14 + 15; i++) await answer(g, ok());
    expect(g.limit).toBe(16);
    expect(steps).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16]);
    for (let i = 0; i < 100; i++) await answer(g, ok());
    expect(g.limit).toBe(16);
  });

  test.each([
    ['execution time (hex)', EXECUTION, 4],
    ['execution time (decimal)', '-2147015903', 4],
    ['concurrency (hex)', CONCURRENCY, 4],
    ['concurrency (decimal)', '-2147015898', 4],
    ['request count', REQUESTS, 8],
    ['throttling', '0x8005F103', 8],
  ])('a 429 of %s leaves the limit at %i of 8', async (_name, code, limit) => {
    const { g } = gate(8);
    await answer(g, throttled(code));
    expect(g.limit).toBe(limit);
  });

  test('halving stops at 1', async () => {
    const { g, logs } = gate(5);
    const limits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await answer(g, throttled(EXECUTION));
      limits.push(g.limit);
    }
    expect(limits).toEqual([2, 1, 1, 1]);
    expect(logs).toHaveLength(2);
  });

  test('a burst of 429s from requests sent together cuts once; a request sent after the cut can cut again', async () => {
    const { g, logs } = gate(8);
    const burst: GateSlot[] = [];
    for (let i = 0; i < 8; i++) burst.push(await g.acquire());
    burst.forEach((slot) => slot.release(throttled(EXECUTION)));
    expect(g.limit).toBe(4);
    await answer(g, throttled(EXECUTION));
    expect(g.limit).toBe(2);
    expect(logs).toHaveLength(2);
  });

  test('a $batch loop through signalsOnly takes no slot but its parts\' execution-limit answers cut', async () => {
    const { g } = gate(4);
    const view = g.signalsOnly();
    const outer = await view.acquire();
    expect(g.inFlight).toBe(0);
    const inner = await g.acquire();
    inner.release(ok());
    outer.release(throttled(EXECUTION));
    expect(g.limit).toBe(2);
    view.pauseFor(1_000);
    expect(g.pausedUntil).toBe(1_001_000);
  });

  test('listeners are told of every change until removed', async () => {
    const { g } = gate();
    const seen: GateState[] = [];
    const off = g.onChange((state) => seen.push(state));
    await answer(g, ok(6));
    g.setMaxParallelRequests(2);
    g.setMaxParallelRequests(2);
    off();
    g.setMaxParallelRequests(undefined);
    expect(seen).toEqual([
      { limit: 6, ceiling: 6, ceilingSource: 'dop-hint' },
      { limit: 2, ceiling: 2, ceilingSource: 'config' },
    ]);
    expect(g.state).toEqual({ limit: 6, ceiling: 6, ceilingSource: 'dop-hint' });
  });
});
