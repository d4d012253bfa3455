/**
 * The scheduler `read` drives: the configured streams, and the partitions of a stream whose
 * retriever plans a partitioned read, run concurrently on up to `workers()` workers, all writing
 * to one output. With one worker the streams are read one after another, each as it always was.
 *
 * Per stream the output keeps its order: STARTED, ESTIMATE, RUNNING with the first page, records,
 * each STATE after every record it covers with the exact count since the previous one, COMPLETE.
 * Records of different streams may interleave. A stream that fails is INCOMPLETE while the others
 * go on; at the end the failure of the first failed stream (catalog order) is thrown.
 */
import { estimateMessage, streamStatusMessage, type Output } from '../protocol/messages';
import type { StreamReadOptions, SyncMode } from '../streams/declarative-stream';
import type { PlannedRead } from '../streams/partition-state';
import type { StreamEvent } from '../streams/types';
import { MemoryGovernor } from './memory';
import { OutputQueue } from './output-queue';
import { PartitionRun } from './partitioned-read';
import type { Progress } from './progress';
import { StreamOutput, type OutputDeps } from './stream-output';
import { PARTITION_PRIORITY, STREAM_PRIORITY, WorkerPool } from './worker-pool';

/** What the scheduler needs of a stream (DeclarativeStream has it all). */
export interface SchedulableStream {
  readonly name: string;
  /** Rows a full read would hold, when cheap to know (TRACE ESTIMATE, progress total). */
  estimate(): Promise<number | undefined>;
  /** The fields records are written with for a selection (absent: all). */
  recordFields(selected?: readonly string[]): Promise<string[] | undefined>;
  /** The sequential read. */
  read(options: StreamReadOptions): AsyncGenerator<StreamEvent>;
  /** A partitioned read (resumed from the state's partitions, or planned), or undefined: read sequentially. */
  planRead(options: StreamReadOptions, workers: number): Promise<PlannedRead | undefined>;
}

/** One configured stream to read. */
export interface StreamTask {
  stream: SchedulableStream;
  syncMode: SyncMode;
  state: Record<string, unknown> | undefined;
  /** The catalog's selection (checked already); absent: every property. */
  selected?: string[];
}

export interface SchedulerDeps {
  now: () => number;
  progress?: Progress;
  /**
   * The number of workers now: asked whenever a stream or partition could start, so a throttle
   * gate's changing limit is followed. At least one worker always runs.
   */
  workers: () => number;
  /** One per process; made here when not given. */
  governor?: MemoryGovernor;
}

/** Reads every task; yields the output in the order it is to be written. */
export async function* schedule(tasks: readonly StreamTask[], deps: SchedulerDeps): AsyncGenerator<Output> {
  const out = new OutputQueue();
  const pool = new WorkerPool(deps.workers);
  const shared: OutputDeps = { now: deps.now, progress: deps.progress, governor: deps.governor ?? new MemoryGovernor(deps.workers) };
  const failures: Array<{ err: unknown } | undefined> = tasks.map(() => undefined);
  const reads = tasks.map((task, i) =>
    readStream(task, out, pool, shared).catch((err: unknown) => {
      failures[i] = { err };
    }),
  );
  void Promise.all(reads).then(() => out.close());
  try {
    yield* out.messages();
  } finally {
    // The reader stopped early (a signal, a write error): the workers' next pushes are refused.
    out.cancel();
  }
  const first = failures.find((f) => f !== undefined);
  if (first) throw first.err;
}

/** A stream in a worker; settles when its last message is pushed (a partitioned read may end in other workers). */
async function readStream(task: StreamTask, out: OutputQueue, pool: WorkerPool, shared: OutputDeps): Promise<void> {
  const { done } = await pool.run(STREAM_PRIORITY, () => startStream(task, out, pool, shared));
  await done;
}

async function startStream(task: StreamTask, out: OutputQueue, pool: WorkerPool, shared: OutputDeps): Promise<{ done: Promise<void> }> {
  const { stream, syncMode, state, selected } = task;
  const output = new StreamOutput(stream.name, out, shared);
  try {
    await out.push(streamStatusMessage(stream.name, 'STARTED', shared.now()));
    // A full read's size; an incremental read emits fewer, so only full refreshes are estimated.
    const estimate = syncMode === 'full_refresh' ? await stream.estimate() : undefined;
    if (estimate !== undefined) await out.push(estimateMessage(stream.name, estimate, shared.now()));
    shared.progress?.start(stream.name, estimate);
    // Records carry exactly the schema's fields, or the catalog's selection of them (ACCEPTANCE: no fields outside the schema).
    const fields = await stream.recordFields(selected);
    output.begin(fields);
    const options: StreamReadOptions = { syncMode, state, ...(selected && fields ? { fields } : {}) };
    const planned = await stream.planRead(options, pool.size);
    if (planned) return await readPartitions(planned, output, pool);
    await readSequentially(stream, options, output);
    return { done: Promise.resolve() };
  } catch (err) {
    await output.fail(err);
    throw err;
  }
}

/**
 * This worker reads partitions too, until none is left to start; helpers queued ahead of streams
 * not started join as workers free up. Wrapped, since the completion may come from a helper.
 */
async function readPartitions(planned: PlannedRead, output: StreamOutput, pool: WorkerPool): Promise<{ done: Promise<void> }> {
  const run = new PartitionRun(planned, output);
  for (let i = 1; i < run.partitions; i++) void pool.run(PARTITION_PRIORITY, () => run.work());
  await run.work();
  return { done: run.done };
}

async function readSequentially(stream: SchedulableStream, options: StreamReadOptions, output: StreamOutput): Promise<void> {
  for await (const event of stream.read(options)) {
    if (event.kind === 'records') await output.page(event.records);
    else if (event.kind === 'checkpoint') await output.state(event.state);
    else await output.log(event.level, event.message);
  }
  await output.complete();
}
