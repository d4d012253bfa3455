/**
 * The default world's metadata: the documentation-sample org of the fixtures.
 *
 * - `account` has exactly the attributes of attributes-account.json (same ids, same order), then
 *   createdon and preferredappointmentdaycode (picklist-all-account.json lists it); its option sets
 *   come from picklist-all-account.json, state-attribute.json and status-attribute.json with the
 *   fixtures' ids, so routes answer those fixtures value for value.
 * - `sample_bankaccount` carries the doc sample's custom columns of multiselect.json and
 *   boolean.json and the global set of globaloptionset-single.json.
 * - `contact`, `organization`, `opportunity`, `competitor` (read denied), `appointment`, `calendar`
 *   and `savedquery` fill in every AttributeType / AttributeTypeName of facts §4, and a second
 *   language (1031) on several option sets.
 * - facts §9's cases: account's entityimage_url (AttributeOf, yet a property), lookup shadows and
 *   a non-OData attribute; contact's new_displaydate (UserLocal, Format DateOnly);
 *   appointment's multi-target regardingobjectid; sample_bankaccount's exact-digit numbers.
 *
 * Option data is read from the committed fixtures (fixtures/), never from ../shared.
 */
import { loadFixture } from './fixtures';
import {
  attr,
  auditColumns,
  currencyColumns,
  entity,
  localOptionSet,
  lookupWithName,
  nameShadow,
  ownerColumns,
  ownerShadows,
  primaryColumns,
  stateAndStatus,
} from './metadata-builders';
import { displayTextOf } from './metadata-labels';
import type { AttributeDef, EntityDef, LabelIds, OptionDef, OptionSetDef, OrgMetadata } from './model';

interface LocalizedLabelFixture {
  Label: string;
  LanguageCode: number;
  MetadataId: string;
}
interface LabelFixture {
  LocalizedLabels: LocalizedLabelFixture[];
}
interface OptionFixture {
  Value: number;
  Color: string | null;
  ExternalValue: string | null;
  Label: LabelFixture;
  Description: LabelFixture;
  State?: number;
  DefaultStatus?: number;
  InvariantName?: string;
}
interface OptionSetFixture {
  MetadataId: string;
  Name?: string;
  IsManaged?: boolean;
  IsCustomOptionSet?: boolean;
  IsGlobal?: boolean;
  ExternalTypeName?: string | null;
  IntroducedVersion?: string | null;
  OptionSetType?: OptionSetDef['optionSetType'];
  Options?: OptionFixture[];
  TrueOption?: OptionFixture;
  FalseOption?: OptionFixture;
  DisplayName?: LabelFixture;
  Description?: LabelFixture;
  IsCustomizable?: { CanBeChanged: boolean };
}
interface AttributeFixture {
  LogicalName: string;
  SchemaName: string;
  AttributeType: AttributeDef['attributeType'];
  AttributeTypeName: { Value: string };
  AttributeOf: string | null;
  IsValidForRead: boolean;
  IsPrimaryId: boolean;
  IsPrimaryName: boolean;
  MetadataId: string;
  OptionSet?: OptionSetFixture;
}

/** Texts and ids of a fixture Label. */
function labelsOf(label: LabelFixture | undefined): { texts: Record<number, string>; ids: LabelIds } {
  const texts: Record<number, string> = {};
  const ids: LabelIds = {};
  for (const l of label?.LocalizedLabels ?? []) {
    texts[l.LanguageCode] = l.Label;
    ids[l.LanguageCode] = l.MetadataId;
  }
  return { texts, ids };
}

function optionOf(o: OptionFixture): OptionDef {
  const label = labelsOf(o.Label);
  const description = labelsOf(o.Description);
  const option: OptionDef = { value: o.Value, labels: label.texts, labelIds: label.ids, color: o.Color, externalValue: o.ExternalValue };
  if (Object.keys(description.texts).length > 0) Object.assign(option, { descriptions: description.texts, descriptionIds: description.ids });
  if (o.State !== undefined) option.state = o.State;
  if (o.DefaultStatus !== undefined) Object.assign(option, { defaultStatus: o.DefaultStatus, invariantName: o.InvariantName });
  return option;
}

/**
 * An option set from a fixture's OptionSet object: options (or TrueOption/FalseOption) with their
 * label ids, plus whatever set-level properties the fixture has; `base` supplies the rest.
 */
