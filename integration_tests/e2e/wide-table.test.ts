/**
 * A table too wide for a GET URL: 1,200 custom columns make the `$select` of every page request
 * longer than the 32,768 characters Dataverse takes in a URL (the emulator answers 414 past it, as
 * the front end does). The connector sends such requests inside a one-part `$batch` (64 KB limit)
 * and reads every column of every row.
 */
import { createDefaultWorld, startEmulator, type Emulator } from '../emulator';
import { attr, auditColumns, entity, primaryColumns } from '../emulator/metadata-builders';
import { MAX_GET_URL_CHARS } from '../emulator/server';
import { records, runCli, writeJson, type CliResult } from '../helpers/cli';

const COLUMNS = 1200;
const ROWS = 30;
const column = (i: number) => `new_widecustomattribute_${String(i).padStart(4, '0')}`;

let emulator: Emulator;
let result: CliResult;

beforeAll(async () => {
  const world = createDefaultWorld();
  const extra = Array.from({ length: COLUMNS }, (_, i) => attr('new_wide', column(i), i % 2 === 0 ? 'StringType' : 'IntegerType'));
  world.org.entities.new_wide = entity('new_wide', 10_900, [...primaryColumns('new_wide', 'new_wideid', 'new_name'), ...auditColumns('new_wide'), ...extra], { changeTrackingEnabled: false });
  emulator = await startEmulator({ world });
  emulator.tables.define('new_wide', { rowCount: ROWS });
  const config = writeJson('wide-config.json', emulator.config({ entities: ['new_wide'], page_size: 10 }));
  const catalog = writeJson('wide-catalog.json', { streams: [{ stream: { name: 'new_wide', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] });
  result = await runCli(['read', '--config', config, '--catalog', catalog]);
}, 120_000);
afterAll(() => emulator.close());

test('a plain GET with that $select is refused by the emulator with 414, as by the service', async () => {
  const select = ['new_wideid', ...Array.from({ length: COLUMNS }, (_, i) => column(i))].join(',');
  const url = `${emulator.orgUrl}/api/data/v9.2/new_wides?$select=${select}`;
  expect(url.length).toBeGreaterThan(MAX_GET_URL_CHARS);
  const response = await fetch(url, { headers: { Authorization: 'Bearer x' } });
  expect([response.status, response.headers.get('content-type')]).toEqual([414, 'text/html']);
});

test('every row with every column, each page read inside a $batch, no 414', () => {
  expect(result.code).toBe(0);
  const rows = records(result.messages, 'new_wide').map((m) => m.record.data);
  expect(rows).toHaveLength(ROWS);
  const expected = emulator.tables.rows('new_wide');
  expect(new Set(rows.map((r) => r.new_wideid))).toEqual(new Set(expected.map((r) => r.new_wideid)));
  for (const row of rows) {
    const model = expected.find((r) => r.new_wideid === row.new_wideid)!;
    for (let i = 0; i < COLUMNS; i++) expect([column(i), row[column(i)]]).toEqual([column(i), model[column(i)] ?? null]);
  }
  // The connector's requests only (the probe of the first test is not one of them).
  const org = emulator.requests('org').filter((e) => e.headers.authorization !== 'Bearer x');
  expect(org.filter((e) => e.status === 414).length).toBe(0);
  const pages = org.filter((e) => e.method === 'POST' && e.path.endsWith('/$batch') && e.inner?.[0]?.path.includes('/new_wides?'));
  expect(pages.map((p) => p.inner!.map((i) => i.status))).toEqual([[200], [200], [200]]);
  expect(pages.every((p) => p.inner![0].path.length > MAX_GET_URL_CHARS - emulator.orgUrl.length)).toBe(true);
});
