/**
 * Starts the emulator: three HTTPS servers sharing one world.
 *
 * - login (Entra ID) at `https://localhost:<port>`,
 * - org (Dataverse) at `https://127.0.0.1:<port>` — a different host from login, as in production,
 * - untrusted: the org routes again, behind a self-signed certificate the test CA did not sign, for
 *   the connector's TLS-failure path.
 *
 * Every request is logged, matched against the fault rules, routed, and sent from a {@link Reply}.
 */
import { registerSecrets } from './secrets-registry';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import type { EmulatorState, RequestContext, Target } from './context';
import { batchInnerRequests, batchRoute, type InnerRequestLogEntry } from './batch';
import { dataverseRoutes } from './dataverse';
import { dataverseHostHeaders, handleOrgRequest } from './dataverseHost';
import { entitySetRoutes } from './entitysets';
import { entraFallback, entraRoutes } from './entra';
import { echoTokenReply, Faults, statusReply, throttleReply, withExpiresIn, type FaultAction } from './faults';
import { assetDir } from './fixtures';
import { metadataRoutes } from './metadata';
import { optionSetRoutes } from './optionsets';
import { Random } from './random';
import { DATAVERSE_JSON, ENTRA_JSON, dataverseError, findRoute, type Reply, type Route } from './router';
import { recordCountRoutes } from './record-counts';
import { Tables } from './tables';
import { TokenStore } from './tokens';
import { sendReply, Timers } from './wire';
import { GOOD_CLIENT_ID, GOOD_CLIENT_SECRET, GOOD_TENANT_ID, createDefaultWorld, type World } from './world';

/** One request as the emulator received it, and what it answered. */
export interface RequestLogEntry {
  /** 1-based, in arrival order across all servers. */
  seq: number;
  /** Arrival time (ms since epoch), to measure the waits between retries. */
  at: number;
  target: Target;
  method: string;
  /** Path and query exactly as received. */
  path: string;
  /** Lower-cased names as received, authorization included. */
  headers: Record<string, string | string[] | undefined>;
  /** The request body, when there was one (token POSTs). */
  body?: string;
  /** The status sent; 0 while in flight or when no status line was ever sent (reset, silent). */
  status: number;
  /** The fault kind applied to this request, if any. */
  faulted?: FaultAction['kind'];
  /** Body bytes handed to the socket so far (a trickle's count grows while it runs). */
  sentBytes: number;
  /**
   * When the exchange ended (ms since epoch): the response fully handed to the socket, or its
   * connection closed by either side; absent while it is still open (a `silent` or `neverEnd`
   * request). Set on the server's clock, possibly a moment after the client saw the end.
   */
  endedAt?: number;
  /** For a `$batch` POST: its inner requests, in order (batch.ts). */
  inner?: InnerRequestLogEntry[];
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Defaults to {@link createDefaultWorld}(); `org.url` is overwritten with the org server's url. */
  world?: World;
  /** Seed of the generator behind every invented id; default 1. */
  seed?: number;
  /** 0 or absent: a free port. */
  loginPort?: number;
  orgPort?: number;
}

/** A connector config pointing at the emulator. */
export interface ConnectorConfig {
  org_url: string;
  tenant_id: string;
  client_id: string;
  client_secret: string;
  authority_host: string;
  [field: string]: unknown;
}

/** A running emulator. */
export interface Emulator {
  /** `https://localhost:<port>`: the authority host (Entra). */
  loginUrl: string;
  /** `https://127.0.0.1:<port>`: the Dataverse org url, no trailing slash. */
  orgUrl: string;
  /** An org url whose certificate is self-signed and not trusted by the test CA. */
  untrustedOrgUrl: string;
  world: World;
  /** Every request on every server, in arrival order. */
  log: RequestLogEntry[];
  faults: Faults;
  /** Entity tables: give entities rows, mutate them, control the change-tracking clock (tables.ts). */
  tables: Tables;
  /** Access tokens issued so far. */
  issuedTokens(): string[];
  /** The log, optionally only one server's requests. */
  requests(target?: Target): RequestLogEntry[];
  /** A ready connector config with the good credentials, `overrides` applied on top. */
  config(overrides?: Partial<ConnectorConfig>): ConnectorConfig;
  /** Stops all servers, dropping open (keep-alive) connections. */
  close(): Promise<void>;
}

interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
}

