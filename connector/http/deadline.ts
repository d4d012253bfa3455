/**
 * A per-attempt deadline that covers connecting, the headers and the whole body. It is a plain
 * timer owned by this call, not `AbortSignal.timeout` combined through `AbortSignal.any`: on
 * Node 20 a combined signal that nothing else references can be garbage-collected while the fetch
 * still waits, and then it never fires. Here the pending timer holds the controller, and the race
 * below settles the attempt even if the HTTP client ignored the abort.
 */
import { InterruptedError } from '../errors';

/** Thrown when the deadline passes; network-errors.ts classifies it as a timeout. */
export class DeadlineError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly afterMs: number) {
    super(`no complete response within ${afterMs / 1000} s`);
  }
}

/**
 * Runs `attempt` with a signal that aborts after `ms` or when `outer` aborts, and settles by then
 * at the latest: with the attempt's result, a DeadlineError, or an InterruptedError.
 */
export async function withDeadline<T>(ms: number, outer: AbortSignal | undefined, what: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (outer?.aborted) throw new InterruptedError(`stopped by ${String(outer.reason)} before ${what}`);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const cutOff = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineError(ms);
      controller.abort(error);
      reject(error);
    }, ms);
    onAbort = () => {
      controller.abort(outer?.reason);
      reject(new InterruptedError(`stopped by ${String(outer?.reason)} during ${what}`));
    };
    outer?.addEventListener('abort', onAbort, { once: true });
  });
  const running = attempt(controller.signal);
  // Whichever loses the race must not surface later as an unhandled rejection.
  running.catch(() => undefined);
  cutOff.catch(() => undefined);
  try {
    return await Promise.race([running, cutOff]);
  } catch (err) {
    // The client's own error for an abort we caused says less than ours.
    if (controller.signal.aborted && controller.signal.reason instanceof DeadlineError) throw controller.signal.reason;
    if (outer?.aborted) throw new InterruptedError(`stopped by ${String(outer.reason)} during ${what}`);
    throw err;
  } finally {
    clearTimeout(timer);
    if (onAbort) outer?.removeEventListener('abort', onAbort);
  }
}
