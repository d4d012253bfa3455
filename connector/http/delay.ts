/**
 * Waiting that a stop request cuts short. The abort listener is removed whichever way the wait
 * ends, so a read that waits thousands of times holds no more listeners than one that never waited
 * (Node warns past 10 on one signal, and each would keep its closure alive).
 */
import { InterruptedError } from '../errors';

/** Sleeps `ms` (through the injected `sleep`), or until `signal` aborts: then throws InterruptedError. */
export async function pause(sleep: (ms: number) => Promise<void>, ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) throw stopped(signal, what);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort as () => void);
  }
  if (signal.aborted) throw stopped(signal, what);
}

export function stopped(signal: AbortSignal, what: string): InterruptedError {
  return new InterruptedError(`stopped by ${String(signal.reason)} while ${what}`);
}