function tlsMaterial(name: 'server' | 'untrusted'): TlsMaterial {
  const dir = assetDir('certs');
  return { key: fs.readFileSync(path.join(dir, `${name}.key`)), cert: fs.readFileSync(path.join(dir, `${name}.pem`)) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the emulator's servers; resolves once all listen. */
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

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const world = options.world ?? createDefaultWorld();
  const state: EmulatorState = {
    world,
    random: new Random(options.seed ?? 1),
    tokens: new TokenStore(),
    loginUrl: '',
    orgUrl: '',
    orgRequestCount: 0,
  };
  const faults = new Faults();
  const log: RequestLogEntry[] = [];
  const tables = new Tables(world);
  // The entity-set route matches only names of entity sets in the metadata, after the fixed routes.
  const orgRoutes: readonly Route[] = [...dataverseRoutes, ...metadataRoutes, ...optionSetRoutes, batchRoute(() => orgRoutes, faults), ...recordCountRoutes(tables), ...entitySetRoutes(tables)];
  /** Raw TCP sockets by remote port, per server: TLS sockets cannot send an RST themselves. */
  const rawSockets = new Map<https.Server, Map<number, Socket>>();
  const timers = new Timers();
  /** The port each server was started on, to listen on again after a `closeListener`. */
  const ports = new Map<https.Server, number>();
  let closed = false;
  let seq = 0;

  function route(ctx: RequestContext): Reply | Promise<Reply> {
    if (ctx.target === 'login') {
      const found = findRoute(entraRoutes, ctx);
      return found ? found.route.handler(ctx, found.match) : entraFallback();
    }
    return handleOrgRequest(ctx, orgRoutes);
  }

  /** Headers every response of that host carries, under the route's own. */
  function withHostHeaders(ctx: RequestContext, reply: Reply): Reply {
    if (ctx.target === 'login') {
      const clientRequestId = ctx.headers['client-request-id'];
      const echo: Record<string, string> = typeof clientRequestId === 'string' ? { 'client-request-id': clientRequestId } : {};
      return { ...reply, headers: { 'x-ms-request-id': ctx.requestId, ...echo, ...reply.headers } };
    }
    return { ...reply, headers: { ...dataverseHostHeaders(ctx), ...reply.headers } };
  }

  async function answer(ctx: RequestContext, action: FaultAction | undefined, res: ServerResponse): Promise<Reply> {
    switch (action?.kind) {
      case 'throttle':
        return throttleReply(action.code, action.retryAfterSeconds);
      case 'status':
        return statusReply(action, ctx.target === 'login' ? ENTRA_JSON : DATAVERSE_JSON);
      case 'echoToken':
        if (ctx.target === 'org') return echoTokenReply(action.status ?? 400, ctx.headers.authorization);
        break;
      case 'delay':
        await timers.sleep(action.ms, res);
        break;
      case 'expireTokens':
        state.tokens.revokeAll();
        break;
      default:
        break;
    }
    try {
      const reply = await route(ctx);
      return action?.kind === 'tokenExpiresIn' && ctx.target === 'login' ? withExpiresIn(reply, action.value) : reply;
    } catch (err) {
      // A handler threw: an emulator bug, made visible to the test (in Dataverse's envelope, on
      // either host) instead of hanging the request.
      return dataverseError(500, '0x80040216', `emulator bug: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }

  /**
   * A `closeListener` fault: the server stops accepting connections at once (so a client's next
   * connection is refused, whatever it does with the current answer) and drops idle keep-alive
   * connections; busy ones finish their exchange. [INF] Stands for a front end going away
   * mid-run (deployment, failover).
   */
  function stopListening(server: https.Server, reopenAfterMs: number | undefined): void {
    if (server.listening) {
      server.close();
      server.closeIdleConnections();
    }
    if (reopenAfterMs === undefined) return;
    const reopen = (attempt: number) => {
      if (closed || server.listening) return;
      const retry = () => {
        server.off('listening', done);
        // The port was taken in between (rare): keep trying for a few seconds.
        if (attempt < 50) timers.after(100, () => reopen(attempt + 1));
      };
      const done = () => server.off('error', retry);
      server.once('error', retry);
      server.once('listening', done);
      server.listen(ports.get(server), '127.0.0.1');
    };
    timers.after(reopenAfterMs, () => reopen(0));
  }

  async function onRequest(target: Target, server: https.Server, req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => undefined);
    const method = (req.method ?? 'GET').toUpperCase();
    const rawPath = req.url ?? '/';
    const entry: RequestLogEntry = { seq: ++seq, at: Date.now(), target, method, path: rawPath, headers: { ...req.headers }, status: 0, sentBytes: 0 };
    log.push(entry);
    const ended = () => {
      entry.endedAt ??= Date.now();
    };
    res.once('finish', ended);
    res.once('close', ended);
    const body = await readBody(req);
    if (body !== '') entry.body = body;

    const q = rawPath.indexOf('?');
    const encodedPath = q < 0 ? rawPath : rawPath.slice(0, q);
    let pathname = encodedPath;
    try {
      pathname = decodeURIComponent(encodedPath);
    } catch {
      // a malformed %-escape: no route matches the raw form, so the host's 404 answers it
    }
    const ctx: RequestContext = {
      target,
      method,
      rawPath,
      pathname,
      query: new URLSearchParams(q < 0 ? '' : rawPath.slice(q + 1)),
      headers: req.headers,
      body,
      requestId: state.random.uuid(),
      principal: null,
      state,
    };
    if (target !== 'login') state.orgRequestCount++;

    const action = target === 'untrusted' ? undefined : faults.take(target, method, rawPath);
    if (action) entry.faulted = action.kind;
    const raw = req.socket.remotePort === undefined ? undefined : rawSockets.get(server)?.get(req.socket.remotePort);
    if (action?.kind === 'reset' && action.afterBytes === undefined) {
      raw?.resetAndDestroy();
      return;
    }
    // Held open, never answered: the client's timeout, or the emulator's close, ends it.
    if (action?.kind === 'silent') return;
    if (action?.kind === 'closeListener') {
      stopListening(server, action.reopenAfterMs);
      if (action.before) {
        res.socket?.destroy();
        return;
      }
    }
    const reply = withHostHeaders(ctx, uriTooLong(ctx, state.orgUrl) ?? (await answer(ctx, action, res)));
    const inner = batchInnerRequests(ctx);
    if (inner) entry.inner = inner;
    if (res.destroyed || res.socket?.destroyed) return; // the client left during a delay
    entry.status = action?.kind === 'malformed' ? 200 : reply.status;
    sendReply(reply, action, {
      res,
      raw,
      timers,
      onBody: (bytes) => {
        entry.sentBytes += bytes;
      },
      // Stopped servers let no connection go back to keep-alive: the next request needs a new one.
      closeConnection: action?.kind === 'closeListener' || !server.listening,
    });
  }

  function createServer(target: Target, tls: TlsMaterial): https.Server {
    // Headers and request lines up to 128 KB reach the handlers, so the service's own URL limit
    // (uriTooLong) answers, not Node's 16 KB default (431).
    const server = https.createServer({ ...tls, maxHeaderSize: 128 * 1024 });
    const sockets = new Map<number, Socket>();
    rawSockets.set(server, sockets);
    server.on('connection', (socket: Socket) => {
      const port = socket.remotePort;
      socket.on('error', () => undefined);
      if (port === undefined) return;
      sockets.set(port, socket);
      socket.on('close', () => sockets.delete(port));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      onRequest(target, server, req, res).catch(() => res.socket?.destroy());
    });
    return server;
  }

  function listen(server: https.Server, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const bound = (server.address() as AddressInfo).port;
        ports.set(server, bound);
        resolve(bound);
      });
    });
  }

  const trusted = tlsMaterial('server');
  const servers = {
    login: createServer('login', trusted),
    org: createServer('org', trusted),
    untrusted: createServer('untrusted', tlsMaterial('untrusted')),
  };

  /** Works in every state: listening, stopped by a `closeListener` (reopen pending or not), closed. */
  async function close(): Promise<void> {
    closed = true;
    timers.clear();
    await Promise.all(
      Object.values(servers).map(
        (server) =>
          new Promise<void>((resolve) => {
            // A server a closeListener stopped has no listener left but may still hold connections.
            if (server.listening) server.close(() => resolve());
            else resolve();
            for (const socket of rawSockets.get(server)?.values() ?? []) socket.destroy();
          }),
      ),
    );
  }

  try {
    const loginPort = await listen(servers.login, options.loginPort ?? 0);
    const orgPort = await listen(servers.org, options.orgPort ?? 0);
    const untrustedPort = await listen(servers.untrusted, 0);
    state.loginUrl = `https://localhost:${loginPort}`;
    state.orgUrl = `https://127.0.0.1:${orgPort}`;
    world.org.url = state.orgUrl;
    const untrustedOrgUrl = `https://127.0.0.1:${untrustedPort}`;
    registerSecrets(world, () => state.tokens.all());
    return {
      loginUrl: state.loginUrl,
      orgUrl: state.orgUrl,
      untrustedOrgUrl,
      world,
      log,
      faults,
      tables,
      issuedTokens: () => state.tokens.all(),
      requests: (target) => (target ? log.filter((e) => e.target === target) : [...log]),
      config: (overrides = {}) => ({
        org_url: state.orgUrl,
        tenant_id: GOOD_TENANT_ID,
        client_id: GOOD_CLIENT_ID,
        client_secret: GOOD_CLIENT_SECRET,
        authority_host: state.loginUrl,
        ...overrides,
      }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
