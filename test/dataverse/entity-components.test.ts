import { EntityPartitionRouter, EntitySchemaLoader } from '../../connector/dataverse/entity-components';
import type { AttributeInfo, EntityInfo, EntityMetadataProvider } from '../../connector/dataverse/entity-metadata';

const attribute = (logicalName: string, attributeType: string): AttributeInfo => ({
  logicalName,
  attributeType,
  typeName: `${attributeType}Type`,
  attributeOf: null,
  isValidForRead: true,
  isValidODataAttribute: true,
});

const ACCOUNT: EntityInfo = {
  logicalName: 'account',
  entitySetName: 'accounts',
  primaryIdAttribute: 'accountid',
  changeTracking: true,
  attributes: [
    attribute('accountid', 'Uniqueidentifier'),
    attribute('name', 'String'),
    attribute('statuscode', 'Status'),
    attribute('ownerid', 'Owner'),
    attribute('primarycontactid', 'Lookup'),
    attribute('modifiedon', 'DateTime'),
  ],
};

const metadata = { entity: async () => ACCOUNT } as unknown as EntityMetadataProvider;
const constant = (value: unknown) => ({ render: () => value });

describe('EntityPartitionRouter with a selection', () => {
  const router = (formatted: boolean) => new EntityPartitionRouter(metadata, constant('account'), constant(formatted));

  test('no selected_fields: every column', async () => {
    const [p] = await router(false).partitions({});
    expect(p.select).toBe('accountid,_ownerid_value,_primarycontactid_value,modifiedon,name,statuscode');
  });

  test('selected_fields: those columns and the key; a companion field selects its column; annotations follow', async () => {
    const [p] = await router(true).partitions({ selected_fields: ['accountid', 'statuscode', 'statuscode__formatted', '_ownerid_value__lookuplogicalname'] });
    expect(p.select).toBe('accountid,_ownerid_value,statuscode');
    expect(p.formatted_columns).toEqual(['_ownerid_value', 'statuscode']);
    expect(p.lookup_columns).toEqual(['_ownerid_value']);
    expect(p.include_annotations).toBe('OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname');
    const [plain] = await router(false).partitions({ selected_fields: ['name'] });
    expect([plain.select, plain.include_annotations]).toEqual(['accountid,name', '']);
  });
});

describe('EntitySchemaLoader.linkedFields', () => {
  test("a column's companions, and on a change-tracked table modifiedon and the CDC fields", async () => {
    const loader = new EntitySchemaLoader(metadata, constant('account'), constant(true), {});
    expect(await loader.linkedFields(new Set(['name', '_ownerid_value']))).toEqual([
      '_ownerid_value__formatted',
      '_ownerid_value__lookuplogicalname',
      'name__formatted',
      'modifiedon',
      '_ab_cdc_updated_at',
      '_ab_cdc_deleted_at',
    ]);
  });
});
