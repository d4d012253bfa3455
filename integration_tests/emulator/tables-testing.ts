/**
 * Entity definitions for the entity-set tests, built here so those tests do not depend on the
 * default world's metadata: an account and a contact shaped after the attribute fixtures
 * (attributes-account.json, multiselect and state/status samples), an entity without change
 * tracking and one the application user may not read.
 */
import type { AttributeDef, AttributeTypeCode, EntityDef, OptionDef, OptionSetDef } from './model';
import { createDefaultWorld, type World } from './world';

let serial = 0;
/** A stable made-up MetadataId. */
const metadataId = () => `00000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`;

function attr(logicalName: string, attributeType: AttributeTypeCode, extra: Partial<AttributeDef> = {}): AttributeDef {
  return {
    logicalName,
    schemaName: logicalName,
    attributeType,
    attributeTypeName: `${attributeType}Type`,
    attributeOf: null,
    metadataId: metadataId(),
    isValidForRead: true,
    isPrimaryId: false,
    isPrimaryName: false,
    ...extra,
  };
}

function options(pairs: Array<[number, string, Partial<OptionDef>?]>): OptionDef[] {
  return pairs.map(([value, label, extra]) => ({ value, labels: { 1033: label }, ...extra }));
}

function optionSet(name: string, optionSetType: OptionSetDef['optionSetType'], opts: OptionDef[]): OptionSetDef {
  return { name, metadataId: metadataId(), isGlobal: false, optionSetType, options: opts };
}

const STATE = (entity: string) => optionSet(`${entity}_statecode`, 'State', options([[0, 'Active'], [1, 'Inactive']]));
const STATUS = (entity: string) => optionSet(`${entity}_statuscode`, 'Status', options([[1, 'Active', { state: 0 }], [2, 'Inactive', { state: 1 }]]));
const YES_NO = optionSet('creditonhold', 'Boolean', options([[0, 'No'], [1, 'Yes']]));

/** Attributes every table shares. */
function system(entity: string): AttributeDef[] {
  return [
    attr('createdon', 'DateTime', { dateTimeBehavior: 'UserLocal', format: 'DateAndTime' }),
    attr('modifiedon', 'DateTime', { dateTimeBehavior: 'UserLocal', format: 'DateAndTime' }),
    attr('versionnumber', 'BigInt'),
    attr('ownerid', 'Owner', { targets: ['systemuser', 'team'] }),
    attr('owneridtype', 'EntityName', { attributeOf: 'ownerid' }),
    attr('owneridname', 'String', { attributeOf: 'ownerid' }),
    attr('statecode', 'State', { optionSet: STATE(entity) }),
    attr('statecodename', 'Virtual', { attributeOf: 'statecode', attributeTypeName: 'VirtualType' }),
    attr('statuscode', 'Status', { optionSet: STATUS(entity) }),
  ];
}

/** account: every attribute type the connector maps, plus shadow, image and file columns. */
export function accountDef(): EntityDef {
  return {
    logicalName: 'account',
    entitySetName: 'accounts',
    primaryIdAttribute: 'accountid',
    primaryNameAttribute: 'name',
    objectTypeCode: 1,
    changeTrackingEnabled: true,
    metadataId: '70816501-edb9-4740-a16c-6a5efbc05d84',
    attributes: [
      attr('accountid', 'Uniqueidentifier', { isPrimaryId: true }),
      attr('name', 'String', { isPrimaryName: true }),
      attr('emailaddress1', 'String'),
      attr('telephone1', 'String'),
      attr('description', 'Memo'),
      attr('sharesoutstanding', 'Integer'),
      attr('exchangerate', 'Decimal'),
      attr('address1_longitude', 'Double'),
      attr('revenue', 'Money'),
      attr('revenue_base', 'Money'),
      attr('creditonhold', 'Boolean', { optionSet: YES_NO }),
      attr('lastusedincampaign', 'DateTime', { dateTimeBehavior: 'UserLocal', format: 'DateAndTime' }),
      attr('new_foundedon', 'DateTime', { dateTimeBehavior: 'DateOnly', format: 'DateOnly' }),
      attr('transactioncurrencyid', 'Lookup', { targets: ['transactioncurrency'] }),
      attr('transactioncurrencyidname', 'String', { attributeOf: 'transactioncurrencyid' }),
      attr('primarycontactid', 'Lookup', { targets: ['contact'] }),
      attr('primarycontactidname', 'String', { attributeOf: 'primarycontactid' }),
      attr('customertypecode', 'Picklist', { optionSet: optionSet('account_customertypecode', 'Picklist', options([[1, 'Competitor'], [2, 'Consultant'], [3, 'Customer'], [11, 'Supplier']])) }),
      attr('industrycode', 'Picklist', { optionSet: optionSet('account_industrycode', 'Picklist', options([[1, 'Accounting'], [2, 'Agriculture and Non-petrol Natural Resource Extraction'], [3, 'Broadcasting Printing and Publishing']])) }),
      attr('industrycodename', 'Virtual', { attributeOf: 'industrycode', attributeTypeName: 'VirtualType' }),
      attr('new_tags', 'Virtual', { attributeTypeName: 'MultiSelectPicklistType', optionSet: optionSet('new_tags', 'Picklist', options([[1, 'Red'], [2, 'Green'], [3, 'Blue'], [4, 'Gold']])) }),
      attr('entityimage', 'Virtual', { attributeTypeName: 'ImageType' }),
      attr('new_contract', 'Virtual', { attributeTypeName: 'FileType' }),
      attr('new_secret', 'String', { isValidForRead: false }),
      ...system('account'),
    ],
  };
}

