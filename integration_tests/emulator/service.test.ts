/**
 * The service model (service.ts, limits.ts): modelled latency on timers, the concurrency limit,
 * the execution-time budget, the x-ms-dop-hint header, and the log fields the limit assertions
 * (integration_tests/helpers/service-limits.ts) read. Timing is asserted from the emulator's log.
 */
import { assertInFlightAtMost, assertRetryAfterRespected, CLIENT_TURN_MS, maxInFlight, retryAfterViolations } from '../helpers/service-limits';
import { createDefaultWorld, startEmulator, type Emulator, type RequestLogEntry } from './index';
import { DEFAULT_DOP_HINT, type ServiceOptions } from './service';
import { fetchToken, json, readFixture } from './testing';

const ACCOUNTS = '/api/data/v9.2/accounts';
/** 20 account columns, none of which makes the emulator add another (money adds the currency). */
const TWENTY = [
  'accountid', 'name', 'emailaddress1', 'description', 'sharesoutstanding', 'versionnumber', 'exchangerate', 'address1_longitude', 'creditonhold', 'modifiedon',
  '_transactioncurrencyid_value', '_ownerid_value', 'accountcategorycode', 'industrycode', 'statecode', 'statuscode', 'new_tags', 'createdon', 'preferredappointmentdaycode', 'entityimage_url',
];

async function started(service: ServiceOptions, rows = 0): Promise<{ emu: Emulator; get: (path: string, headers?: Record<string, string>) => Promise<Response> }> {
  const world = createDefaultWorld();
  if (rows > 0) world.org.tables = { account: { rowCount: rows } };
  const emu = await startEmulator({ world, service });
  const token = await fetchToken(emu);
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${emu.orgUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...headers } });
  return { emu, get };
}

const orgEntries = (emu: Emulator): RequestLogEntry[] => emu.requests('org');

