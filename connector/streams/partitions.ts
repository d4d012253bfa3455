/**
 * The contract between a stream that can be read in independent pieces (partitions) and the
 * scheduler that reads those pieces concurrently. The generic side (scheduler, state of a
 * partitioned read, resume) knows nothing of how a source cuts its rows; the source side
 * (Dataverse: `createdon` ranges, the narrow change-tracking pass) knows nothing of workers.
 *
 * Invariants a planner promises:
 * - the partitions of one plan are disjoint and together cover every row the read must emit;
 * - a partition's `key` describes it fully, so {@link PartitionPlanner.restorePartitions} rebuilds
 *   the same partition from the key alone (a resumed read does not re-plan: bounds may have moved);
 * - `pages(link)` with a link the same partition yielded earlier continues exactly after the page
 *   that link followed.
 */
import type { StreamContext, StreamRecord } from './types';

/** One page of a partition: its records (transformed already) and the link of the next page. */
export interface PartitionPage {
  records: StreamRecord[];
  /** Absent on the partition's last page. */
  next?: string;
  /** The page size `next` must be read at, when the partition had to read fewer rows per page than configured (streams/retriever.ts). */
  pageSize?: number;
  /**
   * What the partition's last page leaves for the stream's final state (a change-tracking pass
   * leaves its delta token). Only read on the last page.
   */
  result?: Record<string, unknown>;
}

/** An independently readable piece of a stream. */
export interface ReadPartition {
  /** Unique within the stream's plan, stable, and sufficient to rebuild the partition (saved in state). */
  readonly key: string;
  /**
   * Whether its records are written. A pass that only yields a result (the narrow change-tracking
   * pass that takes the delta token) says false; its records are dropped uncounted.
   */
  readonly emits: boolean;
  /**
   * Pages from the start, or from `resumeLink`, a `next` this partition yielded before, read at
   * `pageSize` rows per page when the page that carried it said one.
   */
  pages(resumeLink?: string, pageSize?: number): AsyncGenerator<PartitionPage>;
}

/** A plan for reading a stream in partitions. */
export interface PartitionPlan {
  /**
   * In the order they should start: a partition whose result must be taken before the others
   * read (the change-tracking pass) comes first, and the scheduler starts it first. When that
   * first partition does not emit (`emits: false`) and starts afresh, the scheduler starts the
   * others only once its first page is in, so every STATE that holds data progress also holds
   * the pass's link or result (a resumed read never restarts the pass after data was read).
   */
  partitions: ReadPartition[];
  /**
   * The stream's state once every partition has finished, from the partitions' results
   * (`{}` for a full refresh, `{deltatoken}` for a first change-tracked sync).
   */
  finalState(results: ReadonlyMap<string, Record<string, unknown>>): Record<string, unknown>;
}

/** What a planner is asked with. */
export interface PartitionRequest {
  context: StreamContext;
  syncMode: 'full_refresh' | 'incremental';
  /** The workers the read may use; a planner cuts more partitions than this so skew still balances. */
  workers: number;
  /** Applies the stream's transformations to rows read from the service. */
  transform(records: StreamRecord[], context: StreamContext): void;
}

/**
 * Optional capability of a retriever: read this stream in partitions. A planner that returns
 * undefined (the stream is small, the sync is a later delta, ...) leaves the stream to its
 * ordinary sequential read.
 */
export interface PartitionPlanner {
  planPartitions(request: PartitionRequest): Promise<PartitionPlan | undefined>;
  /**
   * The plan of a read resumed from state: the unfinished partitions, rebuilt from their keys.
   * The results of partitions that finished before are kept in the state by the scheduler and
   * handed to `finalState` with the others.
   */
  restorePartitions(request: PartitionRequest, keys: readonly string[]): Promise<PartitionPlan>;
}

export function isPartitionPlanner(value: unknown): value is PartitionPlanner {
  return typeof (value as Partial<PartitionPlanner>)?.planPartitions === 'function';
}
