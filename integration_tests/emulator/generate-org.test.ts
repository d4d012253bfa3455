/** Generated large orgs: determinism, shape, cost, and serving one through the emulator. */
import { LARGE_ORG_GLOBAL_OPTION_SETS, createLargeWorld, generateLargeOrg } from './generate-org';
import { startEmulator } from './index';
import type { EntityDef, OptionSetDef } from './model';
import { fetchToken, json } from './testing';

const optionSetColumns = (e: EntityDef) => e.attributes.filter((a) => a.optionSet);

describe('generateLargeOrg', () => {
  it('is deterministic: same seed, same org; another seed, another org', () => {
    const a = generateLargeOrg({ entities: 50, seed: 7 });
    expect(generateLargeOrg({ entities: 50, seed: 7 })).toEqual(a);
    const b = generateLargeOrg({ entities: 50, seed: 8 });
    expect(Object.keys(b.entities)).not.toEqual(Object.keys(a.entities));
  });

  it('generates 1,000 entities', () => {
    // Its speed (about 0.2 s) is measured by npm run bench, not asserted in a test on a shared CI core.
    const org = generateLargeOrg({ entities: 1000, seed: 1 });
    expect(Object.keys(org.entities)).toHaveLength(1000);
  });

  const org = generateLargeOrg({ entities: 300, seed: 3 });
  const entities = Object.values(org.entities);

  it('has the requested number of uniquely named entities, custom OTCs, change tracking on most', () => {
    expect(entities).toHaveLength(300);
    expect(new Set(entities.map((e) => e.entitySetName)).size).toBe(300);
    expect(entities.every((e) => e.objectTypeCode >= 10000)).toBe(true);
    const tracked = entities.filter((e) => e.changeTrackingEnabled).length;
    expect(tracked).toBeGreaterThan(300 * 0.65);
    expect(tracked).toBeLessThan(300);
  });

  it('every entity: statecode with 2 states, statuscode with 2-6 statuses over them, audit and owner columns', () => {
    for (const e of entities) {
      const state = e.attributes.find((a) => a.logicalName === 'statecode')!;
      const status = e.attributes.find((a) => a.logicalName === 'statuscode')!;
      expect(state.optionSet!.options.map((o) => [o.value, o.defaultStatus])).toEqual([
        [0, 1],
        [1, 2],
      ]);
      const statuses = status.optionSet!.options;
      expect(statuses.length).toBeGreaterThanOrEqual(2);
      expect(statuses.length).toBeLessThanOrEqual(6);
      expect(statuses.slice(0, 2).map((o) => o.state)).toEqual([0, 1]);
      expect(statuses.every((o) => o.state === 0 || o.state === 1)).toBe(true);
      for (const name of ['createdon', 'modifiedon', 'ownerid', 'owneridtype', e.primaryIdAttribute, e.primaryNameAttribute]) {
        expect(e.attributes.some((a) => a.logicalName === name)).toBe(true);
      }
    }
  });

  it('local picklists have 3-30 options and a Virtual name shadow; 0-6 per entity; 0-2 Booleans; some multi-selects', () => {
    const counts = { multi: 0, maxPicklists: 0, maxBooleans: 0 };
    for (const e of entities) {
      const local = e.attributes.filter((a) => a.attributeType === 'Picklist' && !a.optionSet!.isGlobal);
      counts.maxPicklists = Math.max(counts.maxPicklists, local.length);
      expect(local.length).toBeLessThanOrEqual(6);
      for (const p of local) {
        expect(p.optionSet!.options.length).toBeGreaterThanOrEqual(3);
        expect(p.optionSet!.options.length).toBeLessThanOrEqual(30);
        expect(e.attributes.find((a) => a.attributeOf === p.logicalName)).toMatchObject({ attributeType: 'Virtual', logicalName: `${p.logicalName}name` });
      }
      const booleans = e.attributes.filter((a) => a.attributeType === 'Boolean');
      counts.maxBooleans = Math.max(counts.maxBooleans, booleans.length);
      for (const b of booleans) expect(b.optionSet!.options.map((o) => o.value)).toEqual([0, 1]);
      if (e.attributes.some((a) => a.attributeTypeName === 'MultiSelectPicklistType')) counts.multi++;
    }
    expect(counts).toMatchObject({ maxPicklists: 6, maxBooleans: 2 });
    expect(counts.multi).toBeGreaterThan(30);
    expect(counts.multi).toBeLessThan(150);
  });

  it(`shares a pool of ${LARGE_ORG_GLOBAL_OPTION_SETS} global option sets by reference`, () => {
    expect(Object.keys(org.globalOptionSets)).toHaveLength(LARGE_ORG_GLOBAL_OPTION_SETS);
    const pool = new Set<OptionSetDef>(Object.values(org.globalOptionSets));
    const used = entities.flatMap((e) => optionSetColumns(e).filter((a) => a.optionSet!.isGlobal));
    expect(used.length).toBeGreaterThan(100);
    for (const a of used) expect(pool.has(a.optionSet!)).toBe(true);
  });

  it('labels come in 1-3 languages, the user language always among them', () => {
    const languageCounts = new Set<number>();
    for (const e of entities) {
      for (const a of optionSetColumns(e)) {
        for (const o of a.optionSet!.options) {
          const langs = Object.keys(o.labels).map(Number);
          languageCounts.add(langs.length);
          expect(langs).toContain(org.userLanguage);
        }
      }
    }
    expect([...languageCounts].sort()).toEqual([1, 2, 3]);
    const custom = generateLargeOrg({ entities: 5, seed: 3, languages: [1036] });
    expect(custom.userLanguage).toBe(1036);
    expect(Object.values(custom.entities).every((e) => optionSetColumns(e).every((a) => a.optionSet!.options.every((o) => Object.keys(o.labels).join() === '1036')))).toBe(true);
  });

  it('covers ordinary column types too (dates of all three behaviours, lookups, money)', () => {
    const all = entities.flatMap((e) => e.attributes);
    for (const behavior of ['UserLocal', 'DateOnly', 'TimeZoneIndependent']) expect(all.some((a) => a.dateTimeBehavior === behavior)).toBe(true);
    for (const type of ['String', 'Integer', 'Decimal', 'Double', 'Memo', 'BigInt', 'Lookup', 'Money', 'Owner', 'EntityName', 'Uniqueidentifier']) {
      expect(all.some((a) => a.attributeType === type)).toBe(true);
    }
  });
});