function optionSetOf(os: OptionSetFixture, base: Pick<OptionSetDef, 'name' | 'isGlobal' | 'optionSetType'> & Partial<OptionSetDef>): OptionSetDef {
  const options = os.Options ?? [os.FalseOption, os.TrueOption].filter((o): o is OptionFixture => o !== undefined);
  const set: OptionSetDef = { ...base, metadataId: os.MetadataId, options: options.map(optionOf) };
  if (os.IsManaged !== undefined) set.isManaged = os.IsManaged;
  if (os.IsCustomOptionSet !== undefined) set.isCustomOptionSet = os.IsCustomOptionSet;
  if (os.ExternalTypeName !== undefined) set.externalTypeName = os.ExternalTypeName;
  if (os.IntroducedVersion !== undefined) set.introducedVersion = os.IntroducedVersion;
  if (os.IsCustomizable) set.customizableCanBeChanged = os.IsCustomizable.CanBeChanged;
  if (os.DisplayName) Object.assign(set, { displayName: labelsOf(os.DisplayName).texts, displayNameIds: labelsOf(os.DisplayName).ids });
  if (os.Description) Object.assign(set, { description: labelsOf(os.Description).texts, descriptionIds: labelsOf(os.Description).ids });
  // Options of these fixtures have no Tag/IsHidden when the first one lacks them.
  if (options.length > 0 && !('Tag' in options[0])) set.legacyOptionShape = true;
  return set;
}

const fixtureValue = <T>(name: string) => loadFixture<{ value: T[] }>(name).value;

/** The global option sets: sample_colors (globaloptionset-single.json), test_sync_states (globaloptionsetdefinitions.json), one Boolean set. */
function globalOptionSets(): Record<string, OptionSetDef> {
  const colors = loadFixture<OptionSetFixture>('globaloptionset-single.json');
  const [syncStates] = fixtureValue<OptionSetFixture>('globaloptionsetdefinitions.json');
  const yesNo: OptionSetDef = {
    // [INF] Global Boolean sets exist (the REAL list has BooleanOptionSetMetadata items); this one is used by no column.
    ...localOptionSet('new', 'yesno', 'Boolean', [
      [0, { 1033: 'No', 1031: 'Nein' }],
      [1, { 1033: 'Yes', 1031: 'Ja' }],
    ]),
    name: 'new_yesno',
    isGlobal: true,
    isManaged: false,
    legacyOptionShape: true,
    displayName: { 1033: 'Yes/No', 1031: 'Ja/Nein' },
  };
  return {
    [colors.Name!]: optionSetOf(colors, { name: colors.Name!, isGlobal: true, optionSetType: 'Picklist' }),
    [syncStates.Name!]: optionSetOf(syncStates, { name: syncStates.Name!, isGlobal: true, optionSetType: 'Picklist' }),
    [yesNo.name]: yesNo,
  };
}

