/** Request URLs: a base, a path and query parameters, encoded the way Dataverse's own links are. */

/** Keeps OData's `$` and `@` and the punctuation of filters readable in URLs (servers decode both forms). */
function encodeQueryPart(value: string): string {
  return encodeURIComponent(value).replace(/%24/g, '$').replace(/%40/g, '@').replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%2F/gi, '/');
}

/** `base` + `path` (or `path` alone when absolute) + the parameters that have a value, in order. */
export function buildUrl(base: string, path: string, params: Record<string, unknown>): string {
  const joined = /^https?:\/\//i.test(path) ? path : base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeQueryPart(k)}=${encodeQueryPart(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
  if (!query) return joined;
  return joined + (joined.includes('?') ? '&' : '?') + query;
}

/**
 * "The length of a URL in a GET request is limited to 32 KB (32,768 characters) ... Sending a GET
 * request within a $batch allows for URLs up to 64 KB" (facts §9): longer page requests (a wide
 * table's `$select`) go inside a one-part `$batch`.
 */
export const MAX_GET_URL_CHARS = 32_768;
export const MAX_BATCH_URL_CHARS = 65_536;
