/**
 * The metadata routes over real HTTPS: EntityDefinitions, Attributes and their casts,
 * GlobalOptionSetDefinitions, each against the fixture it mirrors, and the $filter/$select errors.
 */
import { DEFAULT_CHANGE_TRACKED_ENTITIES, DEFAULT_ENTITY_NAMES } from './default-metadata';
import { startEmulator, type Emulator } from './index';
import { fetchToken, json, readFixture } from './testing';

let emu: Emulator;
let token: string;

beforeAll(async () => {
  emu = await startEmulator();
  token = await fetchToken(emu);
});
afterAll(() => emu.close());

function api(path: string): Promise<Response> {
  return fetch(`${emu.orgUrl}/api/data/v9.2/${path}`, {
    headers: { accept: 'application/json', 'odata-version': '4.0', 'odata-maxversion': '4.0', authorization: `Bearer ${token}` },
  });
}

async function ok(path: string): Promise<any> {
  const res = await api(path);
  const body = await json(res);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
  return body;
}

async function fails(path: string, status: number): Promise<{ code: string; message: string }> {
  const res = await api(path);
  expect(res.status).toBe(status);
  return (await json(res)).error;
}

/** A fixture with its sample org url (`https://yourorg...`, `[Organization URI]`) replaced by the emulator's. */
function fixture(name: string): any {
  const body = readFixture(name);
  body['@odata.context'] = body['@odata.context'].replace(/^.*?\/api\/data\//, `${emu.orgUrl}/api/data/`);
  return body;
}

const context = (rest: string) => `${emu.orgUrl}/api/data/v9.2/$metadata#${rest}`;
const PICKLIST = "Microsoft.Dynamics.CRM.AttributeTypeCode'Picklist'";

describe('EntityDefinitions', () => {
  const SELECT = 'LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,ObjectTypeCode,ChangeTrackingEnabled';

  it('lists every entity in one response; the first four are entitydefinitions.json value for value', async () => {
    const body = await ok(`EntityDefinitions?$select=${SELECT}`);
    const expected = fixture('entitydefinitions.json');
    expect(body['@odata.context']).toBe(expected['@odata.context']);
    expect(body['@odata.nextLink']).toBeUndefined();
    expect(body.value.map((e: any) => e.LogicalName)).toEqual([...DEFAULT_ENTITY_NAMES]);
    expect(body.value.slice(0, 4)).toEqual(expected.value);
    expect(Object.keys(body.value[0])).toEqual([...SELECT.split(','), 'MetadataId']);
  });

  it('always returns MetadataId, even when only LogicalName is selected', async () => {
    const body = await ok('EntityDefinitions?$select=LogicalName');
    expect(body['@odata.context']).toBe(context('EntityDefinitions(LogicalName)'));
    expect(body.value[0]).toEqual({ LogicalName: 'account', MetadataId: '70816501-edb9-4740-a16c-6a5efbc05d84' });
  });

  it.each([
    ['ChangeTrackingEnabled eq true', [...DEFAULT_CHANGE_TRACKED_ENTITIES]],
    ["LogicalName eq 'account'", ['account']],
    ["LogicalName eq 'contact' or LogicalName eq 'account'", ['account', 'contact']],
    ["ChangeTrackingEnabled eq true and (LogicalName eq 'contact' or LogicalName eq 'sample_bankaccount')", ['contact']],
    ["(ChangeTrackingEnabled eq false) and not (LogicalName eq 'organization')", ['sample_bankaccount', 'calendar', 'savedquery']],
    ['ObjectTypeCode lt 4 and ObjectTypeCode ne 2', ['account', 'opportunity']],
    ["OwnershipType eq Microsoft.Dynamics.CRM.OwnershipTypes'OrganizationOwned'", ['organization', 'competitor', 'calendar', 'savedquery']],
    ['CanChangeTrackingBeEnabled/Value eq true and ChangeTrackingEnabled eq false', ['organization', 'sample_bankaccount', 'calendar', 'savedquery']],
    ["LogicalName eq 'nosuchentity'", []],
  ])('$filter=%s', async (filter, names) => {
    const body = await ok(`EntityDefinitions?$select=LogicalName&$filter=${encodeURIComponent(filter)}`);
    expect(body.value.map((e: any) => e.LogicalName)).toEqual(names);
  });

  it.each([
    ['$select=Name', 400, "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.EntityMetadata'."],
    // IsValidForRead is an AttributeMetadata property; EntityMetadata has none.
    ['$filter=IsValidForRead eq true', 400, "Could not find a property named 'IsValidForRead' on type 'Microsoft.Dynamics.CRM.EntityMetadata'."],
    ["$filter=OwnershipType eq 'UserOwned'", 400, "A binary operator with incompatible types was detected. Found operand types 'Microsoft.Dynamics.CRM.OwnershipTypes' and 'Edm.String' for operator kind 'Equal'."],
    ['$filter=ChangeTrackingEnabled eq 1', 400, "A binary operator with incompatible types was detected. Found operand types 'Edm.Boolean' and 'Edm.Int32' for operator kind 'Equal'."],
    ["$filter=OwnershipType eq Microsoft.Dynamics.CRM.OwnershipTypes'Nobody'", 400, "The string 'Nobody' is not a valid enumeration type constant."],
    ['$filter=LogicalName eq', 400, "Syntax error at position 14 in 'LogicalName eq'."],
    ["$filter=(LogicalName eq 'a'", 400, "Syntax error at position 19 in '(LogicalName eq 'a''."],
    ['$filter=ChangeTrackingEnabled', 400, "Syntax error at position 21 in 'ChangeTrackingEnabled'."],
    ["$filter=LogicalName eq 'a", 400, "There is an unterminated string literal at position 15 in 'LogicalName eq 'a'."],
    ["$filter=contains(LogicalName,'acc')", 400, "The function 'contains' is not supported in $filter by the emulator's metadata routes [INF]."],
    ['$filter=CanChangeTrackingBeEnabled/Nope eq true', 400, "Could not find a property named 'Nope' on type 'Microsoft.Dynamics.CRM.EntityMetadata'."],
    ['$filter=DisplayName eq null', 400, "The property 'DisplayName' of type 'Label' cannot be compared in $filter; use a primitive member such as 'DisplayName/Value' [INF]."],
    ['$top=1', 400, "The query parameter '$top' is not supported on metadata queries (metadata has no paging) [INF]."],
    ['$expand=OptionSet', 400, "Could not find a property named 'OptionSet' on type 'Microsoft.Dynamics.CRM.EntityMetadata'."],
  ])('%s -> %i %s', async (query, status, message) => {
    expect(await fails(`EntityDefinitions?${query.replace(/ /g, '%20')}`, status)).toEqual({ code: '0x0', message });
  });

  it('EntityDefinitions(LogicalName=...) answers one entity (entitydefinition-account.json body, as a single /$entity object)', async () => {
    const body = await ok("EntityDefinitions(LogicalName='account')?$select=DisplayName,IsKnowledgeManagementEnabled,EntitySetName");
    const expected = fixture('entitydefinition-account.json');
    // The fixture's org has one language; the default world adds Swedish (1053) after it.
    const swedish = body.DisplayName.LocalizedLabels.filter((l: any) => l.LanguageCode === 1053);
    expect(swedish).toEqual([{ Label: 'Konto', LanguageCode: 1053, IsManaged: true, MetadataId: expect.any(String), HasChanged: null }]);
    body.DisplayName.LocalizedLabels = body.DisplayName.LocalizedLabels.filter((l: any) => l.LanguageCode !== 1053);
    expect(body).toEqual({ '@odata.context': `${expected['@odata.context']}/$entity`.replace('/v9.0/', '/v9.2/'), ...expected.value[0] });
  });

  it('finds an entity by MetadataId too (bare key and MetadataId=)', async () => {
    for (const key of ['608861bc-50a4-4c5f-a02c-21fe1943e2cf', 'MetadataId=608861BC-50A4-4C5F-A02C-21FE1943E2CF']) {
      expect((await ok(`EntityDefinitions(${key})?$select=LogicalName`)).LogicalName).toBe('contact');
    }
  });

  it('renders an entity with no $select with every served property, labels included', async () => {
    const body = await ok("EntityDefinitions(LogicalName='contact')");
    expect(body['@odata.context']).toBe(context('EntityDefinitions/$entity'));
    expect(body).toMatchObject({
      LogicalName: 'contact',
      SchemaName: 'Contact',
      EntitySetName: 'contacts',
      PrimaryIdAttribute: 'contactid',
      PrimaryNameAttribute: 'fullname',
      ObjectTypeCode: 2,
      ChangeTrackingEnabled: true,
      OwnershipType: 'UserOwned',
      IsCustomEntity: false,
    });
    expect(body.DisplayName.LocalizedLabels.map((l: any) => [l.LanguageCode, l.Label])).toEqual([
      [1031, 'Kontakt'],
      [1033, 'Contact'],
      [1053, 'Kontakt'],
    ]);
    expect(body.DisplayName.UserLocalizedLabel.Label).toBe('Contact');
    expect(body.Attributes).toBeUndefined();
  });

  it('404s an unknown entity with 0x80040217 [INF wording]', async () => {
    expect(await fails("EntityDefinitions(LogicalName='nosuch')?$select=LogicalName", 404)).toEqual({
      code: '0x80040217',
      message: 'Could not find an entity with name nosuch and id 00000000-0000-0000-0000-000000000000.',
    });
    expect((await fails("EntityDefinitions(LogicalName='nosuch')/Attributes", 404)).code).toBe('0x80040217');
  });

  it('$expand=Attributes($select=...;$filter=...) as in query-metadata-web-api.md', async () => {
    const body = await ok(`EntityDefinitions(LogicalName='account')?$select=LogicalName&$expand=Attributes($select=LogicalName;$filter=AttributeType eq ${PICKLIST})`);
    expect(body['@odata.context']).toBe(context('EntityDefinitions(LogicalName,Attributes(LogicalName))/$entity'));
    expect(body).toEqual({
      '@odata.context': body['@odata.context'],
      LogicalName: 'account',
      MetadataId: '70816501-edb9-4740-a16c-6a5efbc05d84',
      Attributes: [
        { '@odata.type': '#Microsoft.Dynamics.CRM.PicklistAttributeMetadata', LogicalName: 'accountcategorycode', MetadataId: '118771ca-6fb9-4f60-8fd4-99b6124b63ad' },
        { '@odata.type': '#Microsoft.Dynamics.CRM.PicklistAttributeMetadata', LogicalName: 'industrycode', MetadataId: '5e775dc3-4764-5416-9cf5-2ac2f61991ec' },
        { '@odata.type': '#Microsoft.Dynamics.CRM.PicklistAttributeMetadata', LogicalName: 'preferredappointmentdaycode', MetadataId: '5967e7cc-afbb-4c10-bf7e-e7ef430c52be' },
      ],
    });
  });

  it('does not shadow the other org routes', async () => {
    expect((await api('WhoAmI')).status).toBe(200);
    expect((await api('organizations?$select=name')).status).toBe(200);
    expect((await fails('EntityDefinitionsX', 404)).message).toBe("Resource not found for the segment 'EntityDefinitionsX'.");
  });
});

describe('Attributes', () => {
  const SELECT = 'LogicalName,SchemaName,AttributeType,AttributeTypeName,AttributeOf,IsValidForRead,IsPrimaryId,IsPrimaryName';

  it("lists account's attributes: attributes-account.json value for value (derived types carry @odata.type, Virtual shadows do not)", async () => {
    const body = await ok(`EntityDefinitions(LogicalName='account')/Attributes?$select=${SELECT}`);
    const expected = fixture('attributes-account.json');
    expect(body['@odata.context']).toBe(expected['@odata.context']);
    expect(body.value.slice(0, expected.value.length)).toEqual(expected.value);
    expect(body.value.slice(expected.value.length).map((a: any) => a.LogicalName)).toEqual([
      'createdon',
      'preferredappointmentdaycode',
      'entityimage_url',
      'entityimage_timestamp',
      'owneridname',
      'owneridyominame',
      'new_legacyimportref',
    ]);
  });

  it('IsValidODataAttribute: false for shadows and the non-OData column, true for entityimage_url despite its AttributeOf', async () => {
    const body = await ok("EntityDefinitions(LogicalName='account')/Attributes?$select=LogicalName,AttributeOf,IsValidODataAttribute");
    const notOData = body.value.filter((a: any) => a.IsValidODataAttribute === false).map((a: any) => a.LogicalName);
    expect(notOData).toEqual(['transactioncurrencyidname', 'owneridtype', 'industrycodename', 'preferredcontactmethodcodename', 'owneridname', 'owneridyominame', 'new_legacyimportref']);
    expect(body.value.find((a: any) => a.LogicalName === 'entityimage_url')).toMatchObject({ AttributeOf: 'entityimage', IsValidODataAttribute: true });
    const filtered = await ok(`EntityDefinitions(LogicalName='account')/Attributes?$select=LogicalName&$filter=${encodeURIComponent('IsValidODataAttribute eq false')}`);
    expect(filtered.value.map((a: any) => a.LogicalName)).toEqual(notOData);
  });

  it.each([
    ['AttributeOf eq null', (a: any) => a.AttributeOf === null],
    [`AttributeType eq ${PICKLIST}`, (a: any) => a.AttributeType === 'Picklist'],
    ['IsValidForRead eq true and AttributeOf eq null', (a: any) => a.IsValidForRead && a.AttributeOf === null],
    [`AttributeType eq ${PICKLIST} or AttributeTypeName/Value eq 'MultiSelectPicklistType'`, (a: any) => a.AttributeType === 'Picklist' || a.AttributeTypeName.Value === 'MultiSelectPicklistType'],
    [`(AttributeType eq Microsoft.Dynamics.CRM.AttributeTypeCode'Virtual') and AttributeOf ne null`, (a: any) => a.AttributeType === 'Virtual' && a.AttributeOf !== null],
  ])('$filter=%s', async (filter, predicate) => {
    const all = (await ok(`EntityDefinitions(LogicalName='account')/Attributes?$select=${SELECT}`)).value;
    const body = await ok(`EntityDefinitions(LogicalName='account')/Attributes?$select=${SELECT}&$filter=${encodeURIComponent(filter)}`);
    const expected = all.filter(predicate);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length);
    expect(body.value).toEqual(expected);
  });

  it.each([
    ["$filter=AttributeType eq 'Picklist'", "A binary operator with incompatible types was detected. Found operand types 'Microsoft.Dynamics.CRM.AttributeTypeCode' and 'Edm.String' for operator kind 'Equal'."],
    ['$select=Targets', "Could not find a property named 'Targets' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'."],
    ['$select=LogicalName&$expand=OptionSet', "Could not find a property named 'OptionSet' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'."],
    ['$filter=DateTimeBehavior/Value eq \'DateOnly\'', "Could not find a property named 'DateTimeBehavior' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'."],
  ])('%s -> 400', async (query, message) => {
    expect(await fails(`EntityDefinitions(LogicalName='account')/Attributes?${query.replace(/ /g, '%20')}`, 400)).toEqual({ code: '0x0', message });
  });

  it('serves one attribute un-cast with /$entity and its @odata.type', async () => {
    const body = await ok("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='modifiedon')?$select=LogicalName,AttributeType");
    expect(body).toEqual({
      '@odata.context': context("EntityDefinitions('account')/Attributes(LogicalName,AttributeType)/$entity"),
      '@odata.type': '#Microsoft.Dynamics.CRM.DateTimeAttributeMetadata',
      LogicalName: 'modifiedon',
      AttributeType: 'DateTime',
      MetadataId: '47f8395d-1604-414d-b03d-7fde25b5911b',
    });
  });

  it('404s an unknown attribute [INF wording]', async () => {
    expect(await fails("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='nosuch')", 404)).toEqual({
      code: '0x80040217',
      message: 'Could not find an attribute with name nosuch on entity account.',
    });
  });
});

