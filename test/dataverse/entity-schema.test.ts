import { columnOf, columnsOf, entitySchema, leftOut } from '../../connector/dataverse/entity-schema';
import type { AttributeInfo } from '../../connector/dataverse/entity-metadata';

const attr = (logicalName: string, attributeType: string, typeName = `${attributeType}Type`, extra: Partial<AttributeInfo> = {}): AttributeInfo => ({
  logicalName,
  attributeType,
  typeName,
  attributeOf: null,
  isValidForRead: true,
  isValidODataAttribute: extra.attributeOf === undefined || extra.attributeOf === null,
  ...extra,
});

describe('columnOf: every AttributeType has a stated mapping', () => {
  test.each<[string, AttributeInfo, string, unknown, boolean]>([
    ['Uniqueidentifier', attr('accountid', 'Uniqueidentifier'), 'accountid', { type: ['string', 'null'] }, false],
    ['String', attr('name', 'String'), 'name', { type: ['string', 'null'] }, false],
    ['Memo', attr('description', 'Memo'), 'description', { type: ['string', 'null'] }, false],
    ['EntityName', attr('objecttypecode', 'EntityName'), 'objecttypecode', { type: ['string', 'null'] }, false],
    ['Integer', attr('n', 'Integer'), 'n', { type: ['integer', 'null'] }, false],
    ['BigInt', attr('versionnumber', 'BigInt'), 'versionnumber', { type: ['integer', 'null'] }, false],
    ['Decimal', attr('rate', 'Decimal'), 'rate', { type: ['number', 'null'] }, false],
    ['Double', attr('lon', 'Double'), 'lon', { type: ['number', 'null'] }, false],
    ['Money', attr('revenue', 'Money'), 'revenue', { type: ['number', 'null'] }, false],
    ['Boolean', attr('creditonhold', 'Boolean'), 'creditonhold', { type: ['boolean', 'null'] }, true],
    ['Picklist', attr('industrycode', 'Picklist'), 'industrycode', { type: ['integer', 'null'] }, true],
    ['State', attr('statecode', 'State'), 'statecode', { type: ['integer', 'null'] }, true],
    ['Status', attr('statuscode', 'Status'), 'statuscode', { type: ['integer', 'null'] }, true],
    ['MultiSelectPicklist', attr('tags', 'Virtual', 'MultiSelectPicklistType'), 'tags', { type: ['string', 'null'] }, true],
    ['Lookup', attr('transactioncurrencyid', 'Lookup'), '_transactioncurrencyid_value', { type: ['string', 'null'] }, true],
    ['Customer', attr('customerid', 'Customer'), '_customerid_value', { type: ['string', 'null'] }, true],
    ['Owner', attr('ownerid', 'Owner'), '_ownerid_value', { type: ['string', 'null'] }, true],
    ['DateTime UserLocal', attr('modifiedon', 'DateTime', 'DateTimeType', { dateTimeBehavior: 'UserLocal', format: 'DateAndTime' }), 'modifiedon', { type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' }, false],
    ['DateTime DateOnly', attr('birthdate', 'DateTime', 'DateTimeType', { dateTimeBehavior: 'DateOnly', format: 'DateOnly' }), 'birthdate', { type: ['string', 'null'], format: 'date' }, false],
    // The behavior alone decides (facts §9): UserLocal with display Format DateOnly carries timestamps.
    ['DateTime UserLocal shown as DateOnly', attr('new_displaydate', 'DateTime', 'DateTimeType', { dateTimeBehavior: 'UserLocal', format: 'DateOnly' }), 'new_displaydate', { type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' }, false],
    ['DateTime TimeZoneIndependent shown as DateOnly', attr('new_day', 'DateTime', 'DateTimeType', { dateTimeBehavior: 'TimeZoneIndependent', format: 'DateOnly' }), 'new_day', { type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' }, false],
    ['entityimage_url (AttributeOf entityimage, an OData property)', attr('entityimage_url', 'String', 'StringType', { attributeOf: 'entityimage', isValidODataAttribute: true }), 'entityimage_url', { type: ['string', 'null'] }, false],
    ['ManagedProperty', attr('iscustomizable', 'ManagedProperty'), 'iscustomizable', expect.objectContaining({ type: ['object', 'null'] }), false],
  ])('%s', (_name, attribute, property, schema, formatted) => {
    expect(leftOut(attribute)).toBeUndefined();
    const column = columnOf(attribute);
    expect(column.property).toBe(property);
    expect(column.schema).toEqual(schema);
    expect(column.formatted).toBe(formatted);
  });

  test.each<[string, AttributeInfo, string]>([
    ['shadow name column', attr('industrycodename', 'Virtual', 'VirtualType', { attributeOf: 'industrycode' }), 'shadow of industrycode, not a Web API property'],
    ['lookup shadow', attr('owneridname', 'String', 'StringType', { attributeOf: 'ownerid' }), 'shadow of ownerid, not a Web API property'],
    ['readable but not an OData property', attr('new_legacyimportref', 'String', 'StringType', { isValidODataAttribute: false }), 'not a Web API property'],
    ['plain Virtual', attr('new_calc', 'Virtual', 'VirtualType'), 'virtual'],
    ['Image', attr('entityimage', 'Virtual', 'ImageType'), 'image and file columns need separate downloads'],
    ['File', attr('contract', 'Virtual', 'FileType'), 'image and file columns need separate downloads'],
    ['PartyList', attr('to', 'PartyList'), 'party lists are a relationship, not a column'],
    ['CalendarRules', attr('calendarrules', 'CalendarRules'), 'calendar rules are a relationship, not a column'],
    ['not readable', attr('secret', 'String', 'StringType', { isValidForRead: false }), 'not valid for read'],
  ])('%s is left out', (_name, attribute, reason) => {
    expect(leftOut(attribute)).toBe(reason);
  });
});

test('entitySchema: key first and required, __formatted only when asked, CDC fields for change-tracked entities', () => {
  const entity = {
    logicalName: 'account',
    entitySetName: 'accounts',
    primaryIdAttribute: 'accountid',
    changeTracking: true,
    attributes: [attr('name', 'String'), attr('accountid', 'Uniqueidentifier'), attr('industrycode', 'Picklist'), attr('industrycodename', 'Virtual', 'VirtualType', { attributeOf: 'industrycode' })],
  };
  const plain = entitySchema(entity, false);
  expect(Object.keys(plain.properties as object)).toEqual(['accountid', 'industrycode', 'name', '_ab_cdc_updated_at', '_ab_cdc_deleted_at']);
  expect(plain.required).toEqual(['accountid']);
  expect((plain.properties as any).accountid).toEqual({ type: 'string' });
  const formatted = entitySchema({ ...entity, changeTracking: false }, true);
  expect(Object.keys(formatted.properties as object)).toEqual(['accountid', 'industrycode', 'industrycode__formatted', 'name']);
});

describe('polymorphic lookups get <property>__lookuplogicalname, always', () => {
  test.each<[string, AttributeInfo, boolean]>([
    ['Owner', attr('ownerid', 'Owner', 'OwnerType', { targets: ['systemuser', 'team'] }), true],
    ['Customer', attr('customerid', 'Customer', 'CustomerType', { targets: ['account', 'contact'] }), true],
    ['Customer without Targets in the answer', attr('customerid', 'Customer'), true],
    ['Lookup with two Targets', attr('regardingobjectid', 'Lookup', 'LookupType', { targets: ['account', 'contact'] }), true],
    ['Lookup with one Target', attr('transactioncurrencyid', 'Lookup', 'LookupType', { targets: ['transactioncurrency'] }), false],
    ['Lookup without Targets', attr('parentid', 'Lookup'), false],
  ])('%s: %s', (_name, attribute, polymorphic) => {
    expect(columnOf(attribute).lookupTarget).toBe(polymorphic);
    const schema = entitySchema({ logicalName: 'x', entitySetName: 'xs', primaryIdAttribute: 'xid', changeTracking: false, attributes: [attr('xid', 'Uniqueidentifier'), attribute] }, false);
    const field = `_${attribute.logicalName}_value__lookuplogicalname`;
    expect((schema.properties as Record<string, unknown>)[field]).toEqual(polymorphic ? { type: ['string', 'null'] } : undefined);
  });

  test('columnsOf lists the lookup once (the target field is no column of its own)', () => {
    const columns = columnsOf({ logicalName: 'x', entitySetName: 'xs', primaryIdAttribute: 'xid', changeTracking: false, attributes: [attr('xid', 'Uniqueidentifier'), attr('ownerid', 'Owner')] });
    expect(columns.map((c) => [c.property, c.lookupTarget])).toEqual([['xid', false], ['_ownerid_value', true]]);
  });
});