/** account: attributes-account.json in order, option sets from the picklist/state/status fixtures. */
function account(): EntityDef {
  const name = 'account';
  const picklists = new Map(fixtureValue<AttributeFixture & { OptionSet: OptionSetFixture }>('picklist-all-account.json').map((a) => [a.LogicalName, a]));
  const [state] = fixtureValue<AttributeFixture & { OptionSet: OptionSetFixture }>('state-attribute.json');
  const [status] = fixtureValue<AttributeFixture & { OptionSet: OptionSetFixture }>('status-attribute.json');
  const multiselect = loadFixture<OptionSetFixture & { OptionSet: OptionSetFixture }>('multiselect.json');
  const sets: Record<string, OptionSetDef> = {
    accountcategorycode: optionSetOf(picklists.get('accountcategorycode')!.OptionSet, { name: 'account_accountcategorycode', isGlobal: false, optionSetType: 'Picklist' }),
    industrycode: optionSetOf(picklists.get('industrycode')!.OptionSet, { name: 'account_industrycode', isGlobal: false, optionSetType: 'Picklist' }),
    statecode: optionSetOf(state.OptionSet, { name: 'account_statecode', isGlobal: false, optionSetType: 'State' }),
    statuscode: optionSetOf(status.OptionSet, { name: 'account_statuscode', isGlobal: false, optionSetType: 'Status' }),
    creditonhold: {
      ...localOptionSet(name, 'creditonhold', 'Boolean', [
        [0, 'No'],
        [1, 'Yes'],
      ]),
      legacyOptionShape: true,
    },
    // The doc sample's multi-select options (multiselect.json), as an account column; own ids.
    new_tags: {
      ...localOptionSet(
        name,
        'new_tags',
        'Picklist',
        (multiselect.OptionSet.Options ?? []).map((o): [number, string] => [o.Value, o.Label.LocalizedLabels[0].Label]),
      ),
      isManaged: false,
      legacyOptionShape: true,
    },
  };
  for (const o of sets.new_tags.options) o.externalValue = '';
  const attributes: AttributeDef[] = fixtureValue<AttributeFixture>('attributes-account.json').map((a) => {
    const def: AttributeDef = {
      logicalName: a.LogicalName,
      schemaName: a.SchemaName,
      attributeType: a.AttributeType,
      attributeTypeName: a.AttributeTypeName.Value,
      attributeOf: a.AttributeOf,
      metadataId: a.MetadataId,
      isValidForRead: a.IsValidForRead,
      isPrimaryId: a.IsPrimaryId,
      isPrimaryName: a.IsPrimaryName,
    };
    if (def.attributeType === 'DateTime') Object.assign(def, { dateTimeBehavior: 'UserLocal', format: 'DateAndTime' });
    if (def.logicalName === 'transactioncurrencyid') def.targets = ['transactioncurrency'];
    if (def.logicalName === 'ownerid') def.targets = ['systemuser', 'team'];
    if (sets[def.logicalName]) def.optionSet = sets[def.logicalName];
    return def;
  });
  const day = picklists.get('preferredappointmentdaycode')!;
  const daySet = optionSetOf(day.OptionSet, {
    name: 'account_preferredappointmentdaycode',
    isGlobal: false,
    optionSetType: 'Picklist',
    // DisplayName/Description and their ids from query-metadata-web-api.md's full OptionSet sample.
    displayName: { 1033: 'Preferred Day' },
    displayNameIds: { 1033: 'ebb7e979-f9e3-40cd-a86d-50b479b1c5a4' },
    description: { 1033: 'Day of the week that the account prefers for scheduling service activities.' },
    descriptionIds: { 1033: '1b67144d-ece0-4e83-a38b-b4d48e3f35d5' },
    introducedVersion: null,
  });
  attributes.push(
    attr(name, 'createdon', 'DateTimeType', { schemaName: 'CreatedOn' }),
    attr(name, 'preferredappointmentdaycode', 'PicklistType', { schemaName: 'PreferredAppointmentDayCode', metadataId: day.MetadataId, optionSet: daySet }),
    // [REAL facts §9] entityimage's companions: AttributeOf entityimage, yet Web API properties.
    attr(name, 'entityimage_url', 'StringType', { schemaName: 'EntityImage_URL', attributeOf: 'entityimage', isValidODataAttribute: true }),
    attr(name, 'entityimage_timestamp', 'BigIntType', { schemaName: 'EntityImage_Timestamp', attributeOf: 'entityimage', isValidODataAttribute: true }),
    // [DOC facts §9] lookup shadows: readable, AttributeOf ownerid, not Web API properties.
    ...ownerShadows(name, ['owneridname', 'owneridyominame']),
    // [INF from the issue report, facts §9] a readable attribute without AttributeOf that is not a
    // Web API property: a client choosing columns by AttributeOf selects it and every page is a 400.
    attr(name, 'new_legacyimportref', 'StringType', { schemaName: 'new_LegacyImportRef', isValidODataAttribute: false }),
  );
  return entity(name, 1, attributes, {
    metadataId: '70816501-edb9-4740-a16c-6a5efbc05d84',
    schemaName: 'Account',
    displayName: { 1033: 'Account' },
    displayNameIds: { 1033: '2a4901bf-2241-db11-898a-0007e9e17ebd' },
  });
}

