/**
 * Which links a read may follow. A nextLink, deltaLink or saved `resume_link` is only trusted when
 * it names the same resource the read started on: the org host (so the bearer token never leaves
 * it) and the same entity set path (so rows of another table can never pass as this stream's).
 */
import { ResponseError } from '../errors';

/**
 * Why `link` must not be followed by a read whose first request went to `start`, or undefined
 * when it may be. Both are absolute URLs; query strings are free (skiptokens, deltatokens).
 * `scope` 'host' checks only the host, for requests that name no single resource.
 */
export function linkProblem(link: string, start: string, scope: 'resource' | 'host' = 'resource'): string | undefined {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return 'is not an absolute URL';
  }
  const expected = new URL(start);
  if (url.origin !== expected.origin) return `points at ${url.origin}, which is not the org host ${expected.origin}`;
  if (scope === 'resource' && normalisedPath(url) !== normalisedPath(expected)) {
    return `points at ${shorten(url.pathname)}, not at ${shorten(expected.pathname)} where the read started`;
  }
  return undefined;
}

/** Paths compare decoded and case-insensitively: Dataverse treats `accounts` and `Accounts` alike in links it hands out. */
function normalisedPath(url: URL): string {
  let path = url.pathname.replace(/\/+$/, '');
  try {
    path = decodeURIComponent(path);
  } catch {
    // A path that does not decode is compared as sent.
  }
  return path.toLowerCase();
}

/** Paths come from a response or a state file: never echo more than a line's worth. */
function shorten(path: string): string {
  return path.length <= 120 ? path : `${path.slice(0, 117)}...`;
}

/** The org's origin and the request's URL; a URL on any other host is refused before a token is attached. */
export function onOrgHost(base: string, url: string): { origin: string; target: URL } {
  const origin = new URL(base).origin;
  const target = new URL(url);
  if (target.origin !== origin) {
    throw new ResponseError(`Dataverse returned a link to ${target.origin}, which is not the org host ${origin}; the read stopped and no token was sent there`, {
      internal: `refused URL with origin ${target.origin}`,
    });
  }
  return { origin, target };
}
