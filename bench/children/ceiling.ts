/**
 * (a) The ceiling: the least a client can do for the stream. Node 20's global fetch, the
 * connector's own first URL (same `$select`) and headers (same `Prefer: odata.maxpagesize`), a
 * bearer token from one plain token POST; then for every page: read the body, JSON.parse it,
 * write each row as an Airbyte RECORD line, follow `@odata.nextLink`. No retries, no schema work.
 *
 * Usage: node dist/bench/children/ceiling.js SPEC.json   (stdout: RECORD lines; stderr: a count)
 */
import * as fs from 'node:fs';
import { fetchAccessToken, recordHead, recordTail, writeOut, type ChildSpec } from './child-spec';

async function main(): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as ChildSpec;
  const token = await fetchAccessToken(spec.token);
  const headers = { ...spec.headers, Authorization: `Bearer ${token}` };
  const head = recordHead(spec.stream);
  let url: string | undefined = spec.firstUrl;
  let rows = 0;
  while (url !== undefined) {
    const res: Response = await fetch(url, { headers });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
    const page = JSON.parse(text) as { value: unknown[]; '@odata.nextLink'?: string };
    const tail = recordTail(Date.now());
    let out = '';
    for (const row of page.value) out += head + JSON.stringify(row) + tail;
    rows += page.value.length;
    await writeOut(out);
    url = page['@odata.nextLink'];
  }
  process.stderr.write(`ceiling: ${rows} records\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`ceiling failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
