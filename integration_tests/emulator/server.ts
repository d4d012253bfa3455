/**
 * Starts the emulator: three HTTPS servers sharing one world.
 *
 * - login (Entra ID) at `https://localhost:<port>`,
 * - org (Dataverse) at `https://127.0.0.1:<port>` — a different host from login, as in production,
 * - untrusted: the org routes again, behind a self-signed certificate the test CA did not sign, for
 *   the connector's TLS-failure path.
 *
 * Every request is logged (request-log.ts), counted against the service-protection limits
 * (limits.ts), matched against the fault rules, answered by the dispatcher (dispatcher.ts) and
 * sent by the transport (transport.ts).
 */
import { registerSecrets } from './secrets-registry';
import type { EmulatorState, Target } from './context';
import { batchInnerRequests } from './batch';
import { Dispatcher, requestContext } from './dispatcher';
import { Faults } from './faults';
import { ServiceLimits } from './limits';
import { Random } from './random';
import { openEntry, recordReply, type RequestLogEntry } from './request-log';
import { resolveService, type ServiceOptions, type ServiceSettings } from './service';
import { Tables } from './tables';
import { TokenStore } from './tokens';
import { clientGone, connectionFault, readBody, sendExchange, Transport, type Exchange } from './transport';
import { Timers } from './wire';
import { GOOD_CLIENT_ID, GOOD_CLIENT_SECRET, GOOD_TENANT_ID, createDefaultWorld, type World } from './world';

export type { RequestLogEntry } from './request-log';
export { MAX_GET_URL_CHARS } from './dispatcher';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Defaults to {@link createDefaultWorld}(); `org.url` is overwritten with the org server's url. */
  world?: World;
  /** Seed of the generator behind every invented id; default 1. */
  seed?: number;
  /** 0 or absent: a free port. */
  loginPort?: number;
  orgPort?: number;
  /** Latency model, service-protection limits and `x-ms-dop-hint` (service.ts); latency is off by default. */
  service?: ServiceOptions;
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
  /** The live service settings (latency, limits, dop hint): changes apply to the next request. */
  service: ServiceSettings;
  /** Stops all servers, dropping open (keep-alive) connections. */
  close(): Promise<void>;
}

/** The parts of one running emulator that every request goes through. */
interface Parts {
  state: EmulatorState;
  faults: Faults;
  log: RequestLogEntry[];
  /** The last `seq` given: the log may be emptied by a test, the numbering goes on. */
  seq: number;
  limits: ServiceLimits;
  dispatcher: Dispatcher;
  timers: Timers;
}

/**
 * One request, from arrival to the reply handed to the transport: logged, counted against the
 * limits (a refusal answers at once), faults applied, answered, its server time charged.
 */
async function onExchange(p: Parts, exchange: Exchange): Promise<void> {
  const { req, res, target } = exchange;
  const method = (req.method ?? 'GET').toUpperCase();
  const entry = openEntry(++p.seq, target, method, req.url ?? '/', req.headers, res);
  p.log.push(entry);
  const arrival = target === 'org' ? p.limits.arrive(req.headers, entry.at) : undefined;
  if (arrival) {
    entry.inFlight = arrival.inFlight;
    // Out of flight, and ended, once the last byte is handed over: 'finish' comes only after the
    // socket has flushed, by which time a client on this machine may have read the reply and sent
    // its next request, which would be counted against a request that is over (or measured from a
    // Retry-After that started later than the client saw it).
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      arrival.release();
      // The reply is over for the client too: Retry-After waits are measured from here.
      entry.endedAt ??= Date.now();
      return end(...args);
    }) as typeof res.end;
    res.once('finish', arrival.release);
    res.once('close', arrival.release);
  }
  const body = await readBody(req);
  if (body !== '') entry.body = body;
  const ctx = requestContext(target, method, entry.path, req.headers, body, p.state);
  if (target !== 'login') p.state.orgRequestCount++;
  if (arrival?.refusal) {
    // The service refuses over-limit requests before doing any work: no fault, no server time.
    const reply = p.dispatcher.withHostHeaders(ctx, arrival.refusal);
    recordReply(entry, reply, undefined);
    sendExchange(exchange, reply, undefined, p.timers, (bytes) => (entry.sentBytes += bytes));
    return;
  }
  const action = target === 'untrusted' ? undefined : p.faults.take(target, method, entry.path);
  if (action) entry.faulted = action.kind;
  if (connectionFault(action, exchange)) return;
  const { reply, serverMs } = await p.dispatcher.answer(ctx, action, res);
  if (target === 'org' && serverMs !== undefined) {
    entry.serverMs = serverMs;
    // Charged at the arrival plus its server time, so a test can compute every Retry-After from the log.
    p.limits.charge(req.headers, serverMs, entry.at + serverMs);
  }
  const inner = batchInnerRequests(ctx);
  if (inner) entry.inner = inner;
  if (clientGone(exchange)) return; // the client left during a delay or the server time
  recordReply(entry, reply, action);
  sendExchange(exchange, reply, action, p.timers, (bytes) => (entry.sentBytes += bytes));
}

/** The handle of a started emulator. */
function handle(p: Parts, transport: Transport, tables: Tables, untrustedOrgUrl: string): Emulator {
  const { state, log } = p;
  return {
    loginUrl: state.loginUrl,
    orgUrl: state.orgUrl,
    untrustedOrgUrl,
    world: state.world,
    log,
    faults: p.faults,
    tables,
    service: state.service,
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
    close: async () => {
      p.timers.clear();
      await transport.close();
    },
  };
}

/** Starts the emulator's servers; resolves once all listen. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const world = options.world ?? createDefaultWorld();
  const tokens = new TokenStore();
  const state: EmulatorState = { world, random: new Random(options.seed ?? 1), tokens, loginUrl: '', orgUrl: '', orgRequestCount: 0, service: resolveService(options.service) };
  const faults = new Faults();
  const tables = new Tables(world);
  const timers = new Timers();
  const parts: Parts = { state, faults, log: [], seq: 0, limits: new ServiceLimits(state.service, tokens), dispatcher: new Dispatcher(state, faults, tables, timers), timers };
  const transport = new Transport(timers, (exchange) => onExchange(parts, exchange));
  try {
    const ports = await transport.listen({ login: options.loginPort, org: options.orgPort });
    state.loginUrl = `https://localhost:${ports.login}`;
    state.orgUrl = `https://127.0.0.1:${ports.org}`;
    world.org.url = state.orgUrl;
    registerSecrets(world, () => state.tokens.all());
    return handle(parts, transport, tables, `https://127.0.0.1:${ports.untrusted}`);
  } catch (err) {
    timers.clear();
    await transport.close();
    throw err;
  }
}
