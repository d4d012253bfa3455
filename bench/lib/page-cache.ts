/**
 * Pre-rendered entity-set pages for the benchmark.
 *
 * The emulator renders every row of every page on request. Clients read pages one after another
 * (request, wait, parse, request the next), so the emulator's render time adds to every client's
 * wall time and compresses the ratios between them: with `account` it costs about as much CPU per
 * row as the bare client loop itself. The cache wraps the emulator's entity-set route (the
 * `entitySetRoutes` export that `startEmulator` calls when it builds its route table) and keeps
 * each 200 reply, keyed by path, decoded query and Prefer, as a Buffer. A warm-up pass fills it;
 * measured runs then get the same bytes the emulator rendered, for little more than a socket write.
 * Bearer validation, logging and host headers still run for every request (they sit outside the
 * route). Nothing under integration_tests/ is edited.
 */
import type { Reply, Route } from '../../integration_tests/emulator/router';
import type { RequestContext } from '../../integration_tests/emulator/context';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const entitySets = require('../../integration_tests/emulator/entitysets') as { entitySetRoutes: (tables: unknown) => Route[] };

interface CachedPage {
  reply: Reply;
  rows: number;
  last: boolean;
  /** A `$top` request (a partitioned read's one-row bound probe): its rows are not the read's. */
  probe: boolean;
}

export class PageCache {
  private readonly pages = new Map<string, CachedPage>();
  enabled = true;
  hits = 0;
  misses = 0;
  /** Rows in the pages served (hits and misses), since the last resetCounters(). */
  rowsServed = 0;
  /** Last pages of a collection (no nextLink) served since resetCounters(): one per partition read. */
  lastPageServed = 0;
  /** Rows of `$top` probes (a partitioned read's bounds) since resetCounters(), kept out of rowsServed. */
  probeRowsServed = 0;
  private installed = false;

  /** Wraps the emulator's entity-set route; call before startEmulator. */
  install(): void {
    if (this.installed) return;
    const original = entitySets.entitySetRoutes;
    if (typeof original !== 'function') throw new Error('bench: integration_tests/emulator/entitysets no longer exports entitySetRoutes; update bench/lib/page-cache.ts');
    entitySets.entitySetRoutes = (tables: unknown) =>
      original(tables).map((route) => ({ ...route, handler: (ctx: RequestContext, match: RegExpExecArray) => this.serve(route, ctx, match) }));
    this.installed = true;
  }

  clear(): void {
    this.pages.clear();
  }

  resetCounters(): void {
    this.hits = 0;
    this.misses = 0;
    this.rowsServed = 0;
    this.lastPageServed = 0;
    this.probeRowsServed = 0;
  }

  get size(): number {
    return this.pages.size;
  }

  get bytes(): number {
    let total = 0;
    for (const page of this.pages.values()) total += page.reply.body.length;
    return total;
  }

  private key(ctx: RequestContext): string | undefined {
    const prefer = String(ctx.headers.prefer ?? '')
      .split(',')
      .map((p) => p.trim().toLowerCase())
      .filter(Boolean)
      .sort()
      .join(',');
    if (prefer.includes('track-changes')) return undefined;
    const query = [...ctx.query.entries()].map(([k, v]) => `${k}=${v}`).sort();
    if (query.some((q) => q.startsWith('$deltatoken'))) return undefined;
    return `${ctx.method} ${ctx.pathname}?${query.join('&')} | ${prefer}`;
  }

  private count(page: CachedPage): void {
    if (page.probe) {
      this.probeRowsServed += page.rows;
      return;
    }
    this.rowsServed += page.rows;
    if (page.last) this.lastPageServed++;
  }

  private async serve(route: Route, ctx: RequestContext, match: RegExpExecArray): Promise<Reply> {
    const key = this.enabled ? this.key(ctx) : undefined;
    const cached = key === undefined ? undefined : this.pages.get(key);
    if (cached) {
      this.hits++;
      this.count(cached);
      return cached.reply;
    }
    this.misses++;
    const reply = await route.handler(ctx, match);
    // A streamed page (large rows) is neither cached nor counted: holding it would take gigabytes.
    if (reply.status !== 200 || reply.parts) return reply;
    const text = typeof reply.body === 'string' ? reply.body : reply.body.toString('utf8');
    const parsed = JSON.parse(text) as { value?: unknown[]; '@odata.nextLink'?: string };
    const page: CachedPage = {
      reply: { ...reply, body: Buffer.from(text, 'utf8') },
      rows: parsed.value?.length ?? 0,
      last: parsed['@odata.nextLink'] === undefined,
      probe: ctx.query.has('$top'),
    };
    this.count(page);
    if (key !== undefined) this.pages.set(key, page);
    return page.reply;
  }
}
