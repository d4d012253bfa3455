/**
 * How many pages a process holds in memory at once, whatever the number of requests in flight.
 * A request waiting for its answer costs nothing; a page costs its body text and then its parsed
 * rows until they are written (10-20 MB for 5,000 rows of a 20-column table). So a page walk takes
 * a slot when its answer's headers are in, before the body is read, and gives it back when it asks
 * for its next page (the previous page has been written by then) or ends. Bodies that wait for a
 * slot are not decoded or parsed, but the HTTP client may buffer them (hence the bound on page
 * requests in flight below).
 *
 * With many workers on a service that answers slowly, pages arrive spread out and rarely wait;
 * when the service answers faster than this process parses (the CPU is the bound), only this many
 * pages are ever held, and the others' answers wait unread.
 *
 * A wait is bounded (`maxWaitMs`): a walk that reads another walk's pages while holding a slot of
 * its own could otherwise wait for itself. Past the bound the page is read without a slot: a
 * moment of more memory, never a hang.
 *
 * What grew with the worker count was not these (438-463 MB at a million rows with 48 workers,
 * with and without them): it was written pages kept alive by suspended walks, which the writer
 * now frees (protocol/messages.ts RecordBatch).
 */
import { readBodyText } from './body-text';
import { stopped } from './delay';

/**
 * Pages held at once by default: one being written while the next is parsed. A page of 5,000
 * wide rows is about 25 MB with its text; a third slot added about 25 MB of peak RSS at a million
 * rows and no speed, CPU-bound or latency-bound.
 */
export const PAGES_IN_MEMORY = 2;

/**
 * Page requests in flight at once by default. An answer waiting for a page slot is not read, but
 * the HTTP client may still buffer it, so these are bounded too: 16 answers of 4.5 MB at most,
 * while 16 requests still hide a slow service's latency (the bench's latency section needs 13-18).
 */
export const PAGE_REQUESTS_IN_FLIGHT = 16;

/**
 * How long a page waits for a slot before it is read without one: longer than a queue of 52
 * workers takes to drain when every page must wait (52 x 60 ms to parse and write a page is about
 * 3 s), so the bound only ever ends a wait that would not end otherwise.
 */
export const MAX_SLOT_WAIT_MS = 30_000;

/** Gives a slot back; calling it again does nothing. */
export type SlotRelease = () => void;

export class PageSlots {
  private free: number;
  private readonly waiters: Array<{ grant: () => void }> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Pages read without a slot because the wait passed its bound (for the debug log and tests). */
  overcommitted = 0;

  /**
   * Resolves with a release once a slot is free, or after `maxWaitMs` with a release that gives
   * nothing back (no slot was taken); rejects, taking the waiter out, when `signal` aborts first.
   */
  acquire(signal: AbortSignal | undefined, maxWaitMs: number): Promise<SlotRelease> {
    if (signal?.aborted) return Promise.reject(stopped(signal, 'reading a page'));
    if (this.free > 0 && this.waiters.length === 0) {
      this.free--;
      return Promise.resolve(this.release());
    }
    return new Promise<SlotRelease>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
      };
      const waiter = {
        grant: () => {
          leave();
          resolve(this.release());
        },
      };
      const onAbort = () => {
        leave();
        reject(stopped(signal as AbortSignal, 'reading a page'));
      };
      const timer = setTimeout(() => {
        leave();
        this.overcommitted++;
        resolve(() => undefined);
      }, maxWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Slots in use now. */
  get held(): number {
    return this.size - this.free;
  }

  private release(): SlotRelease {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiters.shift();
      // The slot passes straight to the first waiter: it is never free in between.
      if (next) next.grant();
      else this.free++;
    };
  }
}

/**
 * The body, read under a page slot when `slots` is given; the slot goes back if the read fails,
 * or if the attempt's deadline passed meanwhile (the attempt was given up: nobody takes the page).
 */
export async function readUnderSlot(answer: Response, signal: AbortSignal, slots: PageSlots | undefined, body: { what?: string; limitBytes?: number; softLimitBytes?: number; onBytes?: (bytes: Uint8Array) => void } = {}): Promise<{ response: Response; text: string; release?: SlotRelease }> {
  const release = slots ? await slots.acquire(signal, MAX_SLOT_WAIT_MS) : undefined;
  try {
    const text = await readBodyText(answer, body.what, body.limitBytes, body.softLimitBytes, body.onBytes);
    if (signal.aborted) throw signal.reason;
    return { response: answer, text, release };
  } catch (err) {
    release?.();
    throw err;
  }
}

/** Gives a held slot back now (if any); always undefined, for `held = giveBack(held)`. */
export function giveBack(release: SlotRelease | undefined): undefined {
  release?.();
  return undefined;
}
