/**
 * Fake streams and a fake partition planner for the scheduler's tests: pages of `{id}` rows read
 * with a small random latency (so workers really interleave), every read counted in a meter that
 * records the most reads in flight at once.
 */
import { schedule, type SchedulableStream, type StreamTask } from '../../connector/commands/scheduler';
import { ConfigError } from '../../connector/errors';
import type { AirbyteMessage, Output } from '../../connector/protocol/messages';
import { DeclarativeStream } from '../../connector/streams/declarative-stream';
import type { PartitionPage, PartitionPlan, PartitionPlanner, PartitionRequest, ReadPartition } from '../../connector/streams/partitions';
import type { Retriever } from '../../connector/streams/retriever';
import type { StreamEvent } from '../../connector/streams/types';
import { mulberry32 } from '../../integration_tests/emulator/random';

/** Counts reads in flight. */
export class Meter {
  inFlight = 0;
  peak = 0;
  /** Every page read's start and end, in order: `start stream/partition/page`, `end ...`. */
  readonly events: string[] = [];

  constructor(private readonly random: () => number) {}

  async read(what: string): Promise<void> {
    this.events.push(`start ${what}`);
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * 3)));
    this.inFlight--;
    this.events.push(`end ${what}`);
  }

  get starts(): string[] {
    return this.events.filter((e) => e.startsWith('start ')).map((e) => e.slice(6));
  }
}

/** A deterministic random source: the emulator's mulberry32. */
export const seeded = mulberry32;

const rows = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${from + i}` }));

/** A sequential stream: `pages` pages of `size` rows, a STATE `{page}` after each, failing at page `failAt`. */
export function sequentialStream(name: string, meter: Meter, pages: number, size: number, failAt?: number): SchedulableStream {
  return {
    name,
    estimate: async () => pages * size,
    recordFields: async () => ['id'],
    planRead: async () => undefined,
    async *read(): AsyncGenerator<StreamEvent> {
      for (let page = 0; page < pages; page++) {
        await meter.read(`${name}/${page}`);
        if (page === failAt) throw new Error(`${name} broke on page ${page}`);
        yield { kind: 'records', records: rows(name, page * size, size) };
        yield { kind: 'checkpoint', state: { page: page + 1 } };
      }
    },
  };
}

export interface PlannerOptions {
  partitions: number;
  pages: number;
  size: number;
  /** A first partition that emits nothing and leaves `{token}` (the change-tracking pass). */
  tokenPass?: boolean;
  /** `partition/page` that throws. */
  failAt?: string;
}

/**
 * A planner cutting `partitions` disjoint partitions of `pages` pages; links are
 * `https://x.test/<key>?page=<n>`. The final state is `{rows}` (and `{deltatoken}` with a token pass).
 */
export class FakePlanner implements PartitionPlanner, Retriever {
  readonly restored: string[][] = [];

  constructor(
    private readonly name: string,
    private readonly meter: Meter,
    private readonly options: PlannerOptions,
  ) {}

  read(): never {
    throw new Error('a planned stream is not read sequentially');
  }

  async planPartitions(_request: PartitionRequest): Promise<PartitionPlan> {
    const keys = Array.from({ length: this.options.partitions }, (_, i) => `p${i}`);
    return this.plan(this.options.tokenPass ? ['token', ...keys] : keys);
  }

  async restorePartitions(_request: PartitionRequest, keys: readonly string[]): Promise<PartitionPlan> {
    for (const key of keys) if (key !== 'token' && !/^p\d+$/.test(key)) throw new ConfigError(`partition ${key} is not one this stream cuts`);
    this.restored.push([...keys]);
    return this.plan(keys);
  }

  private plan(keys: readonly string[]): PartitionPlan {
    return {
      partitions: keys.map((key) => this.partition(key)),
      finalState: (results) => {
        const total = [...results.values()].reduce((n, r) => n + (typeof r.rows === 'number' ? r.rows : 0), 0);
        const token = results.get('token')?.token;
        return token === undefined ? { rows: total } : { deltatoken: token, rows: total };
      },
    };
  }

