/**
 * Assertions over the emulator's request log about how a client used the service's limits: how
 * many requests it had in flight at once, and whether it waited out every Retry-After. Tests and
 * the bench share them; they read the emulator's own records (arrival, end, in flight at arrival),
 * not the client's clock.
 */
import type { RequestLogEntry } from '../emulator';

/** The largest number of Dataverse requests in flight at once, as counted at each arrival. */
export function maxInFlight(log: readonly RequestLogEntry[]): number {
  let max = 0;
  for (const entry of log) if (entry.target === 'org' && entry.inFlight !== undefined) max = Math.max(max, entry.inFlight);
  return max;
}

/** Throws, naming the first offending request, when more than `limit` Dataverse requests were ever in flight at once. */
export function assertInFlightAtMost(log: readonly RequestLogEntry[], limit: number): void {
  const over = log.find((e) => e.target === 'org' && (e.inFlight ?? 0) > limit);
  if (over) throw new Error(`request #${over.seq} (${over.method} ${over.path.slice(0, 120)}) arrived with ${over.inFlight} requests in flight, more than ${limit}`);
}

/** A request that arrived while an earlier answer's Retry-After was still running. */
export interface RetryAfterViolation {
  /** The 429 (or other answer) that carried the Retry-After. */
  throttled: RequestLogEntry;
  /** The request that came too early. */
  early: RequestLogEntry;
  /** How many ms before the Retry-After had passed it arrived. */
  earlyByMs: number;
}

/**
 * Every Dataverse request, from any client, that arrived after an answer with a Retry-After was
 * sent and before that many seconds had passed. Requests already in flight when the answer went
 * out, or arriving within {@link CLIENT_TURN_MS} of it, are not counted: they were sent before
 * the client could know.
 */
export function retryAfterViolations(log: readonly RequestLogEntry[]): RetryAfterViolation[] {
  const org = log.filter((e) => e.target === 'org');
  const out: RetryAfterViolation[] = [];
  for (const throttled of org) {
    if (throttled.retryAfterSeconds === undefined || throttled.endedAt === undefined) continue;
    const until = throttled.endedAt + throttled.retryAfterSeconds * 1000;
    const seenBy = throttled.endedAt + CLIENT_TURN_MS;
    for (const early of org) {
      if (early.at > seenBy && early.at < until) out.push({ throttled, early, earlyByMs: until - early.at });
    }
  }
  return out;
}

/**
 * How long after a reply ended a client may still send without having read it. A single-threaded
 * client that is parsing a page when a 429 lands reads that 429 only when the parse is done (up
 * to about 100 ms for 5,000 rows), and a request it sends meanwhile was sent before it could
 * know; observed: 25-30 ms after the 429, and two retries released by the same pause 1-2 ms apart.
 * A request later than this after the 429 is one the client sent knowing it: a violation.
 */
export const CLIENT_TURN_MS = 100;

/** Throws, describing the first violation, unless every Retry-After in the log was waited out. */
export function assertRetryAfterRespected(log: readonly RequestLogEntry[]): void {
  const [first, ...rest] = retryAfterViolations(log);
  if (!first) return;
  const { throttled, early, earlyByMs } = first;
  throw new Error(
    `request #${early.seq} (${early.method} ${early.path.slice(0, 120)}) arrived ${earlyByMs} ms before the Retry-After: ${throttled.retryAfterSeconds} s of request #${throttled.seq} (status ${throttled.status}) had passed` +
      (rest.length > 0 ? `; ${rest.length} more` : ''),
  );
}
