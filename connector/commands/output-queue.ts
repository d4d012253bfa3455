/**
 * The one line of output every worker of a read writes to. Messages leave in the order they were
 * pushed, whole (a worker hands over a message, never part of a line), so a STATE pushed after a
 * stream's records is written after them, whichever workers pushed what in between. A worker waits
 * until its message is taken: at most one message per worker waits in memory.
 */
import type { Output } from '../protocol/messages';

interface Waiting {
  message: Output;
  taken(): void;
  refused(err: Error): void;
}

export class OutputQueue {
  private readonly waiting: Waiting[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private cancelled: Error | undefined;

  /**
   * Appends `message` at once (so whatever the caller counted with it stays in step) and resolves
   * when the reader has taken it; rejects when the reader stopped reading.
   */
  push(message: Output): Promise<void> {
    if (this.cancelled) return Promise.reject(this.cancelled);
    if (this.closed) return Promise.reject(new Error('internal error: a message was pushed after the output closed'));
    const pushed = new Promise<void>((taken, refused) => {
      this.waiting.push({ message, taken, refused });
      this.wake?.();
    });
    // A caller may push several messages and wait on the last only: a refusal of the others is no crash.
    pushed.catch(() => undefined);
    return pushed;
  }

  /** No more messages will come: the reader ends once it has taken those pushed. */
  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** The reader stopped: every waiting and later push is refused, so the workers stop too. */
  cancel(): void {
    this.cancelled = new Error('the output was closed: the read stopped');
    for (const entry of this.waiting.splice(0)) entry.refused(this.cancelled);
  }

  /** Every message, in push order, until close(). */
  async *messages(): AsyncGenerator<Output> {
    for (;;) {
      const entry = this.waiting.shift();
      if (entry) {
        entry.taken();
        yield entry.message;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