describe('attribute casts', () => {
  const base = "EntityDefinitions(LogicalName='account')/Attributes";

  it('all Picklist columns with both option sets expanded: picklist-all-account.json', async () => {
    const body = await ok(`${base}/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)`);
    expect(body).toEqual(fixture('picklist-all-account.json'));
  });

  it.each([
    ['accountcategorycode', 'picklist-account-accountcategorycode.json'],
    ['industrycode', 'picklist-account-industrycode.json'],
  ])("one Picklist column (%s) by LogicalName: %s", async (column, name) => {
    const body = await ok(`${base}(LogicalName='${column}')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)`);
    expect(body).toEqual(fixture(name));
  });

  it('Status options carry State and their @odata.type: status-attribute.json', async () => {
    expect(await ok(`${base}/Microsoft.Dynamics.CRM.StatusAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)`)).toEqual(fixture('status-attribute.json'));
  });

  it('State options carry DefaultStatus and InvariantName: state-attribute.json', async () => {
    expect(await ok(`${base}/Microsoft.Dynamics.CRM.StateAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)`)).toEqual(fixture('state-attribute.json'));
  });

  it('a MultiSelectPicklist column with the whole OptionSet: multiselect.json', async () => {
    const body = await ok(
      "EntityDefinitions(LogicalName='sample_bankaccount')/Attributes(LogicalName='sample_multiselectchoice')/Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata?$select=SchemaName&$expand=OptionSet",
    );
    expect(body).toEqual(fixture('multiselect.json'));
  });

  it('a Boolean column: TrueOption/FalseOption, no Options: boolean.json', async () => {
    const body = await ok("EntityDefinitions(LogicalName='sample_bankaccount')/Attributes(LogicalName='sample_boolean')/Microsoft.Dynamics.CRM.BooleanAttributeMetadata?$select=MetadataId&$expand=OptionSet");
    expect(body).toEqual(fixture('boolean.json'));
  });

  it('Boolean columns of an entity, with option set names and the user-localized labels', async () => {
    const body = await ok(`${base}/Microsoft.Dynamics.CRM.BooleanAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Name,IsGlobal,OptionSetType,TrueOption,FalseOption)`);
    expect(body['@odata.context']).toBe(context("EntityDefinitions('account')/Attributes/Microsoft.Dynamics.CRM.BooleanAttributeMetadata(LogicalName,OptionSet(Name,IsGlobal,OptionSetType,TrueOption,FalseOption))"));
    expect(body.value).toHaveLength(1);
    const [creditOnHold] = body.value;
    expect(Object.keys(creditOnHold.OptionSet)).toEqual(['Name', 'IsGlobal', 'OptionSetType', 'TrueOption', 'FalseOption', 'MetadataId']);
    expect(creditOnHold.OptionSet).toMatchObject({ Name: 'account_creditonhold', IsGlobal: false, OptionSetType: 'Boolean' });
    expect([creditOnHold.OptionSet.TrueOption.Value, creditOnHold.OptionSet.TrueOption.Label.UserLocalizedLabel.Label]).toEqual([1, 'Yes']);
    expect([creditOnHold.OptionSet.FalseOption.Value, creditOnHold.OptionSet.FalseOption.Label.UserLocalizedLabel.Label]).toEqual([0, 'No']);
    expect(await fails(`${base}/Microsoft.Dynamics.CRM.BooleanAttributeMetadata?$expand=OptionSet($select=Options)`, 400)).toEqual({
      code: '0x0',
      message: "Could not find a property named 'Options' on type 'Microsoft.Dynamics.CRM.BooleanOptionSetMetadata'.",
    });
  });

  it('a global option set behind a Picklist column: GlobalOptionSet and OptionSet are the global set', async () => {
    const body = await ok(
      "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='new_syncstate')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Name,IsGlobal),GlobalOptionSet($select=Name,IsGlobal)",
    );
    const id = readFixture('globaloptionsetdefinitions.json').value[0].MetadataId;
    expect(body.OptionSet).toEqual({ Name: 'test_sync_states', IsGlobal: true, MetadataId: id });
    expect(body.GlobalOptionSet).toEqual(body.OptionSet);
  });

  it('DateTime columns with DateTimeBehavior and Format (derived properties need the cast)', async () => {
    const body = await ok("EntityDefinitions(LogicalName='contact')/Attributes/Microsoft.Dynamics.CRM.DateTimeAttributeMetadata?$select=LogicalName,DateTimeBehavior,Format");
    expect(body['@odata.context']).toBe(context("EntityDefinitions('contact')/Attributes/Microsoft.Dynamics.CRM.DateTimeAttributeMetadata(LogicalName,DateTimeBehavior,Format)"));
    expect(body.value.map((a: any) => [a.LogicalName, a.DateTimeBehavior, a.Format])).toEqual([
      ['birthdate', { Value: 'DateOnly' }, 'DateOnly'],
      ['new_lastsyncedon', { Value: 'TimeZoneIndependent' }, 'DateAndTime'],
      ['new_displaydate', { Value: 'UserLocal' }, 'DateOnly'],
      ['createdon', { Value: 'UserLocal' }, 'DateAndTime'],
      ['modifiedon', { Value: 'UserLocal' }, 'DateAndTime'],
    ]);
    const dateOnly = await ok(`EntityDefinitions(LogicalName='contact')/Attributes/Microsoft.Dynamics.CRM.DateTimeAttributeMetadata?$select=LogicalName&$filter=${encodeURIComponent("DateTimeBehavior/Value eq 'DateOnly'")}`);
    expect(dateOnly.value.map((a: any) => a.LogicalName)).toEqual(['birthdate']);
  });

  it('Lookup columns (Lookup, Customer, Owner) with Targets', async () => {
    const body = await ok("EntityDefinitions(LogicalName='contact')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,AttributeType,Targets");
    expect(body.value.map((a: any) => [a.LogicalName, a.AttributeType, a.Targets])).toEqual([
      ['parentcustomerid', 'Customer', ['account', 'contact']],
      ['transactioncurrencyid', 'Lookup', ['transactioncurrency']],
      ['ownerid', 'Owner', ['systemuser', 'team']],
    ]);
    expect(body.value[0]['@odata.type']).toBeUndefined();
  });

  it('a cast no attribute has answers an empty collection', async () => {
    expect((await ok(`${base}/Microsoft.Dynamics.CRM.ManagedPropertyAttributeMetadata?$select=LogicalName`)).value).toEqual([]);
  });

  it('refuses EnumAttributeMetadata as the service does (500 0x8006088a)', async () => {
    expect(await fails(`${base}/Microsoft.Dynamics.CRM.EnumAttributeMetadata?$select=LogicalName&$expand=OptionSet`, 500)).toEqual({
      code: '0x8006088a',
      message: 'Unexpected attribute type EnumAttributeMetadata',
    });
  });

  it('404s an unknown cast and an attribute of another type under a cast', async () => {
    expect(await fails(`${base}/Microsoft.Dynamics.CRM.NoSuchAttributeMetadata`, 404)).toEqual({
      code: '0x80060888',
      message: "Resource not found for the segment 'Microsoft.Dynamics.CRM.NoSuchAttributeMetadata'.",
    });
    expect((await fails(`${base}(LogicalName='name')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName`, 404)).code).toBe('0x80040217');
  });

  it('the OptionSet navigation of one attribute: picklist-optionset-navigation.json', async () => {
    const expected = fixture('picklist-optionset-navigation.json');
    const body = await ok(`${base}(5967e7cc-afbb-4c10-bf7e-e7ef430c52be)/Microsoft.Dynamics.CRM.PicklistAttributeMetadata/OptionSet?$select=Options`);
    expect(body['@odata.context']).toBe(expected['@odata.context'].replace('/v9.0/', '/v9.2/'));
    expect(body.MetadataId).toBe(expected.MetadataId);
    expect(body.Options).toHaveLength(7);
    // The docs truncate the options and show an older option shape; compare what they show.
    expect(body.Options[0]).toMatchObject(expected.Options[0]);
  });

  it("the full OptionSet of preferredappointmentdaycode carries the docs' DisplayName and Description", async () => {
    const body = await ok(`${base}(LogicalName='preferredappointmentdaycode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet`);
    expect(body['@odata.context']).toBe(context("EntityDefinitions('account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata(LogicalName,OptionSet())/$entity"));
    expect(body.OptionSet).toMatchObject({
      MetadataId: '53f9933c-18a0-40a6-b4a5-b9610a101735',
      Name: 'account_preferredappointmentdaycode',
      IsGlobal: false,
      IsManaged: true,
      IsCustomOptionSet: false,
      OptionSetType: 'Picklist',
      IntroducedVersion: null,
      IsCustomizable: { Value: true, CanBeChanged: false, ManagedPropertyLogicalName: 'iscustomizable' },
    });
    expect(body.OptionSet.DisplayName.UserLocalizedLabel).toEqual({ Label: 'Preferred Day', LanguageCode: 1033, IsManaged: true, MetadataId: 'ebb7e979-f9e3-40cd-a86d-50b479b1c5a4', HasChanged: null });
  });
});

