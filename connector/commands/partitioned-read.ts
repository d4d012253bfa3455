/**
 * One stream read in partitions by several workers. Each worker takes the next partition not
 * started (in plan order) and reads it page by page; after each page the stream writes a STATE
 * holding every unfinished partition with the link its read continues from, and the results of
 * those finished (streams/partition-state.ts), so a kill after any STATE resumes exactly. Once the
 * last partition ends, whichever worker ended it writes the plan's final state and COMPLETE.
 * A failing partition stops its siblings at their next page; the stream is then INCOMPLETE.
 */
import { partitionedState, type PlannedRead } from '../streams/partition-state';
import type { PartitionPage, ReadPartition } from '../streams/partitions';
import type { StreamOutput } from './stream-output';

/** Where an unfinished partition continues: the link and page size of its last emitted page (nothing: from the start). */
interface Resume {
  next?: string;
  pageSize?: number;
}

interface Pending extends Resume {
  partition: ReadPartition;
}

export class PartitionRun {
  /** Settles once the stream's last message is pushed: resolves after COMPLETE, rejects (with the failure) after INCOMPLETE. */
  readonly done: Promise<void>;
  private settle!: { resolve(): void; reject(err: unknown): void };
  private readonly pending: Pending[];
  /** Every unfinished partition, started or not, in plan order: key -> the link to continue from. */
  private readonly open = new Map<string, Resume>();
  private readonly done_: Map<string, Record<string, unknown>>;
  private active = 0;
  private failure: { err: unknown } | undefined;
  private finished = false;
  /**
   * When the plan opens with a pass that only yields a result (the change-tracking pass whose
   * token must predate the data read), the other partitions wait for its first page.
   */
  private barrier: { passed: Promise<void>; pass(): void } | undefined;

  constructor(
    private readonly planned: PlannedRead,
    private readonly output: StreamOutput,
  ) {
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined);
    this.pending = [...planned.open];
    for (const { partition, next, pageSize } of planned.open) this.open.set(partition.key, { next, pageSize });
    this.done_ = new Map(planned.done);
    const first = planned.open[0];
    if (first && !first.partition.emits && first.next === undefined) {
      let pass!: () => void;
      const passed = new Promise<void>((resolve) => (pass = resolve));
      this.barrier = { passed, pass };
    }
  }

  /** How many workers could help at most (the partitions not started). */
  get partitions(): number {
    return this.pending.length;
  }

  /** Takes and reads partitions until none is left to start; never rejects (a failure fails the stream). */
  async work(): Promise<void> {
    for (;;) {
      const next = await this.take();
      if (!next) break;
      this.active++;
      try {
        await this.read(next);
      } catch (err) {
        this.failure ??= { err };
      } finally {
        this.active--;
        this.passBarrier(next.partition);
      }
    }
    if (this.active === 0 && !this.finished) {
      this.finished = true;
      await this.finish();
    }
  }

  private async take(): Promise<Pending | undefined> {
    if (this.failure) return undefined;
    const first = this.pending[0];
    if (this.barrier && first && first.partition !== this.planned.open[0].partition) await this.barrier.passed;
    if (this.failure) return undefined;
    return this.pending.shift();
  }

  private passBarrier(partition: ReadPartition): void {
    if (this.barrier && partition === this.planned.open[0].partition) {
      this.barrier.pass();
      this.barrier = undefined;
    }
  }

  private async read({ partition, next, pageSize }: Pending): Promise<void> {
    let ended = false;
    for await (const page of partition.pages(next, pageSize)) {
      // A sibling failed: stop at a page boundary; the saved link of this partition still holds.
      if (this.failure) return;
      ended = page.next === undefined;
      await this.record(partition, page, ended);
      this.passBarrier(partition);
      if (ended) return;
    }
    // A partition whose pages simply ran out (no page, say) has finished all the same.
    if (!ended && !this.failure) await this.record(partition, { records: [] }, true);
  }

  /** The page's records, then (in the same step, so the count is exact) the STATE that covers them. */
  private async record(partition: ReadPartition, page: PartitionPage, ended: boolean): Promise<void> {
    const pushed: Promise<void>[] = [];
    if (partition.emits) pushed.push(this.output.page(page.records));
    if (ended) {
      this.open.delete(partition.key);
      this.done_.set(partition.key, page.result ?? {});
    } else {
      this.open.set(partition.key, { next: page.next, pageSize: page.pageSize });
    }
    // After the last partition the final state is written instead (finish).
    if (this.open.size > 0) pushed.push(this.output.state(partitionedState(this.planned.carried, this.open, this.done_)));
    await Promise.all(pushed);
  }

  private async finish(): Promise<void> {
    let failure = this.failure;
    if (!failure) {
      try {
        await this.output.state(this.planned.plan.finalState(this.done_));
        await this.output.complete();
        this.settle.resolve();
        return;
      } catch (err) {
        failure = { err };
      }
    }
    await this.output.fail(failure.err).catch(() => undefined);
    this.settle.reject(failure.err);
  }
}
