/**
 * entity_metadata and attribute_metadata end to end through the built CLI, checked field by field
 * against the emulator's model (rendered through the emulator's own property catalogs, which say
 * what each served property holds), and `column` against the entity streams' discovered schemas.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { createLargeWorld, startEmulator, type Emulator } from '../emulator';
import { DEFAULT_ENTITY_NAMES } from '../emulator/default-metadata';
import { ATTRIBUTE_PROPERTIES, DERIVED_PROPERTIES, ENTITY_PROPERTIES, derivedTypeOf, type RenderEnv } from '../emulator/metadata-catalog';
import type { AttributeDef, EntityDef } from '../emulator/model';
import { ofType, records, ROOT, runCli, statuses, writeJson, type CliResult } from '../helpers/cli';

let emulator: Emulator;
const STREAMS = ['entity_metadata', 'attribute_metadata'];
const catalog = () =>
  writeJson('metadata-catalog.json', {
    streams: STREAMS.map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })),
  });

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

async function read(entities?: string[]): Promise<CliResult> {
  const config = writeJson(`metadata-config-${Math.random()}.json`, emulator.config(entities ? { entities } : {}));
  return runCli(['read', '--config', config, '--catalog', catalog()]);
}

type Label = { LocalizedLabels: Array<{ Label: string; LanguageCode: number }>; UserLocalizedLabel: { Label: string } | null };
const env = (entity: EntityDef): RenderEnv => ({ userLanguage: emulator.world.org.userLanguage, entity });
const user = (label: Label) => label.UserLocalizedLabel?.Label || null;
const every = (label: Label) => label.LocalizedLabels.filter((l) => l.Label !== '').map((l) => ({ language_code: l.LanguageCode, label: l.Label }));

/** The entity_metadata record the contract asks for, from the model. */
function expectedEntity(e: EntityDef): Record<string, unknown> {
  const get = (name: string) => ENTITY_PROPERTIES[name].get(e, env(e));
  return {
    logical_name: e.logicalName,
    entity_set_name: e.entitySetName,
    schema_name: get('SchemaName'),
    display_name: user(get('DisplayName') as Label),
    display_name_labels: every(get('DisplayName') as Label),
    display_collection_name: user(get('DisplayCollectionName') as Label),
    description: user(get('Description') as Label),
    primary_id_attribute: e.primaryIdAttribute,
    primary_name_attribute: e.primaryNameAttribute,
    object_type_code: e.objectTypeCode,
    is_custom_entity: get('IsCustomEntity'),
    is_activity: get('IsActivity'),
    is_intersect: get('IsIntersect'),
    ownership_type: get('OwnershipType'),
    change_tracking_enabled: e.changeTrackingEnabled,
    metadata_id: e.metadataId,
  };
}

/** The attribute_metadata record from the model, `column` aside (checked against discovery). */
function expectedAttribute(e: EntityDef, a: AttributeDef): Record<string, unknown> {
  const own = derivedTypeOf(a);
  const derived = (own && DERIVED_PROPERTIES[own]) || {};
  const get = (name: string) => ATTRIBUTE_PROPERTIES[name].get(a, env(e));
  const extra = (name: string) => (derived[name] ? derived[name].get(a, env(e)) : null);
  const raw = (v: unknown) => (v !== null && typeof v === 'object' && (JSON as any).isRawJSON(v) ? Number((v as any).rawJSON) : v);
  return {
    entity: e.logicalName,
    logical_name: a.logicalName,
    schema_name: a.schemaName,
    display_name: user(get('DisplayName') as Label),
    display_name_labels: every(get('DisplayName') as Label),
    description: user(get('Description') as Label),
    attribute_type: a.attributeType,
    attribute_type_name: a.attributeTypeName,
    is_custom_attribute: get('IsCustomAttribute'),
    is_primary_id: a.isPrimaryId,
    is_primary_name: a.isPrimaryName,
    required_level: (get('RequiredLevel') as { Value: string }).Value,
    max_length: extra('MaxLength'),
    precision: extra('Precision'),
    min_value: raw(extra('MinValue')),
    max_value: raw(extra('MaxValue')),
    format: extra('Format') === null || own === 'LookupAttributeMetadata' ? null : extra('Format'),
    date_time_behavior: (extra('DateTimeBehavior') as { Value: string } | null)?.Value ?? null,
    targets: own === 'LookupAttributeMetadata' ? (a.targets ?? []) : null,
    option_set_name: a.optionSet?.name ?? null,
    is_valid_for_read: a.isValidForRead,
    is_valid_odata_attribute: get('IsValidODataAttribute'),
    metadata_id: a.metadataId,
  };
}

