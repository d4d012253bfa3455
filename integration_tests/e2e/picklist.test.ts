/**
 * The picklist stream end to end, checked field by field against the emulator's metadata model
 * (the doc-sample option sets of the fixtures): every kind, every language, every selection form.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { startEmulator, type Emulator } from '../emulator';
import { DEFAULT_PICKLIST_OPTION_COUNTS, DEFAULT_PICKLIST_OPTION_TOTAL } from '../emulator/default-metadata';
import { createLargeWorld } from '../emulator';
import type { AttributeDef, OptionDef } from '../emulator/model';
import { ofType, records, ROOT, runCli, statuses, writeJson, type CliResult } from '../helpers/cli';
import { STATIC_STREAMS } from '../helpers/streams';

let emulator: Emulator;
const catalog = () => writeJson('picklist-catalog.json', { streams: [{ stream: { name: 'picklist', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] });

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

async function read(picklists?: string[]): Promise<CliResult> {
  const config = writeJson(`picklist-config-${Math.random()}.json`, emulator.config(picklists ? { picklists } : {}));
  return runCli(['read', '--config', config, '--catalog', catalog()]);
}

function kindOf(attribute: AttributeDef): string {
  return attribute.attributeTypeName === 'MultiSelectPicklistType' ? 'MultiSelectPicklist' : attribute.attributeType;
}

/** The record the contract asks for, computed from the emulator's model (not from any response). */
function expected(entity: string, attribute: AttributeDef, option: OptionDef): Record<string, unknown> {
  const language = emulator.world.org.userLanguage;
  const set = attribute.optionSet!;
  return {
    entity,
    attribute: attribute.logicalName,
    attribute_type: kindOf(attribute),
    option_set_name: set.name,
    is_global: set.isGlobal,
    value: option.value,
    label: option.labels[language] || null,
    labels: Object.entries(option.labels).map(([code, label]) => ({ language_code: Number(code), label })),
    description: option.descriptions?.[language] || null,
    color: option.color || null,
    external_value: option.externalValue || null,
    state: kindOf(attribute) === 'Status' ? (option.state ?? null) : null,
  };
}

const key = (r: Record<string, unknown>) => `${r.entity}.${r.attribute}.${r.value}`;
const sortLabels = (r: Record<string, any>) => ({ ...r, labels: [...r.labels].sort((a, b) => a.language_code - b.language_code) });

describe('picklists absent: every option-set column of every entity', () => {
  let result: CliResult;
  beforeAll(async () => {
    emulator.log.length = 0;
    result = await read();
  });

  test('one record per option, exactly the model, field by field', () => {
    expect(result.code).toBe(0);
    const got = records(result.messages, 'picklist').map((m) => m.record.data);
    expect(got).toHaveLength(DEFAULT_PICKLIST_OPTION_TOTAL);
    const want: Record<string, unknown>[] = [];
    for (const [entity, def] of Object.entries(emulator.world.org.entities)) {
      for (const attribute of def.attributes) {
        if (!attribute.optionSet) continue;
        for (const option of attribute.optionSet.options) want.push(expected(entity, attribute, option));
      }
    }
    const byKey = (list: Record<string, unknown>[]) => Object.fromEntries(list.map((r) => [key(r), sortLabels(r)]));
    expect(byKey(got)).toEqual(byKey(want));
    expect(new Set(got.map(key)).size).toBe(got.length);
  });

  test('counts per column match the default world, all five kinds and several languages present', () => {
    const got = records(result.messages, 'picklist').map((m) => m.record.data);
    const counts: Record<string, number> = {};
    for (const r of got) counts[`${r.entity}.${r.attribute}`] = (counts[`${r.entity}.${r.attribute}`] ?? 0) + 1;
    expect(counts).toEqual(DEFAULT_PICKLIST_OPTION_COUNTS);
    expect(new Set(got.map((r) => r.attribute_type))).toEqual(new Set(['Picklist', 'MultiSelectPicklist', 'State', 'Status', 'Boolean']));
    expect(got.some((r) => r.is_global === true)).toBe(true);
    expect(got.some((r) => r.labels.length > 1)).toBe(true);
    expect(got.filter((r) => r.attribute_type === 'Status').every((r) => Number.isInteger(r.state))).toBe(true);
  });

  test('records validate against the discovered schema with no extra fields', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'picklist.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile({ ...schema, additionalProperties: false });
    for (const m of records(result.messages, 'picklist')) expect(validate(m.record.data) ? [] : validate.errors).toEqual([]);
  });

  test('statuses, one STATE with the exact recordCount', () => {
    expect(statuses(result.messages, 'picklist')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(ofType(result.messages, 'STATE').map((s) => s.state.sourceStats.recordCount)).toEqual([DEFAULT_PICKLIST_OPTION_TOTAL]);
  });

  test('two org requests: the entity list and one $batch whose parts are all GETs', () => {
    const org = emulator.requests('org');
    expect(org.map((e) => `${e.method} ${e.path.split('?')[0]}`)).toEqual(['GET /api/data/v9.2/EntityDefinitions', 'POST /api/data/v9.2/$batch']);
    const inner = org[1].inner ?? [];
    expect(inner).toHaveLength(Object.keys(emulator.world.org.entities).length * 5);
    expect(inner.every((p) => p.method === 'GET')).toBe(true);
  });
});

