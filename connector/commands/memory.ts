/**
 * Keeps a long read's memory flat. V8 lets garbage from parsed pages pile up in the old generation
 * until a far-off limit (peak RSS ~200 MB over a million rows, most of it dead); a full collection
 * when the live heap passes a budget brings it back to the working set of about one page.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let collect: (() => void) | undefined | null;

/** V8's gc(), made reachable once without a command-line flag; null when the runtime refuses. */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/**
 * Runs `work` with V8's new space held at its current size (`--semi-space-growth-factor=1`), then
 * lets it grow again. Building and describing a thousand streams allocates tens of MB of
 * short-lived manifest copies in a burst; V8 answers such a burst by doubling the new space up to
 * its maximum, which cost a `"*"` discover of a 1,000-entity org 120 MB of peak RSS (326 MB
 * against 207 MB held) for no speed that a one-off burst needs. Reads get their usual growth back.
 */
export async function withSteadyNewSpace<T>(work: () => Promise<T>): Promise<T> {
  steadyDepth++;
  applyGrowth();
  try {
    return await work();
  } finally {
    steadyDepth--;
    applyGrowth();
  }
}

/** Nested holds release the new space only when the outermost ends. */
let steadyDepth = 0;

/** Set once the new space has reached {@link NEW_SPACE_CAP}: it then stays at that size for the process. */
let newSpaceCapped = false;

/** Set while a read has one request in flight: the new space stays at its first size (see {@link MemoryGovernor}). */
let lean = false;

/** V8's default `--semi-space-growth-factor`. */
const DEFAULT_SEMI_SPACE_GROWTH = 2;

let growth = DEFAULT_SEMI_SPACE_GROWTH;

/** The new space grows only when nothing holds it: no burst, no cap reached, no lean read. */
function applyGrowth(): void {
  const wanted = steadyDepth > 0 || newSpaceCapped || lean ? 1 : DEFAULT_SEMI_SPACE_GROWTH;
  if (wanted === growth) return;
  growth = wanted;
  v8.setFlagsFromString(`--semi-space-growth-factor=${wanted}`);
}

/**
 * The new space (both semi-spaces) a read lets V8 grow to. Node 24's V8 grows it to 128 MB under
 * a stream of parsed pages, where Node 20 stopped at 32 MB: that alone put 100 MB on the peak RSS
 * of a long read (measured: 198 MB against 101 MB for parsing and writing 60 pages of 5,000 rows,
 * at equal or lower CPU). `--max-semi-space-size` cannot be changed once the heap exists, but the
 * growth factor can, so growth is stopped once this size is reached.
 */
export const NEW_SPACE_CAP = 32 * 1024 * 1024;

/** Stops the new space growing once it holds {@link NEW_SPACE_CAP}; cheap enough to call per page. */
export function capNewSpace(): void {
  if (newSpaceCapped) return;
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (!space || space.space_size < NEW_SPACE_CAP) return;
  newSpaceCapped = true;
  applyGrowth();
}

/**
 * Heap above which a read with many requests in flight collects between pages. Since page texts
 * are decoded onto the heap (http/body-text.ts), each page counts about 25 MB here (text, its
 * pieces, its rows) instead of 15: at 40 MB a CPU-bound read collected after nearly every page
 * and lost a fifth of its throughput; at 64 MB it holds 0.8x of the bare loop at about 220 MB
 * peak RSS over a million rows (docs/benchmarks.md).
 */
export const DEFAULT_HEAP_BUDGET = 64 * 1024 * 1024;

/** The budget of a read with one request in flight, and what each further request adds (up to {@link DEFAULT_HEAP_BUDGET}). */
export const LEAN_HEAP_BUDGET = 24 * 1024 * 1024;
const HEAP_PER_WORKER = 8 * 1024 * 1024;

/**
 * The heap budget for `workers` requests in flight. One request at a time is the setting of a
 * read meant to be gentle, and it waits on the service far longer than it parses (a real
 * 5,000-row page takes seconds): there memory is what counts, and more collections cost CPU the
 * read has to spare. Measured over a million rows at one worker against the bare loop's emulator:
 * 136-140 MB peak RSS at 24 MB with the new space held, against 191-199 MB at 64 MB and a grown
 * new space, for 1.6-2x the CPU (docs/benchmarks.md).
 */
export function heapBudgetFor(workers: number): number {
  return Math.min(DEFAULT_HEAP_BUDGET, LEAN_HEAP_BUDGET + (Math.max(1, Math.floor(workers)) - 1) * HEAP_PER_WORKER);
}

/** The live heap; `process.memoryUsage()` would also read the RSS from the kernel on every page. */
function heapUsed(): number {
  return v8.getHeapStatistics().used_heap_size;
}

export class MemoryGovernor {
  /** Half again the live heap after the last collection: a page larger than the budget does not make every page collect. */
  private grown = 0;

  /**
   * `workers` is asked at every check: the read's requests in flight follow the throttle gate.
   * `budgetFor` is the rule above, replaced in tests.
   */
  constructor(
    private readonly workers: () => number = () => Number.MAX_SAFE_INTEGER,
    private readonly budgetFor: (workers: number) => number = heapBudgetFor,
  ) {
    this.sizeNewSpace();
  }

  /** The budget now. */
  get budget(): number {
    return Math.max(this.budgetFor(this.workers()), this.grown);
  }

  /**
   * Called between pages: sizes the new space (held with one request in flight, else capped at
   * {@link NEW_SPACE_CAP}) and collects when the heap holds more than the budget.
   */
  check(): void {
    this.sizeNewSpace();
    if (heapUsed() <= this.budget) return;
    const gc = collector();
    if (!gc) return;
    gc();
    this.grown = Math.round(heapUsed() * 1.5);
  }

  /** Holds the new space with one request in flight (from before the first page), else caps it. */
  private sizeNewSpace(): void {
    const one = this.workers() <= 1;
    if (one !== lean) {
      lean = one;
      applyGrowth();
    }
    capNewSpace();
  }
}
