/**
 * `GET /api/data/v9.2/{entitySetName}`: rows of any entity of `world.org.entities`, with `$select`,
 * `Prefer: odata.maxpagesize` paging through `$skiptoken`, `$filter`/`$orderby` on `modifiedon` and
 * `createdon` (entity-filter.ts),
 * `$top`, `$count`, formatted values and lookup annotations, and change tracking
 * (`Prefer: odata.track-changes`, `$deltatoken`). Shapes follow facts §5-§7 and the page, delta and
 * error fixtures.
 *
 * Checks run in this order: `$select` (the OData layer's 400), read privilege (403), change
 * tracking (not enabled, read depth below Global, refused options), other query options, paging
 * cookie, delta token [INF].
 */
import { entityColumns, resolveSelect, type Column } from './columns';
import { TRACKING_REFUSED_OPTIONS, badDeltaTokenReply, encodeDeltaToken, expiredReply, notEnabledReply, parseDeltaToken, refusedOptionReply } from './changetracking';
import type { RequestContext } from './context';
import { dataverseFallback } from './dataverseHost';
import { parseFilter, parseOrderBy, type Order } from './entity-filter';
import { fixtureText } from './fixtures';
import { stringHash } from './hash';
import type { EntityDef } from './model';
import { API_ROOT, ASSOCIATED_NAVIGATION_PROPERTY, FORMATTED_VALUE, LOOKUP_LOGICAL_NAME, annotationFilter, parsePrefer } from './odata';
import { pageBody } from './page-body';
import { RowRenderer } from './render';
import { DATAVERSE_JSON, dataverseError, type HeaderValue, type Reply, type Route } from './router';
import { indexOfId, rowId, isoSeconds } from './rows';
import { countRows, createdOf, scanByCreated, scanChanges, scanRows, type Change, type DeltaPosition, type Position } from './scan';
import { decodeSkiptoken, encodeSkiptoken, type PagingCookie } from './skiptoken';
import { currentRow, renderEnv, tokenLifetimeMs, type Tables, type TableView } from './tables';

/** Default and maximum page size (facts §5). */
export const MAX_PAGE_SIZE = 5000;
/** `@odata.count` and totalrecordcount stop here (facts §5). */
export const COUNT_LIMIT = 5000;

const TOTAL_RECORD_COUNT = 'Microsoft.Dynamics.CRM.totalrecordcount';
const TOTAL_RECORD_COUNT_LIMIT_EXCEEDED = 'Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded';
const SUPPORTED_OPTIONS = new Set(['$select', '$filter', '$orderby', '$top', '$count', '$skiptoken', '$deltatoken']);

const ENTITY_SET_SOURCE = `^${API_ROOT.replace(/\./g, '\\.')}/([A-Za-z_][A-Za-z0-9_]*)$`;

/**
 * Matches `/api/data/v9.2/<name>` only when `<name>` is the entity set of an entity in the metadata
 * (read at match time), so that other routes, wherever they sit in the table, keep every other
 * name, and unknown names reach the host's 404 0x80060888.
 */
class EntitySetPattern extends RegExp {
  constructor(private readonly tables: Tables) {
    super(ENTITY_SET_SOURCE);
  }

  override exec(text: string): RegExpExecArray | null {
    const match = super.exec(text);
    return match && this.tables.entityBySetName(match[1]) ? match : null;
  }
}

/** The entity-set route, reading and paging `tables`. */
export function entitySetRoutes(tables: Tables): Route[] {
  return [{ method: 'GET', pattern: new EntitySetPattern(tables), handler: (ctx, match) => serveEntitySet(tables, ctx, match[1]) }];
}

interface ErrorFixture {
  error: { code: string; message: string };
}

/** Privilege id of prvReadAccount in the fixture; other entities get a stable invented one [INF]. */
const PRV_READ_ACCOUNT_ID = '886b280c-6396-4d56-a0a3-2c1b0a50ceb0';

/**
 * 403 0x80040220 for the entity (fixture error-privilege-denied.json, SYNTH): the caller's id and
 * role count, prvRead<SchemaName> (without a schema name in the metadata: the logical name with
 * a capital first letter, as for system tables [INF]), its OTC and logical name.
 */
