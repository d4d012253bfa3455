/**
 * The throttle gate: the one stateful part of the retry path, shared by every Dataverse request of
 * the process (one per process, injected through HttpDeps, used by the retry loop). The retry
 * decision stays pure (retry-policy.ts); the gate holds what concurrent workers must agree on:
 * - how many requests may be in flight (`limit`), never exceeded;
 * - until when nobody may send, after a 429's Retry-After (`pauseFor`): Dataverse's service
 *   protection counts per user, so one worker's 429 is every worker's (facts §9);
 * - additive increase, multiplicative decrease of the limit on the execution-time and
 *   concurrency limits (0x80072321, 0x80072326), under a ceiling: `max_parallel_requests`, else
 *   the service's `x-ms-dop-hint`, at most 52 (facts §9 "Parallelism").
 * Every wait goes through delay.ts's abortable pause, so a stopped process leaves no waiter.
 */
import { InterruptedError } from '../errors';
import { pause, stopped } from './delay';
import { parseRetryAfter, type Outcome } from './retry-policy';

/** Dataverse allows 52 concurrent requests per user (facts §9). */
export const MAX_PARALLEL_REQUESTS = 52;

/**
 * Error codes that say "fewer at a time" (facts §9): the execution-time limit (0x80072321,
 * -2147015903) and the concurrency limit (0x80072326, -2147015898). The request-count limit
 * (0x80072322) only pauses: fewer workers would not send fewer requests.
 */
const CONCURRENCY_CODES = new Set(['0x80072321', '-2147015903', '0x80072326', '-2147015898']);

/** What the loop tells the gate about one finished attempt. */
export interface AttemptFeedback {
  outcome: Outcome;
  /** The response headers, when there was a response (the dop hint is read from them). */
  headers?: Pick<Headers, 'get'>;
}

/** A place among the requests in flight. `release` is idempotent: a second call does nothing. */
export interface GateSlot {
  release(feedback?: AttemptFeedback): void;
}

/** What the retry loop needs of a gate. */
export interface RequestGate {
  /** Resolves once a request may be sent: no pause in force and a free slot. Throws InterruptedError when `signal` aborts first. */
  acquire(signal?: AbortSignal, what?: string): Promise<GateSlot>;
  /** Nobody sends for `ms` from now (a Retry-After); a longer pause already in force stays. */
  pauseFor(ms: number): void;
}

/** The gate's state, for the scheduler and the progress display. */
export interface GateState {
  /** How many requests may be in flight now. */
  limit: number;
  /** What the limit grows back to. */
  ceiling: number;
  /** Where the ceiling comes from. */
  ceilingSource: 'config' | 'dop-hint' | 'initial';
}

export interface ThrottleGateOptions {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Where limit changes are told (LOG messages). */
  log?: (level: 'INFO' | 'WARN' | 'DEBUG', message: string) => void;
  /** `max_parallel_requests`; absent: the service's dop hint. */
  maxParallelRequests?: number;
}

/** What a Dataverse requester holds to share the gate (HttpDeps); the token endpoint has none (msal-network.ts says why). */
export interface GateDeps {
  /** The process's throttle gate, shared by every Dataverse request. */
  gate?: ThrottleGate;
}

interface Waiter {
  grant: () => void;
}

export class ThrottleGate implements RequestGate {
  private configured?: number;
  private hint?: number;
  /** The AIMD limit while it is below the ceiling; undefined: at the ceiling. */
  private reduced?: number;
  private successes = 0;
  /** Bumped at every cut: a request sent before the last cut cannot cut again (one cut per burst of 429s). */
  private epoch = 0;
  private active = 0;
  private pausedUntilMs = 0;
  private readonly waiters: Waiter[] = [];
  private readonly listeners = new Set<(state: GateState) => void>();

  constructor(private readonly options: ThrottleGateOptions) {
    this.configured = options.maxParallelRequests;
  }

  /** How many requests may be in flight now: the ceiling, or less after the service said "fewer". */
  get limit(): number {
    return Math.min(this.ceiling, this.reduced ?? Infinity);
  }

  /**
   * What the limit grows back to: `max_parallel_requests` when set, else the last `x-ms-dop-hint`
   * (at most 52), else 1 until a response has said more.
   */
  get ceiling(): number {
    return this.configured ?? this.hint ?? 1;
  }

  get state(): GateState {
    const ceilingSource = this.configured !== undefined ? 'config' : this.hint !== undefined ? 'dop-hint' : 'initial';
    return { limit: this.limit, ceiling: this.ceiling, ceilingSource };
  }

  /** Requests holding a slot now. */
  get inFlight(): number {
    return this.active;
  }

  /** When the current pause ends (ms since epoch; in the past when none is in force). */
  get pausedUntil(): number {
    return this.pausedUntilMs;
  }

  /** Calls `listener` after every change of the limit or the ceiling; returns the function that removes it. */
  onChange(listener: (state: GateState) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The config's `max_parallel_requests`, once the config is read (undefined: follow the dop hint). */
  setMaxParallelRequests(value: number | undefined): void {
    this.changing(() => (this.configured = value));
  }

  pauseFor(ms: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, this.options.now() + ms);
  }

  async acquire(signal?: AbortSignal, what = 'a request'): Promise<GateSlot> {
    await this.waitOutPause(signal, what);
    if (this.active < this.limit && this.waiters.length === 0) this.active++;
    else await this.queue(signal, what);
    const slot = this.slot(this.epoch);
    try {
      // A pause may have begun while this one waited in the queue.
      await this.waitOutPause(signal, what);
    } catch (err) {
      slot.release();
      throw err;
    }
    return slot;
  }