/** contact: Customer lookup, DateOnly and TimeZoneIndependent dates, German labels, a global set, a multi-select. */
function contact(globals: Record<string, OptionSetDef>): EntityDef {
  const name = 'contact';
  const method = attr(name, 'preferredcontactmethodcode', 'PicklistType', {
    schemaName: 'PreferredContactMethodCode',
    optionSet: localOptionSet(name, 'preferredcontactmethodcode', 'Picklist', [
      [1, { 1033: 'Any', 1031: 'Beliebig' }],
      [2, { 1033: 'Email', 1031: 'E-Mail' }],
      [3, { 1033: 'Phone', 1031: 'Telefon' }],
      [4, { 1033: 'Fax', 1031: 'Fax' }],
      [5, { 1033: 'Mail', 1031: 'Post' }],
    ]),
  });
  // Values and labels of the multi-select doc sample (contacts-multiselect-values.json: 2,3,8,9).
  const outdoor = attr(name, 'sample_outdooractivities', 'MultiSelectPicklistType', {
    schemaName: 'sample_OutdoorActivities',
    optionSet: {
      ...localOptionSet(name, 'sample_outdooractivities', 'Picklist', [
        [1, 'Swimming'],
        [2, 'Hiking'],
        [3, 'Mountain Climbing'],
        [4, 'Fishing'],
        [5, 'Hunting'],
        [6, 'Running'],
        [7, 'Boating'],
        [8, 'Skiing'],
        [9, 'Camping'],
      ]),
      isManaged: false,
      legacyOptionShape: true,
    },
  });
  const syncState = attr(name, 'new_syncstate', 'PicklistType', { optionSet: globals.test_sync_states });
  const doNotEmail = attr(name, 'donotemail', 'BooleanType', {
    schemaName: 'DoNotEMail',
    optionSet: {
      ...localOptionSet(name, 'donotemail', 'Boolean', [
        [0, { 1033: 'Allow', 1031: 'Zulassen' }],
        [1, { 1033: 'Do Not Allow', 1031: 'Nicht zulassen' }],
      ]),
      legacyOptionShape: true,
    },
  });
  return entity(
    name,
    2,
    [
      ...primaryColumns(name, 'contactid', 'fullname'),
      attr(name, 'firstname', 'StringType', { schemaName: 'FirstName' }),
      // [DOC reference/entities/contact.md] LastName: RequiredLevel ApplicationRequired, MaxLength 50.
      attr(name, 'lastname', 'StringType', { schemaName: 'LastName', requiredLevel: 'ApplicationRequired', maxLength: 50 }),
      attr(name, 'emailaddress1', 'StringType', { schemaName: 'EMailAddress1' }),
      ...lookupWithName(name, 'parentcustomerid', 'CustomerType', ['account', 'contact']),
      attr(name, 'parentcustomeridtype', 'EntityNameType', { schemaName: 'ParentCustomerIdType', attributeOf: 'parentcustomerid' }),
      attr(name, 'birthdate', 'DateTimeType', { schemaName: 'BirthDate', dateTimeBehavior: 'DateOnly', format: 'DateOnly' }),
      attr(name, 'new_lastsyncedon', 'DateTimeType', { dateTimeBehavior: 'TimeZoneIndependent', format: 'DateAndTime' }),
      // [DOC facts §9] UserLocal with display Format DateOnly: the wire still carries full timestamps.
      attr(name, 'new_displaydate', 'DateTimeType', { dateTimeBehavior: 'UserLocal', format: 'DateOnly' }),
      method,
      nameShadow(name, method),
      outdoor,
      nameShadow(name, outdoor),
      syncState,
      doNotEmail,
      attr(name, 'annualincome', 'MoneyType', { schemaName: 'AnnualIncome' }),
      attr(name, 'annualincome_base', 'MoneyType', { schemaName: 'AnnualIncome_Base' }),
      ...currencyColumns(name),
      ...stateAndStatus(
        name,
        [
          { value: 0, labels: { 1033: 'Active', 1031: 'Aktiv' }, invariantName: 'Active', defaultStatus: 1 },
          { value: 1, labels: { 1033: 'Inactive', 1031: 'Inaktiv' }, invariantName: 'Inactive', defaultStatus: 2 },
        ],
        [
          { value: 1, labels: { 1033: 'Active', 1031: 'Aktiv' }, state: 0 },
          { value: 2, labels: { 1033: 'Inactive', 1031: 'Inaktiv' }, state: 1 },
        ],
      ),
      ...ownerColumns(name),
      ...auditColumns(name),
    ],
    { metadataId: '608861bc-50a4-4c5f-a02c-21fe1943e2cf', displayName: { 1033: 'Contact', 1031: 'Kontakt' } },
  );
}

/** organization: listed by entitydefinitions.json; no change tracking. */
function organization(): EntityDef {
  const name = 'organization';
  return entity(
    name,
    1019,
    [
      ...primaryColumns(name, 'organizationid', 'name'),
      attr(name, 'languagecode', 'IntegerType', { schemaName: 'LanguageCode' }),
      ...lookupWithName(name, 'basecurrencyid', 'LookupType', ['transactioncurrency']),
      attr(name, 'expirechangetrackingindays', 'IntegerType', { schemaName: 'ExpireChangeTrackingInDays' }),
      attr(name, 'fiscalcalendarstart', 'DateTimeType', { schemaName: 'FiscalCalendarStart' }),
      ...auditColumns(name),
    ],
    { metadataId: '299b45b4-d807-5678-b7cc-dc0e2fb69e46', changeTrackingEnabled: false },
  );
}

