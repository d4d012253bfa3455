/**
 * (c) dynamics-web-api 2.5.0: `retrieveAll` of the same entity set, same `$select`, same page
 * size, token from a token function that POSTs to the emulator's token endpoint; then every row as
 * an Airbyte RECORD line on stdout. `retrieveAll` follows `@odata.nextLink` itself and resolves
 * with all rows at once (that is the library's API), so memory grows with the row count.
 *
 * Usage: node dist/bench/children/dwa.js SPEC.json (one spec, or an array read one entity after another)
 */
import * as fs from 'node:fs';
import { DynamicsWebApi } from 'dynamics-web-api';
import { fetchAccessToken, recordHead, recordTail, writeOut, type ChildSpec } from './child-spec';

/** One spec, or several read one after another (a script's loop over entities, as in the latency bench). */
async function main(): Promise<void> {
  const parsed = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as ChildSpec | ChildSpec[];
  for (const spec of Array.isArray(parsed) ? parsed : [parsed]) await readOne(spec);
}

async function readOne(spec: ChildSpec): Promise<void> {
  let token: string | undefined;
  const api = new DynamicsWebApi({
    serverUrl: `${spec.orgUrl}/`,
    dataApi: { version: '9.2' },
    maxPageSize: spec.pageSize,
    onTokenRefresh: async () => (token ??= await fetchAccessToken(spec.token)),
  });
  const result = await api.retrieveAll({ collection: spec.entitySet, select: spec.select, maxPageSize: spec.pageSize });
  const head = recordHead(spec.stream);
  const tail = recordTail(Date.now());
  const rows = result.value;
  for (let i = 0; i < rows.length; i += 5000) {
    let out = '';
    for (const row of rows.slice(i, i + 5000)) out += head + JSON.stringify(row) + tail;
    await writeOut(out);
  }
  process.stderr.write(`dynamics-web-api: ${rows.length} records\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`dynamics-web-api failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
