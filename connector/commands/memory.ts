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
  if (steadyDepth++ === 0) setGrowth(1);
  try {
    return await work();
  } finally {
    if (--steadyDepth === 0) setGrowth(newSpaceCapped ? 1 : DEFAULT_SEMI_SPACE_GROWTH);
  }
}

/** Nested holds release the new space only when the outermost ends. */
let steadyDepth = 0;

/** Set once the new space has reached {@link NEW_SPACE_CAP}: it then stays at that size for the process. */
let newSpaceCapped = false;

/** V8's default `--semi-space-growth-factor`. */
const DEFAULT_SEMI_SPACE_GROWTH = 2;

function setGrowth(factor: number): void {
  v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`);
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
  if (steadyDepth === 0) setGrowth(1);
}

/**
 * Heap above which a read collects between pages. Since page texts are decoded onto the heap
 * (http/body-text.ts), each page counts about 25 MB here (text, its pieces, its rows) instead of
 * 15: at 40 MB a one-worker read collected after nearly every page and lost a fifth of its
 * throughput; at 64 MB it holds 0.8x of the bare loop at about 210 MB peak RSS over a million
 * rows (docs/benchmarks.md).
 */
export const DEFAULT_HEAP_BUDGET = 64 * 1024 * 1024;

export class MemoryGovernor {
  private budget: number;

  constructor(private readonly baseBudget = DEFAULT_HEAP_BUDGET) {
    this.budget = baseBudget;
  }

  /**
   * Called between pages: caps the new space (see {@link NEW_SPACE_CAP}) and collects when the
   * heap holds more than the budget. When one page alone is larger than the budget (a very wide
   * entity), the budget grows to half again the live heap, so the read never collects on every
   * page.
   */
  check(): void {
    capNewSpace();
    if (process.memoryUsage().heapUsed <= this.budget) return;
    const gc = collector();
    if (!gc) return;
    gc();
    this.budget = Math.max(this.baseBudget, Math.round(process.memoryUsage().heapUsed * 1.5));
  }
}
