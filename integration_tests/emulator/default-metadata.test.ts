/** The default world's metadata: coverage of every attribute type of facts §4, and the exported constants. */
import {
  DEFAULT_CHANGE_TRACKED_ENTITIES,
  DEFAULT_ENTITY_NAMES,
  DEFAULT_GLOBAL_OPTION_SETS,
  DEFAULT_MULTILANGUAGE_COLUMNS,
  DEFAULT_PICKLIST_OPTION_COUNTS,
  DEFAULT_PICKLIST_OPTION_TOTAL,
  DEFAULT_READ_DENIED_ENTITY,
  createDefaultMetadata,
} from './default-metadata';
import { ENUM_MEMBERS } from './metadata-catalog';
import { TYPE_CODE_OF } from './metadata-builders';
import { createDefaultWorld } from './world';

const org = createDefaultWorld().org;
const entities = Object.values(org.entities);
const attributes = entities.flatMap((e) => e.attributes.map((a) => ({ entity: e.logicalName, ...a })));
const find = (entity: string, attribute: string) => org.entities[entity].attributes.find((a) => a.logicalName === attribute)!;

/** facts §4's lists. */
const ATTRIBUTE_TYPES = ['Boolean', 'Customer', 'DateTime', 'Decimal', 'Double', 'Integer', 'Lookup', 'Memo', 'Money', 'Owner', 'PartyList', 'Picklist', 'State', 'Status', 'String', 'Uniqueidentifier', 'CalendarRules', 'Virtual', 'BigInt', 'ManagedProperty', 'EntityName'];
const ATTRIBUTE_TYPE_NAMES = ['BigIntType', 'BooleanType', 'CalendarRulesType', 'CustomerType', 'DateTimeType', 'DecimalType', 'DoubleType', 'EntityNameType', 'FileType', 'ImageType', 'IntegerType', 'LookupType', 'ManagedPropertyType', 'MemoType', 'MoneyType', 'MultiSelectPicklistType', 'OwnerType', 'PartyListType', 'PicklistType', 'StateType', 'StatusType', 'StringType', 'UniqueidentifierType', 'VirtualType'];

