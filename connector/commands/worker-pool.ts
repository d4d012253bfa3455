/**
 * The workers of a read: jobs (a stream, or a helper on a stream's partitions) run while fewer
 * than `limit()` are running. The limit is asked each time a job could start, so a throttle gate
 * that lowers it (execution-time limit) or raises it (dop hint) takes effect as jobs end; a running
 * job is never interrupted. Jobs of a lower priority number start first, in order of submission
 * within one priority: partitions of a stream already started go before streams not started.
 */

/** Jobs helping on partitions of a started stream. */
export const PARTITION_PRIORITY = 0;
/** A configured stream's read. */
export const STREAM_PRIORITY = 1;

interface Queued {
  priority: number;
  start(): void;
}

export class WorkerPool {
  private running = 0;
  private peak = 0;
  private readonly queue: Queued[] = [];

  /** `limit` is the worker count at this moment (at least 1 is always used). */
  constructor(private readonly limit: () => number) {}

  /** The worker count now: the limit, whole, and never below 1. */
  get size(): number {
    return Math.max(1, Math.floor(this.limit()));
  }

  /** The most jobs that ever ran at once (for tests and logs). */
  get maxRunning(): number {
    return this.peak;
  }

  /** Runs `job` in a worker when one is free; settles as the job does. */
  run<T>(priority: number, job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        this.peak = Math.max(this.peak, this.running);
        (async () => job())()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.startWaiting();
          });
      };
      const at = this.queue.findIndex((q) => q.priority > priority);
      this.queue.splice(at < 0 ? this.queue.length : at, 0, { priority, start });
      this.startWaiting();
    });
  }

  private startWaiting(): void {
    while (this.queue.length > 0 && this.running < this.size) {
      (this.queue.shift() as Queued).start();
    }
  }
}