function privilegeDenied(ctx: RequestContext, def: EntityDef): Reply {
  const { code, message } = privilegeError(ctx, def);
  return dataverseError(403, code, message);
}

/**
 * 403 for change tracking when the role reads the entity below organization level: "The calling
 * user must have organization level read access to the table. If the user has limited read
 * access, the system throws a privilege check error" [DOC facts §9]. The code and the first
 * sentence are the privilege error's; the depth sentence is [INF] (the wording is undocumented).
 */
function changeTrackingDenied(ctx: RequestContext, def: EntityDef, depth: string): Reply {
  const { code, message } = privilegeError(ctx, def);
  return dataverseError(403, code, `${message} Change tracking requires the privilege at depth Global; the user's roles grant it at depth ${depth}.`);
}

function privilegeError(ctx: RequestContext, def: EntityDef): { code: string; message: string } {
  const { error } = JSON.parse(fixtureText('error-privilege-denied.json')) as ErrorFixture;
  const user = ctx.principal?.user;
  const schema = (def as { schemaName?: string }).schemaName ?? def.logicalName.charAt(0).toUpperCase() + def.logicalName.slice(1);
  const privilegeId = def.logicalName === 'account' ? PRV_READ_ACCOUNT_ID : rowId(stringHash(`prvRead${schema}`), 0);
  const message = error.message
    .replace('24e34f5e-7f1a-43fe-88da-7e4b862d51ad', user?.userId ?? '')
    .replace('roleCount=1', `roleCount=${user?.roles.length ?? 0}`)
    .replace('prvReadAccount', `prvRead${schema}`)
    .replace(PRV_READ_ACCOUNT_ID, privilegeId)
    .replace('OTC=1 ', `OTC=${def.objectTypeCode} `)
    .replace("entity 'account'", `entity '${def.logicalName}'`);
  return { code: error.code, message };
}

/** 400 for a `$skiptoken` this emulator did not write or that names no row of the table [INF]. */
function badSkiptoken(): Reply {
  return dataverseError(400, '0x0', 'The $skiptoken value is not a valid paging cookie.');
}

/** The request's URL parts for building links: path and query items as received (still encoded). */
function linkBase(ctx: RequestContext, drop: readonly string[]): string {
  const q = ctx.rawPath.indexOf('?');
  const path = q < 0 ? ctx.rawPath : ctx.rawPath.slice(0, q);
  const kept = (q < 0 ? [] : ctx.rawPath.slice(q + 1).split('&')).filter((item) => {
    if (item === '') return false;
    const eq = item.indexOf('=');
    let name = eq < 0 ? item : item.slice(0, eq);
    try {
      name = decodeURIComponent(name);
    } catch {
      // keep the raw name
    }
    return !drop.includes(name);
  });
  return `${ctx.state.orgUrl}${path}?${kept.join('&')}${kept.length > 0 ? '&' : ''}`;
}

/** Everything one page response needs besides the rows. */
interface PageRequest {
  ctx: RequestContext;
  tables: Tables;
  view: TableView;
  setName: string;
  names: string[] | null;
  renderer: RowRenderer;
  /** Properties per rendered row, for the cells the latency model charges (service.ts). */
  columnCount: number;
  cookie: PagingCookie | null;
  limit: number;
  paged: boolean;
  headers: Record<string, HeaderValue>;
  /** Quirk: the last page of a track-changes read goes without its deltaLink (tables.ts). */
  dropDeltaLink: boolean;
  /** Quirk: a no-change delta answers `{}` (tables.ts). */
  emptyNoChangeDelta: boolean;
}

function context(p: PageRequest, suffix = ''): string {
  return `${p.ctx.state.orgUrl}${API_ROOT}/$metadata#${p.setName}${p.names ? `(${p.names.join(',')})` : ''}${suffix}`;
}

function reply(body: Pick<Reply, 'body' | 'parts'>, headers: Record<string, HeaderValue>, cells = 0): Reply {
  return { status: 200, headers: { 'Content-Type': DATAVERSE_JSON, ...headers }, ...body, cells };
}