/** opportunity: three states, several statuses, a Customer lookup, a DateOnly close date, Money. */
function opportunity(): EntityDef {
  const name = 'opportunity';
  const rating = attr(name, 'opportunityratingcode', 'PicklistType', {
    schemaName: 'OpportunityRatingCode',
    optionSet: localOptionSet(name, 'opportunityratingcode', 'Picklist', [
      [1, { 1033: 'Hot', 1031: 'Heiß' }],
      [2, { 1033: 'Warm', 1031: 'Warm' }],
      [3, { 1033: 'Cold', 1031: 'Kalt' }],
    ]),
  });
  return entity(name, 3, [
    ...primaryColumns(name, 'opportunityid', 'name'),
    ...lookupWithName(name, 'customerid', 'CustomerType', ['account', 'contact']),
    attr(name, 'customeridtype', 'EntityNameType', { schemaName: 'CustomerIdType', attributeOf: 'customerid' }),
    attr(name, 'estimatedclosedate', 'DateTimeType', { schemaName: 'EstimatedCloseDate', dateTimeBehavior: 'DateOnly', format: 'DateOnly' }),
    attr(name, 'estimatedvalue', 'MoneyType', { schemaName: 'EstimatedValue' }),
    attr(name, 'closeprobability', 'IntegerType', { schemaName: 'CloseProbability' }),
    attr(name, 'description', 'MemoType', { schemaName: 'Description' }),
    rating,
    nameShadow(name, rating),
    ...currencyColumns(name),
    ...stateAndStatus(
      name,
      [
        { value: 0, labels: 'Open', invariantName: 'Open', defaultStatus: 1 },
        { value: 1, labels: 'Won', invariantName: 'Won', defaultStatus: 3 },
        { value: 2, labels: 'Lost', invariantName: 'Lost', defaultStatus: 4 },
      ],
      [
        { value: 1, labels: 'In Progress', state: 0 },
        { value: 2, labels: 'On Hold', state: 0 },
        { value: 3, labels: 'Won', state: 1 },
        { value: 4, labels: 'Canceled', state: 2 },
        { value: 5, labels: 'Out-Sold', state: 2 },
      ],
    ),
    ...ownerColumns(name),
    ...auditColumns(name),
  ], { entitySetName: 'opportunities' });
}

/** sample_bankaccount: the metadata-operations doc sample (multiselect.json, boolean.json, sample_colors). */
function sampleBankAccount(globals: Record<string, OptionSetDef>): EntityDef {
  const name = 'sample_bankaccount';
  const multi = loadFixture<{ SchemaName: string; MetadataId: string; OptionSet: OptionSetFixture }>('multiselect.json');
  const bool = loadFixture<{ MetadataId: string; OptionSet: OptionSetFixture }>('boolean.json');
  const multiAttr = attr(name, 'sample_multiselectchoice', 'MultiSelectPicklistType', {
    schemaName: multi.SchemaName,
    metadataId: multi.MetadataId,
    optionSet: optionSetOf(multi.OptionSet, { name: multi.OptionSet.Name!, isGlobal: false, optionSetType: 'Picklist' }),
  });
  const boolAttr = attr(name, 'sample_boolean', 'BooleanType', {
    schemaName: 'sample_Boolean',
    metadataId: bool.MetadataId,
    optionSet: optionSetOf(bool.OptionSet, { name: bool.OptionSet.Name!, isGlobal: false, optionSetType: 'Boolean' }),
  });
  return entity(
    name,
    10393,
    [
      ...primaryColumns(name, 'sample_bankaccountid', 'sample_name'),
      attr(name, 'sample_accountholder', 'StringType'),
      attr(name, 'sample_balance', 'MoneyType', { schemaName: 'sample_Balance' }),
      // [DOC facts §9] Int64 past 2^53 and a Decimal with its 10 decimals: values a double rounds.
      attr(name, 'sample_ledgersequence', 'BigIntType', { exactDigits: true }),
      attr(name, 'sample_exactbalance', 'DecimalType', { precision: 10, exactDigits: true }),
      attr(name, 'sample_checkingaccount', 'BooleanType', {
        schemaName: 'sample_CheckingAccount',
        optionSet: { ...localOptionSet(name, 'sample_checkingaccount', 'Boolean', [[0, 'Savings'], [1, 'Checking']]), isManaged: false, legacyOptionShape: true },
      }),
      multiAttr,
      nameShadow(name, multiAttr),
      boolAttr,
      attr(name, 'sample_colors', 'PicklistType', { schemaName: 'sample_Colors', optionSet: globals.sample_colors }),
      ...currencyColumns(name),
      ...stateAndStatus(
        name,
        [
          { value: 0, labels: 'Active', invariantName: 'Active', defaultStatus: 1 },
          { value: 1, labels: 'Inactive', invariantName: 'Inactive', defaultStatus: 2 },
        ],
        [
          { value: 1, labels: 'Active', state: 0 },
          { value: 2, labels: 'Inactive', state: 1 },
        ],
      ),
      ...ownerColumns(name),
      ...auditColumns(name),
    ],
    { metadataId: '5872b902-112a-ed11-9db1-00224804f8e2', schemaName: 'sample_BankAccount', changeTrackingEnabled: false },
  );
}