describe('createLargeWorld served by the emulator', () => {
  it('lists every entity in one response and answers picklist casts from the generated sets', async () => {
    const world = createLargeWorld({ entities: 200, seed: 11 });
    const emu = await startEmulator({ world });
    try {
      const token = await fetchToken(emu);
      const get = async (path: string) => {
        const res = await fetch(`${emu.orgUrl}/api/data/v9.2/${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        return json(res);
      };
      const list = await get('EntityDefinitions?$select=LogicalName,ChangeTrackingEnabled');
      expect(list.value.map((e: any) => e.LogicalName)).toEqual(Object.keys(world.org.entities));
      const tracked = await get('EntityDefinitions?$select=LogicalName&$filter=ChangeTrackingEnabled%20eq%20true');
      expect(tracked.value).toHaveLength(Object.values(world.org.entities).filter((e) => e.changeTrackingEnabled).length);
      const sample = Object.values(world.org.entities)[5];
      const picklists = await get(`EntityDefinitions(LogicalName='${sample.logicalName}')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Name,IsGlobal,Options)`);
      const expected = sample.attributes.filter((a) => a.attributeTypeName === 'PicklistType');
      expect(picklists.value.map((a: any) => [a.LogicalName, a.OptionSet.Name, a.OptionSet.IsGlobal, a.OptionSet.Options.length])).toEqual(
        expected.map((a) => [a.logicalName, a.optionSet!.name, a.optionSet!.isGlobal, a.optionSet!.options.length]),
      );
      const status = await get(`EntityDefinitions(LogicalName='${sample.logicalName}')/Attributes/Microsoft.Dynamics.CRM.StatusAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)`);
      expect(status.value[0].OptionSet.Options.map((o: any) => [o.Value, o.State])).toEqual(
        sample.attributes.find((a) => a.logicalName === 'statuscode')!.optionSet!.options.map((o) => [o.value, o.state]),
      );
      const globals = await get('GlobalOptionSetDefinitions?$select=Name');
      expect(globals.value).toHaveLength(LARGE_ORG_GLOBAL_OPTION_SETS);
    } finally {
      await emu.close();
    }
  });
});