describe('selection forms', () => {
  const countsFor = (prefixes: string[]) =>
    Object.fromEntries(Object.entries(DEFAULT_PICKLIST_OPTION_COUNTS).filter(([column]) => prefixes.some((p) => column === p || column.startsWith(`${p}.`))));

  test.each([
    ['one entity', ['account']],
    ['two columns of two entities', ['account.industrycode', 'contact.statuscode']],
    ['an entity and a column of another', ['sample_bankaccount', 'opportunity.statecode']],
    ['a column listed twice, and its entity too', ['account.industrycode', 'account.industrycode', 'account']],
  ])('%s', async (_name, picklists) => {
    const result = await read(picklists);
    expect(result.code).toBe(0);
    const counts: Record<string, number> = {};
    for (const m of records(result.messages, 'picklist')) counts[`${m.record.data.entity}.${m.record.data.attribute}`] = (counts[`${m.record.data.entity}.${m.record.data.attribute}`] ?? 0) + 1;
    expect(counts).toEqual(countsFor(picklists.map((p) => p.toLowerCase())));
  });

  test.each([
    ['an unknown entity', ['account', 'nosuchentity'], `config picklists: entity "nosuchentity" does not exist in ORG; use the table's logical name (e.g. account, opportunity) or remove it`],
    ['a column that is not an option set', ['account.name'], 'config picklists: "account.name" is a String column, not an option-set column; list Picklist, MultiSelectPicklist, State, Status or Boolean columns'],
    ['a column that does not exist', ['account.nosuchcolumn'], 'config picklists: "account.nosuchcolumn" does not exist: entity account has no attribute nosuchcolumn'],
  ])('%s: check FAILED and read TRACE config_error, naming it', async (_name, picklists, message) => {
    const text = message.replace('ORG', emulator.orgUrl);
    const config = writeJson(`picklist-bad-${Math.random()}.json`, emulator.config({ picklists }));
    const check = await runCli(['check', '--config', config]);
    expect(check.code).toBe(0);
    expect(check.messages.map((m) => m.connectionStatus)).toEqual([{ status: 'FAILED', message: text }]);
    const result = await runCli(['read', '--config', config, '--catalog', catalog()]);
    expect(result.code).toBe(1);
    const errors = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
    expect(errors.map((e) => [e.trace.error.failure_type, e.trace.error.message])).toEqual([['config_error', text]]);
    expect(records(result.messages)).toEqual([]);
  });
});

describe('the generated 1,000-entity org', () => {
  let large: Emulator;
  let result: CliResult;
  beforeAll(async () => {
    large = await startEmulator({ world: createLargeWorld({ entities: 1000, seed: 7 }) });
    const config = writeJson('picklist-large-config.json', large.config());
    result = await runCli(['read', '--config', config, '--catalog', catalog()], { timeoutMs: 120_000 });
  }, 150_000);
  afterAll(() => large.close());

  test('every option of every entity, in at most 25 requests to the org', () => {
    expect(result.code).toBe(0);
    let options = 0;
    for (const def of Object.values(large.world.org.entities)) for (const a of def.attributes) options += a.optionSet?.options.length ?? 0;
    expect(records(result.messages, 'picklist')).toHaveLength(options);
    const org = large.requests('org');
    expect(org.length).toBeLessThanOrEqual(25);
    expect(org.filter((e) => e.method === 'POST').every((e) => (e.inner ?? []).every((p) => p.method === 'GET'))).toBe(true);
    expect(org.reduce((n, e) => n + (e.inner?.length ?? 0), 0)).toBe(1000 * 5);
  });

  test('discover with 3 configured entities makes at most 10 requests to the org (2: the filtered list and one $batch)', async () => {
    large.log.length = 0;
    const entities = Object.keys(large.world.org.entities).slice(100, 103);
    const discover = await runCli(['discover', '--config', writeJson('picklist-large-discover.json', large.config({ entities }))]);
    expect(discover.code).toBe(0);
    expect(discover.messages[0].catalog.streams.map((s: { name: string }) => s.name)).toEqual([...STATIC_STREAMS, ...entities]);
    expect(large.requests('org').map((e) => `${e.method} ${e.path.split('?')[0]}`)).toEqual(['GET /api/data/v9.2/EntityDefinitions', 'POST /api/data/v9.2/$batch']);
  });
});