/** The entry once the server has seen its exchange end (a moment after the client has the answer). */
async function ended(entry: RequestLogEntry): Promise<RequestLogEntry & { endedAt: number }> {
  while (entry.endedAt === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
  return entry as RequestLogEntry & { endedAt: number };
}
const PAGE = { prefer: 'odata.maxpagesize=5000' };

describe('latency model', () => {
  let emu: Emulator;
  let get: (path: string, headers?: Record<string, string>) => Promise<Response>;
  beforeAll(async () => ({ emu, get } = await started({ latency: true }, 5000)));
  afterAll(() => emu.close());

  it('holds a 5,000-row, 20-column page for 300 ms + 0.017 ms x 100,000 cells = 2,000 ms', async () => {
    const res = await get(`${ACCOUNTS}?$select=${TWENTY.join(',')}`, PAGE);
    expect(res.status).toBe(200);
    expect((await json(res)).value).toHaveLength(5000);
    const entry = await ended(orgEntries(emu).at(-1)!);
    expect(entry.serverMs).toBe(2000);
    expect(entry.endedAt - entry.at).toBeGreaterThanOrEqual(2000);
  });

  it('charges a narrow $select less: 2 columns of 5,000 rows take 300 + 170 ms', async () => {
    expect((await get(`${ACCOUNTS}?$select=accountid,name`, PAGE)).status).toBe(200);
    const entry = await ended(orgEntries(emu).at(-1)!);
    expect(entry.serverMs).toBe(470);
    expect(entry.endedAt - entry.at).toBeGreaterThanOrEqual(470);
  });

  it('gives an answer without rows the base time, and a $batch the sum of its parts', async () => {
    expect((await get('/api/data/v9.2/WhoAmI')).status).toBe(200);
    expect(orgEntries(emu).at(-1)!.serverMs).toBe(300);
    const part = (top: number) => `--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET ${ACCOUNTS}?$select=accountid,name&$top=${top} HTTP/1.1\r\nAccept: application/json\r\n\r\n`;
    const token = (orgEntries(emu).at(-1)!.headers.authorization as string).slice('Bearer '.length);
    const res = await fetch(`${emu.orgUrl}/api/data/v9.2/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/mixed; boundary=b' },
      body: `${part(1000)}${part(3000)}--b--\r\n`,
    });
    expect(res.status).toBe(200);
    const entry = await ended(orgEntries(emu).at(-1)!);
    // (300 + 0.017 x 2,000) + (300 + 0.017 x 6,000)
    expect(entry.serverMs).toBe(334 + 402);
    expect(entry.endedAt - entry.at).toBeGreaterThanOrEqual(736);
  });

  it('is off by default, with the real limits and dop hint', async () => {
    const plain = await startEmulator();
    try {
      expect(plain.service).toEqual({ latency: null, maxConcurrentRequests: 52, executionBudgetMs: 1_200_000, executionWindowMs: 300_000, dopHint: 48, concurrencyRetryAfterSeconds: 1 });
    } finally {
      await plain.close();
    }
  });
});

describe('x-ms-dop-hint', () => {
  it('is on every Dataverse answer: the real default, or the configured value', async () => {
    const { emu, get } = await started({});
    const other = await started({ dopHint: 7 });
    try {
      expect(DEFAULT_DOP_HINT).toBe(48);
      expect((await get('/api/data/v9.2/WhoAmI')).headers.get('x-ms-dop-hint')).toBe('48');
      expect((await get('/api/data/v9.2/nosuchset')).headers.get('x-ms-dop-hint')).toBe('48');
      expect((await other.get('/api/data/v9.2/WhoAmI')).headers.get('x-ms-dop-hint')).toBe('7');
      const login = await fetch(`${emu.loginUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${emu.loginUrl}/x/oauth2/v2.0/authorize`);
      expect(login.headers.get('x-ms-dop-hint')).toBeNull();
    } finally {
      await emu.close();
      await other.emu.close();
    }
  });
});

describe('concurrency limit', () => {
  it('answers the request over the limit at once with 429 0x80072326 and the fixture body', async () => {
    const { emu, get } = await started({ maxConcurrentRequests: 3, latency: { baseMs: 1500, perCellMs: 0 } });
    try {
      const responses = await Promise.all([0, 1, 2, 3].map(() => get('/api/data/v9.2/WhoAmI')));
      const entries = orgEntries(emu);
      expect(entries.map((e) => e.inFlight).sort()).toEqual([1, 2, 3, 4]);
      const refused = entries.find((e) => e.inFlight === 4)!;
      expect(refused.status).toBe(429);
      expect(refused.retryAfterSeconds).toBe(1);
      expect(refused.serverMs).toBeUndefined();
      const served = entries.filter((e) => e !== refused);
      expect(served.map((e) => [e.status, e.serverMs])).toEqual([[200, 1500], [200, 1500], [200, 1500]]);
      // Immediately: it ended while the three others were still being held for their 1,500 ms.
      for (const e of served) expect(refused.endedAt!).toBeLessThan(e.at + 1500);
      const res = responses.find((r) => r.status === 429)!;
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('x-ms-dop-hint')).toBe('48');
      expect(await json(res)).toEqual(readFixture('error-throttle-429-concurrency.json'));
      expect(maxInFlight(entries)).toBe(4);
      expect(() => assertInFlightAtMost(entries, 4)).not.toThrow();
      expect(() => assertInFlightAtMost(entries, 3)).toThrow(/arrived with 4 requests in flight, more than 3/);
    } finally {
      await emu.close();
    }
  });

  it('allows 52 at once by default: the 53rd is refused', async () => {
    const { emu, get } = await started({ latency: { baseMs: 3000, perCellMs: 0 } });
    try {
      const statuses = (await Promise.all(Array.from({ length: 53 }, () => get('/api/data/v9.2/WhoAmI')))).map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(52);
      expect(statuses.filter((s) => s === 429)).toHaveLength(1);
      const entries = orgEntries(emu);
      expect(entries.find((e) => e.status === 429)!.inFlight).toBe(53);
      expect(maxInFlight(entries)).toBe(53);
    } finally {
      await emu.close();
    }
  });

  it('counts a request out once it is answered', async () => {
    const { emu, get } = await started({ maxConcurrentRequests: 1 });
    try {
      for (let i = 0; i < 3; i++) expect((await get('/api/data/v9.2/WhoAmI')).status).toBe(200);
      expect(orgEntries(emu).map((e) => e.inFlight)).toEqual([1, 1, 1]);
    } finally {
      await emu.close();
    }
  });
});

describe('execution-time budget', () => {
  it('answers 429 0x80072321 with a Retry-After once the window holds more than the budget, and serves again after it', async () => {
    const windowMs = 3000;
    const { emu, get } = await started({ latency: { baseMs: 300, perCellMs: 0 }, executionBudgetMs: 1000, executionWindowMs: windowMs });
    try {
      const responses: Response[] = [];
      for (let i = 0; i < 5; i++) responses.push(await get('/api/data/v9.2/WhoAmI'));
      const statuses = responses.map((r) => r.status);
      // 4 x 300 ms = 1,200 ms > 1,000 ms: the fifth is refused.
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      const entries = orgEntries(emu);
      const [first, , , , refused] = entries;
      expect(entries.slice(0, 4).map((e) => e.serverMs)).toEqual([300, 300, 300, 300]);
      expect(refused.serverMs).toBeUndefined();
      // The first charge (at its modelled end) leaves the window first; then 900 ms fit the budget.
      const expected = Math.max(1, Math.ceil((first.at + 300 + windowMs - refused.at) / 1000));
      expect(refused.retryAfterSeconds).toBe(expected);
      const res = responses[4];
      expect(res.headers.get('retry-after')).toBe(String(expected));
      expect(res.headers.get('x-ms-dop-hint')).toBe('48');
      expect(await json(res)).toEqual(readFixture('error-throttle-429-execution-time.json'));
      await new Promise((resolve) => setTimeout(resolve, expected * 1000));
      expect((await get('/api/data/v9.2/WhoAmI')).status).toBe(200);
      await ended(orgEntries(emu).at(-1)!);
      expect(() => assertRetryAfterRespected(orgEntries(emu))).not.toThrow();
    } finally {
      await emu.close();
    }
  });
});

describe('retryAfterViolations', () => {
  const entry = (seq: number, at: number, extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({ seq, at, target: 'org', method: 'GET', path: '/x', headers: {}, status: 200, sentBytes: 0, endedAt: at + 10, ...extra });

  it('flags a request from any client that arrives after a Retry-After answer and before it has passed', () => {
    const throttled = entry(2, 1000, { status: 429, retryAfterSeconds: 2, endedAt: 1010 });
    const inFlight = entry(3, 1005);
    // Sent while the client had not yet read the 429 (within one busy client turn of its end).
    const unread = entry(6, 1010 + CLIENT_TURN_MS);
    const early = entry(4, 2500);
    const onTime = entry(5, 3010);
    const log = [entry(1, 900), throttled, inFlight, unread, early, onTime];
    expect(retryAfterViolations(log)).toEqual([{ throttled, early, earlyByMs: 510 }]);
    expect(() => assertRetryAfterRespected(log)).toThrow('request #4 (GET /x) arrived 510 ms before the Retry-After: 2 s of request #2 (status 429) had passed');
    expect(retryAfterViolations([entry(1, 900), throttled, inFlight, unread, onTime])).toEqual([]);
    expect(retryAfterViolations([throttled, entry(7, 1011 + CLIENT_TURN_MS)]).map((v) => v.early.seq)).toEqual([7]);
  });
});