/** competitor: the application user's role cannot read it (403 0x80040220 on its entity set). */
function competitor(): EntityDef {
  const name = 'competitor';
  return entity(
    name,
    123,
    [
      ...primaryColumns(name, 'competitorid', 'name'),
      attr(name, 'websiteurl', 'StringType', { schemaName: 'WebSiteUrl' }),
      attr(name, 'strengths', 'MemoType', { schemaName: 'Strengths' }),
      ...auditColumns(name),
    ],
    { readDenied: true },
  );
}

/** appointment: PartyList columns (activities only). */
function appointment(): EntityDef {
  const name = 'appointment';
  return entity(name, 4201, [
    ...primaryColumns(name, 'activityid', 'subject'),
    attr(name, 'requiredattendees', 'PartyListType', { schemaName: 'RequiredAttendees', targets: ['account', 'contact', 'systemuser'] }),
    attr(name, 'optionalattendees', 'PartyListType', { schemaName: 'OptionalAttendees', targets: ['account', 'contact', 'systemuser'] }),
    attr(name, 'scheduledstart', 'DateTimeType', { schemaName: 'ScheduledStart' }),
    attr(name, 'scheduledend', 'DateTimeType', { schemaName: 'ScheduledEnd' }),
    // A Lookup with several Targets (facts §9 "Polymorphic lookups"): rows point at any of them.
    ...lookupWithName(name, 'regardingobjectid', 'LookupType', ['account', 'contact', 'opportunity']),
    attr(name, 'isalldayevent', 'BooleanType', {
      schemaName: 'IsAllDayEvent',
      optionSet: { ...localOptionSet(name, 'isalldayevent', 'Boolean', [[0, 'No'], [1, 'Yes']]), legacyOptionShape: true },
    }),
    ...stateAndStatus(
      name,
      [
        { value: 0, labels: 'Open', invariantName: 'Open', defaultStatus: 1 },
        { value: 1, labels: 'Completed', invariantName: 'Completed', defaultStatus: 3 },
        { value: 2, labels: 'Canceled', invariantName: 'Canceled', defaultStatus: 4 },
        { value: 3, labels: 'Scheduled', invariantName: 'Scheduled', defaultStatus: 5 },
      ],
      [
        { value: 1, labels: 'Free', state: 0 },
        { value: 2, labels: 'Tentative', state: 0 },
        { value: 3, labels: 'Completed', state: 1 },
        { value: 4, labels: 'Canceled', state: 2 },
        { value: 5, labels: 'Busy', state: 3 },
        { value: 6, labels: 'Out of Office', state: 3 },
      ],
    ),
    ...ownerColumns(name),
    ...auditColumns(name),
  ], { entitySetName: 'appointments', isActivity: true });
}

/** calendar: the CalendarRules column. */
function calendar(): EntityDef {
  const name = 'calendar';
  return entity(
    name,
    4003,
    [
      ...primaryColumns(name, 'calendarid', 'name'),
      attr(name, 'calendarrules', 'CalendarRulesType', { schemaName: 'CalendarRules' }),
      ...lookupWithName(name, 'businessunitid', 'LookupType', ['businessunit']),
      ...auditColumns(name),
    ],
    { changeTrackingEnabled: false },
  );
}

/** savedquery: a ManagedProperty column (iscustomizable) and an EntityName one (returnedtypecode). */
function savedQuery(): EntityDef {
  const name = 'savedquery';
  return entity(
    name,
    1039,
    [
      ...primaryColumns(name, 'savedqueryid', 'name'),
      attr(name, 'iscustomizable', 'ManagedPropertyType', { schemaName: 'IsCustomizable' }),
      attr(name, 'returnedtypecode', 'EntityNameType', { schemaName: 'ReturnedTypeCode' }),
      attr(name, 'querytype', 'IntegerType', { schemaName: 'QueryType' }),
      attr(name, 'fetchxml', 'MemoType', { schemaName: 'FetchXml' }),
      ...auditColumns(name),
    ],
    { entitySetName: 'savedqueries', changeTrackingEnabled: false },
  );
}

/**
 * Entity labels in English (1033) and Swedish (1053): display name, plural, description. The
 * English texts of account, contact and opportunity are the product's own [DOC reference/entities/
 * account.md, contact.md, opportunity.md: "Display name", "Plural display name", "Description"];
 * Swedish ones are the Swedish UI's names as the table-and-column pages render them [INF, no
 * captured sv-SE response in facts.md]; the others are written the same way [INF].
 */
