import { PARTITION_PRIORITY, STREAM_PRIORITY, WorkerPool } from '../../connector/commands/worker-pool';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('with one worker, partitions of a started stream run before streams not started, in submission order', async () => {
  const pool = new WorkerPool(() => 1);
  const order: string[] = [];
  const job = (name: string, inner?: () => void) => async () => {
    order.push(`start ${name}`);
    inner?.();
    await tick();
    order.push(`end ${name}`);
  };
  const partitions: Promise<void>[] = [];
  await Promise.all([
    pool.run(STREAM_PRIORITY, job('a', () => partitions.push(pool.run(PARTITION_PRIORITY, job('a-p1')), pool.run(PARTITION_PRIORITY, job('a-p2'))))),
    pool.run(STREAM_PRIORITY, job('b')),
  ]);
  await Promise.all(partitions);
  expect(order).toEqual(['start a', 'end a', 'start a-p1', 'end a-p1', 'start a-p2', 'end a-p2', 'start b', 'end b']);
  expect(pool.maxRunning).toBe(1);
});

test('a job that throws at once fails its own promise and frees its worker', async () => {
  const pool = new WorkerPool(() => 1);
  const failing = pool.run(STREAM_PRIORITY, () => {
    throw new Error('broken');
  });
  await expect(failing).rejects.toThrow('broken');
  await expect(pool.run(STREAM_PRIORITY, async () => 'next')).resolves.toBe('next');
});

test('a limit below one still runs one job at a time; a fraction is rounded down', async () => {
  for (const [limit, expected] of [[0, 1], [2.7, 2]] as const) {
    const pool = new WorkerPool(() => limit);
    await Promise.all(Array.from({ length: 5 }, () => pool.run(STREAM_PRIORITY, tick)));
    expect(pool.maxRunning).toBe(expected);
  }
});
