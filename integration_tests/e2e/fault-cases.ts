/**
 * The fault matrix as data: each case scripts the emulator and states the exact outcome. The
 * end-to-end test runs them against the built CLI; docs/faults.md is generated from this list.
 */
import type { FaultRule } from '../emulator';

/** The read every case runs: `account`, 12 rows, pages of 5 (pages 1 and 2 full, page 3 of 2). */
export const ROWS = 12;
export const PAGE_SIZE = 5;

/** Where a fault is aimed. */
export const PAGE_1 = /\/api\/data\/v9\.2\/accounts\?(?!.*skiptoken)/;
export const PAGE_2 = /\/api\/data\/v9\.2\/accounts\?.*skiptoken.*pagenumber(=|%3D)%222%22/i;
export const TOKEN = /\/oauth2\/v2\.0\/token/;

export type Outcome =
  | {
      kind: 'complete';
      orgRequests?: number;
      tokenRequests?: number;
      /** ms the request after the faulted one must come after it, at least (Retry-After, a deadline). */
      waitMs?: number;
      /** The fault kind whose request `waitMs` is measured from (default throttle). */
      waitAfter?: string;
    }
  | { kind: 'error'; failureType: 'transient_error' | 'system_error' | 'config_error'; message: RegExp; records: number };

export interface FaultCase {
  name: string;
  /** What the case proves, for the generated table. */
  expect: string;
  faults: (urls: { orgUrl: string; loginUrl: string }) => FaultRule[];
  outcome: Outcome;
}