function serveEntitySet(tables: Tables, ctx: RequestContext, setName: string): Reply {
  const { world } = ctx.state;
  const def = tables.entityBySetName(setName);
  const view = def && tables.view(def.logicalName);
  if (!def || !view) return dataverseFallback(ctx);
  const q = ctx.query;

  const columns = entityColumns(def);
  const selection = resolveSelect(def, columns, q.get('$select'));
  if ('error' in selection) return dataverseError(400, '0x0', selection.error);
  if (def.readDenied) return privilegeDenied(ctx, def);

  const prefs = parsePrefer(ctx.headers.prefer);
  const skipRaw = q.get('$skiptoken');
  const cookie = skipRaw === null ? null : decodeSkiptoken(skipRaw);
  const deltaRaw = q.get('$deltatoken');
  const tracking = prefs.has('odata.track-changes') || deltaRaw !== null || cookie?.tracking === true;
  if (tracking) {
    if (!def.changeTrackingEnabled) return notEnabledReply(def);
    if ((def.readDepth ?? 'Global') !== 'Global') return changeTrackingDenied(ctx, def, def.readDepth as string);
    for (const option of TRACKING_REFUSED_OPTIONS) if (q.has(option)) return refusedOptionReply(option);
  }
  for (const name of q.keys()) {
    if (name.startsWith('$') && !SUPPORTED_OPTIONS.has(name)) {
      return dataverseError(400, '0x0', `The emulator does not support the query option '${name}' on entity sets.`);
    }
  }
  if (skipRaw !== null && (cookie === null || cookie.primaryKey !== def.primaryIdAttribute || indexOfId(view.gen.key, cookie.last) === undefined)) {
    return badSkiptoken();
  }

  const paging = pageLimit(prefs, q);
  if ('error' in paging) return paging.error;
  const { limit, paged, applied } = paging;
  const annotations = prefs.get('odata.include-annotations');
  if (typeof annotations === 'string') applied.push(`odata.include-annotations="${annotations}"`);
  if (tracking && prefs.has('odata.track-changes')) applied.push('odata.track-changes');
  const include = annotationFilter(prefs);
  const quirks = tables.changeTrackingQuirks(def.logicalName);
  const dropDeltaLink = quirks.missingDeltaLink === 'always' || (quirks.missingDeltaLink === 'formatted' && include(FORMATTED_VALUE));
  const renderer = new RowRenderer(view.gen, selection.columns, { formatted: include(FORMATTED_VALUE), navigation: include(ASSOCIATED_NAVIGATION_PROPERTY), logicalName: include(LOOKUP_LOGICAL_NAME) }, renderEnv(world));
  const page: PageRequest = {
    ctx,
    tables,
    view,
    setName,
    names: selection.names,
    renderer,
    columnCount: selection.columns.length,
    cookie,
    limit,
    paged,
    headers: applied.length > 0 ? { 'Preference-Applied': applied } : {},
    dropDeltaLink,
    emptyNoChangeDelta: quirks.emptyNoChangeDelta === true,
  };
  if (deltaRaw !== null) return deltaPage(page, deltaRaw);
  return collectionPage(page, columns, tracking, include);
}

/**
 * Paging: maxpagesize (clamped to 5000 [INF for larger values]) wins over $top (facts §5).
 * `applied` starts the Preference-Applied list; a $top that is not a count is the service's 400.
 */
function pageLimit(prefs: Map<string, string | true>, q: URLSearchParams): { limit: number; paged: boolean; applied: string[] } | { error: Reply } {
  const maxPageSize = prefs.get('odata.maxpagesize');
  if (typeof maxPageSize === 'string' && /^[1-9]\d*$/.test(maxPageSize)) {
    const limit = Math.min(Number(maxPageSize), MAX_PAGE_SIZE);
    return { limit, paged: true, applied: [`odata.maxpagesize=${limit}`] };
  }
  if (!q.has('$top')) return { limit: MAX_PAGE_SIZE, paged: true, applied: [] };
  const top = q.get('$top') ?? '';
  if (!/^\d+$/.test(top)) return { error: dataverseError(400, '0x0', `Invalid value '${top}' for $top query option found. The $top query option requires a non-negative integer value.`) };
  return { limit: Math.min(Number(top), MAX_PAGE_SIZE), paged: false, applied: [] };
}