const ENTITY_LABELS: Readonly<Record<string, { name: [string, string]; plural: [string, string]; description: [string, string] }>> = {
  account: {
    name: ['Account', 'Konto'],
    plural: ['Accounts', 'Konton'],
    description: ['Business that represents a customer or potential customer. The company that is billed in business transactions.', 'Företag som representerar en kund eller potentiell kund. Företaget som faktureras i affärstransaktioner.'],
  },
  contact: {
    name: ['Contact', 'Kontakt'],
    plural: ['Contacts', 'Kontakter'],
    description: ['Person with whom a business unit has a relationship, such as customer, supplier, and colleague.', 'Person som en affärsenhet har en relation med, till exempel kund, leverantör och kollega.'],
  },
  organization: { name: ['Organization', 'Organisation'], plural: ['Organizations', 'Organisationer'], description: ['Top level of the Microsoft Dynamics 365 business hierarchy.', 'Den översta nivån i affärshierarkin i Microsoft Dynamics 365.'] },
  sample_bankaccount: { name: ['Bank Account', 'Bankkonto'], plural: ['Bank Accounts', 'Bankkonton'], description: ['A bank account of the metadata sample.', 'Ett bankkonto i metadataexemplet.'] },
  opportunity: {
    name: ['Opportunity', 'Affärsmöjlighet'],
    plural: ['Opportunities', 'Affärsmöjligheter'],
    description: ['Potential revenue-generating event, or sale to an account, which needs to be tracked through a sales process to completion.', 'Potentiell intäktsgenererande händelse eller försäljning till ett konto som måste spåras genom en försäljningsprocess.'],
  },
  competitor: { name: ['Competitor', 'Konkurrent'], plural: ['Competitors', 'Konkurrenter'], description: ['Business competing for the sale represented by a lead or opportunity.', 'Företag som konkurrerar om försäljningen.'] },
  appointment: { name: ['Appointment', 'Avtalad tid'], plural: ['Appointments', 'Avtalade tider'], description: ['Commitment representing a time interval with start/end times and duration.', 'Åtagande som representerar ett tidsintervall med start- och sluttid.'] },
  calendar: { name: ['Calendar', 'Kalender'], plural: ['Calendars', 'Kalendrar'], description: ['Calendar used by the scheduling system to define when an appointment or activity is to occur.', 'Kalender som används av schemaläggningen.'] },
  savedquery: { name: ['View', 'Vy'], plural: ['Views', 'Vyer'], description: ['Saved query against the database.', 'Sparad fråga mot databasen.'] },
};

/**
 * Swedish (1053) column names of the default world; a column without one is named by its English
 * text with " (sv)" [INF: a stand-in, the real texts come from the Swedish language pack]. English
 * names come from the schema name unless listed in {@link COLUMN_NAMES_EN}.
 */
const COLUMN_NAMES_SV: Readonly<Record<string, string>> = {
  name: 'Namn',
  'account.name': 'Kontonamn',
  accountid: 'Konto',
  createdon: 'Skapad den',
  modifiedon: 'Ändrad den',
  ownerid: 'Ägare',
  statecode: 'Status',
  statuscode: 'Statusorsak',
  transactioncurrencyid: 'Valuta',
  exchangerate: 'Växelkurs',
  firstname: 'Förnamn',
  lastname: 'Efternamn',
  fullname: 'Fullständigt namn',
  emailaddress1: 'E-post',
  description: 'Beskrivning',
  parentcustomerid: 'Företagsnamn',
  birthdate: 'Födelsedag',
  industrycode: 'Bransch',
  revenue: 'Årlig omsättning',
  telephone1: 'Huvudtelefon',
  customerid: 'Potentiell kund',
  estimatedvalue: 'Uppskattad intäkt',
  estimatedclosedate: 'Uppskattat slutdatum',
};

/** English names where the schema name is not what the product shows [DOC reference/entities/account.md]. */
const COLUMN_NAMES_EN: Readonly<Record<string, string>> = {
  'account.name': 'Account Name',
  'account.accountid': 'Account',
  ownerid: 'Owner',
  statecode: 'Status',
  statuscode: 'Status Reason',
  transactioncurrencyid: 'Currency',
  emailaddress1: 'Email',
  'account.industrycode': 'Industry',
};

/**
 * Labels every entity and column in 1033 and 1053 (what the metadata streams read). One column
 * keeps an empty English description and no Swedish one: real labels can be `""` [REAL capture,
 * globaloptionsetdefinitions.json], and an absent description is the empty label.
 */
