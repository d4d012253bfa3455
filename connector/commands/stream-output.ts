/**
 * What one stream writes during a read, counted where it is pushed: RUNNING before its first
 * records, record batches, and STATEs whose `recordCount` is exactly the records of this stream
 * pushed since its previous STATE. Counting at push time is what keeps the count exact when
 * several partitions of the stream push pages in turn: the output keeps push order.
 */
import { logMessage, recordBatch, streamStateMessage, streamStatusMessage, type LogLevel, type StreamStatus } from '../protocol/messages';
import type { StreamRecord } from '../streams/types';
import type { MemoryGovernor } from './memory';
import type { OutputQueue } from './output-queue';
import type { Progress } from './progress';

/** What every stream's output shares in one read. */
export interface OutputDeps {
  now: () => number;
  progress?: Progress;
  /** One per process: every stream's pages are checked against the same heap budget. */
  governor: MemoryGovernor;
}

export class StreamOutput {
  private running = false;
  private sinceCheckpoint = 0;
  private total = 0;
  private started: number;
  /** The fields records are written with (the schema's, or the catalog's selection). */
  private fields: readonly string[] | undefined;

  constructor(
    readonly name: string,
    private readonly out: OutputQueue,
    private readonly deps: OutputDeps,
  ) {
    this.started = deps.now();
  }

  /** Records of this stream written so far. */
  get records(): number {
    return this.total;
  }

  /** The read proper begins (the summary's time counts from here) with records written with `fields`. */
  begin(fields: readonly string[] | undefined): void {
    this.fields = fields;
    this.started = this.deps.now();
  }

  status(status: StreamStatus): Promise<void> {
    return this.out.push(streamStatusMessage(this.name, status, this.deps.now()));
  }

  log(level: LogLevel, message: string): Promise<void> {
    return this.out.push(logMessage(level, message));
  }

  /** RUNNING once the stream has its first page, then the page (an empty page writes no line). */
  async page(records: StreamRecord[]): Promise<void> {
    const written = [this.startRunning()];
    if (records.length > 0) written.push(this.out.push(recordBatch(this.name, records, this.deps.now(), this.fields)));
    this.sinceCheckpoint += records.length;
    this.total += records.length;
    this.deps.progress?.add(records.length, this.name);
    await Promise.all(written);
    this.deps.governor.check();
  }

  /**
   * A STATE covering every record of this stream pushed before it; RUNNING first if no page came
   * yet (an empty partition can finish before any other has a page: Airbyte wants RUNNING before
   * a stream's first STATE).
   */
  async state(state: Record<string, unknown>): Promise<void> {
    const running = this.startRunning();
    const count = this.sinceCheckpoint;
    this.sinceCheckpoint = 0;
    await Promise.all([running, this.out.push(streamStateMessage(this.name, state, count))]);
  }

  /** RUNNING (if no page came), the summary LOG and COMPLETE. */
  async complete(): Promise<void> {
    const pushed = [this.startRunning()];
    this.deps.progress?.finish('done', this.name);
    pushed.push(this.log('INFO', `stream ${this.name}: ${this.total} records in ${((this.deps.now() - this.started) / 1000).toFixed(1)} s`));
    pushed.push(this.status('COMPLETE'));
    await Promise.all(pushed);
  }

  /** INCOMPLETE and the reason, as an ERROR LOG. */
  async fail(err: unknown): Promise<void> {
    this.deps.progress?.finish('failed', this.name);
    const pushed = [this.status('INCOMPLETE'), this.log('ERROR', `stream ${this.name} failed: ${(err as Error).message}`)];
    await Promise.all(pushed);
  }

  private startRunning(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    return this.status('RUNNING');
  }
}
