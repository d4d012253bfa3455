/**
 * `$skiptoken` paging cookies in Dataverse's double-encoded form (facts §5, accounts-page1.json):
 *
 *   <cookie pagenumber="2" pagingcookie="%3ccookie%20page%3d%221%22%3e%3caccountid%20last%3d%22%7bLAST%7d%22%20first%3d%22%7bFIRST%7d%22%20%2f%3e%3c%2fcookie%3e" istracking="False" />
 *
 * the inner cookie percent-encoded with lowercase escapes, the whole then encoded again in the
 * nextLink (`%3C...%253c...`), GUIDs upper case in braces. Clients treat it as opaque; the emulator
 * decodes it to find where the next page starts, as the service does (keyset paging: "after this
 * row", so rows inserted or deleted between pages neither shift nor repeat others).
 *
 * [INF] Additions the docs do not show: with `$orderby=modifiedon` a `<modifiedon last first />`
 * element (`<createdon .../>` with `$orderby=createdon`) precedes the key element (FetchXML paging cookies list the order columns); change-tracking
 * pages carry `istracking="True"` and, on the inner cookie, the snapshot version
 * (`trackingversion`) and for delta pages the phase and last version served.
 */

/** What a paging cookie says. */
export interface PagingCookie {
  /** The page the token fetches (outer `pagenumber`); the inner `page` is the previous one. */
  pageNumber: number;
  tracking: boolean;
  /** Element name: the entity's primary id attribute. */
  primaryKey: string;
  /** Primary ids of the previous page's first and last rows (any case, no braces). */
  first: string;
  last: string;
  /** With `$orderby=modifiedon`: the previous page's first and last `modifiedon`. */
  modified?: { first: string; last: string };
  /** With `$orderby=createdon [desc]`: the previous page's first and last `createdon`. */
  created?: { first: string; last: string };
  /** Change tracking: the org change version the sync (or delta) is a snapshot of. */
  snapshot?: number;
  /** Delta pages: which list the previous page ended in, and the last version it served. */
  phase?: 'upserts' | 'deletes';
  lastVersion?: number;
}

/** Percent-encoding with lowercase escapes for everything but letters, digits, `-`, `_` and `.` (the service's style for cookies and delta tokens). */
export function encodeLower(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)
    .replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
}

const brace = (id: string) => `{${id.toUpperCase()}}`;

/** The inner cookie's XML. */
function innerXml(c: PagingCookie): string {
  let attrs = ` page="${c.pageNumber - 1}"`;
  if (c.snapshot !== undefined) attrs += ` trackingversion="${c.snapshot}"`;
  if (c.phase !== undefined) attrs += ` changephase="${c.phase}" lastversion="${c.lastVersion ?? 0}"`;
  const modified = c.modified ? `<modifiedon last="${c.modified.last}" first="${c.modified.first}" />` : c.created ? `<createdon last="${c.created.last}" first="${c.created.first}" />` : '';
  return `<cookie${attrs}>${modified}<${c.primaryKey} last="${brace(c.last)}" first="${brace(c.first)}" /></cookie>`;
}

/** The `$skiptoken` value exactly as it appears in an `@odata.nextLink` (already URL-encoded). */
export function encodeSkiptoken(c: PagingCookie): string {
  const outer = `<cookie pagenumber="${c.pageNumber}" pagingcookie="${encodeLower(innerXml(c))}" istracking="${c.tracking ? 'True' : 'False'}" />`;
  // encodeURI leaves = and / as the service does, and turns the inner escapes' % into %25.
  return encodeURI(outer);
}

const OUTER = /^<cookie pagenumber="(\d+)" pagingcookie="([^"]*)" istracking="(True|False)" \/>$/;
const INNER = /^<cookie page="(\d+)"((?: [a-z]+="[^"]*")*)>((?:<[A-Za-z_][A-Za-z0-9_]* last="[^"]*" first="[^"]*" \/>)+)<\/cookie>$/;
const ELEMENT = /<([A-Za-z_][A-Za-z0-9_]*) last="([^"]*)" first="([^"]*)" \/>/g;
const ATTRIBUTE = / ([a-z]+)="([^"]*)"/g;
const BRACED_GUID = /^\{([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}$/;

/**
 * A `$skiptoken` as the query parser decoded it (the outer cookie, inner still encoded once), or
 * null when it is not a cookie this emulator wrote.
 */
export function decodeSkiptoken(value: string): PagingCookie | null {
  const outer = OUTER.exec(value);
  if (!outer) return null;
  let inner: string;
  try {
    inner = decodeURIComponent(outer[2]);
  } catch {
    return null;
  }
  const m = INNER.exec(inner);
  if (!m) return null;
  const pageNumber = Number(outer[1]);
  if (Number(m[1]) !== pageNumber - 1) return null;
  const attrs = new Map<string, string>();
  for (const a of m[2].matchAll(ATTRIBUTE)) attrs.set(a[1], a[2]);
  const elements = [...m[3].matchAll(ELEMENT)];
  const key = elements[elements.length - 1];
  const last = BRACED_GUID.exec(key[2]);
  const first = BRACED_GUID.exec(key[3]);
  if (!last || !first) return null;
  const cookie: PagingCookie = { pageNumber, tracking: outer[3] === 'True', primaryKey: key[1], first: first[1], last: last[1] };
  if (elements.length === 2 && elements[0][1] === 'modifiedon') cookie.modified = { last: elements[0][2], first: elements[0][3] };
  else if (elements.length === 2 && elements[0][1] === 'createdon') cookie.created = { last: elements[0][2], first: elements[0][3] };
  else if (elements.length !== 1) return null;
  const snapshot = attrs.get('trackingversion');
  if (snapshot !== undefined) {
    if (!/^\d+$/.test(snapshot)) return null;
    cookie.snapshot = Number(snapshot);
  }
  const phase = attrs.get('changephase');
  if (phase !== undefined) {
    const lastVersion = attrs.get('lastversion') ?? '';
    if ((phase !== 'upserts' && phase !== 'deletes') || !/^\d+$/.test(lastVersion)) return null;
    cookie.phase = phase;
    cookie.lastVersion = Number(lastVersion);
  }
  return cookie;
}