function labelDefaults(list: EntityDef[]): void {
  for (const e of list) {
    const l = ENTITY_LABELS[e.logicalName];
    e.displayName = { ...e.displayName, 1033: l.name[0], 1053: l.name[1] };
    e.displayCollectionName = { 1033: l.plural[0], 1053: l.plural[1] };
    e.description = { 1033: l.description[0], 1053: l.description[1] };
    for (const a of e.attributes) {
      const key = `${e.logicalName}.${a.logicalName}`;
      const en = COLUMN_NAMES_EN[key] ?? COLUMN_NAMES_EN[a.logicalName] ?? displayTextOf(a.schemaName);
      a.displayName = { 1033: en, 1053: COLUMN_NAMES_SV[key] ?? COLUMN_NAMES_SV[a.logicalName] ?? `${en} (sv)` };
      if (a.attributeOf === null && !a.logicalName.startsWith('new_')) a.description = { 1033: `${en} of the ${l.name[0].toLowerCase()}.`, 1053: `${a.displayName[1053]} för ${l.name[1].toLowerCase()}.` };
    }
  }
  const legacy = list.find((e) => e.logicalName === 'account')?.attributes.find((a) => a.logicalName === 'new_legacyimportref');
  if (legacy) legacy.description = { 1033: '' };
}

/**
 * A fresh copy of the default metadata. The first four entities are those of
 * entitydefinitions.json, in its order.
 */
export function createDefaultMetadata(): OrgMetadata {
  const globals = globalOptionSets();
  const list = [account(), contact(globals), organization(), sampleBankAccount(globals), opportunity(), competitor(), appointment(), calendar(), savedQuery()];
  labelDefaults(list);
  return { entities: Object.fromEntries(list.map((e) => [e.logicalName, e])), globalOptionSets: globals, userLanguage: 1033 };
}

/** Logical names of the default world's entities, in the order EntityDefinitions lists them. */
export const DEFAULT_ENTITY_NAMES = [
  'account',
  'contact',
  'organization',
  'sample_bankaccount',
  'opportunity',
  'competitor',
  'appointment',
  'calendar',
  'savedquery',
] as const;

/** Entities with ChangeTrackingEnabled. */
export const DEFAULT_CHANGE_TRACKED_ENTITIES = ['account', 'contact', 'opportunity', 'competitor', 'appointment'] as const;

/** The entity whose rows the application user may not read (403 PrivilegeDenied). */
export const DEFAULT_READ_DENIED_ENTITY = 'competitor';

/** Names of the global option sets, in GlobalOptionSetDefinitions order. */
export const DEFAULT_GLOBAL_OPTION_SETS = ['sample_colors', 'test_sync_states', 'new_yesno'] as const;

/**
 * Option count per option-set column (`entity.attribute`), by AttributeType: Picklist,
 * MultiSelectPicklist (AttributeType Virtual), State, Status, Boolean (always 2). These are every
 * picklist-kind column of the default world: a picklist stream over all entities yields
 * {@link DEFAULT_PICKLIST_OPTION_TOTAL} records.
 */
export const DEFAULT_PICKLIST_OPTION_COUNTS: Readonly<Record<string, number>> = {
  'account.creditonhold': 2,
  'account.accountcategorycode': 2,
  'account.industrycode': 33,
  'account.statecode': 2,
  'account.statuscode': 2,
  'account.new_tags': 3,
  'account.preferredappointmentdaycode': 7,
  'contact.preferredcontactmethodcode': 5,
  'contact.sample_outdooractivities': 9,
  'contact.new_syncstate': 3,
  'contact.donotemail': 2,
  'contact.statecode': 2,
  'contact.statuscode': 2,
  'sample_bankaccount.sample_checkingaccount': 2,
  'sample_bankaccount.sample_multiselectchoice': 3,
  'sample_bankaccount.sample_boolean': 2,
  'sample_bankaccount.sample_colors': 3,
  'sample_bankaccount.statecode': 2,
  'sample_bankaccount.statuscode': 2,
  'opportunity.opportunityratingcode': 3,
  'opportunity.statecode': 3,
  'opportunity.statuscode': 5,
  'appointment.isalldayevent': 2,
  'appointment.statecode': 4,
  'appointment.statuscode': 6,
};

/** The sum of {@link DEFAULT_PICKLIST_OPTION_COUNTS}. */
export const DEFAULT_PICKLIST_OPTION_TOTAL = Object.values(DEFAULT_PICKLIST_OPTION_COUNTS).reduce((a, b) => a + b, 0);

/** Option sets with labels in more than one language (1033 and 1031), `entity.attribute`. */
export const DEFAULT_MULTILANGUAGE_COLUMNS = [
  'contact.preferredcontactmethodcode',
  'contact.donotemail',
  'contact.statecode',
  'contact.statuscode',
  'opportunity.opportunityratingcode',
] as const;
