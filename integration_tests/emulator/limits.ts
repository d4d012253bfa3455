/**
 * The service-protection limits the emulated Dataverse enforces by itself, and the modelled
 * server time of each answer (service.ts holds the settings).
 *
 * [DOC facts §7, api-limits.md] The limits are per user: 52 concurrent requests (the next one is
 * refused at once with 429 0x80072326) and 1,200,000 ms of combined execution time per sliding
 * 300-second window (429 0x80072321 with a Retry-After in seconds). The user is the application
 * the bearer token was issued to; a request without a usable token counts for "anonymous".
 * [INF] A request's execution time is charged at its arrival plus that time (when its answer is
 * ready), so requests still running do not count yet; a refused request charges nothing.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestContext } from './context';
import { throttleReply } from './faults';
import type { Reply } from './router';
import { cellsServerMs, type ServiceSettings } from './service';
import type { TokenStore } from './tokens';

/** One user's charged execution time. */
interface Charge {
  at: number;
  ms: number;
}

/** What {@link ServiceLimits.arrive} tells about a request that just arrived. */
export interface Arrival {
  /** That user's requests in flight, this one included. */
  inFlight: number;
  /** The 429 the limits answer instead, if any. */
  refusal?: Reply;
  /** Call once the exchange is over (answered or closed). */
  release(): void;
}

/** The concurrency counters and execution-time windows of one emulator. */
export class ServiceLimits {
  private readonly inFlight = new Map<string, number>();
  private readonly charges = new Map<string, Charge[]>();

  constructor(
    private readonly settings: ServiceSettings,
    private readonly tokens: TokenStore,
  ) {}

  /** Counts an org request in, from its headers as it arrives, and checks it against the user's limits. */
  arrive(headers: IncomingHttpHeaders, now: number): Arrival {
    const user = this.userOf(headers);
    const count = (this.inFlight.get(user) ?? 0) + 1;
    this.inFlight.set(user, count);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight.set(user, (this.inFlight.get(user) ?? 1) - 1);
    };
    return { inFlight: count, refusal: this.refusal(user, count, now), release };
  }

  /** Adds `ms` of execution time to the user's window. */
  charge(headers: IncomingHttpHeaders, ms: number, now: number): void {
    const user = this.userOf(headers);
    const list = this.charges.get(user) ?? [];
    list.push({ at: now, ms });
    this.charges.set(user, list);
  }

  private refusal(user: string, inFlight: number, now: number): Reply | undefined {
    const { settings } = this;
    if (inFlight > settings.maxConcurrentRequests) return throttleReply('concurrency', settings.concurrencyRetryAfterSeconds);
    const live = this.window(user, now);
    let used = 0;
    for (const c of live) used += c.ms;
    if (used <= settings.executionBudgetMs) return undefined;
    return throttleReply('execution', this.retryAfterSeconds(live, used, now));
  }

  /** The user's charges still inside the window (older ones are dropped for good). */
  private window(user: string, now: number): Charge[] {
    const list = (this.charges.get(user) ?? []).filter((c) => c.at > now - this.settings.executionWindowMs);
    this.charges.set(user, list);
    return list;
  }

  /** Seconds until enough of the oldest charges leave the window for the sum to fit the budget again. */
  private retryAfterSeconds(live: Charge[], used: number, now: number): number {
    let left = used;
    let until = now;
    for (const c of live) {
      left -= c.ms;
      until = c.at + this.settings.executionWindowMs;
      if (left <= this.settings.executionBudgetMs) break;
    }
    return Math.max(1, Math.ceil((until - now) / 1000));
  }

  private userOf(headers: IncomingHttpHeaders): string {
    const header = headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const issued = bearer ? this.tokens.check(bearer[1]) : 'unknown';
    return typeof issued === 'string' ? 'anonymous' : `${issued.tenantId}/${issued.clientId}`;
  }
}

/**
 * The modelled server time of a Dataverse answer, or undefined when latency is off or the request
 * is not a Dataverse GET or `$batch`: a GET costs the base plus its cells, a `$batch` the sum of
 * its parts' times.
 */
export function modelledServerMs(settings: ServiceSettings, ctx: RequestContext, reply: Reply): number | undefined {
  const model = settings.latency;
  if (!model || ctx.target !== 'org') return undefined;
  if (reply.partCells) return reply.partCells.reduce((sum, cells) => sum + cellsServerMs(model, cells), 0);
  if (ctx.method !== 'GET') return undefined;
  return cellsServerMs(model, reply.cells ?? 0);
}
