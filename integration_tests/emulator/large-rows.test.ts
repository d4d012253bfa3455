/**
 * Tables of large rows over real HTTPS: `memoBytes` sizes every memo value, pages past the stream
 * threshold go out chunked as they are rendered (page-body.ts, wire.ts), byte for byte the page
 * the one-string path sends, and a client that leaves mid-page stops the rendering.
 */
import { startEmulator, type Emulator } from './index';
import { pageStreaming } from './page-body';
import { fetchToken } from './testing';
import { createDefaultWorld } from './world';

const MEMO = 262_144;
const DEFAULT_THRESHOLD = pageStreaming.thresholdChars;

let emu: Emulator;
let token: string;

beforeAll(async () => {
  emu = await startEmulator({ world: createDefaultWorld() });
  token = await fetchToken(emu);
});

afterAll(async () => {
  await emu.close();
});

afterEach(() => {
  pageStreaming.thresholdChars = DEFAULT_THRESHOLD;
});

const api = () => `${emu.orgUrl}/api/data/v9.2`;

function get(pathOrUrl: string, prefer?: string, signal?: AbortSignal): Promise<Response> {
  const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${api()}/${pathOrUrl}`;
  return fetch(url, { signal, headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'odata-version': '4.0', ...(prefer === undefined ? {} : { prefer }) } });
}

/** A 200 page's bytes and its framing headers. */
async function page(pathOrUrl: string, prefer?: string): Promise<{ bytes: Buffer; json: any; contentLength: string | null; transferEncoding: string | null }> {
  const res = await get(pathOrUrl, prefer);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${res.status} ${bytes.toString('utf8').slice(0, 500)}`);
  return { bytes, json: JSON.parse(bytes.toString('utf8')), contentLength: res.headers.get('content-length'), transferEncoding: res.headers.get('transfer-encoding') };
}

/** Every row of `account` through nextLinks at `size` rows a page, and the page sizes. */
async function readAll(size: number): Promise<{ rows: any[]; sizes: number[] }> {
  const rows: any[] = [];
  const sizes: number[] = [];
  let next: string | undefined = 'accounts?$select=accountid,name,description';
  while (next) {
    const { json } = await page(next, `odata.maxpagesize=${size}`);
    rows.push(...json.value);
    sizes.push(json.value.length);
    next = json['@odata.nextLink'];
  }
  return { rows, sizes };
}