describe('labels in the user language', () => {
  afterEach(() => {
    emu.world.org.userLanguage = 1033;
  });

  it('UserLocalizedLabel is the label in world.org.userLanguage, else null; LocalizedLabels lists every language', async () => {
    emu.world.org.userLanguage = 1031;
    const contact = await ok("EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='preferredcontactmethodcode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)");
    const email = contact.OptionSet.Options[1];
    expect(email.Label.LocalizedLabels.map((l: any) => [l.LanguageCode, l.Label])).toEqual([
      [1031, 'E-Mail'],
      [1033, 'Email'],
    ]);
    expect(email.Label.UserLocalizedLabel).toEqual(email.Label.LocalizedLabels[0]);
    const account = await ok("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='accountcategorycode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)");
    expect(account.OptionSet.Options[0].Label.UserLocalizedLabel).toBeNull();
    expect(account.OptionSet.Options[0].Label.LocalizedLabels).toHaveLength(1);
  });
});

describe('GlobalOptionSetDefinitions', () => {
  it('lists the global sets with @odata.type; test_sync_states is the captured item of globaloptionsetdefinitions.json', async () => {
    const body = await ok('GlobalOptionSetDefinitions');
    const expected = fixture('globaloptionsetdefinitions.json');
    expect(body['@odata.context']).toBe(expected['@odata.context'].replace('/v9.1/', '/v9.2/'));
    expect(body.value.map((s: any) => [s.Name, s['@odata.type']])).toEqual([
      ['sample_colors', '#Microsoft.Dynamics.CRM.OptionSetMetadata'],
      ['test_sync_states', '#Microsoft.Dynamics.CRM.OptionSetMetadata'],
      ['new_yesno', '#Microsoft.Dynamics.CRM.BooleanOptionSetMetadata'],
    ]);
    expect(body.value[1]).toEqual(expected.value[0]);
    expect(Object.keys(body.value[1])).toEqual(Object.keys(expected.value[0]));
    expect(body.value[2].Options).toBeUndefined();
    expect(body.value[2].TrueOption.Label.UserLocalizedLabel.Label).toBe('Yes');
  });

  it('the documented cast form by MetadataId: globaloptionset-single.json', async () => {
    const body = await ok('GlobalOptionSetDefinitions(7cfd8c56-112a-ed11-9db1-00224804f8e2)/Microsoft.Dynamics.CRM.OptionSetMetadata');
    expect(body).toEqual(fixture('globaloptionset-single.json'));
  });

  it("by Name='...' without a cast: /$entity context and @odata.type", async () => {
    const body = await ok("GlobalOptionSetDefinitions(Name='sample_colors')?$select=Name,OptionSetType");
    expect(body).toEqual({
      '@odata.context': context('GlobalOptionSetDefinitions(Name,OptionSetType)/$entity'),
      '@odata.type': '#Microsoft.Dynamics.CRM.OptionSetMetadata',
      Name: 'sample_colors',
      OptionSetType: 'Picklist',
      MetadataId: '7cfd8c56-112a-ed11-9db1-00224804f8e2',
    });
  });

  it('$select and $filter on the list', async () => {
    const body = await ok(`GlobalOptionSetDefinitions?$select=Name&$filter=${encodeURIComponent("OptionSetType eq Microsoft.Dynamics.CRM.OptionSetType'Boolean' or Name eq 'sample_colors'")}`);
    expect(body['@odata.context']).toBe(context('GlobalOptionSetDefinitions(Name)'));
    expect(body.value.map((s: any) => s.Name)).toEqual(['sample_colors', 'new_yesno']);
  });

  it('Options needs the OptionSetMetadata cast; unknown sets 404', async () => {
    expect(await fails('GlobalOptionSetDefinitions?$select=Name,Options', 400)).toEqual({
      code: '0x0',
      message: "Could not find a property named 'Options' on type 'Microsoft.Dynamics.CRM.OptionSetMetadataBase'.",
    });
    const cast = await ok('GlobalOptionSetDefinitions/Microsoft.Dynamics.CRM.OptionSetMetadata?$select=Name,Options');
    expect(cast.value.map((s: any) => [s.Name, s.Options.length, s['@odata.type']])).toEqual([
      ['sample_colors', 3, undefined],
      ['test_sync_states', 3, undefined],
    ]);
    expect(await fails("GlobalOptionSetDefinitions(Name='nosuch')", 404)).toEqual({ code: '0x80040217', message: 'Could not find an option set with name nosuch.' });
    expect((await fails("GlobalOptionSetDefinitions(Name='new_yesno')/Microsoft.Dynamics.CRM.OptionSetMetadata", 404)).code).toBe('0x80040217');
  });
});