/** contact: a Customer lookup and the docs' multi-select column (contacts-multiselect-values.json). */
export function contactDef(): EntityDef {
  return {
    logicalName: 'contact',
    entitySetName: 'contacts',
    primaryIdAttribute: 'contactid',
    primaryNameAttribute: 'fullname',
    objectTypeCode: 2,
    changeTrackingEnabled: true,
    metadataId: '608861bc-50a4-4c5f-a02c-21fe1943e2cf',
    attributes: [
      attr('contactid', 'Uniqueidentifier', { isPrimaryId: true }),
      attr('fullname', 'String', { isPrimaryName: true }),
      attr('firstname', 'String'),
      attr('lastname', 'String'),
      attr('parentcustomerid', 'Customer', { targets: ['account', 'contact'] }),
      attr('sample_outdooractivities', 'Virtual', {
        attributeTypeName: 'MultiSelectPicklistType',
        optionSet: optionSet('sample_outdooractivities', 'Picklist', options([[1, 'Swimming'], [2, 'Hiking'], [3, 'Mountain Climbing'], [4, 'Fishing'], [5, 'Hunting'], [6, 'Running'], [7, 'Boating'], [8, 'Skiing'], [9, 'Camping']])),
      }),
      ...system('contact'),
    ],
  };
}

/** sample_bankaccount: a custom table without change tracking. */
export function bankAccountDef(): EntityDef {
  return {
    logicalName: 'sample_bankaccount',
    entitySetName: 'sample_bankaccounts',
    primaryIdAttribute: 'sample_bankaccountid',
    primaryNameAttribute: 'sample_name',
    objectTypeCode: 10393,
    changeTrackingEnabled: false,
    metadataId: '5872b902-112a-ed11-9db1-00224804f8e2',
    attributes: [attr('sample_bankaccountid', 'Uniqueidentifier', { isPrimaryId: true }), attr('sample_name', 'String', { isPrimaryName: true }), ...system('sample_bankaccount')],
  };
}

/** competitor: the application user's role lacks prvReadCompetitor. */
export function competitorDef(): EntityDef {
  return {
    logicalName: 'competitor',
    entitySetName: 'competitors',
    primaryIdAttribute: 'competitorid',
    primaryNameAttribute: 'name',
    objectTypeCode: 123,
    changeTrackingEnabled: true,
    metadataId: 'b0a6e3f4-3b2d-4c6e-9f1a-2d3c4e5f6a70',
    readDenied: true,
    attributes: [attr('competitorid', 'Uniqueidentifier', { isPrimaryId: true }), attr('name', 'String', { isPrimaryName: true }), ...system('competitor')],
  };
}

/** The default world with the four test entities in its metadata (replacing same-named ones). */
export function tablesTestWorld(): World {
  const world = createDefaultWorld();
  for (const def of [accountDef(), contactDef(), bankAccountDef(), competitorDef()]) world.org.entities[def.logicalName] = def;
  return world;
}