describe('entities absent: every table and column of the default world', () => {
  let result: CliResult;
  beforeAll(async () => {
    emulator.log.length = 0;
    result = await read();
  });

  test('entity_metadata: every entity, field by field, with labels in 1033 and 1053', () => {
    expect(result.code).toBe(0);
    const got = records(result.messages, 'entity_metadata').map((m) => m.record.data);
    expect(got.map((r) => r.logical_name)).toEqual([...DEFAULT_ENTITY_NAMES].sort());
    const model = emulator.world.org.entities;
    expect(got).toEqual([...DEFAULT_ENTITY_NAMES].sort().map((name) => expectedEntity(model[name])));
    for (const r of got) expect(r.display_name_labels.map((l: any) => l.language_code)).toEqual(expect.arrayContaining([1033, 1053]));
    expect(got.find((r) => r.logical_name === 'account')).toMatchObject({
      display_name: 'Account',
      display_name_labels: [
        { language_code: 1033, label: 'Account' },
        { language_code: 1053, label: 'Konto' },
      ],
      display_collection_name: 'Accounts',
    });
    expect(got.find((r) => r.logical_name === 'appointment').is_activity).toBe(true);
    expect(got.find((r) => r.logical_name === 'sample_bankaccount').is_custom_entity).toBe(true);
  });

  test('attribute_metadata: every attribute, field by field (exact Int64 bounds, labels, "" as null)', () => {
    const got = records(result.messages, 'attribute_metadata').map((m) => m.record.data);
    const model = emulator.world.org.entities;
    const want = Object.values(model).flatMap((e) => e.attributes.map((a) => expectedAttribute(e, a)));
    const key = (r: Record<string, unknown>) => `${r.entity}.${r.logical_name}`;
    expect(got).toHaveLength(want.length);
    expect(new Set(got.map(key)).size).toBe(got.length);
    const byKey = (list: Record<string, unknown>[]) => Object.fromEntries(list.map((r) => [key(r), r]));
    const withoutColumn = got.map(({ column: _column, ...rest }) => rest);
    expect(byKey(withoutColumn)).toEqual(byKey(want));
    // Exact digits on the RECORD line, not a rounded double.
    const line = result.stdout.split('\n').find((l) => l.includes('"logical_name":"sample_ledgersequence"'))!;
    expect(line).toContain('"min_value":-9223372036854775808,"max_value":9223372036854775807');
    expect(byKey(got)['account.name']).toMatchObject({
      column: 'name',
      display_name: 'Account Name',
      display_name_labels: [
        { language_code: 1033, label: 'Account Name' },
        { language_code: 1053, label: 'Kontonamn' },
      ],
    });
    expect(byKey(got)['account.new_legacyimportref']).toMatchObject({ column: null, description: null });
    expect(byKey(got)['contact.lastname']).toMatchObject({ required_level: 'ApplicationRequired', max_length: 50, format: 'Text' });
    expect(byKey(got)['appointment.regardingobjectid']).toMatchObject({ column: '_regardingobjectid_value', targets: ['account', 'contact', 'opportunity'] });
  });

  test('records validate against their streams\' schemas with no extra fields', () => {
    for (const stream of STREAMS) {
      const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', `${stream}.json`), 'utf8'));
      const validate = new Ajv({ strict: false, allErrors: true }).compile({ ...schema, additionalProperties: false });
      for (const m of records(result.messages, stream)) expect(validate(m.record.data) ? [] : validate.errors).toEqual([]);
    }
  });

  test('statuses and one STATE per stream with the exact recordCount', () => {
    const model = Object.values(emulator.world.org.entities);
    for (const stream of STREAMS) expect(statuses(result.messages, stream)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(ofType(result.messages, 'STATE').map((s) => [s.state.stream.stream_descriptor.name, s.state.sourceStats.recordCount])).toEqual([
      ['entity_metadata', model.length],
      ['attribute_metadata', model.reduce((n, e) => n + e.attributes.length, 0)],
    ]);
  });

  test('two org requests for both streams: the table list and one $batch of 15 parts per table', () => {
    const org = emulator.requests('org');
    expect(org.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['GET /api/data/v9.2/EntityDefinitions', 'POST /api/data/v9.2/$batch']);
  });
});

describe('column: the entity stream\'s property, or null when entity streams leave the attribute out', () => {
  test('equals the discovered schema of every readable entity, property for property', async () => {
    // organization is its own stream, so it cannot be an entities item.
    const readable = DEFAULT_ENTITY_NAMES.filter((n) => !emulator.world.org.entities[n].readDenied && n !== 'organization');
    const config = writeJson('metadata-discover-config.json', emulator.config({ entities: [...readable] }));
    const [discovered, read] = await Promise.all([runCli(['discover', '--config', config]), runCli(['read', '--config', config, '--catalog', catalog()])]);
    expect(discovered.code).toBe(0);
    expect(read.code).toBe(0);
    const schemas = new Map<string, Record<string, unknown>>(ofType(discovered.messages, 'CATALOG')[0].catalog.streams.map((s: any) => [s.name, s.json_schema.properties]));
    const got = records(read.messages, 'attribute_metadata').map((m) => m.record.data);
    for (const name of readable) {
      const columns = got.filter((r) => r.entity === name && r.column !== null).map((r) => r.column);
      // Discovery adds derived fields beside the columns: the lookup target table and the CDC fields.
      const properties = Object.keys(schemas.get(name)!).filter((p) => !p.endsWith('__lookuplogicalname') && !p.startsWith('_ab_cdc_'));
      expect([...columns].sort()).toEqual([...properties].sort());
    }
    const byKey = Object.fromEntries(got.map((r) => [`${r.entity}.${r.logical_name}`, r.column]));
    expect(byKey).toMatchObject({
      'account.ownerid': '_ownerid_value',
      'account.owneridname': null,
      'account.entityimage_url': 'entityimage_url',
      'appointment.requiredattendees': null,
      'calendar.calendarrules': null,
      'contact.sample_outdooractivities': 'sample_outdooractivities',
      'contact.sample_outdooractivitiesname': null,
    });
  });
});

describe('entities: ["account"]', () => {
  test('only account\'s table and columns', async () => {
    const result = await read(['account']);
    expect(result.code).toBe(0);
    expect(records(result.messages, 'entity_metadata').map((m) => m.record.data.logical_name)).toEqual(['account']);
    const columns = records(result.messages, 'attribute_metadata').map((m) => m.record.data);
    expect(columns).toHaveLength(emulator.world.org.entities.account.attributes.length);
    expect(new Set(columns.map((r) => r.entity))).toEqual(new Set(['account']));
  });

  test('an unknown name is a config error naming it', async () => {
    const unknown = await read(['account', 'nosuchtable']);
    expect(unknown.code).toBe(1);
    const error = ofType(unknown.messages, 'TRACE').find((t) => t.trace.type === 'ERROR');
    expect(error?.trace.error.failure_type).toBe('config_error');
    expect(error?.trace.error.message).toContain('config entities: "nosuchtable" does not exist in');
  });
});

describe('check and failed parts', () => {
  afterEach(() => emulator.faults.clear());

  test('check reads the metadata streams too: their table list and their $batch', async () => {
    emulator.log.length = 0;
    const result = await runCli(['check', '--config', writeJson('metadata-check.json', emulator.config())]);
    expect(result.messages.map((m) => m.connectionStatus)).toEqual([{ status: 'SUCCEEDED' }]);
    const paths = emulator.requests('org').map((r) => decodeURIComponent(r.path));
    expect(paths.filter((p) => p.includes('$select=LogicalName,EntitySetName,SchemaName,DisplayName'))).toHaveLength(1);
    // picklist's $batch and attribute_metadata's.
    expect(paths.filter((p) => p.startsWith('/api/data/v9.2/$batch'))).toHaveLength(2);
  });

  test('a part the service refuses ends the read with an error naming the table; no record of the batch is written', async () => {
    emulator.faults.add({
      target: 'part',
      path: /contact'\)\/Attributes\/Microsoft\.Dynamics\.CRM\.MemoAttributeMetadata/,
      action: { kind: 'status', status: 400, body: { error: { code: '0x0', message: 'Bad part.' } } },
    });
    const result = await read();
    expect(result.code).toBe(1);
    expect(records(result.messages, 'attribute_metadata')).toHaveLength(0);
    const error = ofType(result.messages, 'TRACE').find((t) => t.trace.type === 'ERROR');
    expect(error?.trace.error.message).toContain('the column metadata of contact');
    expect(statuses(result.messages, 'attribute_metadata')).toEqual(['STARTED', 'INCOMPLETE']);
  });
});

describe('the generated 1,000-entity org, entities absent', () => {
  test('every table and column in 17 org requests: the table list and 16 $batches of at most 1,000 parts', async () => {
    const large = await startEmulator({ world: createLargeWorld({ entities: 1000, seed: 1 }) });
    try {
      const config = writeJson('metadata-large.json', large.config());
      const result = await runCli(['read', '--config', config, '--catalog', catalog()], { timeoutMs: 120_000 });
      expect(result.code).toBe(0);
      const entities = Object.values(large.world.org.entities);
      expect(records(result.messages, 'entity_metadata')).toHaveLength(entities.length);
      expect(records(result.messages, 'attribute_metadata')).toHaveLength(entities.reduce((n, e) => n + e.attributes.length, 0));
      const org = large.requests('org');
      expect(org.map((e) => `${e.method} ${e.path.split('?')[0]}`)).toEqual(['GET /api/data/v9.2/EntityDefinitions', ...Array(16).fill('POST /api/data/v9.2/$batch')]);
      expect(org.filter((e) => e.status !== 200)).toEqual([]);
    } finally {
      await large.close();
    }
  }, 150_000);
});
