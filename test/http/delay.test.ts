import { getEventListeners } from 'node:events';
import { pause } from '../../connector/http/delay';
import { InterruptedError } from '../../connector/errors';

const instant = () => Promise.resolve();

describe('pause', () => {
  test('the abort listener count stays flat over 50 waits', async () => {
    const controller = new AbortController();
    const counts: number[] = [];
    for (let i = 0; i < 50; i++) {
      await pause(instant, 10, controller.signal, 'waiting');
      counts.push(getEventListeners(controller.signal, 'abort').length);
    }
    expect(counts).toEqual(new Array(50).fill(0));
  });

  test('an abort ends a long wait at once, with InterruptedError, and leaves no listener', async () => {
    const controller = new AbortController();
    const never = () => new Promise<void>(() => undefined);
    const waiting = pause(never, 60_000, controller.signal, 'waiting to retry GET /x');
    controller.abort('SIGTERM');
    await expect(waiting).rejects.toThrow(new InterruptedError('stopped by SIGTERM while waiting to retry GET /x'));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('an already aborted signal does not wait at all', async () => {
    const controller = new AbortController();
    controller.abort('SIGINT');
    let slept = false;
    await expect(pause(async () => void (slept = true), 10, controller.signal, 'waiting')).rejects.toBeInstanceOf(InterruptedError);
    expect(slept).toBe(false);
  });

  test('without a signal it is the injected sleep', async () => {
    const calls: number[] = [];
    await pause(async (ms) => void calls.push(ms), 1234, undefined, 'waiting');
    expect(calls).toEqual([1234]);
  });
});
