/**
 * The emulated Microsoft Entra ID: the two metadata documents MSAL reads and the v2 token
 * endpoint's client-credentials grant, with the real AADSTS error bodies.
 */
import type { RequestContext } from './context';
import { loadFixture } from './fixtures';
import { emptyReply, entraErrorReply, jsonReply, type Reply, type Route } from './router';

/** The host and tenant the Entra fixtures were recorded with, replaced by the emulator's own. */
const FIXTURE_HOST = 'https://login.microsoftonline.com';
const FIXTURE_TENANT = '88888888-8888-8888-8888-888888888888';

/** Scopes MSAL may add to any request; they do not name a resource. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access']);

/** The AADSTS error body fields. */
interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** Entra's timestamp format, "2023-06-07 08:06:56Z". */
function entraTimestamp(now: Date): string {
  return `${now.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/**
 * Entra echoes the caller's client-request-id (MSAL sends it as a query parameter and a header)
 * as the Correlation ID; without one it makes one up.
 */
function correlationId(ctx: RequestContext): string {
  const given = ctx.query.get('client-request-id') ?? ctx.headers['client-request-id'];
  return typeof given === 'string' && given !== '' ? given : ctx.state.random.uuid();
}

/**
 * An AADSTS error built from a committed fixture: the fixture's sample values (`substitutions`,
 * sample -> actual) and its trace id, correlation id and timestamp are replaced by this request's.
 */
function fixtureError(ctx: RequestContext, fixture: string, status: number, substitutions: Array<[string, string]>): Reply {
  const sample = loadFixture<EntraErrorBody>(fixture);
  const code = sample.error_codes[0];
  let description = sample.error_description;
  for (const [from, to] of substitutions) {
    if (!description.includes(from)) throw new Error(`emulator bug: '${from}' not in ${fixture}`);
    description = description.split(from).join(to);
  }
  // The fixtures end with the standard "\r\nTrace ID: ...\r\nCorrelation ID: ...\r\nTimestamp: ..." tail.
  const message = description.slice(0, description.indexOf('\r\nTrace ID:'));
  return entraError(ctx, status, sample.error, code, message);
}

/** An AADSTS error body in the standard shape, with this request's ids. */
function entraError(ctx: RequestContext, status: number, error: string, code: number, message: string): Reply {
  const timestamp = entraTimestamp(new Date());
  const traceId = ctx.requestId;
  const correlation = correlationId(ctx);
  const body: EntraErrorBody = {
    error,
    error_description: `${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
  return entraErrorReply(status, body);
}

/** 400 AADSTS90002, returned by both the metadata and the token endpoint for an unknown tenant. */
function tenantNotFound(ctx: RequestContext, tenant: string): Reply {
  return fixtureError(ctx, 'token-error-tenant-not-found.json', 400, [["'tenant_id'", `'${tenant}'`]]);
}

/** 400 AADSTS900144 for a missing form field. */
function missingParameter(ctx: RequestContext, name: string): Reply {
  return fixtureError(ctx, 'token-error-missing-parameter.json', 400, [["'client_id'", `'${name}'`]]);
}

/** Metadata documents are cacheable, as the real ones are. */
const METADATA_HEADERS = { 'Cache-Control': 'max-age=86400, private' };

function openidConfiguration(ctx: RequestContext, match: RegExpExecArray): Reply {
  const tenant = match[1].toLowerCase();
  if (!ctx.state.world.tenants[tenant]) return tenantNotFound(ctx, match[1]);
  const text = JSON.stringify(loadFixture('openid-configuration.json'))
    .split(`${FIXTURE_HOST}/${FIXTURE_TENANT}`)
    .join(`${ctx.state.loginUrl}/${tenant}`);
  return jsonReply(200, JSON.parse(text), METADATA_HEADERS);
}

interface InstanceDiscovery {
  tenant_discovery_endpoint: string;
  metadata: Array<{ preferred_network: string; preferred_cache: string; aliases: string[] }>;
}

/**
 * MSAL only calls this when the authority is not in `knownAuthorities`; served anyway so a
 * misconfigured client gets a sensible answer instead of a 404. The emulator's host is listed first.
 */
function instanceDiscovery(ctx: RequestContext): Reply {
  const body = loadFixture<InstanceDiscovery>('instance-discovery.json');
  const authorize = ctx.query.get('authorization_endpoint') ?? '';
  let tenant = 'common';
  try {
    tenant = new URL(authorize).pathname.split('/')[1] || tenant;
  } catch {
    // no or unparsable authorization_endpoint: keep "common"
  }
  const host = new URL(ctx.state.loginUrl).host;
  body.tenant_discovery_endpoint = `${ctx.state.loginUrl}/${tenant}/v2.0/.well-known/openid-configuration`;
  body.metadata.unshift({ preferred_network: host, preferred_cache: host, aliases: [host] });
  return jsonReply(200, body, METADATA_HEADERS);
}

/** client_id/client_secret from the form, or from HTTP Basic auth (RFC 6749 §2.3.1). */
function clientCredentials(ctx: RequestContext, form: URLSearchParams): { clientId: string | null; secret: string | null } {
  const auth = ctx.headers.authorization;
  if (typeof auth === 'string' && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
        secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
      };
    }
  }
  return { clientId: form.get('client_id'), secret: form.get('client_secret') };
}