describe('default world metadata', () => {
  it('the lists of facts §4 are the ones the emulator knows', () => {
    expect([...ENUM_MEMBERS['Microsoft.Dynamics.CRM.AttributeTypeCode']].sort()).toEqual([...ATTRIBUTE_TYPES].sort());
    expect(Object.keys(TYPE_CODE_OF).sort()).toEqual([...ATTRIBUTE_TYPE_NAMES].sort());
  });

  it.each(ATTRIBUTE_TYPES)('has an attribute of AttributeType %s', (type) => {
    expect(attributes.some((a) => a.attributeType === type)).toBe(true);
  });

  it.each(ATTRIBUTE_TYPE_NAMES)('has an attribute of AttributeTypeName %s, with the AttributeType facts §4 pairs it with', (typeName) => {
    const matching = attributes.filter((a) => a.attributeTypeName === typeName);
    expect(matching.length).toBeGreaterThan(0);
    for (const a of matching) expect(a.attributeType).toBe(TYPE_CODE_OF[typeName]);
  });

  it('Image, File and MultiSelectPicklist columns are AttributeType Virtual', () => {
    expect(find('account', 'entityimage').attributeType).toBe('Virtual');
    expect(find('account', 'new_contract').attributeType).toBe('Virtual');
    expect(find('account', 'new_tags').attributeType).toBe('Virtual');
  });

  it('has DateOnly, TimeZoneIndependent and UserLocal DateTime columns; createdon and modifiedon are UserLocal on every entity', () => {
    expect([find('contact', 'birthdate').dateTimeBehavior, find('contact', 'birthdate').format]).toEqual(['DateOnly', 'DateOnly']);
    expect([find('opportunity', 'estimatedclosedate').dateTimeBehavior, find('opportunity', 'estimatedclosedate').format]).toEqual(['DateOnly', 'DateOnly']);
    expect([find('contact', 'new_lastsyncedon').dateTimeBehavior, find('contact', 'new_lastsyncedon').format]).toEqual(['TimeZoneIndependent', 'DateAndTime']);
    for (const e of entities) {
      for (const name of ['createdon', 'modifiedon']) {
        const a = e.attributes.find((x) => x.logicalName === name);
        expect([e.logicalName, a?.attributeType, a?.dateTimeBehavior, a?.format]).toEqual([e.logicalName, 'DateTime', 'UserLocal', 'DateAndTime']);
      }
    }
  });

  it('lookups, Customer, Owner and PartyList columns name their targets', () => {
    for (const a of attributes.filter((x) => ['Lookup', 'Customer', 'Owner', 'PartyList'].includes(x.attributeType))) {
      expect([a.entity, a.logicalName, (a.targets ?? []).length > 0]).toEqual([a.entity, a.logicalName, true]);
    }
    expect(find('contact', 'parentcustomerid').targets).toEqual(['account', 'contact']);
  });

  it('Money columns come with exchangerate and transactioncurrencyid on their entity', () => {
    for (const e of entities.filter((x) => x.attributes.some((a) => a.attributeType === 'Money'))) {
      expect([e.logicalName, e.attributes.some((a) => a.logicalName === 'exchangerate'), e.attributes.some((a) => a.logicalName === 'transactioncurrencyid')]).toEqual([e.logicalName, true, true]);
    }
  });

  it('shadow columns name the column they belong to; Virtual "...name" shadows exist', () => {
    expect(find('account', 'industrycodename')).toMatchObject({ attributeType: 'Virtual', attributeTypeName: 'VirtualType', attributeOf: 'industrycode' });
    expect(find('contact', 'sample_outdooractivitiesname')).toMatchObject({ attributeType: 'Virtual', attributeOf: 'sample_outdooractivities' });
    expect(find('account', 'owneridtype')).toMatchObject({ attributeType: 'EntityName', attributeOf: 'ownerid' });
  });

  it('every entity has exactly one primary id and one primary name, both named by the entity', () => {
    for (const e of entities) {
      expect(e.attributes.filter((a) => a.isPrimaryId).map((a) => a.logicalName)).toEqual([e.primaryIdAttribute]);
      expect(e.attributes.filter((a) => a.isPrimaryName).map((a) => a.logicalName)).toEqual([e.primaryNameAttribute]);
    }
  });

  it('attribute MetadataIds are unique', () => {
    const ids = attributes.map((a) => a.metadataId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('DEFAULT_ENTITY_NAMES, DEFAULT_CHANGE_TRACKED_ENTITIES and DEFAULT_READ_DENIED_ENTITY describe the world', () => {
    expect(Object.keys(org.entities)).toEqual([...DEFAULT_ENTITY_NAMES]);
    expect(entities.filter((e) => e.changeTrackingEnabled).map((e) => e.logicalName)).toEqual([...DEFAULT_CHANGE_TRACKED_ENTITIES]);
    expect(entities.filter((e) => e.readDenied).map((e) => e.logicalName)).toEqual([DEFAULT_READ_DENIED_ENTITY]);
    expect(Object.keys(org.globalOptionSets)).toEqual([...DEFAULT_GLOBAL_OPTION_SETS]);
    expect(org.userLanguage).toBe(1033);
  });

  it('DEFAULT_PICKLIST_OPTION_COUNTS lists every option-set column with its option count', () => {
    const actual: Record<string, number> = {};
    for (const a of attributes) if (a.optionSet) actual[`${a.entity}.${a.logicalName}`] = a.optionSet.options.length;
    expect(actual).toEqual(DEFAULT_PICKLIST_OPTION_COUNTS);
    expect(DEFAULT_PICKLIST_OPTION_TOTAL).toBe(111);
    const kinds = new Set(attributes.filter((a) => a.optionSet).map((a) => a.attributeTypeName));
    expect([...kinds].sort()).toEqual(['BooleanType', 'MultiSelectPicklistType', 'PicklistType', 'StateType', 'StatusType']);
  });

  it('Boolean sets have exactly the values 0 and 1; Status options name a State value of their entity', () => {
    for (const a of attributes.filter((x) => x.attributeType === 'Boolean')) expect(a.optionSet!.options.map((o) => o.value).sort()).toEqual([0, 1]);
    for (const e of entities) {
      const states = e.attributes.find((a) => a.attributeType === 'State')?.optionSet?.options.map((o) => o.value) ?? [];
      for (const o of e.attributes.find((a) => a.attributeType === 'Status')?.optionSet?.options ?? []) expect(states).toContain(o.state);
    }
  });

  it('DEFAULT_MULTILANGUAGE_COLUMNS have labels in 1033 and 1031 on every option; industrycode keeps its one language', () => {
    for (const column of DEFAULT_MULTILANGUAGE_COLUMNS) {
      const [entity, attribute] = column.split('.');
      for (const o of find(entity, attribute).optionSet!.options) expect(Object.keys(o.labels)).toEqual(['1031', '1033']);
    }
    expect(find('account', 'industrycode').optionSet!.options.every((o) => Object.keys(o.labels).join() === '1033')).toBe(true);
  });

  it('a global set is shared by reference; GlobalOptionSet of a local set is the set itself', () => {
    expect(find('contact', 'new_syncstate').optionSet).toBe(org.globalOptionSets.test_sync_states);
    expect(find('sample_bankaccount', 'sample_colors').optionSet).toBe(org.globalOptionSets.sample_colors);
  });

  it('each call builds a fresh copy (tests may mutate theirs)', () => {
    const a = createDefaultMetadata();
    const b = createDefaultMetadata();
    expect(a).toEqual(b);
    a.entities.account.attributes.pop();
    expect(b.entities.account.attributes).toHaveLength(a.entities.account.attributes.length + 1);
  });
});
