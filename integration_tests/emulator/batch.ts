/**
 * `POST /api/data/v9.2/$batch` (facts §8): up to 1,000 GETs in one multipart/mixed request, each
 * run through the same routes and authentication as a top-level request, answered in order in a
 * multipart/mixed response with a new `batchresponse_<guid>` boundary.
 *
 * Without `Prefer: odata.continue-on-error` the first failing part stops the batch, which then
 * answers with that part's status and only that part; with it the batch answers 200 and every part
 * carries its own status. The emulator is read-only: change sets and inner writes are refused as a
 * whole before anything runs, and so are nested batches.
 *
 * The inner requests are recorded for the request log ({@link batchInnerRequests}). Faults with
 * target `org` apply to the `$batch` POST itself (server.ts); target `part` rules apply to inner
 * requests, which then answer a 429 or another status inside the batch.
 */
import { STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestContext } from './context';
import { handleOrgRequest } from './dataverseHost';
import { formatBatchResponse, multipartBoundary, parseBatchBody, type BatchResponsePart } from './multipart';
import { API_ROOT, parsePrefer } from './odata';
import { statusReply, throttleReply, type Faults } from './faults';
import { dataverseError, replyBody, type Reply, type Route } from './router';

/** The documented maximum number of requests in one batch. */
export const MAX_BATCH_REQUESTS = 1000;

/** One inner request of a batch, as recorded on the batch's request-log entry. */
export interface InnerRequestLogEntry {
  method: string;
  /** Path and query as the part's request line gave them (an absolute URL reduced to its path). */
  path: string;
  /** The inner status; 0 for parts not run (the batch stopped before them). */
  status: number;
}

const innerLogs = new WeakMap<RequestContext, InnerRequestLogEntry[]>();

/** The inner requests of a `$batch` request (undefined for any other request). */
export function batchInnerRequests(ctx: RequestContext): InnerRequestLogEntry[] | undefined {
  return innerLogs.get(ctx);
}

/** [INF] Dataverse's texts for malformed batches are not documented; code 0x0 as for OData-layer 400s (facts §7). */
const badBatch = (message: string) => dataverseError(400, '0x0', message);

/** Outer headers an inner request inherits: not those describing the batch body or its preferences. */
const NOT_INHERITED = new Set(['content-type', 'content-length', 'prefer', 'transfer-encoding']);

/** Path + query of an inner request target: relative (`/api/data/v9.2/...`) or absolute. */
function innerPath(target: string): string {
  if (/^https?:\/\//i.test(target)) {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  }
  return target;
}

/** A request context for one inner GET, sharing the outer request's state and credentials. */
function innerContext(outer: RequestContext, path: string, headers: Record<string, string>): RequestContext {
  const merged: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(outer.headers)) if (!NOT_INHERITED.has(name)) merged[name] = value;
  Object.assign(merged, headers);
  const q = path.indexOf('?');
  const encodedPath = q < 0 ? path : path.slice(0, q);
  let pathname = encodedPath;
  try {
    pathname = decodeURIComponent(encodedPath);
  } catch {
    // an undecodable %-escape: left raw, so no route matches and the host's 404 answers it
  }
  return {
    ...outer,
    method: 'GET',
    rawPath: path,
    pathname,
    query: new URLSearchParams(q < 0 ? '' : path.slice(q + 1)),
    headers: merged,
    body: '',
    requestId: outer.state.random.uuid(),
    principal: null,
  };
}

/** An inner reply as a response part: JSON parts say so as the service does (facts §8). */
function toPart(reply: Reply): BatchResponsePart {
  const headers: Array<[string, string]> = [];
  // A streamed page (page-body.ts) is joined: a batch's parts are small pages in practice, and a
  // multipart body is written whole. A part of large rows would need its page size lowered anyway.
  const whole = replyBody(reply);
  const body = typeof whole === 'string' ? whole : whole.toString('utf8');
  for (const [name, value] of Object.entries(reply.headers)) {
    if (name.toLowerCase() === 'content-type') continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.push([name, v]);
  }
  const contentType = reply.headers['Content-Type'];
  if (body !== '') {
    const type = typeof contentType === 'string' && !contentType.startsWith('application/json') ? contentType : 'application/json; odata.metadata=minimal; odata.streaming=true';
    headers.unshift(['Content-Type', type]);
  }
  headers.push(['OData-Version', '4.0']);
  return { status: reply.status, statusText: STATUS_CODES[reply.status] ?? '', headers, body };
}

