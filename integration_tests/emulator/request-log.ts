/**
 * The emulator's request log: one entry per request on any server, in arrival order, filled in as
 * the exchange goes (status, bytes, end), so tests can see what a client sent and when.
 */
import type { Target } from './context';
import type { InnerRequestLogEntry } from './batch';
import type { FaultAction } from './faults';
import type { Reply } from './router';

/** One request as the emulator received it, and what it answered. */
export interface RequestLogEntry {
  /** 1-based, in arrival order across all servers. */
  seq: number;
  /** Arrival time (ms since epoch), to measure the waits between retries. */
  at: number;
  target: Target;
  method: string;
  /** Path and query exactly as received. */
  path: string;
  /** Lower-cased names as received, authorization included. */
  headers: Record<string, string | string[] | undefined>;
  /** The request body, when there was one (token POSTs). */
  body?: string;
  /** The status sent; 0 while in flight or when no status line was ever sent (reset, silent). */
  status: number;
  /** The fault kind applied to this request, if any. */
  faulted?: FaultAction['kind'];
  /** Body bytes handed to the socket so far (a trickle's count grows while it runs). */
  sentBytes: number;
  /**
   * When the exchange ended (ms since epoch): the response fully handed to the socket, or its
   * connection closed by either side; absent while it is still open (a `silent` or `neverEnd`
   * request). Set on the server's clock, possibly a moment after the client saw the end.
   */
  endedAt?: number;
  /** For a `$batch` POST: its inner requests, in order (batch.ts). */
  inner?: InnerRequestLogEntry[];
  /**
   * Org requests only: that user's Dataverse requests in flight when this one arrived, this one
   * included (limits.ts). The 53rd simultaneous request has 53 here (and got the 429).
   */
  inFlight?: number;
  /**
   * Org requests that were served: the server time charged to the execution budget, the
   * modelled time when latency is on (service.ts), else the time the handler took.
   */
  serverMs?: number;
  /** The Retry-After (seconds) the answer carried, when it had one (429s). */
  retryAfterSeconds?: number;
}

/** A new entry for a request arriving now; its `endedAt` is set when `res` finishes or closes. */
export function openEntry(seq: number, target: Target, method: string, path: string, headers: RequestLogEntry['headers'], res: NodeJS.EventEmitter): RequestLogEntry {
  const entry: RequestLogEntry = { seq, at: Date.now(), target, method, path, headers: { ...headers }, status: 0, sentBytes: 0 };
  const ended = () => {
    entry.endedAt ??= Date.now();
  };
  res.once('finish', ended);
  res.once('close', ended);
  return entry;
}

/** Records the status and Retry-After of the reply about to be sent. */
export function recordReply(entry: RequestLogEntry, reply: Reply, action: FaultAction | undefined): void {
  entry.status = action?.kind === 'malformed' ? 200 : reply.status;
  const retryAfter = Object.entries(reply.headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  if (typeof retryAfter === 'string' && /^\d+$/.test(retryAfter)) entry.retryAfterSeconds = Number(retryAfter);
}