  private partition(key: string): ReadPartition {
    const { pages, size, failAt } = this.options;
    const { meter, name } = this;
    const emits = key !== 'token';
    return {
      key,
      emits,
      async *pages(resumeLink?: string): AsyncGenerator<PartitionPage> {
        let page = resumeLink === undefined ? 0 : Number(new URL(resumeLink).searchParams.get('page'));
        for (; page < pages; page++) {
          await meter.read(`${name}/${key}/${page}`);
          if (failAt === `${key}/${page}`) throw new Error(`${name} partition ${key} broke on page ${page}`);
          const next = page + 1 < pages ? `https://x.test/${key}?page=${page + 1}` : undefined;
          const records = rows(`${name}.${key}`, page * size, emits ? size : 0);
          yield next ? { records, next } : { records, result: emits ? { rows: pages * size } : { token: `t-${name}` } };
        }
      },
    };
  }
}

/** A DeclarativeStream over a fake planner (the real planRead and checkState path). */
export function partitionedStream(name: string, planner: FakePlanner): DeclarativeStream {
  return new DeclarativeStream({
    name,
    primaryKey: [['id']],
    schemaLoader: { load: async () => ({ type: 'object', properties: { id: { type: 'string' } } }) },
    retriever: planner,
    transformations: [],
    context: { config: {}, parameters: {} },
  });
}

/** A message, flattened for assertions: `RECORD a a-1`, `STATE a 3 {...}`, `STATUS a RUNNING`, `LOG ERROR ...`. */
export type Line = { kind: 'RECORD'; stream: string; id: string } | { kind: 'STATE'; stream: string; count: number; state: Record<string, unknown> } | { kind: 'STATUS' | 'ESTIMATE' | 'LOG'; stream: string; text: string };

export function linesOf(outputs: Output[]): Line[] {
  const lines: Line[] = [];
  for (const output of outputs) {
    if (output.type === 'RECORD_BATCH') {
      for (const record of output.records) lines.push({ kind: 'RECORD', stream: output.stream, id: String(record.id) });
      continue;
    }
    const message = output as AirbyteMessage;
    if (message.type === 'STATE') {
      const state = message.state as { stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> }; sourceStats: { recordCount: number } };
      lines.push({ kind: 'STATE', stream: state.stream.stream_descriptor.name, count: state.sourceStats.recordCount, state: state.stream.stream_state });
    } else if (message.type === 'TRACE') {
      const trace = message.trace as { type: string; stream_status?: { stream_descriptor: { name: string }; status: string }; estimate?: { name: string; row_estimate: number } };
      if (trace.stream_status) lines.push({ kind: 'STATUS', stream: trace.stream_status.stream_descriptor.name, text: trace.stream_status.status });
      else if (trace.estimate) lines.push({ kind: 'ESTIMATE', stream: trace.estimate.name, text: String(trace.estimate.row_estimate) });
    } else if (message.type === 'LOG') {
      const log = message.log as { level: string; message: string };
      lines.push({ kind: 'LOG', stream: '', text: `${log.level} ${log.message}` });
    }
  }
  return lines;
}

/** Runs the scheduler to its end; returns the output and the error it ended with, if any. */
export async function run(tasks: StreamTask[], workers: () => number): Promise<{ lines: Line[]; error?: Error }> {
  const outputs: Output[] = [];
  let clock = 0;
  try {
    for await (const output of schedule(tasks, { now: () => (clock += 1), workers })) outputs.push(output);
  } catch (err) {
    return { lines: linesOf(outputs), error: err as Error };
  }
  return { lines: linesOf(outputs) };
}

/**
 * Checks what every consumer relies on, for each stream: STATE counts are exactly the records
 * since the stream's previous STATE, and STARTED < RUNNING < records < COMPLETE.
 */
export function checkStreamOrder(lines: Line[], stream: string): void {
  const own = lines.filter((l) => l.stream === stream);
  const statuses = own.filter((l) => l.kind === 'STATUS').map((l) => (l as { text: string }).text);
  expect(statuses[0]).toBe('STARTED');
  expect(statuses[1]).toBe('RUNNING');
  let since = 0;
  let running = false;
  for (const line of own) {
    if (line.kind === 'STATUS' && line.text === 'RUNNING') running = true;
    if (line.kind === 'RECORD') {
      expect(running).toBe(true);
      since++;
    }
    if (line.kind === 'STATE') {
      expect(line.count).toBe(since);
      since = 0;
    }
  }
  expect(since).toBe(0);
}
