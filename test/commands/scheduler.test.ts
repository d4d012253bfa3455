import { schedule, type StreamTask } from '../../connector/commands/scheduler';
import type { Output } from '../../connector/protocol/messages';
import { checkStreamOrder, FakePlanner, Meter, partitionedStream, run, seeded, sequentialStream, type Line, type PlannerOptions } from './scheduler-fakes';

const full = (stream: StreamTask['stream'], state?: Record<string, unknown>): StreamTask => ({ stream, syncMode: 'full_refresh', state });
const records = (lines: Line[], stream: string) => lines.filter((l) => l.kind === 'RECORD' && l.stream === stream).map((l) => (l as { id: string }).id);
const states = (lines: Line[], stream: string) => lines.filter((l): l is Extract<Line, { kind: 'STATE' }> => l.kind === 'STATE' && l.stream === stream);
const statuses = (lines: Line[], stream: string) => lines.filter((l) => l.kind === 'STATUS' && l.stream === stream).map((l) => (l as { text: string }).text);

describe('schedule: streams', () => {
  test('with one worker the streams are read one after another, each exactly as a sequential read writes it', async () => {
    const meter = new Meter(seeded(1));
    const { lines, error } = await run([full(sequentialStream('a', meter, 2, 2)), full(sequentialStream('b', meter, 1, 1))], () => 1);
    expect(error).toBeUndefined();
    const stream = (name: string, pages: string[][]) => [
      { kind: 'STATUS', stream: name, text: 'STARTED' },
      { kind: 'ESTIMATE', stream: name, text: String(pages.flat().length) },
      { kind: 'STATUS', stream: name, text: 'RUNNING' },
      ...pages.flatMap((ids, i) => [...ids.map((id) => ({ kind: 'RECORD', stream: name, id })), { kind: 'STATE', stream: name, count: ids.length, state: { page: i + 1 } }]),
      { kind: 'LOG', stream: '', text: `INFO stream ${name}: ${pages.flat().length} records in 0.0 s` },
      { kind: 'STATUS', stream: name, text: 'COMPLETE' },
    ];
    expect(lines).toEqual([...stream('a', [['a-0', 'a-1'], ['a-2', 'a-3']]), ...stream('b', [['b-0']])]);
    expect(meter.peak).toBe(1);
  });

  test('three workers read three streams at once: records interleave, each stream keeps its order and exact counts', async () => {
    const meter = new Meter(seeded(2));
    const names = ['a', 'b', 'c'];
    const { lines, error } = await run(names.map((n) => full(sequentialStream(n, meter, 4, 3))), () => 3);
    expect(error).toBeUndefined();
    for (const name of names) {
      checkStreamOrder(lines, name);
      expect(records(lines, name)).toEqual(Array.from({ length: 12 }, (_, i) => `${name}-${i}`));
      expect(statuses(lines, name)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    }
    const completeA = lines.findIndex((l) => l.kind === 'STATUS' && l.stream === 'a' && l.text === 'COMPLETE');
    expect(lines.findIndex((l) => l.kind === 'RECORD' && l.stream === 'b')).toBeLessThan(completeA);
    expect(meter.peak).toBe(3);
  });

  test('never more reads in flight than the worker count, and a raised count is followed as streams end', async () => {
    const meter = new Meter(seeded(3));
    const tasks = Array.from({ length: 6 }, (_, i) => full(sequentialStream(`s${i}`, meter, 3, 1)));
    const bounded = await run(tasks, () => 2);
    expect(bounded.error).toBeUndefined();
    expect(meter.peak).toBe(2);

    const later = new Meter(seeded(4));
    const limit = () => (later.starts.length >= 3 ? 4 : 1);
    const raised = await run(Array.from({ length: 6 }, (_, i) => full(sequentialStream(`s${i}`, later, 3, 1))), limit);
    expect(raised.error).toBeUndefined();
    expect(later.starts.slice(0, 3)).toEqual(['s0/0', 's0/1', 's0/2']);
    expect(later.peak).toBe(4);
  });

  test('a failing stream is INCOMPLETE, the others complete, and the first failed stream of the catalog is thrown at the end', async () => {
    const meter = new Meter(seeded(5));
    const tasks = [full(sequentialStream('a', meter, 3, 2)), full(sequentialStream('b', meter, 3, 2, 1)), full(sequentialStream('c', meter, 3, 2, 0))];
    const { lines, error } = await run(tasks, () => 3);
    expect(error?.message).toBe('b broke on page 1');
    expect(statuses(lines, 'a')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(statuses(lines, 'b')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(statuses(lines, 'c')).toEqual(['STARTED', 'INCOMPLETE']);
    expect(records(lines, 'a')).toHaveLength(6);
    expect(records(lines, 'b')).toEqual(['b-0', 'b-1']);
    expect(states(lines, 'b').map((s) => [s.count, s.state])).toEqual([[2, { page: 1 }]]);
    const logs = lines.filter((l) => l.kind === 'LOG' && l.text.startsWith('ERROR')).map((l) => (l as { text: string }).text);
    expect(logs.sort()).toEqual(['ERROR stream b failed: b broke on page 1', 'ERROR stream c failed: c broke on page 0']);
  });

  test('a reader that stops early stops the workers without an unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const meter = new Meter(seeded(6));
      const taken: Output[] = [];
      for await (const output of schedule([full(sequentialStream('a', meter, 5, 1)), full(sequentialStream('b', meter, 5, 1))], { now: () => 0, workers: () => 2 })) {
        taken.push(output);
        if (taken.length === 4) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(taken).toHaveLength(4);
      expect(meter.starts.length).toBeLessThan(10);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

/** The plan state's partitions part of a STATE, or undefined for a final state. */
const partitionsOf = (state: Record<string, unknown>) => state.partitions as { open: Array<{ key: string; next?: string }>; done: Record<string, unknown> } | undefined;

describe('schedule: partitions of one stream', () => {
  const options: PlannerOptions = { partitions: 5, pages: 3, size: 2 };

  test('partitions are read by several workers; each row once, a STATE after each page, the plan final state at the end', async () => {
    const meter = new Meter(seeded(7));
    const { lines, error } = await run([full(partitionedStream('p', new FakePlanner('p', meter, options)))], () => 3);
    expect(error).toBeUndefined();
    checkStreamOrder(lines, 'p');
    const ids = records(lines, 'p');
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
    const all = states(lines, 'p');
    // 15 pages: 14 intermediate STATEs (the last page's records go with the final state).
    expect(all).toHaveLength(15);
    expect(all.slice(0, -1).every((s) => partitionsOf(s.state) !== undefined)).toBe(true);
    expect(all[all.length - 1].state).toEqual({ rows: 30 });
    expect(statuses(lines, 'p')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(meter.peak).toBe(3);
  });

  test('an intermediate state lists each unfinished partition with the link after its last emitted page, and the results of finished ones', async () => {
    const meter = new Meter(seeded(8));
    const { lines } = await run([full(partitionedStream('p', new FakePlanner('p', meter, { partitions: 2, pages: 2, size: 1 })))], () => 1);
    expect(states(lines, 'p').map((s) => [s.count, s.state])).toEqual([
      [1, { partitions: { open: [{ key: 'p0', next: 'https://x.test/p0?page=1' }, { key: 'p1' }], done: {} } }],
      [1, { partitions: { open: [{ key: 'p1' }], done: { p0: { rows: 2 } } } }],
      [1, { partitions: { open: [{ key: 'p1', next: 'https://x.test/p1?page=1' }], done: { p0: { rows: 2 } } } }],
      [1, { rows: 4 }],
    ]);
  });

  test('a pass that emits nothing runs first: no other partition is read before its first page is in', async () => {
    const meter = new Meter(seeded(9));
    const { lines, error } = await run([full(partitionedStream('p', new FakePlanner('p', meter, { ...options, tokenPass: true })))], () => 4);
    expect(error).toBeUndefined();
    const firstEnd = meter.events.indexOf('end p/token/0');
    expect(meter.events.slice(0, firstEnd).filter((e) => e.startsWith('start '))).toEqual(['start p/token/0']);
    expect(meter.peak).toBe(4);
    expect(records(lines, 'p').filter((id) => id.includes('token'))).toEqual([]);
    expect(states(lines, 'p').at(-1)?.state).toEqual({ deltatoken: 't-p', rows: 30 });
  });

  test('a failing partition stops its siblings and fails its stream only; its last STATE resumes the rest exactly once', async () => {
    const meter = new Meter(seeded(10));
    const planner = new FakePlanner('p', meter, { ...options, failAt: 'p2/1' });
    const tasks = [full(partitionedStream('p', planner)), full(sequentialStream('a', meter, 3, 2))];
    const first = await run(tasks, () => 3);
    expect(first.error?.message).toBe('p partition p2 broke on page 1');
    expect(statuses(first.lines, 'p')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(statuses(first.lines, 'a')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    const saved = states(first.lines, 'p').at(-1)?.state as Record<string, unknown>;
    const kept = keptRecords(first.lines, 'p');
    const again = await run([full(partitionedStream('p', new FakePlanner('p', meter, options)), saved)], () => 3);
    expect(again.error).toBeUndefined();
    checkStreamOrder(again.lines, 'p');
    const ids = [...kept, ...records(again.lines, 'p')];
    expect(ids.sort()).toEqual(allRows('p', options));
  });
});

/** Records of `stream` a platform keeps from a run that died: those before the stream's last STATE. */
function keptRecords(lines: Line[], stream: string): string[] {
  const last = lines.map((l) => l.kind === 'STATE' && l.stream === stream).lastIndexOf(true);
  return records(lines.slice(0, last + 1), stream);
}

function allRows(stream: string, options: PlannerOptions): string[] {
  const ids: string[] = [];
  for (let p = 0; p < options.partitions; p++) for (let i = 0; i < options.pages * options.size; i++) ids.push(`${stream}.p${p}-${i}`);
  return ids.sort();
}

describe('schedule: a read killed after a random STATE and resumed from the last STATEs', () => {
  const options: PlannerOptions = { partitions: 6, pages: 3, size: 2, tokenPass: true };

  test.each(Array.from({ length: 10 }, (_, i) => [i + 1]))('kill %i: every row exactly once across the runs, counts exact in each', async (seed) => {
    const random = seeded(100 + seed);
    const meter = new Meter(random);
    const tasks = () => [full(partitionedStream('p', new FakePlanner('p', meter, options))), full(sequentialStream('a', meter, 4, 2))];
    const whole = await run(tasks(), () => 3);
    expect(whole.error).toBeUndefined();
    // The kill: nothing after a random STATE of the partitioned stream reaches the platform.
    const stateAt = whole.lines.flatMap((l, i) => (l.kind === 'STATE' && l.stream === 'p' && partitionsOf(l.state) ? [i] : []));
    const cut = whole.lines.slice(0, stateAt[Math.floor(random() * stateAt.length)] + 1);
    for (const stream of ['p', 'a']) checkCounts(cut, stream);
    const saved = states(cut, 'p').at(-1)?.state as Record<string, unknown>;
    const planner = new FakePlanner('p', meter, options);
    const resumed = await run([full(partitionedStream('p', planner), saved)], () => 3);
    expect(resumed.error).toBeUndefined();
    checkStreamOrder(resumed.lines, 'p');
    expect(planner.restored).toEqual([partitionsOf(saved)?.open.map((o) => o.key)]);
    expect([...keptRecords(cut, 'p'), ...records(resumed.lines, 'p')].sort()).toEqual(allRows('p', options));
    expect(states(resumed.lines, 'p').at(-1)?.state).toEqual({ deltatoken: 't-p', rows: 36 });
  });
});

/** In a cut run: each STATE's count is exactly the records of its stream since the previous STATE. */
function checkCounts(lines: Line[], stream: string): void {
  let since = 0;
  for (const line of lines) {
    if (line.stream !== stream) continue;
    if (line.kind === 'RECORD') since++;
    if (line.kind === 'STATE') {
      expect(line.count).toBe(since);
      since = 0;
    }
  }
}