/** A page of the table (full read, `modifiedon` cursor, or the initial change-tracking sync). */
function collectionPage(p: PageRequest, columns: Column[], tracking: boolean, include: (term: string) => boolean): Reply {
  const { view, cookie, ctx } = p;
  const def = view.def;
  const bounds = parseFilter(def, columns, ctx.query.get('$filter'));
  if ('error' in bounds) return dataverseError(400, '0x0', bounds.error);
  const order = parseOrderBy(def, columns, ctx.query.get('$orderby'));
  if (typeof order !== 'string') return dataverseError(400, '0x0', order.error);
  const countOption = ctx.query.get('$count');
  if (countOption !== null && countOption !== 'true' && countOption !== 'false') {
    return dataverseError(400, '0x0', `'${countOption}' is not a valid count option.`);
  }

  const byCreated = order === 'created' || order === 'created-desc';
  if (byCreated && bounds.created?.isNull !== false) {
    return dataverseError(400, '0x0', 'The emulator orders by createdon only with a $filter that leaves out rows without createdon (createdon ne null, or a range).');
  }
  const after = positionOf(p, order, tracking);
  if (after === 'bad') return badSkiptoken();
  const snapshot = tracking ? (cookie?.snapshot ?? p.tables.changeVersion()) : undefined;
  const wanted = p.paged ? p.limit + 1 : p.limit;
  const rows = byCreated ? scanByCreated(view, bounds, order === 'created-desc', after, wanted) : scanRows(view, order, bounds, after, wanted);
  const more = rows.length > p.limit;
  if (more) rows.length = p.limit;

  let head = `{"@odata.context":${JSON.stringify(context(p))}`;
  if (countOption === 'true') {
    const total = countRows(view, bounds);
    head += `,"@odata.count":${Math.min(total, COUNT_LIMIT)}`;
    // [INF] the totalrecordcount annotations: the count up to 5000, and whether it went past.
    if (include(TOTAL_RECORD_COUNT)) head += `,"@${TOTAL_RECORD_COUNT}":${Math.min(total, COUNT_LIMIT)}`;
    if (include(TOTAL_RECORD_COUNT_LIMIT_EXCEEDED)) head += `,"@${TOTAL_RECORD_COUNT_LIMIT_EXCEEDED}":${total > COUNT_LIMIT}`;
  }
  // [INF] the token's time is the clock when the last page is served (the version is the snapshot's).
  if (snapshot !== undefined && !more && !p.dropDeltaLink) {
    head += `,"@odata.deltaLink":${JSON.stringify(`${linkBase(ctx, ['$skiptoken', '$deltatoken'])}$deltatoken=${encodeDeltaToken(snapshot, p.tables.now())}`)}`;
  }
  head += ',"value":[';
  let tail = ']';
  if (more) {
    const first = rows[0];
    const last = rows[rows.length - 1];
    const next: PagingCookie = {
      pageNumber: (cookie?.pageNumber ?? 1) + 1,
      tracking: snapshot !== undefined,
      primaryKey: def.primaryIdAttribute,
      first: rowId(view.gen.key, first.index),
      last: rowId(view.gen.key, last.index),
      modified: order === 'modified' ? { first: isoSeconds(first.modifiedMs), last: isoSeconds(last.modifiedMs) } : undefined,
      created: byCreated ? { first: isoSeconds(createdOf(first) ?? 0), last: isoSeconds(createdOf(last) ?? 0) } : undefined,
      snapshot,
    };
    tail += `,"@odata.nextLink":${JSON.stringify(`${linkBase(ctx, ['$skiptoken'])}$skiptoken=${encodeSkiptoken(next)}`)}`;
  }
  return reply(pageBody(head, rows, (row) => p.renderer.render(row), `${tail}}`), p.headers, rows.length * p.columnCount);
}

