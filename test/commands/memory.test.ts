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
  expect(DEFAULT_HEAP_BUDGET).toBe(64 * 1024 * 1024);
});


