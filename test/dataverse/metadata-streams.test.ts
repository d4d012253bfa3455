import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ResponseError } from '../../connector/errors';
import { parseExactJson } from '../../connector/http/exact-json';
import type { HttpRequester, Renderable } from '../../connector/http/requester';
import { attributeRecord, entityRecord } from '../../connector/dataverse/metadata-records';
import { MetadataScope } from '../../connector/dataverse/metadata-streams';

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'integration_tests', 'emulator', 'fixtures', name), 'utf8'));
const value = (v: unknown): Renderable => ({ render: () => v }) as unknown as Renderable;

describe('entityRecord', () => {
  const account = {
    ...fixture('entitydefinition-account.json').value[0],
    LogicalName: 'account',
    SchemaName: 'Account',
    PrimaryIdAttribute: 'accountid',
    PrimaryNameAttribute: 'name',
    ObjectTypeCode: 1,
    DisplayCollectionName: { LocalizedLabels: [], UserLocalizedLabel: null },
    Description: { LocalizedLabels: [{ Label: '', LanguageCode: 1033 }], UserLocalizedLabel: { Label: '', LanguageCode: 1033 } },
  };

  test('the documentation sample: labels from DisplayName, absent and "" texts as null, flags false when absent', () => {
    expect(entityRecord(account)).toEqual({
      logical_name: 'account',
      entity_set_name: 'accounts',
      schema_name: 'Account',
      display_name: 'Account',
      display_name_labels: [{ language_code: 1033, label: 'Account' }],
      display_collection_name: null,
      description: null,
      primary_id_attribute: 'accountid',
      primary_name_attribute: 'name',
      object_type_code: 1,
      is_custom_entity: false,
      is_activity: false,
      is_intersect: false,
      ownership_type: null,
      change_tracking_enabled: false,
      metadata_id: '70816501-edb9-4740-a16c-6a5efbc05d84',
    });
  });

  test.each(['LogicalName', 'EntitySetName', 'SchemaName', 'PrimaryIdAttribute', 'MetadataId'])('an item without %s is a response error, not a record', (name) => {
    expect(() => entityRecord({ ...account, [name]: undefined })).toThrow(ResponseError);
  });
});

describe('attributeRecord', () => {
  const attributes: any[] = fixture('attributes-account.json').value;
  const [accountid, ownerid] = ['accountid', 'ownerid'].map((n) => attributes.find((a) => a.LogicalName === n));

  test('column from the entity streams\' rule: _ownerid_value for the Owner, null for a shadow', () => {
    expect(attributeRecord('account', ownerid, { Targets: ['systemuser', 'team'] })).toMatchObject({ column: '_ownerid_value', targets: ['systemuser', 'team'], max_length: null });
    const shadow = { ...ownerid, LogicalName: 'owneridname', AttributeType: 'String', AttributeTypeName: { Value: 'StringType' }, AttributeOf: 'ownerid' };
    expect(attributeRecord('account', shadow, { MaxLength: 100, Format: 'Text' })).toMatchObject({ column: null, is_valid_odata_attribute: false, max_length: 100, format: 'Text' });
  });

  test('the primary key, with nothing from the casts: every derived field null', () => {
    expect(attributeRecord('account', accountid)).toMatchObject({
      entity: 'account',
      logical_name: 'accountid',
      column: 'accountid',
      is_primary_id: true,
      required_level: null,
      max_length: null,
      precision: null,
      min_value: null,
      max_value: null,
      format: null,
      date_time_behavior: null,
      targets: null,
      option_set_name: null,
    });
  });

  test('a DateOnly date, exact Int64 bounds and an option set name pass through', () => {
    const raw = (parseExactJson('{"v":9223372036854775807}') as { v: unknown }).v;
    const r = attributeRecord('contact', { ...accountid, LogicalName: 'birthdate', AttributeType: 'DateTime', AttributeTypeName: { Value: 'DateTimeType' }, IsPrimaryId: false }, {
      Format: 'DateOnly',
      DateTimeBehavior: { Value: 'DateOnly' },
      MaxValue: raw,
      OptionSet: { Name: 'x' },
    });
    expect(r).toMatchObject({ column: 'birthdate', format: 'DateOnly', date_time_behavior: 'DateOnly', option_set_name: 'x' });
    expect(JSON.stringify(r.max_value)).toBe('9223372036854775807');
  });
});

describe('MetadataScope', () => {
  const names = ['msdyn_b', 'account', 'msdyn_a', 'contact'];
  const requester = { send: async () => ({ body: { value: names.map((LogicalName) => ({ LogicalName })) } }) } as unknown as HttpRequester;
  const scope = (selection: unknown) => new MetadataScope(value(selection), requester, { orgUrl: 'https://contoso.crm.dynamics.com' } as any);
  const of = async (selection: unknown) => (await scope(selection).definitions({})).map((d) => d.LogicalName);

  test.each<[unknown, string[]]>([
    [undefined, ['account', 'contact', 'msdyn_a', 'msdyn_b']],
    [[], ['account', 'contact', 'msdyn_a', 'msdyn_b']],
    [['*'], ['account', 'contact', 'msdyn_a', 'msdyn_b']],
    [['msdyn_*'], ['msdyn_a', 'msdyn_b']],
    [['Contact', 'account'], ['account', 'contact']],
    [['msdyn_*', 'msdyn_a'], ['msdyn_a', 'msdyn_b']],
    [['nothing_*'], []],
  ])('%j -> %j', async (selection, expected) => {
    expect(await of(selection)).toEqual(expected);
  });

  test('an exact name that is not a table is a config error naming it', async () => {
    await expect(of(['account', 'nosuch'])).rejects.toThrow(new ConfigError('config entities: "nosuch" does not exist in https://contoso.crm.dynamics.com; use table logical names (e.g. account, opportunity)'));
  });

  test('both streams share one request', async () => {
    let sent = 0;
    const counting = { send: async () => (sent++, { body: { value: [] } }) } as unknown as HttpRequester;
    const shared = new MetadataScope(value(undefined), counting, { orgUrl: 'x' } as any);
    await Promise.all([shared.definitions({}), shared.definitions({})]);
    expect(sent).toBe(1);
  });

  test('an answer without a value list is a response error', async () => {
    const bad = { send: async () => ({ body: {} }) } as unknown as HttpRequester;
    await expect(new MetadataScope(value(undefined), bad, { orgUrl: 'x' } as any).definitions({})).rejects.toThrow(ResponseError);
  });
});