async function until(test: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('memoBytes', () => {
  beforeAll(() => emu.tables.define('account', { rowCount: 60, memoBytes: MEMO }));

  it.each([50, 10])('at maxpagesize %i: every description exactly 262,144 characters, ids in order, nextLinks to the end', async (size) => {
    const { rows, sizes } = await readAll(size);
    expect(sizes).toEqual(size === 50 ? [50, 10] : [10, 10, 10, 10, 10, 10]);
    expect(rows.map((r) => r.accountid)).toEqual(Array.from({ length: 60 }, (_, i) => emu.tables.idAt('account', i)));
    expect(rows.map((r) => r.description.length)).toEqual(new Array(60).fill(MEMO));
    expect(rows.every((r, i) => /^[\x20-\x7e]+$/.test(r.description) && r.description.startsWith(`row ${i} description: `))).toBe(true);
    expect(new Set(rows.map((r) => r.description)).size).toBe(60);
  });

  it('makes rows of about 256 KB with every column (account has one memo column)', async () => {
    const { bytes, json } = await page('accounts', 'odata.maxpagesize=3');
    expect(json.value.map((r: any) => r.description.length)).toEqual([MEMO, MEMO, MEMO]);
    expect(bytes.length).toBeGreaterThan(3 * MEMO);
    expect(bytes.length).toBeLessThan(3 * (MEMO + 4096));
  });

  it('gives the same values on every read, and an updated row a new row part', async () => {
    const before = (await page('accounts?$select=description', 'odata.maxpagesize=2')).bytes;
    expect((await page('accounts?$select=description', 'odata.maxpagesize=2')).bytes.equals(before)).toBe(true);
    const [id] = emu.tables.update('account', [emu.tables.idAt('account', 0)]);
    const after = (await page('accounts?$select=accountid,description', 'odata.maxpagesize=1')).json.value[0];
    expect(after.accountid).toBe(id);
    expect(after.description).toHaveLength(MEMO);
    expect(after.description).not.toBe(JSON.parse(before.toString('utf8')).value[0].description);
    emu.tables.define('account', { rowCount: 60, memoBytes: MEMO });
  });

  it.each([
    [0, '0'],
    [-5, '-5'],
    [1.5, '1.5'],
    [1_048_577, '1048577'],
    [Number.NaN, 'NaN'],
  ])('refuses memoBytes %p', (memoBytes, shown) => {
    expect(() => emu.tables.define('contact', { rowCount: 1, memoBytes })).toThrow(
      `table contact: memoBytes must be a whole number from 1 to 1,048,576 (a multiline text column's longest value), not ${shown}`,
    );
  });

  it('takes the longest multiline text, 1,048,576 characters', async () => {
    emu.tables.define('opportunity', { rowCount: 2, memoBytes: 1_048_576 });
    const { json } = await page('opportunities?$select=description');
    expect(json.value.map((r: any) => r.description.length)).toEqual([1_048_576, 1_048_576]);
  });
});

describe('streamed pages', () => {
  beforeAll(() => emu.tables.define('account', { rowCount: 60, memoBytes: MEMO }));

  it('sends a page past the threshold chunked, byte for byte the page sent whole', async () => {
    const path = 'accounts?$select=accountid,name,description,aging30';
    const whole = await page(path, 'odata.maxpagesize=50');
    expect(whole.transferEncoding).toBeNull();
    expect(whole.contentLength).toBe(String(whole.bytes.length));

    pageStreaming.thresholdChars = 1024 * 1024;
    const streamed = await page(path, 'odata.maxpagesize=50');
    expect(streamed.transferEncoding).toBe('chunked');
    expect(streamed.contentLength).toBeNull();
    expect(streamed.bytes.equals(whole.bytes)).toBe(true);
    expect(streamed.json.value).toHaveLength(50);

    // The next page (10 rows, 2.6 MB estimated) is streamed too, and so identical to the whole one.
    const next = streamed.json['@odata.nextLink'];
    const nextStreamed = await page(next, 'odata.maxpagesize=50');
    pageStreaming.thresholdChars = DEFAULT_THRESHOLD;
    const nextWhole = await page(next, 'odata.maxpagesize=50');
    expect(nextStreamed.transferEncoding).toBe('chunked');
    expect(nextWhole.transferEncoding).toBeNull();
    expect(nextStreamed.bytes.equals(nextWhole.bytes)).toBe(true);
    expect(nextWhole.json.value).toHaveLength(10);
    expect(nextWhole.json['@odata.nextLink']).toBeUndefined();
  });

  it('streams delta pages the same way (upserts and deletions)', async () => {
    const initial = await readAllTracked();
    emu.tables.update('account', 3);
    emu.tables.delete('account', 2);
    const whole = await page(initial, 'odata.track-changes');
    pageStreaming.thresholdChars = 1;
    const streamed = await page(initial, 'odata.track-changes');
    expect(whole.transferEncoding).toBeNull();
    expect(streamed.transferEncoding).toBe('chunked');
    expect(streamed.bytes.equals(whole.bytes)).toBe(true);
    expect(whole.json.value.map((e: any) => (e.reason === 'deleted' ? 'deleted' : e.description.length))).toEqual([MEMO, MEMO, MEMO, 'deleted', 'deleted']);
    emu.tables.define('account', { rowCount: 60, memoBytes: MEMO });
  });

  it('streams a page inside $batch joined into its part', async () => {
    pageStreaming.thresholdChars = 1;
    const boundary = 'batch_large';
    const body = `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET ${api()}/accounts?$select=description HTTP/1.1\r\nAccept: application/json\r\nPrefer: odata.maxpagesize=2\r\n\r\n--${boundary}--\r\n`;
    const res = await fetch(`${api()}/$batch`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/mixed; boundary=${boundary}` }, body });
    const text = await res.text();
    expect(res.status).toBe(200);
    const json = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
    expect(json.value.map((r: any) => r.description.length)).toEqual([MEMO, MEMO]);
  });

  it('joins a streamed page for a fault that cuts its body, and streams it under one that does not', async () => {
    const path = 'accounts?$select=description';
    const whole = await page(path, 'odata.maxpagesize=4');
    pageStreaming.thresholdChars = 1;
    emu.faults.add({ target: 'org', path: '/accounts', action: { kind: 'truncate' } });
    const res = await get(path, 'odata.maxpagesize=4');
    expect(res.headers.get('content-length')).toBe(String(whole.bytes.length));
    await expect(res.arrayBuffer()).rejects.toThrow();
    expect(emu.log.at(-1)!.sentBytes).toBe(Math.floor(whole.bytes.length / 2));

    emu.faults.add({ target: 'org', path: '/accounts', action: { kind: 'delay', ms: 50 } });
    const delayed = await page(path, 'odata.maxpagesize=4');
    expect(delayed.transferEncoding).toBe('chunked');
    expect(delayed.bytes.equals(whole.bytes)).toBe(true);
  });

  it('charges a streamed page its cells in the latency model', async () => {
    pageStreaming.thresholdChars = 1;
    emu.service.latency = { baseMs: 20, perCellMs: 0.5 };
    try {
      const { transferEncoding, json } = await page('accounts?$select=accountid,description', 'odata.maxpagesize=30');
      expect(transferEncoding).toBe('chunked');
      expect(json.value).toHaveLength(30);
    } finally {
      emu.service.latency = null;
    }
    // 30 rows x 2 columns at 0.5 ms, plus the base.
    expect(emu.log.at(-1)!.serverMs).toBe(50);
  });

  async function readAllTracked(): Promise<string> {
    let next: string | undefined = 'accounts?$select=accountid,description';
    for (;;) {
      const { json } = await page(next as string, 'odata.track-changes,odata.maxpagesize=50');
      if (json['@odata.deltaLink']) return json['@odata.deltaLink'];
      next = json['@odata.nextLink'];
    }
  }
});

describe('a client that leaves mid-page', () => {
  it('stops the rendering of a 1.28 GB page after about a megabyte, and the next request is served', async () => {
    emu.tables.define('account', { rowCount: 5000, memoBytes: MEMO });
    const controller = new AbortController();
    const res = await get('accounts', 'odata.maxpagesize=5000', controller.signal);
    expect(res.status).toBe(200);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let read = 0;
    while (read < 1024 * 1024) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the page ended early');
      read += value.length;
    }
    controller.abort();
    await reader.cancel().catch(() => undefined);

    const entry = emu.log.filter((e) => e.path.startsWith('/api/data/v9.2/accounts')).at(-1)!;
    await until(() => entry.endedAt !== undefined);
    const sent = entry.sentBytes;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(entry.sentBytes).toBe(sent); // nothing written after the close
    expect(sent).toBeGreaterThanOrEqual(1024 * 1024);
    expect(sent).toBeLessThan(64 * 1024 * 1024);

    const after = await page('accounts?$select=accountid,description', 'odata.maxpagesize=2');
    expect(after.json.value.map((r: any) => r.accountid)).toEqual([emu.tables.idAt('account', 0), emu.tables.idAt('account', 1)]);
    expect(after.json.value.map((r: any) => r.description.length)).toEqual([MEMO, MEMO]);
  });
});
