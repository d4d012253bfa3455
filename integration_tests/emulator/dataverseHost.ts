/**
 * The Dataverse front door: what happens to every org request before and after its route —
 * bearer-token validation and the application-user checks, the 404s for anything unrouted, and
 * the headers every Web API response carries.
 */
import type { Principal, RequestContext } from './context';
import { loadFixture } from './fixtures';
import { API_ROOT } from './odata';
import { dataverseError, emptyReply, findRoute, type Reply, type Route } from './router';

interface ErrorFixture {
  error: { code: string; message: string };
}

/**
 * 401 as Dataverse sends it: empty body, a challenge naming where to get a token. Without any
 * Authorization header the challenge carries no error (RFC 6750 §3.1; observed on Dataverse);
 * a token it cannot validate adds error=invalid_token (fixture error-401-invalid-token.http).
 */
function unauthorized(ctx: RequestContext, withError: boolean): Reply {
  const { loginUrl, orgUrl, world } = ctx.state;
  const where = `authorization_uri=${loginUrl}/${world.org.tenantId}/oauth2/authorize, resource_id=${orgUrl}/`;
  const challenge = withError ? `Bearer error=invalid_token, error_description=Error during token validation!, ${where}` : `Bearer ${where}`;
  return emptyReply(401, { 'WWW-Authenticate': challenge });
}

/** 403 0x80072560: a token from a foreign tenant, or an app with no application user. */
function notMember(): Reply {
  const { error } = loadFixture<ErrorFixture>('error-user-not-member.json');
  return dataverseError(403, error.code, error.message);
}

/** 403 0x80042f09 with the user's id where the fixture has its sample one. */
function noRoles(userId: string): Reply {
  const { error } = loadFixture<ErrorFixture>('error-user-no-roles.json');
  return dataverseError(403, error.code, error.message.replace('24e34f5e-7f1a-43fe-88da-7e4b862d51ad', userId));
}

/** The request's principal, or the 401/403 the service would answer. */
export function authenticate(ctx: RequestContext): Principal | Reply {
  const header = ctx.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!bearer) return unauthorized(ctx, header !== undefined);
  const issued = ctx.state.tokens.check(bearer[1]);
  if (typeof issued === 'string') return unauthorized(ctx, true);
  const { org } = ctx.state.world;
  if (issued.tenantId !== org.tenantId.toLowerCase()) return notMember();
  const user = org.applicationUsers[issued.clientId];
  if (!user) return notMember();
  if (user.roles.length === 0) return noRoles(user.userId);
  return { tenantId: issued.tenantId, clientId: issued.clientId, user };
}

/**
 * What the service answers for a request no route took: for another method than GET, the Web API
 * host's 404 (fixture error-404-wrong-method.json); for an unknown first segment under the API
 * root, 404 0x80060888 naming it.
 */
export function dataverseFallback(ctx: RequestContext): Reply {
  const prefix = `${API_ROOT}/`;
  if (ctx.method === 'GET' && ctx.pathname.startsWith(prefix) && ctx.pathname.length > prefix.length) {
    const segment = ctx.pathname.slice(prefix.length).split('/')[0].split('(')[0];
    return dataverseError(404, '0x80060888', `Resource not found for the segment '${segment}'.`);
  }
  return dataverseError(404, '', `No HTTP resource was found that matches the request URI '${ctx.state.orgUrl}${ctx.rawPath}'.`);
}

/** Authenticates (setting ctx.principal), then routes. */
export async function handleOrgRequest(ctx: RequestContext, routes: readonly Route[]): Promise<Reply> {
  const principal = authenticate(ctx);
  if ('status' in principal) return principal;
  ctx.principal = principal;
  const found = findRoute(routes, ctx);
  return found ? found.route.handler(ctx, found.match) : dataverseFallback(ctx);
}

/** Requests per 5-minute window before service protection (facts §7). */
const BURST_LIMIT = 6000;

/**
 * Headers every Web API response carries (whoami.http), added to the route's own. The burst
 * counter counts down per request so a client can watch it; it does not trigger throttling by
 * itself (faults do).
 */
export function dataverseHostHeaders(ctx: RequestContext): Record<string, string> {
  const remaining = Math.max(0, BURST_LIMIT - ctx.state.orgRequestCount);
  return {
    'Cache-Control': 'no-cache',
    'OData-Version': '4.0',
    'x-ms-service-request-id': ctx.requestId,
    REQ_ID: ctx.requestId,
    'x-ms-ratelimit-burst-remaining-xrm-requests': String(remaining),
    'x-ms-ratelimit-time-remaining-xrm-requests': '1,200.00',
    'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
    // The recommended degree of parallelism (service.ts: DEFAULT_DOP_HINT) [DOC facts §9; REAL whoami.http].
    'x-ms-dop-hint': String(ctx.state.service.dopHint),
  };
}
