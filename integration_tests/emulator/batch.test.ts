/** `POST $batch` over real HTTPS: the multipart round trip, order, errors, continue-on-error, log, faults. */
import { MAX_BATCH_REQUESTS } from './batch';
import { startEmulator, type Emulator } from './index';
import { fetchToken, json } from './testing';

let emu: Emulator;
let token: string;

beforeAll(async () => {
  emu = await startEmulator();
  token = await fetchToken(emu);
});
afterAll(() => emu.close());

const ROOT = '/api/data/v9.2';
const BOUNDARY = 'batch_0f3b84d8';

interface Part {
  target: string;
  headers?: Record<string, string>;
  method?: string;
}

/** A batch body as the docs write it (CRLF, one blank line after each part). */
function batchBody(parts: Part[], boundary = BOUNDARY): string {
  let out = '';
  for (const p of parts) {
    const inner = Object.entries(p.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    out += `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${p.method ?? 'GET'} ${p.target} HTTP/1.1\r\n${inner}\r\n`;
  }
  return `${out}--${boundary}--\r\n`;
}

function postBatch(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${emu.orgUrl}${ROOT}/$batch`, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'odata-version': '4.0',
      'odata-maxversion': '4.0',
      authorization: `Bearer ${token}`,
      'content-type': `multipart/mixed; boundary="${BOUNDARY}"`,
      ...headers,
    },
    body,
  });
}

interface ParsedPart {
  partHeaders: Record<string, string>;
  status: number;
  statusLine: string;
  headers: Record<string, string>;
  body: any;
}

/** An independent multipart/mixed parser (not the emulator's, not the connector's). */
function parseResponse(contentType: string | null, text: string): ParsedPart[] {
  const boundary = /^multipart\/mixed; boundary=(batchresponse_[0-9a-f-]{36})$/.exec(contentType ?? '')?.[1];
  if (!boundary) throw new Error(`not a batch response content type: ${contentType}`);
  expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
  const chunks = text.slice(0, text.lastIndexOf(`--${boundary}--`)).split(`--${boundary}\r\n`);
  expect(chunks[0]).toBe('');
  const headerMap = (block: string) => Object.fromEntries(block.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return chunks.slice(1).map((chunk) => {
    const [partHead, rest] = [chunk.slice(0, chunk.indexOf('\r\n\r\n')), chunk.slice(chunk.indexOf('\r\n\r\n') + 4)];
    const innerHead = rest.slice(0, rest.indexOf('\r\n\r\n'));
    const bodyText = rest.slice(rest.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
    const [statusLine, ...lines] = innerHead.split('\r\n');
    return {
      partHeaders: headerMap(partHead),
      statusLine,
      status: Number(statusLine.split(' ')[1]),
      headers: headerMap(lines.join('\r\n')),
      body: bodyText === '' ? '' : JSON.parse(bodyText),
    };
  });
}

async function direct(path: string): Promise<any> {
  const res = await fetch(`${emu.orgUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return json(res);
}

const lastOrgRequest = () => emu.requests('org').at(-1)!;

const PICKLISTS = `${ROOT}/EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)`;

describe('$batch round trip', () => {
  it('answers each GET in order, in a multipart/mixed body with a new batchresponse boundary; bodies equal the direct answers', async () => {
    const paths = [`${ROOT}/EntityDefinitions?$select=LogicalName`, PICKLISTS, `${ROOT}/GlobalOptionSetDefinitions?$select=Name`, `${ROOT}/WhoAmI`];
    const res = await postBatch(batchBody([{ target: paths[0] }, { target: `${emu.orgUrl}${paths[1]}` }, { target: paths[2] }, { target: paths[3] }]));
    expect(res.status).toBe(200);
    expect(res.headers.get('odata-version')).toBe('4.0');
    expect(res.headers.get('preference-applied')).toBeNull();
    const parts = parseResponse(res.headers.get('content-type'), await res.text());
    expect(parts).toHaveLength(4);
    for (const [i, part] of parts.entries()) {
      expect(part.partHeaders).toEqual({ 'content-type': 'application/http', 'content-transfer-encoding': 'binary' });
      expect(part.statusLine).toBe('HTTP/1.1 200 OK');
      expect(part.headers).toEqual({ 'content-type': 'application/json; odata.metadata=minimal; odata.streaming=true', 'odata-version': '4.0' });
      expect(part.body).toEqual(await direct(paths[i]));
    }
    expect(parts[1].body.value.map((a: any) => a.LogicalName)).toEqual(['accountcategorycode', 'industrycode', 'preferredappointmentdaycode']);
  });

  it('logs the POST once, with the inner requests (all GETs) on its entry', async () => {
    await postBatch(batchBody([{ target: `${ROOT}/WhoAmI` }, { target: PICKLISTS }]));
    const entry = lastOrgRequest();
    expect(entry.method).toBe('POST');
    expect(entry.path).toBe(`${ROOT}/$batch`);
    expect(entry.status).toBe(200);
    expect(entry.inner).toEqual([
      { method: 'GET', path: `${ROOT}/WhoAmI`, status: 200 },
      { method: 'GET', path: PICKLISTS, status: 200 },
    ]);
    expect(entry.inner!.every((r) => r.method === 'GET')).toBe(true);
  });

  it('passes inner headers (Prefer) to the inner request; the outer Prefer stays with the batch', async () => {
    const res = await postBatch(batchBody([{ target: `${ROOT}/organizations?$select=_basecurrencyid_value`, headers: { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' } }]), {
      prefer: 'odata.continue-on-error',
    });
    const [part] = parseResponse(res.headers.get('content-type'), await res.text());
    expect(part.headers['preference-applied']).toBe('odata.include-annotations="OData.Community.Display.V1.FormattedValue"');
    expect(part.body.value[0]['_basecurrencyid_value@OData.Community.Display.V1.FormattedValue']).toBe('US Dollar');
  });

  it('accepts LF line ends and a preamble', async () => {
    const body = `preamble\n${batchBody([{ target: `${ROOT}/WhoAmI` }]).replace(/\r\n/g, '\n')}`;
    const res = await postBatch(body);
    expect(res.status).toBe(200);
    expect(parseResponse(res.headers.get('content-type'), await res.text())[0].body.UserId).toBeDefined();
  });

  it(`takes ${MAX_BATCH_REQUESTS} parts`, async () => {
    const res = await postBatch(batchBody(Array.from({ length: MAX_BATCH_REQUESTS }, () => ({ target: `${ROOT}/WhoAmI` }))));
    expect(res.status).toBe(200);
    expect(parseResponse(res.headers.get('content-type'), await res.text())).toHaveLength(MAX_BATCH_REQUESTS);
    expect(lastOrgRequest().inner).toHaveLength(MAX_BATCH_REQUESTS);
  });
});

describe('failing parts', () => {
  const parts = () => [
    { target: `${ROOT}/WhoAmI` },
    { target: `${ROOT}/EntityDefinitions(LogicalName='nosuch')?$select=LogicalName` },
    { target: `${ROOT}/GlobalOptionSetDefinitions?$select=Name` },
  ];
  const notFound = { error: { code: '0x80040217', message: 'Could not find an entity with name nosuch and id 00000000-0000-0000-0000-000000000000.' } };

  it('without odata.continue-on-error: stops at the first failure and answers with its status and only that part', async () => {
    const res = await postBatch(batchBody(parts()));
    expect(res.status).toBe(404);
    const body = parseResponse(res.headers.get('content-type'), await res.text());
    expect(body).toHaveLength(1);
    expect(body[0].statusLine).toBe('HTTP/1.1 404 Not Found');
    expect(body[0].body).toEqual(notFound);
    expect(lastOrgRequest().inner!.map((r) => r.status)).toEqual([200, 404, 0]);
  });

  it('with odata.continue-on-error: 200, every part with its own status', async () => {
    const res = await postBatch(batchBody(parts()), { prefer: 'odata.continue-on-error' });
    expect(res.status).toBe(200);
    expect(res.headers.get('preference-applied')).toBe('odata.continue-on-error');
    const body = parseResponse(res.headers.get('content-type'), await res.text());
    expect(body.map((p) => p.status)).toEqual([200, 404, 200]);
    expect(body[1].body).toEqual(notFound);
    expect(body[2].body.value.map((s: any) => s.Name)).toEqual(['sample_colors', 'test_sync_states', 'new_yesno']);
  });

  it('an inner request with a bad token gets the 401 inside its part (the batch itself authenticated)', async () => {
    const res = await postBatch(batchBody([{ target: `${ROOT}/WhoAmI`, headers: { Authorization: 'Bearer forged' } }]), { prefer: 'odata.continue-on-error' });
    const [part] = parseResponse(res.headers.get('content-type'), await res.text());
    expect(part.statusLine).toBe('HTTP/1.1 401 Unauthorized');
    expect(part.headers['www-authenticate']).toContain('error=invalid_token');
    expect(part.body).toBe('');
  });
});

describe('refused batches', () => {
  it.each([
    ['more than 1000 parts', batchBody(Array.from({ length: MAX_BATCH_REQUESTS + 1 }, () => ({ target: `${ROOT}/WhoAmI` }))), 'The batch contains 1001 requests; a batch can contain up to 1000 requests.'],
    ['a nested batch', batchBody([{ target: `${ROOT}/WhoAmI` }, { method: 'POST', target: `${ROOT}/$batch` }]), 'Part 2 is a nested batch request; batches cannot contain other batch requests.'],
    ['a write', batchBody([{ method: 'PATCH', target: `${ROOT}/accounts(00000000-0000-0000-0000-000000000001)` }]), "Part 1 is a PATCH request: the emulator's batches carry GET requests only."],
    [
      'a change set',
      `--${BOUNDARY}\r\nContent-Type: multipart/mixed; boundary=changeset_1\r\n\r\n--changeset_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nPOST ${ROOT}/tasks HTTP/1.1\r\n\r\n{}\r\n--changeset_1--\r\n--${BOUNDARY}--\r\n`,
      'Part 1 is a change set: the emulator serves read-only GET batches, and GET requests are not allowed in change sets.',
    ],
    ['a part that is not application/http', `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${BOUNDARY}--\r\n`, "Part 1 has Content-Type 'text/plain'; batch parts must be 'application/http'."],
    ['a malformed request line', `--${BOUNDARY}\r\nContent-Type: application/http\r\n\r\nGET\r\n\r\n--${BOUNDARY}--\r\n`, "A batch part has a malformed request line: 'GET'."],
    ['no closing delimiter', batchBody([{ target: `${ROOT}/WhoAmI` }]).replace(`--${BOUNDARY}--`, ''), `The batch body has no closing delimiter '--${BOUNDARY}--'.`],
  ])('400s %s, running nothing', async (_name, body, message) => {
    const res = await postBatch(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
    expect(await json(res)).toEqual({ error: { code: '0x0', message } });
    expect(lastOrgRequest().inner).toBeUndefined();
  });

  it('400s a batch without a multipart boundary', async () => {
    const res = await postBatch(batchBody([{ target: `${ROOT}/WhoAmI` }]), { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toMatch(/^The content type 'application\/json' specifies a batch payload; however, the payload either does not include a batch boundary/);
  });

  it('401s a batch without a token, like any request', async () => {
    const res = await postBatch(batchBody([{ target: `${ROOT}/WhoAmI` }]), { authorization: '' });
    expect(res.status).toBe(401);
  });

  it('GET $batch is not a route', async () => {
    const res = await fetch(`${emu.orgUrl}${ROOT}/$batch`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
  });
});

describe('faults on the $batch POST', () => {
  it('throttles the batch as a whole (429 + Retry-After) and runs none of its parts', async () => {
    const handle = emu.faults.add({ target: 'org', method: 'POST', path: '/$batch', action: { kind: 'throttle', code: 'requests', retryAfterSeconds: 3 } });
    const res = await postBatch(batchBody([{ target: `${ROOT}/WhoAmI` }]));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect((await json(res)).error.code).toBe('0x80072322');
    expect(handle.hits).toBe(1);
    expect(lastOrgRequest()).toMatchObject({ method: 'POST', path: `${ROOT}/$batch`, status: 429, faulted: 'throttle' });
    expect(lastOrgRequest().inner).toBeUndefined();
    expect((await postBatch(batchBody([{ target: `${ROOT}/WhoAmI` }]))).status).toBe(200);
  });

  it('a 503 status fault and a malformed body apply to the batch response', async () => {
    emu.faults.add({ target: 'org', path: '/$batch', action: { kind: 'status', status: 503 } });
    expect((await postBatch(batchBody([{ target: `${ROOT}/WhoAmI` }]))).status).toBe(503);
    emu.faults.add({ target: 'org', path: '/$batch', action: { kind: 'malformed' } });
    const res = await postBatch(batchBody([{ target: `${ROOT}/WhoAmI` }]));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(() => parseResponse(res.headers.get('content-type'), text)).toThrow();
    expect(lastOrgRequest().faulted).toBe('malformed');
  });
});