const page = (body: unknown): { kind: 'status'; status: number; body: unknown; headers: Record<string, string> } => ({
  kind: 'status',
  status: 200,
  body,
  headers: { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' },
});

export const FAULT_CASES: FaultCase[] = [
  ...(['requests', 'execution', 'concurrency'] as const).map(
    (code): FaultCase => ({
      name: `429 ${code} limit, Retry-After 1`,
      expect: 'waits the Retry-After exactly, then every row',
      faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'throttle', code, retryAfterSeconds: 1 } }],
      outcome: { kind: 'complete', orgRequests: 4, waitMs: 1000 },
    }),
  ),
  {
    name: '429 with Retry-After above max_retry_after_seconds',
    expect: 'fails as transient without waiting; records of page 1 only',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'throttle', code: 'requests', retryAfterSeconds: 30 } }],
    outcome: { kind: 'error', failureType: 'transient_error', message: /Retry-After 30 s, more than the 2 s the connector waits/, records: 5 },
  },
  ...[500, 502, 503, 504].map(
    (status): FaultCase => ({
      name: `HTTP ${status} once`,
      expect: 'retried with backoff, then every row',
      faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'status', status, body: { error: { code: '0x80040216', message: 'An unexpected error occurred.' } } } }],
      outcome: { kind: 'complete', orgRequests: 4 },
    }),
  ),
  {
    name: 'HTTP 503 on every try',
    expect: 'gives up after 5 retries as transient; records of page 1 only',
    faults: () => [{ target: 'org', path: PAGE_2, times: Infinity, action: { kind: 'status', status: 503 } }],
    outcome: { kind: 'error', failureType: 'transient_error', message: /HTTP 503, still failing after 5 retries/, records: 5 },
  },
  {
    name: 'connection reset before the response',
    expect: 'retried, then every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'reset' } }],
    outcome: { kind: 'complete', orgRequests: 4 },
  },
  {
    name: 'connection reset mid-body',
    expect: 'the half page is dropped and the page fetched again; every row once',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'reset', afterBytes: 200 } }],
    outcome: { kind: 'complete', orgRequests: 4 },
  },
  {
    name: 'truncated body (short of Content-Length)',
    expect: 'the page fetched again; every row once',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'truncate' } }],
    outcome: { kind: 'complete', orgRequests: 4 },
  },
  {
    name: 'slow response past request_timeout_seconds',
    expect: 'times out after 1 s, retried, then every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'delay', ms: 2500 } }],
    outcome: { kind: 'complete', orgRequests: 4 },
  },
  {
    name: 'malformed JSON once',
    expect: 'retried, then every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'malformed' } }],
    outcome: { kind: 'complete', orgRequests: 4 },
  },
  {
    name: 'malformed JSON on every try',
    expect: 'system error; no record of the bad page',
    faults: () => [{ target: 'org', path: PAGE_2, times: Infinity, action: { kind: 'malformed' } }],
    outcome: { kind: 'error', failureType: 'system_error', message: /was not valid JSON/, records: 5 },
  },
  {
    name: 'access token revoked mid-read (401)',
    expect: 'a new token, the page retried once, every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'expireTokens' } }],
    outcome: { kind: 'complete', orgRequests: 4, tokenRequests: 2 },
  },
  {
    name: 'token endpoint 500 once',
    expect: 'token request retried, every row',
    faults: () => [{ target: 'login', path: TOKEN, action: { kind: 'status', status: 500, body: { error: 'server_error', error_description: 'AADSTS90033: A transient error has occurred. Please try again.' } } }],
    outcome: { kind: 'complete', tokenRequests: 2 },
  },
  {
    name: 'token endpoint 429 once, Retry-After 1',
    expect: 'token request retried after the wait, every row',
    faults: () => [{ target: 'login', path: TOKEN, action: { kind: 'throttle', code: 'requests', retryAfterSeconds: 1 } }],
    outcome: { kind: 'complete', tokenRequests: 2, waitMs: 1000 },
  },
  {
    name: 'nextLink to a foreign host',
    expect: 'system error naming the host; no request (and no token) sent there',
    faults: ({ loginUrl }) => [{ target: 'org', path: PAGE_1, action: page({ value: [], '@odata.nextLink': `${loginUrl}/api/data/v9.2/accounts?$skiptoken=x` }) }],
    outcome: { kind: 'error', failureType: 'system_error', message: /is not the org host .*no token was sent there/, records: 0 },
  },
  {
    name: 'nextLink repeated',
    expect: 'system error instead of a loop; records of page 1 only',
    faults: ({ orgUrl }) => [
      { target: 'org', path: PAGE_1, action: page({ value: [], '@odata.nextLink': `${orgUrl}/api/data/v9.2/accounts?$select=accountid&$skiptoken=loop` }) },
      { target: 'org', path: /skiptoken=loop/, times: Infinity, action: page({ value: [], '@odata.nextLink': `${orgUrl}/api/data/v9.2/accounts?$select=accountid&$skiptoken=loop` }) },
    ],
    outcome: { kind: 'error', failureType: 'system_error', message: /same next-page link twice/, records: 0 },
  },
  {
    name: 'HTTP 400 with a Dataverse error',
    expect: 'fails at once with the code and message',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'status', status: 400, body: { error: { code: '0x80048d19', message: 'Invalid query.' } } } }],
    outcome: { kind: 'error', failureType: 'system_error', message: /HTTP 400, 0x80048d19\): Invalid query\./, records: 5 },
  },
  {
    name: 'HTTP 403 missing read privilege',
    expect: 'config error naming the privilege and setup step 3',
    faults: () => [
      {
        target: 'org',
        path: PAGE_1,
        action: {
          kind: 'status',
          status: 403,
          body: { error: { code: '0x80040220', message: 'Principal user (Id=x, type=8, roleCount=1, privilegeCount=0, accessMode=4), is missing prvReadAccount privilege (Id=y) on OTC=1 for entity \'account\'.' } },
        },
      },
    ],
    outcome: { kind: 'error', failureType: 'config_error', message: /lacks the prvReadAccount privilege .*setup step 3/, records: 0 },
  },
  // Hardening (issue 15): bodies that never finish, links and rows that lie, echoed tokens, outages.
  {
    name: 'body trickles slower than the deadline',
    expect: 'the attempt ends at request_timeout_seconds (1 s), retried, then every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'trickle', bytesPerWrite: 1, intervalMs: 200 } }],
    outcome: { kind: 'complete', orgRequests: 4, waitMs: 1000, waitAfter: 'trickle' },
  },
  {
    name: 'body trickles on every try',
    expect: 'gives up after 5 retries as transient; records of page 1 only',
    faults: () => [{ target: 'org', path: PAGE_2, times: Infinity, action: { kind: 'trickle', bytesPerWrite: 1, intervalMs: 200 } }],
    outcome: { kind: 'error', failureType: 'transient_error', message: /no complete response within 1 s, still failing after 5 retries/, records: 5 },
  },
  {
    name: 'body never ends',
    expect: 'the attempt ends at the deadline, retried, then every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'neverEnd', afterBytes: 100 } }],
    outcome: { kind: 'complete', orgRequests: 4, waitMs: 1000, waitAfter: 'neverEnd' },
  },
  {
    name: 'server silent (no status line)',
    expect: 'the attempt ends at the deadline, retried, then every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'silent' } }],
    outcome: { kind: 'complete', orgRequests: 4, waitMs: 1000, waitAfter: 'silent' },
  },
  {
    name: 'token endpoint silent once',
    expect: 'the token request ends at the deadline, retried, every row',
    faults: () => [{ target: 'login', path: TOKEN, action: { kind: 'silent' } }],
    // The deadline also covers connecting: the TLS handshake before the request arrived counts.
    outcome: { kind: 'complete', tokenRequests: 2, waitMs: 900, waitAfter: 'silent' },
  },
  {
    name: 'page answers {"value": null}',
    expect: 'system error naming the broken field; no record of the bad page',
    faults: () => [{ target: 'org', path: PAGE_2, action: page('{"value":null}') }],
    outcome: { kind: 'error', failureType: 'system_error', message: /the response has "value": null where a list of records was expected/, records: 5 },
  },
  {
    name: 'page answers {"value": {}}',
    expect: 'system error; no record of the bad page',
    faults: () => [{ target: 'org', path: PAGE_2, action: page({ value: {} }) }],
    outcome: { kind: 'error', failureType: 'system_error', message: /the response has "value": an empty object where a list of records was expected/, records: 5 },
  },
  {
    name: 'rows without the primary key',
    expect: 'system error naming the key; no record of the bad page',
    faults: () => [{ target: 'org', path: PAGE_2, action: page({ value: [{ name: 'no key' }, { name: 'none either' }] }) }],
    outcome: { kind: 'error', failureType: 'system_error', message: /stream account: record 1 of a page of 2 has no value for its primary key accountid; nothing of that page was written/, records: 5 },
  },
  {
    name: 'nextLink to another entity set on the org host',
    expect: 'system error naming both paths; the page carrying the link is not written',
    faults: ({ orgUrl }) => [
      { target: 'org', path: PAGE_1, action: page({ value: [{ accountid: '00000000-0000-0000-0000-000000000001' }], '@odata.nextLink': `${orgUrl}/api/data/v9.2/contacts?$skiptoken=x` }) },
    ],
    outcome: { kind: 'error', failureType: 'system_error', message: /link that points at \/api\/data\/v9\.2\/contacts, not at \/api\/data\/v9\.2\/accounts where the read started/, records: 0 },
  },
  {
    name: 'error body echoing the access token',
    expect: 'fails at once; the token is masked in every output, not cut in half',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'echoToken', status: 400 } }],
    outcome: { kind: 'error', failureType: 'system_error', message: /HTTP 400, 0x80040216\): Request diagnostics follow\..* Gateway rejected request with header Authorization: Bearer \*{10}\. .*\.\.\. \(1634 characters\)$/, records: 5 },
  },
  {
    name: 'token endpoint HTML 500 once',
    expect: 'transient: the token request retried, every row',
    faults: () => [{ target: 'login', path: TOKEN, action: { kind: 'status', status: 500, body: '<html><body>Service unavailable</body></html>', headers: { 'Content-Type': 'text/html' } } }],
    outcome: { kind: 'complete', tokenRequests: 2 },
  },
  {
    name: 'token endpoint HTML 500 on every try',
    expect: 'transient error after the retries, not a config error; no record',
    faults: () => [{ target: 'login', path: TOKEN, times: Infinity, action: { kind: 'status', status: 500, body: '<html><body>Service unavailable</body></html>', headers: { 'Content-Type': 'text/html' } } }],
    outcome: { kind: 'error', failureType: 'transient_error', message: /Microsoft Entra ID at https:\/\/localhost:\d+ is not available \(HTTP 500\); try again later/, records: 0 },
  },
  {
    name: 'token expires_in not a number',
    expect: 'the token is kept (one token request for the whole read), every row',
    faults: () => [{ target: 'login', path: TOKEN, action: { kind: 'tokenExpiresIn', value: 'abc' } }],
    outcome: { kind: 'complete', tokenRequests: 1 },
  },
  {
    name: 'HTTP 503 with Retry-After 1',
    expect: 'waits the Retry-After, then every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'status', status: 503, headers: { 'Retry-After': '1' } } }],
    outcome: { kind: 'complete', orgRequests: 4, waitMs: 1000, waitAfter: 'status' },
  },
  {
    name: '429 with Retry-After 0',
    expect: 'waits the 1 s floor rather than hammering the service, then every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'throttle', code: 'requests', retryAfterSeconds: 0 } }],
    outcome: { kind: 'complete', orgRequests: 4, waitMs: 1000 },
  },
  {
    name: 'org host stops listening mid-read, back after 0.2 s',
    expect: 'connection refused after the host answered is an outage: retried, then every row',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'closeListener', reopenAfterMs: 200 } }],
    outcome: { kind: 'complete', orgRequests: 3, waitMs: 200, waitAfter: 'closeListener' },
  },
  {
    name: 'org host stops listening mid-read for good',
    expect: 'transient error after the retries, not a config error; records of pages 1 and 2',
    faults: () => [{ target: 'org', path: PAGE_2, action: { kind: 'closeListener' } }],
    outcome: { kind: 'error', failureType: 'transient_error', message: /connection refused \(ECONNREFUSED\), still failing after 5 retries/, records: 10 },
  },
];