/**
 * POST /{tenant}/oauth2/v2.0/token, client-credentials grant. Checks run in the order a real
 * request fails: directory, request shape, app, client secret, then the requested resource.
 * MSAL's extra form fields (x-client-SKU, client-request-id, claims, ...) are ignored.
 */
function token(ctx: RequestContext, match: RegExpExecArray): Reply {
  const { world, orgUrl } = ctx.state;
  const tenantId = match[1].toLowerCase();
  const tenant = world.tenants[tenantId];
  if (!tenant) return tenantNotFound(ctx, match[1]);

  const form = new URLSearchParams(ctx.body);
  const grantType = form.get('grant_type');
  if (!grantType) return missingParameter(ctx, 'grant_type');
  if (grantType !== 'client_credentials') {
    // [INF] wording of AADSTS70003; the connector never sends another grant.
    return entraError(ctx, 400, 'unsupported_grant_type', 70003, `AADSTS70003: The app requested an unsupported grant type '${grantType}'.`);
  }
  const { clientId, secret } = clientCredentials(ctx, form);
  if (!clientId) return missingParameter(ctx, 'client_id');
  const scope = form.get('scope');
  if (!scope) return missingParameter(ctx, 'scope');

  const app = tenant.apps[clientId.toLowerCase()];
  if (!app) {
    return fixtureError(ctx, 'token-error-app-not-found.json', 400, [
      ["'8060e3ec-cbe3-4174-94cf-80065f998444'", `'${clientId}'`],
      ["'Contoso'", `'${tenant.displayName}'`],
    ]);
  }
  if (!secret) {
    // [INF] status; message as Entra words it for a confidential client without credentials.
    return entraError(ctx, 401, 'invalid_client', 7000216, "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
  }
  const matching = app.secrets.find((s) => s.value === secret);
  if (!matching) {
    return fixtureError(ctx, 'token-error-invalid-secret.json', 401, [["'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4'", `'${clientId}'`]]);
  }
  if (matching.expired) {
    return fixtureError(ctx, 'token-error-expired-secret.json', 401, [["'d87bcc39-1750-4ca0-ad54-f8d0efbb2735'", `'${clientId}'`]]);
  }

  const resourceScopes = scope.split(' ').filter((s) => s !== '' && !OIDC_SCOPES.has(s));
  if (resourceScopes.length !== 1) {
    return fixtureError(ctx, 'token-error-invalid-scope.json', 400, [['https://foo.microsoft.com/.default', scope]]);
  }
  const [requested] = resourceScopes;
  if (!requested.endsWith('/.default')) {
    return fixtureError(ctx, 'token-error-scope-not-default.json', 400, [['6a8b4b39-c021-437c-b060-5a14a3fd65f3/full_access', requested]]);
  }
  // The resource's identifier URI is the org url; "{org}//.default" (org url with its slash) also resolves.
  const resource = requested.slice(0, -'/.default'.length);
  if (resource.replace(/\/$/, '').toLowerCase() !== orgUrl.toLowerCase()) {
    return fixtureError(ctx, 'token-error-invalid-resource.json', 400, [
      ['https://xxx.azure-devices-provisioning.net', resource],
      ['tenant named yyy', `tenant named ${tenantId}`],
    ]);
  }

  const issued = ctx.state.tokens.issue({ tenantId, clientId: clientId.toLowerCase(), audience: orgUrl, lifetimeSeconds: world.tokenLifetimeSeconds });
  return jsonReply(
    200,
    { token_type: 'Bearer', expires_in: world.tokenLifetimeSeconds, ext_expires_in: world.tokenLifetimeSeconds, access_token: issued.token },
    { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache', Expires: '-1' },
  );
}

/** The login server's routes. */
export const entraRoutes: readonly Route[] = [
  { method: 'GET', pattern: /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/, handler: openidConfiguration },
  { method: 'GET', pattern: /^\/common\/discovery\/instance$/, handler: instanceDiscovery },
  { method: 'POST', pattern: /^\/([^/]+)\/oauth2\/v2\.0\/token$/, handler: token },
];

/** Anything else on the login host: a bodiless 404 (the real one is an HTML page). */
export function entraFallback(): Reply {
  return emptyReply(404);
}