  /**
   * A view for a loop whose attempts are themselves requests through this gate (the retry of
   * `$batch` parts): it takes no slot, so a batch never holds two, but its pauses and its
   * parts' "fewer at a time" answers count as any request's.
   */
  signalsOnly(): RequestGate {
    return {
      acquire: async (signal, what = 'a request') => {
        await this.waitOutPause(signal, what);
        const epoch = this.epoch;
        let released = false;
        return {
          release: (feedback) => {
            if (released) return;
            released = true;
            const code = feedback && concurrencyCode(feedback.outcome);
            if (code) this.cut(epoch, code);
          },
        };
      },
      pauseFor: (ms) => this.pauseFor(ms),
    };
  }

  private slot(epoch: number): GateSlot {
    let released = false;
    return {
      release: (feedback) => {
        if (released) return;
        released = true;
        this.active--;
        if (feedback) this.learn(feedback, epoch);
        this.grant();
      },
    };
  }

  /** Hands free slots to waiters in arrival order; the slot is counted before the waiter runs. */
  private grant(): void {
    while (this.waiters.length > 0 && this.active < this.limit) {
      this.active++;
      this.waiters.shift()!.grant();
    }
  }

  /** Sleeps until no pause is in force; again when a pause was extended meanwhile or a timer fired a moment early. */
  private async waitOutPause(signal: AbortSignal | undefined, what: string): Promise<void> {
    let before = this.options.now();
    for (let wait = this.pausedUntilMs - before; wait > 0; wait = this.pausedUntilMs - before) {
      await pause(this.options.sleep, wait, signal, `waiting out Dataverse's Retry-After before ${what}`);
      const after = this.options.now();
      // A clock that did not move (a test's instant sleep) would make this loop forever.
      if (after === before) return;
      before = after;
    }
  }

  /** Waits for a slot handed over by `grant`; an abort takes the waiter out of the queue and its listener off the signal. */
  private queue(signal: AbortSignal | undefined, what: string): Promise<void> {
    if (signal?.aborted) return Promise.reject(stoppedInQueue(signal, what));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(stoppedInQueue(signal!, what));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private learn({ outcome, headers }: AttemptFeedback, epoch: number): void {
    const hint = dopHint(headers);
    if (hint !== undefined && hint !== this.hint) this.changing(() => (this.hint = hint));
    const code = concurrencyCode(outcome);
    if (code) this.cut(epoch, code);
    else if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) this.succeeded();
  }

  /** Multiplicative decrease: halve (at least 1), once per burst; logged when the limit moves. */
  private cut(epoch: number, code: string): void {
    if (epoch !== this.epoch) return;
    this.epoch++;
    this.successes = 0;
    const before = this.limit;
    const after = Math.max(1, Math.floor(before / 2));
    // At 1 there is nothing to lower: the pause is all the loop can do.
    if (after === before) return;
    this.changing(() => (this.reduced = after));
    this.options.log?.(
      'WARN',
      `Dataverse answered 429 ${code} (${describeCode(code)}): parallel requests lowered from ${before} to ${after}; raised again by 1 after each ${after === 1 ? 'success' : `${after} successes`}`,
    );
  }

  /** Additive increase: +1 after one round of successes at the current limit (as TCP's congestion avoidance). */
  private succeeded(): void {
    if (this.reduced === undefined) return;
    this.successes++;
    if (this.successes < this.reduced) return;
    this.successes = 0;
    this.changing(() => (this.reduced = this.reduced! + 1 >= this.ceiling ? undefined : this.reduced! + 1));
  }

  /** Applies a change and, when the limit or ceiling moved, wakes waiters and tells listeners. */
  private changing(change: () => void): void {
    const before = this.state;
    change();
    const after = this.state;
    if (before.limit === after.limit && before.ceiling === after.ceiling && before.ceilingSource === after.ceilingSource) return;
    this.grant();
    for (const listener of [...this.listeners]) listener(after);
  }
}

/** `x-ms-dop-hint`: a positive integer, capped at 52; anything else is ignored. */
export function dopHint(headers: Pick<Headers, 'get'> | undefined): number | undefined {
  const text = headers?.get('x-ms-dop-hint')?.trim();
  if (!text || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= 1 ? Math.min(value, MAX_PARALLEL_REQUESTS) : undefined;
}

/** The "fewer at a time" code of a 429, or undefined for any other outcome. */
function concurrencyCode(outcome: Outcome): string | undefined {
  if (outcome.kind !== 'response' || outcome.status !== 429) return undefined;
  const code = errorCode(outcome.bodyText);
  return code !== undefined && CONCURRENCY_CODES.has(code) ? code : undefined;
}

/** The `error.code` of Dataverse's error envelope, lower-cased. */
function errorCode(bodyText: string | undefined): string | undefined {
  if (!bodyText) return undefined;
  try {
    const code = (JSON.parse(bodyText) as { error?: { code?: unknown } })?.error?.code;
    return typeof code === 'string' || typeof code === 'number' ? String(code).toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

function describeCode(code: string): string {
  return code === '0x80072326' || code === '-2147015898' ? 'concurrent requests over the limit' : 'execution time over the limit';
}

/** The stop of a wait in the queue, in delay.ts's words. */
function stoppedInQueue(signal: AbortSignal, what: string): InterruptedError {
  return stopped(signal, `waiting for a free request slot before ${what}`);
}

/**
 * A 429's Retry-After pauses every worker as soon as its headers are in: the retry loop pauses
 * them too, but only once the body is read, and meanwhile another worker could send.
 */
export function pauseOnRetryAfter(gate: RequestGate | undefined, headers: Headers, nowMs: number): void {
  const waitMs = parseRetryAfter(headers.get('retry-after'), nowMs);
  if (waitMs !== undefined) gate?.pauseFor(waitMs);
}
