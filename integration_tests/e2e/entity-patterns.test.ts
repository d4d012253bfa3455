/**
 * `entities` patterns end to end: `*` and globs expanded against the org's EntityDefinitions (one
 * unfiltered listing), a table named and matched is one stream, a pattern matching nothing and a
 * repeated item are config errors, and `*` on a 1,000-entity org discovers every table in a
 * bounded number of requests.
 */
import { createLargeWorld, startEmulator, type Emulator } from '../emulator';
import { STATIC_STREAMS } from '../helpers/streams';
import { ofType, runCli, writeJson, type CliResult } from '../helpers/cli';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

function discover(on: Emulator, entities: string[]): Promise<CliResult> {
  return runCli(['discover', '--config', writeJson(`patterns-config-${Math.random()}.json`, on.config({ entities }))], { timeoutMs: 120_000 });
}

const streamNames = (result: CliResult): string[] => ofType(result.messages, 'CATALOG')[0].catalog.streams.map((s: { name: string }) => s.name);
const traceError = (result: CliResult): string => ofType(result.messages, 'TRACE').find((m) => m.trace.type === 'ERROR')?.trace.error.message;
/** The org's tables with an entity set, sorted; organization has its own stream. */
const tablesOf = (on: Emulator, prefix = ''): string[] =>
  Object.values(on.world.org.entities)
    .filter((e) => e.entitySetName && e.logicalName.startsWith(prefix) && e.logicalName !== 'organization')
    .map((e) => e.logicalName)
    .sort();

describe('entities patterns on the default org', () => {
  test('"*" is every table with an entity set but organization (its own stream), each with its schema', async () => {
    emulator.log.length = 0;
    const result = await discover(emulator, ['*']);
    expect(result.code).toBe(0);
    const tables = tablesOf(emulator);
    expect(tables.length).toBeGreaterThan(5);
    expect(streamNames(result)).toEqual([...STATIC_STREAMS, ...tables]);
    for (const stream of ofType(result.messages, 'CATALOG')[0].catalog.streams.slice(STATIC_STREAMS.length)) {
      const key = emulator.world.org.entities[stream.name].primaryIdAttribute;
      expect(stream.source_defined_primary_key).toEqual([[key]]);
      expect(Object.keys(stream.json_schema.properties)[0]).toBe(key);
    }
    // One unfiltered listing stands in for the filtered definitions; then one $batch of attributes.
    expect(emulator.requests('org').map((e) => `${e.method} ${decodeURIComponent(e.path)}`)).toEqual([
      'GET /api/data/v9.2/EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,ObjectTypeCode,ChangeTrackingEnabled',
      'POST /api/data/v9.2/$batch',
    ]);
  });

  test('a glob next to an exact name it matches: the table once, where the exact name is', async () => {
    const result = await discover(emulator, ['contact', 'a*', 'account']);
    expect(result.code).toBe(0);
    const matched = tablesOf(emulator, 'a').filter((t) => t !== 'account');
    expect(matched.length).toBeGreaterThan(0);
    expect(streamNames(result)).toEqual([...STATIC_STREAMS, 'contact', ...matched, 'account']);
  });

  test('overlapping patterns: each table once, in the order first matched', async () => {
    const result = await discover(emulator, ['sample_*', '*']);
    expect(result.code).toBe(0);
    const first = tablesOf(emulator, 'sample_');
    expect(streamNames(result)).toEqual([...STATIC_STREAMS, ...first, ...tablesOf(emulator).filter((t) => !first.includes(t))]);
  });

  test('a pattern that matches nothing is a config error naming it, before any page', async () => {
    emulator.log.length = 0;
    const result = await discover(emulator, ['account', 'msdyn_*']);
    expect(result.code).toBe(1);
    expect(traceError(result)).toBe(
      `config field "entities.1" is "msdyn_*", which matches no table in ${emulator.orgUrl}: patterns match table logical names (e.g. "msdyn_*" for the tables whose names start with msdyn_); correct the pattern or remove it`,
    );
    expect(emulator.requests('org').map((e) => e.path.split('?')[0])).toEqual(['/api/data/v9.2/EntityDefinitions']);
  });

  test('an unknown exact name next to a pattern: the usual unknown-entity error', async () => {
    const result = await discover(emulator, ['nosuchtable', 'a*']);
    expect(result.code).toBe(1);
    expect(traceError(result)).toBe(`config entities: "nosuchtable" does not exist in ${emulator.orgUrl}; use table logical names (e.g. account, opportunity)`);
  });

  test('the same pattern twice is refused, naming both items, with no request', async () => {
    emulator.log.length = 0;
    const result = await discover(emulator, ['a*', 'account', 'a*']);
    expect(result.code).toBe(1);
    expect(traceError(result)).toBe('config field "entities.2" repeats "a*" (already entities.0): list each name in entities once');
    expect(emulator.requests('org')).toEqual([]);
  });

  test('organization named exactly next to a pattern: the existing own-stream error', async () => {
    const result = await discover(emulator, ['*', 'organization']);
    expect(result.code).toBe(1);
    expect(traceError(result)).toContain('config field "entities.1" is "organization", which is the name of this source\'s organization stream');
  });
});

