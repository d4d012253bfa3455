/**
 * The emulator's dispatcher: from a request to the {@link Reply} the service would send. It builds
 * the route tables (Entra; Dataverse: org-level, metadata, option sets, `$batch`, record counts,
 * entity sets), applies the faults that replace or delay an answer, adds each host's headers, and
 * holds a Dataverse answer for its modelled server time (service.ts).
 *
 * Sockets, TLS and the faults that act on connections are the transport's (transport.ts).
 */
import type { ServerResponse } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorState, RequestContext, Target } from './context';
import { batchRoute } from './batch';
import { dataverseRoutes } from './dataverse';
import { dataverseHostHeaders, handleOrgRequest } from './dataverseHost';
import { entitySetRoutes } from './entitysets';
import { entraFallback, entraRoutes } from './entra';
import { echoTokenReply, statusReply, throttleReply, withExpiresIn, type FaultAction, type Faults } from './faults';
import { modelledServerMs } from './limits';
import { metadataRoutes } from './metadata';
import { optionSetRoutes } from './optionsets';
import { recordCountRoutes } from './record-counts';
import { DATAVERSE_JSON, ENTRA_JSON, dataverseError, findRoute, type Reply, type Route } from './router';
import type { Tables } from './tables';
import type { Timers } from './wire';

/** "The length of a URL in a GET request is limited to 32 KB (32,768 characters)" [DOC facts §9]. */
export const MAX_GET_URL_CHARS = 32_768;

/**
 * The front end's answer to a GET whose URL passes the limit: 414 with an HTML page, before any
 * routing or authentication [DOC facts §9 for the limit and status; the page text is INF].
 */
function uriTooLong(ctx: RequestContext, orgUrl: string): Reply | undefined {
  if (ctx.target !== 'org' || ctx.method !== 'GET' || orgUrl.length + ctx.rawPath.length <= MAX_GET_URL_CHARS) return undefined;
  return { status: 414, headers: { 'Content-Type': 'text/html' }, body: '<html><head><title>Request-URI Too Long</title></head><body><h1>Request-URI Too Long</h1><p>The request URL is over the size limit.</p></body></html>' };
}

/** What a handler sees of a request, from what the transport received. */
export function requestContext(target: Target, method: string, rawPath: string, headers: IncomingHttpHeaders, body: string, state: EmulatorState): RequestContext {
  const q = rawPath.indexOf('?');
  const encodedPath = q < 0 ? rawPath : rawPath.slice(0, q);
  let pathname = encodedPath;
  try {
    pathname = decodeURIComponent(encodedPath);
  } catch {
    // a malformed %-escape: no route matches the raw form, so the host's 404 answers it
  }
  return {
    target,
    method,
    rawPath,
    pathname,
    query: new URLSearchParams(q < 0 ? '' : rawPath.slice(q + 1)),
    headers,
    body,
    requestId: state.random.uuid(),
    principal: null,
    state,
  };
}

/** An answer and the server time it took (modelled when the latency model is on). */
export interface Answer {
  reply: Reply;
  /** The modelled time, or the time the handler took; undefined for the login host. */
  serverMs?: number;
}

/** Routes requests of one emulator instance. */
export class Dispatcher {
  private readonly orgRoutes: readonly Route[];

  constructor(
    private readonly state: EmulatorState,
    faults: Faults,
    tables: Tables,
    private readonly timers: Timers,
  ) {
    // The entity-set route matches only names of entity sets in the metadata, after the fixed routes.
    const orgRoutes: readonly Route[] = [...dataverseRoutes, ...metadataRoutes, ...optionSetRoutes, batchRoute(() => orgRoutes, faults), ...recordCountRoutes(tables), ...entitySetRoutes(tables)];
    this.orgRoutes = orgRoutes;
  }

  /**
   * The answer to a request the transport did not end: a fault's reply, or the routed one after
   * any `delay`, held for its modelled server time. `res` ends a wait early when the client leaves.
   */
  async answer(ctx: RequestContext, action: FaultAction | undefined, res: ServerResponse): Promise<Answer> {
    const early = uriTooLong(ctx, this.state.orgUrl) ?? this.faultReply(ctx, action);
    if (early) return { reply: this.withHostHeaders(ctx, early) };
    if (action?.kind === 'delay') await this.timers.sleep(action.ms, res);
    if (action?.kind === 'expireTokens') this.state.tokens.revokeAll();
    const started = Date.now();
    let reply = await this.routed(ctx);
    if (action?.kind === 'tokenExpiresIn' && ctx.target === 'login') reply = withExpiresIn(reply, action.value);
    if (ctx.target === 'login') return { reply: this.withHostHeaders(ctx, reply) };
    const modelled = modelledServerMs(this.state.service, ctx, reply);
    // [INF] The model gives the whole server time: time already spent rendering counts toward it.
    if (modelled !== undefined) await this.timers.sleep(Math.max(0, modelled - (Date.now() - started)), res);
    return { reply: this.withHostHeaders(ctx, reply), serverMs: modelled ?? Date.now() - started };
  }

  /** Headers every response of that host carries, under the route's own. */
  withHostHeaders(ctx: RequestContext, reply: Reply): Reply {
    if (ctx.target === 'login') {
      const clientRequestId = ctx.headers['client-request-id'];
      const echo: Record<string, string> = typeof clientRequestId === 'string' ? { 'client-request-id': clientRequestId } : {};
      return { ...reply, headers: { 'x-ms-request-id': ctx.requestId, ...echo, ...reply.headers } };
    }
    return { ...reply, headers: { ...dataverseHostHeaders(ctx), ...reply.headers } };
  }

  /** The reply of a fault that replaces the answer, if the action is one. */
  private faultReply(ctx: RequestContext, action: FaultAction | undefined): Reply | undefined {
    switch (action?.kind) {
      case 'throttle':
        return throttleReply(action.code, action.retryAfterSeconds);
      case 'status':
        return statusReply(action, ctx.target === 'login' ? ENTRA_JSON : DATAVERSE_JSON);
      case 'echoToken':
        return ctx.target === 'org' ? echoTokenReply(action.status ?? 400, ctx.headers.authorization) : undefined;
      default:
        return undefined;
    }
  }

  private async routed(ctx: RequestContext): Promise<Reply> {
    try {
      if (ctx.target !== 'login') return await handleOrgRequest(ctx, this.orgRoutes);
      const found = findRoute(entraRoutes, ctx);
      return found ? await found.route.handler(ctx, found.match) : entraFallback();
    } catch (err) {
      // A handler threw: an emulator bug, made visible to the test (in Dataverse's envelope, on
      // either host) instead of hanging the request.
      return dataverseError(500, '0x80040216', `emulator bug: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
}
