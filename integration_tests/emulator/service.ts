/**
 * The service model's settings: how long the emulated Dataverse takes to answer, and the
 * service-protection limits it enforces on its own (without scripted faults).
 *
 * Latency is off by default so the suite stays fast; the limits are on with the real values,
 * and tests lower them to reach them quickly. The settings object is live: the emulator reads
 * it on every request, so a test may change it while the emulator runs.
 */

/** Server time of a Dataverse request: `baseMs + perCellMs x cells` (cells = rows x columns returned). */
export interface LatencyModel {
  baseMs: number;
  perCellMs: number;
}

/**
 * [INF] 300 ms + 0.017 ms per cell: a 5,000-row, 20-column page takes 2 s, the order of magnitude
 * of a real org's full page (issue 11); a narrow `$select` is cheaper, as on the real service,
 * whose cost grows with the data read and serialised.
 */
export const DEFAULT_LATENCY: Readonly<LatencyModel> = { baseMs: 300, perCellMs: 0.017 };

/** "Number of concurrent requests exceeded the limit of 52" [DOC facts §7, api-limits.md]. */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 52;
/** "Combined execution time ... limit of 1,200,000 milliseconds over time window of 300 seconds" [DOC facts §7]. */
export const DEFAULT_EXECUTION_BUDGET_MS = 1_200_000;
export const DEFAULT_EXECUTION_WINDOW_MS = 300_000;
/**
 * `x-ms-dop-hint`: "use the integer value returned from the x-ms-dop-hint response header. This
 * value provides a recommended degree of parallelism" and "there's no fixed number" [DOC facts §9,
 * send-parallel-requests.md]; 48 is the value in the captured WhoAmI response [REAL fixture
 * whoami.http].
 */
export const DEFAULT_DOP_HINT = 48;
/**
 * [INF] Retry-After of the concurrency 429: the limit is "immediate" [DOC facts §7] and the docs
 * give no interval for it; one second lets a client back off without stalling.
 */
export const DEFAULT_CONCURRENCY_RETRY_AFTER_SECONDS = 1;

/** What {@link EmulatorOptions.service} accepts; every field optional. */
export interface ServiceOptions {
  /** `true`: {@link DEFAULT_LATENCY}; an object: those values over the defaults; absent or `false`: instant answers. */
  latency?: boolean | Partial<LatencyModel>;
  /** Simultaneous requests per user before 429 0x80072326; default 52. */
  maxConcurrentRequests?: number;
  /** Server time per user per sliding window before 429 0x80072321; default 1,200,000 ms. */
  executionBudgetMs?: number;
  /** The sliding window of the execution budget; default 300,000 ms. */
  executionWindowMs?: number;
  /** The `x-ms-dop-hint` header on every Dataverse response; default 48. */
  dopHint?: number;
  /** Retry-After (seconds) of the concurrency 429; default 1. */
  concurrencyRetryAfterSeconds?: number;
}

/** The resolved, live settings (the emulator handle's `service`). */
export interface ServiceSettings {
  /** null: no modelled latency. */
  latency: LatencyModel | null;
  maxConcurrentRequests: number;
  executionBudgetMs: number;
  executionWindowMs: number;
  dopHint: number;
  concurrencyRetryAfterSeconds: number;
}

/** The settings for `options`, defaults filled in. */
export function resolveService(options: ServiceOptions = {}): ServiceSettings {
  const latency = options.latency === undefined || options.latency === false ? null : { ...DEFAULT_LATENCY, ...(options.latency === true ? {} : options.latency) };
  return {
    latency,
    maxConcurrentRequests: options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS,
    executionBudgetMs: options.executionBudgetMs ?? DEFAULT_EXECUTION_BUDGET_MS,
    executionWindowMs: options.executionWindowMs ?? DEFAULT_EXECUTION_WINDOW_MS,
    dopHint: options.dopHint ?? DEFAULT_DOP_HINT,
    concurrencyRetryAfterSeconds: options.concurrencyRetryAfterSeconds ?? DEFAULT_CONCURRENCY_RETRY_AFTER_SECONDS,
  };
}

/** Server time of one answer that carried `cells` cells, whole milliseconds. */
export function cellsServerMs(model: LatencyModel, cells: number): number {
  return Math.round(model.baseMs + model.perCellMs * cells);
}
