import { DEFAULT_HEAP_BUDGET, heapBudgetFor, LEAN_HEAP_BUDGET, MemoryGovernor } from '../../connector/commands/memory';

const MB = 1024 * 1024;

test('the heap budget is 24 MB with one request in flight, 8 MB more per further request, at most 64 MB', () => {
  expect([0, 1, 2, 3, 5, 6, 7, 48, 52].map((w) => heapBudgetFor(w) / MB)).toEqual([24, 24, 32, 40, 56, 64, 64, 64, 64]);
  expect([LEAN_HEAP_BUDGET, DEFAULT_HEAP_BUDGET]).toEqual([24 * MB, 64 * MB]);
});

test('the budget follows the worker count at every check', () => {
  let workers = 1;
  const governor = new MemoryGovernor(() => workers);
  expect(governor.budget).toBe(24 * MB);
  workers = 48;
  expect(governor.budget).toBe(64 * MB);
  expect(new MemoryGovernor().budget).toBe(64 * MB);
});

test('below the budget nothing happens; above it a collection runs and the budget follows the live heap', () => {
  const quiet = new MemoryGovernor(() => 48, () => Number.MAX_SAFE_INTEGER);
  quiet.check();
  expect(quiet.budget).toBe(Number.MAX_SAFE_INTEGER);
  const tight = new MemoryGovernor(() => 48, () => 1);
  tight.check();
  // The budget grows only after a collection: half again the live heap, which is megabytes here.
  expect(tight.budget).toBeGreaterThan(MB);
  expect(tight.budget).toBeGreaterThan(process.memoryUsage().heapUsed / 2);
});
