/**
 * Putting a {@link Reply} on the socket, including the faults that change how it is sent (cut
 * short, reset, trickled, never ended), and the timers those faults wait on.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MALFORMED_BODY, TRICKLE_DEFAULTS, type FaultAction } from './faults';
import { DATAVERSE_JSON, replyBody, type Reply } from './router';

/**
 * The emulator's pending timers: every wait a fault makes is one of these, so closing the
 * emulator (or the client going away) leaves nothing scheduled.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  /** Runs `fn` after `ms` unless cancelled (the returned function) or cleared. */
  after(ms: number, fn: () => void): () => void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      fn();
    }, ms);
    this.pending.add(timer);
    return () => {
      clearTimeout(timer);
      this.pending.delete(timer);
    };
  }

  /**
   * Resolves after `ms`, or as soon as `res` closes (the client went away: waiting on would only
   * hold a timer). Never resolves once cleared; the request it held up is dropped with its socket.
   */
  sleep(ms: number, res?: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.after(ms, () => {
        res?.off('close', early);
        resolve();
      });
      const early = () => {
        cancel();
        resolve();
      };
      res?.once('close', early);
    });
  }

  /** Cancels every pending timer. */
  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}

/** What {@link sendReply} needs besides the reply. */
export interface SendContext {
  res: ServerResponse;
  /** The raw TCP socket under the TLS one: only it can send an RST. */
  raw: Socket | undefined;
  timers: Timers;
  /** Called with the number of body bytes handed to the socket by each write. */
  onBody(bytes: number): void;
  /** Sends `Connection: close`, so the socket closes once this response is done. */
  closeConnection?: boolean;
}

/** Faults that send part of the body, or send it slowly: they need it whole. */
const BODY_FAULTS = new Set<FaultAction['kind']>(['neverEnd', 'truncate', 'reset', 'trickle']);

/**
 * A streamed body is written in writes of at least this many characters (one part larger than
 * that goes in one write): large enough that a page of 5,000 256 KB rows is some 1,250 writes, small
 * enough that the emulator holds little more than one while the socket drains.
 */
export const STREAM_WRITE_CHARS = 1024 * 1024;

/**
 * Sends `reply`, as the request's fault (if any) says. A reply with `parts` goes out with chunked
 * transfer encoding as it is rendered (unless a body fault needs it whole).
 */
export function sendReply(reply: Reply, action: FaultAction | undefined, ctx: SendContext): void {
  const { res, raw, timers, onBody } = ctx;
  if (res.destroyed || res.socket?.destroyed) return;
  let body: Buffer | undefined;
  let status = reply.status;
  let headers = reply.headers;
  if (action?.kind === 'malformed') {
    status = 200;
    body = Buffer.from(MALFORMED_BODY);
    headers = { 'Content-Type': DATAVERSE_JSON, ...headers };
  }
  // setHeader is case-insensitive: a fault's `content-type` replaces the route's `Content-Type`
  // instead of going out as a second header.
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (ctx.closeConnection) res.setHeader('Connection', 'close');
  if (body === undefined && reply.parts && !(action && BODY_FAULTS.has(action.kind))) {
    streamParts(ctx, status, reply.parts());
    return;
  }
  // A fault that cuts or slows the body works on its bytes: a streamed body is joined for it
  // (tests fault small pages; a page of gigabytes would not fit).
  body ??= Buffer.from(replyBody(reply));
  if (action?.kind === 'neverEnd') {
    res.removeHeader('Content-Length');
    res.writeHead(status);
    const first = body.subarray(0, Math.min(action.afterBytes ?? 0, body.length));
    if (first.length === 0) res.flushHeaders();
    else res.write(first);
    onBody(first.length);
    return;
  }
  res.setHeader('Content-Length', String(body.length));
  res.writeHead(status);
  const write = (chunk: Buffer, done?: () => void) => {
    res.write(chunk, done);
    onBody(chunk.length);
  };
  switch (action?.kind) {
    case 'truncate':
      // Keep-alive would otherwise wait for the missing bytes; closing makes the client see it.
      write(body.subarray(0, Math.floor(body.length / 2)), () => timers.after(10, () => res.socket?.destroy()));
      return;
    case 'reset':
      write(body.subarray(0, Math.min(action.afterBytes ?? 0, body.length)), () => timers.after(10, () => raw?.resetAndDestroy()));
      return;
    case 'trickle':
      trickle(ctx, body, action.bytesPerWrite ?? TRICKLE_DEFAULTS.bytesPerWrite, action.intervalMs ?? TRICKLE_DEFAULTS.intervalMs);
      return;
    default:
      res.end(body);
      onBody(body.length);
  }
}

/** Writes `body` a few bytes at a time; stops, and drops the connection, if the client leaves. */
function trickle(ctx: SendContext, body: Buffer, bytesPerWrite: number, intervalMs: number): void {
  const { res, timers, onBody } = ctx;
  const size = Math.max(1, Math.floor(bytesPerWrite));
  let offset = 0;
  let cancel: (() => void) | undefined;
  res.once('close', () => {
    cancel?.();
    if (offset < body.length) res.socket?.destroy();
  });
  const step = () => {
    cancel = undefined;
    if (res.destroyed) return;
    const chunk = body.subarray(offset, offset + size);
    offset += chunk.length;
    onBody(chunk.length);
    if (offset >= body.length) {
      res.end(chunk);
      return;
    }
    res.write(chunk);
    cancel = timers.after(intervalMs, step);
  };
  step();
}

/**
 * Writes a streamed body in writes of about {@link STREAM_WRITE_CHARS}, each after the previous
 * one drained (so a slow client holds the rendering back instead of filling memory), and stops
 * rendering when the response closes early (the client went away). No timers: only events.
 */
function streamParts(ctx: SendContext, status: number, parts: Iterable<string>): void {
  const { res, onBody } = ctx;
  // Without a Content-Length an HTTP/1.1 response is sent chunked.
  res.removeHeader('Content-Length');
  res.writeHead(status);
  const iterator = parts[Symbol.iterator]();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    res.off('drain', pump);
    iterator.return?.();
  };
  function pump(): void {
    try {
      while (!stopped) {
        const batch: string[] = [];
        let size = 0;
        let done = false;
        while (size < STREAM_WRITE_CHARS) {
          const next = iterator.next();
          if (next.done) {
            done = true;
            break;
          }
          batch.push(next.value);
          size += next.value.length;
        }
        const chunk = Buffer.from(batch.join(''), 'utf8');
        onBody(chunk.length);
        if (done) {
          stopped = true;
          res.off('close', stop);
          res.end(chunk);
          return;
        }
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    } catch (err) {
      // Rendering failed after the status went out: the client can only see a body cut short.
      stop();
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }
  res.once('close', stop);
  pump();
}