/** The reply of a `part` fault for this inner request, if one fires. */
function partFault(faults: Faults | undefined, path: string): Reply | undefined {
  const action = faults?.take('part', 'GET', path);
  if (!action) return undefined;
  if (action.kind === 'throttle') return throttleReply(action.code, action.retryAfterSeconds);
  if (action.kind === 'status') return statusReply(action, 'application/json; odata.metadata=minimal');
  throw new Error(`fault ${action.kind} cannot apply to a $batch part (only throttle and status)`);
}

/** The `$batch` route; `routes` gives the org routes inner requests are routed through (this one included). */
export function batchRoute(routes: () => readonly Route[], faults?: Faults): Route {
  return {
    method: 'POST',
    pattern: new RegExp(`^${API_ROOT.replace(/\./g, '\\.')}/\\$batch$`),
    async handler(ctx: RequestContext): Promise<Reply> {
      const contentType = typeof ctx.headers['content-type'] === 'string' ? ctx.headers['content-type'] : undefined;
      const boundary = multipartBoundary(contentType);
      if (!boundary) {
        // ODataLib's wording for a batch without exactly one boundary [INF].
        return badBatch(
          `The content type '${contentType ?? ''}' specifies a batch payload; however, the payload either does not include a batch boundary or includes more than one boundary. In OData, batch payload content types must specify exactly one batch boundary in the 'boundary' parameter of the content type.`,
        );
      }
      const parts = parseBatchBody(ctx.body, boundary);
      if ('error' in parts) return badBatch(parts.error);
      if (parts.length > MAX_BATCH_REQUESTS) {
        return badBatch(`The batch contains ${parts.length} requests; a batch can contain up to ${MAX_BATCH_REQUESTS} requests.`);
      }
      // Validate every part before running any: the emulator never half-executes a refused batch.
      for (const [index, part] of parts.entries()) {
        const n = index + 1;
        if (part.multipart) return badBatch(`Part ${n} is a change set: the emulator serves read-only GET batches, and GET requests are not allowed in change sets.`);
        if (!part.request) return badBatch(`Part ${n} has Content-Type '${part.headers['content-type'] ?? ''}'; batch parts must be 'application/http'.`);
        const path = innerPath(part.request.target);
        if (/\/\$batch$/.test(path.split('?')[0])) return badBatch(`Part ${n} is a nested batch request; batches cannot contain other batch requests.`);
        if (part.request.method !== 'GET') return badBatch(`Part ${n} is a ${part.request.method} request: the emulator's batches carry GET requests only.`);
      }

      const continueOnError = parsePrefer(ctx.headers.prefer).has('odata.continue-on-error');
      const log: InnerRequestLogEntry[] = parts.map((p) => ({ method: p.request!.method, path: innerPath(p.request!.target), status: 0 }));
      innerLogs.set(ctx, log);
      const responses: BatchResponsePart[] = [];
      const partCells: number[] = [];
      let failed: BatchResponsePart | null = null;
      for (const [index, part] of parts.entries()) {
        const inner = innerContext(ctx, log[index].path, part.request!.headers);
        // [INF] Each inner request counts toward the service-protection budget (facts §8).
        ctx.state.orgRequestCount++;
        const reply = partFault(faults, log[index].path) ?? (await handleOrgRequest(inner, routes()));
        log[index].status = reply.status;
        partCells.push(reply.cells ?? 0);
        const response = toPart(reply);
        if (reply.status >= 400 && !continueOnError) {
          failed = response;
          break;
        }
        responses.push(response);
      }
      const responseBoundary = `batchresponse_${ctx.state.random.uuid()}`;
      const headers = {
        'Content-Type': `multipart/mixed; boundary=${responseBoundary}`,
        ...(continueOnError ? { 'Preference-Applied': 'odata.continue-on-error' } : {}),
      };
      if (failed) return { status: failed.status, headers, body: formatBatchResponse(responseBoundary, [failed]), partCells };
      return { status: 200, headers, body: formatBatchResponse(responseBoundary, responses), partCells };
    },
  };
}
