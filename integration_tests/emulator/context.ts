/**
 * The state shared by all route modules of one emulator instance, and the per-request context
 * handed to route handlers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Random } from './random';
import type { ServiceSettings } from './service';
import type { TokenStore } from './tokens';
import type { ApplicationUser, World } from './world';

/** Which of the emulator's servers a request arrived on. */
export type Target = 'login' | 'org' | 'untrusted';

/** One emulator instance's mutable state. */
export interface EmulatorState {
  world: World;
  /** Seeded: trace ids, request ids, and later generated data. */
  random: Random;
  tokens: TokenStore;
  /** `https://localhost:<port>`, no trailing slash. */
  loginUrl: string;
  /** `https://127.0.0.1:<port>`, no trailing slash (same as world.org.url). */
  orgUrl: string;
  /** Org requests served so far, for the x-ms-ratelimit-burst-remaining header. */
  orgRequestCount: number;
  /** Latency model, service-protection limits and dop hint (live: read on every request). */
  service: ServiceSettings;
}

/** The caller an org request's valid bearer token identifies. */
export interface Principal {
  tenantId: string;
  clientId: string;
  user: ApplicationUser;
}

/** What a handler sees of a request. */
export interface RequestContext {
  target: Target;
  /** Upper case. */
  method: string;
  /** Path and query exactly as received (still percent-encoded). */
  rawPath: string;
  /** The path, percent-decoded, without the query. */
  pathname: string;
  /** The query, decoded. */
  query: URLSearchParams;
  /** Lower-cased names, as node parses them. */
  headers: IncomingHttpHeaders;
  /** The request body as text ('' when none). */
  body: string;
  /**
   * A seeded GUID for this request: Dataverse's x-ms-service-request-id, Entra's x-ms-request-id
   * and the Trace ID of its error bodies.
   */
  requestId: string;
  /** Set for org requests once the bearer token has been accepted. */
  principal: Principal | null;
  state: EmulatorState;
}