/**
 * Where a page starts: after the row its paging cookie names (null without a cookie), or 'bad'
 * for a cookie of another order or of another kind of read.
 */
function positionOf(p: PageRequest, order: Order, tracking: boolean): Position | null | 'bad' {
  const { cookie, view } = p;
  if (!cookie) return null;
  const index = indexOfId(view.gen.key, cookie.last) as number;
  const modifiedMs = cookie.modified ? Date.parse(cookie.modified.last) : (currentRow(view, index)?.modifiedMs ?? 0);
  const createdMs = cookie.created ? Date.parse(cookie.created.last) : undefined;
  const byCreated = order === 'created' || order === 'created-desc';
  if ((order === 'modified' && !cookie.modified) || byCreated !== (cookie.created !== undefined)) return 'bad';
  if (Number.isNaN(modifiedMs) || Number.isNaN(createdMs) || (tracking && cookie.snapshot === undefined)) return 'bad';
  return { index, modifiedMs, createdMs };
}

/** The id a change is about. */
function changeId(view: TableView, change: Change): string {
  return rowId(view.gen.key, change.kind === 'upsert' ? change.row.index : change.index);
}

/** A page of changes since a delta token (facts §6, delta-changes.json, delta-nochanges.json). */
function deltaPage(p: PageRequest, deltaRaw: string): Reply {
  const { view, cookie, ctx, tables } = p;
  const token = parseDeltaToken(deltaRaw);
  if (token === null) return badDeltaTokenReply();
  if (token.version < view.state.tokenFloor || token.timeMs < tables.now().getTime() - tokenLifetimeMs(ctx.state.world)) return expiredReply();
  if (cookie && (cookie.snapshot === undefined || cookie.phase === undefined)) return badSkiptoken();
  // [INF] A token from a version the org has not reached yet (a "future" state) has no changes
  // after it, as SQL change tracking answers such a version; its deltaLink keeps that version.
  const snapshot = cookie?.snapshot ?? Math.max(tables.changeVersion(), token.version);
  const after: DeltaPosition | null = cookie?.phase ? { phase: cookie.phase, version: cookie.lastVersion ?? 0 } : null;
  const changes = scanChanges(view, token.version, snapshot, after, p.limit + 1);
  const more = changes.length > p.limit;
  if (more) changes.length = p.limit;
  if (p.emptyNoChangeDelta && changes.length === 0 && !cookie) return reply({ body: '{}' }, p.headers);

  const deletedContext = JSON.stringify(`${ctx.state.orgUrl}${API_ROOT}/$metadata#${p.setName}/$deletedEntity`);
  let head = `{"@odata.context":${JSON.stringify(context(p, '/$delta'))}`;
  if (!more && !p.dropDeltaLink) head += `,"@odata.deltaLink":${JSON.stringify(`${linkBase(ctx, ['$skiptoken', '$deltatoken'])}$deltatoken=${encodeDeltaToken(snapshot, tables.now())}`)}`;
  const render = (change: Change) =>
    change.kind === 'upsert' ? p.renderer.render(change.row) : `{"@odata.context":${deletedContext},"id":"${changeId(view, change)}","reason":"deleted"}`;
  head += ',"value":[';
  let tail = ']';
  if (more) {
    const last = changes[changes.length - 1];
    const next: PagingCookie = {
      pageNumber: (cookie?.pageNumber ?? 1) + 1,
      tracking: true,
      primaryKey: view.def.primaryIdAttribute,
      first: changeId(view, changes[0]),
      last: changeId(view, last),
      snapshot,
      phase: last.kind === 'upsert' ? 'upserts' : 'deletes',
      lastVersion: last.kind === 'upsert' ? last.row.version : last.version,
    };
    tail += `,"@odata.nextLink":${JSON.stringify(`${linkBase(ctx, ['$skiptoken'])}$skiptoken=${encodeSkiptoken(next)}`)}`;
  }
  // A deleted entry carries one column, its id.
  const upserts = changes.filter((c) => c.kind === 'upsert').length;
  return reply(pageBody(head, changes, render, `${tail}}`), p.headers, upserts * p.columnCount + (changes.length - upserts));
}
