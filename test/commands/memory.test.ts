import { DEFAULT_HEAP_BUDGET, MemoryGovernor } from '../../connector/commands/memory';

test('below the budget nothing happens; above it a collection runs and the budget follows the live heap', () => {
  const quiet = new MemoryGovernor(Number.MAX_SAFE_INTEGER);
  quiet.check();
  expect((quiet as unknown as { budget: number }).budget).toBe(Number.MAX_SAFE_INTEGER);
  const tight = new MemoryGovernor(1);
  tight.check();
  const budget = (tight as unknown as { budget: number }).budget;
  // The budget is set only after a collection: half again the live heap, which is megabytes here.
  expect(budget).toBeGreaterThan(1024 * 1024);
  expect(budget).toBeGreaterThan(process.memoryUsage().heapUsed / 2);
  expect(DEFAULT_HEAP_BUDGET).toBe(40 * 1024 * 1024);
});


test('a collection that finds the live heap over the parallel limit halves the worker allowance; under half of it, one more', () => {
  const crowded = new MemoryGovernor(1, 1);
  expect(crowded.workerAllowance).toBe(52);
  crowded.check();
  expect(crowded.workerAllowance).toBe(26);
  (crowded as unknown as { budget: number }).budget = 1;
  crowded.check();
  expect(crowded.workerAllowance).toBe(13);
  const roomy = new MemoryGovernor(1, Number.MAX_SAFE_INTEGER);
  (roomy as unknown as { allowance: number }).allowance = 3;
  roomy.check();
  expect(roomy.workerAllowance).toBe(4);
  // No collection (heap under the budget): no change.
  const quiet = new MemoryGovernor(Number.MAX_SAFE_INTEGER, 1);
  quiet.check();
  expect(quiet.workerAllowance).toBe(52);
});
