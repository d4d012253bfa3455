/**
 * A tiny route table and the response helpers shared by the route modules.
 *
 * Handlers return a {@link Reply} instead of writing to the socket, so that the server can log it,
 * add the headers every response of that host carries, and let a fault cut it short or corrupt it.
 */
import type { RequestContext } from './context';

/** A header value; an array is sent as repeated headers. */
export type HeaderValue = string | string[];

/** A complete response, not yet sent. */
export interface Reply {
  status: number;
  headers: Record<string, HeaderValue>;
  /** The body; '' when {@link parts} carries it. */
  body: string | Buffer;
  /**
   * A body too large to hold as one string (a page of large rows, page-body.ts): its text in
   * order, rendered as it is iterated. Each call starts over. The transport sends it chunked as
   * it goes and stops iterating when the client leaves (wire.ts); other readers join it with
   * {@link replyBody}, which holds it whole.
   */
  parts?: () => Iterable<string>;
  /**
   * Not sent: the rows x columns the body carries, for the latency model (service.ts). Absent:
   * none (an answer without rows costs the base time).
   */
  cells?: number;
  /** Not sent: for a `$batch`, the cells of each part that ran (its server time is their sum). */
  partCells?: number[];
}

/** One entry of a route table. */
export interface Route {
  /** Upper case. */
  method: string;
  /** Tested against the decoded pathname (no query). */
  pattern: RegExp;
  handler(ctx: RequestContext, match: RegExpExecArray): Reply | Promise<Reply>;
}

/** The first route whose method and pattern match, with the pattern's match. */
export function findRoute(routes: readonly Route[], ctx: RequestContext): { route: Route; match: RegExpExecArray } | undefined {
  for (const route of routes) {
    if (route.method !== ctx.method) continue;
    const match = route.pattern.exec(ctx.pathname);
    if (match) return { route, match };
  }
  return undefined;
}

/** Content-Type of Dataverse Web API JSON responses. */
export const DATAVERSE_JSON = 'application/json; odata.metadata=minimal';
/** Content-Type of Entra JSON responses. */
export const ENTRA_JSON = 'application/json; charset=utf-8';

/** The whole body of `reply`, its parts joined for a streamed one (which then sits in memory whole). */
export function replyBody(reply: Reply): string | Buffer {
  return reply.parts ? [...reply.parts()].join('') : reply.body;
}

/** A JSON response with the given content type. */
export function jsonReply(status: number, body: unknown, headers: Record<string, HeaderValue> = {}, contentType = ENTRA_JSON): Reply {
  return { status, headers: { 'Content-Type': contentType, ...headers }, body: JSON.stringify(body) };
}

/** A Dataverse Web API JSON response (the host-wide headers are added by the server). */
export function dataverseJson(status: number, body: unknown, headers: Record<string, HeaderValue> = {}): Reply {
  return jsonReply(status, body, headers, DATAVERSE_JSON);
}

/** The Dataverse error envelope `{"error":{"code","message"}}`. */
export function dataverseError(status: number, code: string, message: string, headers: Record<string, HeaderValue> = {}): Reply {
  return dataverseJson(status, { error: { code, message } }, headers);
}

/** An Entra error body (AADSTS shape); Entra marks these uncacheable like its successes. */
export function entraErrorReply(status: number, body: unknown): Reply {
  return jsonReply(status, body, { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache', Expires: '-1' });
}

/** A response without a body. */
export function emptyReply(status: number, headers: Record<string, HeaderValue> = {}): Reply {
  return { status, headers, body: '' };
}