describe('check with patterns', () => {
  test('the exact names are read, the matched tables only listed: SUCCEEDED though c* matches a table the role cannot read', async () => {
    expect(emulator.world.org.entities.competitor.readDenied).toBe(true);
    emulator.log.length = 0;
    const result = await runCli(['check', '--config', writeJson(`patterns-check-${Math.random()}.json`, emulator.config({ entities: ['account', 'c*'] }))]);
    expect(result.messages.map((m) => m.connectionStatus)).toEqual([{ status: 'SUCCEEDED' }]);
    const definitions = emulator.requests('org').filter((e) => e.path.startsWith('/api/data/v9.2/EntityDefinitions?'));
    // The pattern's listing (which also serves the definitions: no filtered request), the picklist
    // stream's own, and the metadata streams' (their own columns of the tables in scope).
    expect(definitions.map((e) => decodeURIComponent(e.path))).toEqual([
      '/api/data/v9.2/EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,ObjectTypeCode,ChangeTrackingEnabled',
      '/api/data/v9.2/EntityDefinitions?$select=LogicalName',
      '/api/data/v9.2/EntityDefinitions?$select=LogicalName,EntitySetName,SchemaName,DisplayName,DisplayCollectionName,Description,PrimaryIdAttribute,PrimaryNameAttribute,ObjectTypeCode,IsCustomEntity,IsActivity,IsIntersect,OwnershipType,ChangeTrackingEnabled',
    ]);
    const paths = emulator.requests('org').map((e) => e.path.split('?')[0]);
    expect(paths.filter((p) => /\/(accounts|competitors|contacts|calendars)$/.test(p))).toEqual(['/api/data/v9.2/accounts']);
  });

  test('a pattern matching nothing: FAILED naming it', async () => {
    const result = await runCli(['check', '--config', writeJson(`patterns-check-${Math.random()}.json`, emulator.config({ entities: ['zz_*'] }))]);
    expect(result.messages.map((m) => m.connectionStatus)).toEqual([
      {
        status: 'FAILED',
        message: `config field "entities.0" is "zz_*", which matches no table in ${emulator.orgUrl}: patterns match table logical names (e.g. "msdyn_*" for the tables whose names start with msdyn_); correct the pattern or remove it`,
      },
    ]);
  });
});

describe('"*" on the generated 1,000-entity org', () => {
  let large: Emulator;
  beforeAll(async () => {
    large = await startEmulator({ world: createLargeWorld({ entities: 1000, seed: 3 }) });
  }, 60_000);
  afterAll(() => large.close());

  test('every table with its schema, in 5 requests: the listing and 4 $batches of 333 entities', async () => {
    const result = await discover(large, ['*']);
    expect(result.code).toBe(0);
    const tables = tablesOf(large);
    // Every entity of the generated org has an entity set; it has no organization table.
    expect(tables).toHaveLength(1000);
    expect(streamNames(result)).toEqual([...STATIC_STREAMS, ...tables]);
    const streams = ofType(result.messages, 'CATALOG')[0].catalog.streams.slice(STATIC_STREAMS.length);
    expect(streams.filter((s: { json_schema: { properties?: object } }) => Object.keys(s.json_schema.properties ?? {}).length > 0)).toHaveLength(tables.length);
    const org = large.requests('org');
    expect(org.map((e) => `${e.method} ${e.path.split('?')[0]}`)).toEqual([
      'GET /api/data/v9.2/EntityDefinitions',
      'POST /api/data/v9.2/$batch',
      'POST /api/data/v9.2/$batch',
      'POST /api/data/v9.2/$batch',
      'POST /api/data/v9.2/$batch',
    ]);
    expect(org.map((e) => e.inner?.length ?? 0)).toEqual([0, 999, 999, 999, 3 * (tables.length - 999)]);
  }, 150_000);
});
