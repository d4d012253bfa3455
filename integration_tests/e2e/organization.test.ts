/**
 * discover and read of the organization stream, end to end through the built CLI, MSAL and HTTPS;
 * plus what the emulator saw: only the allowed requests, the bearer token only on the org host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startEmulator, type Emulator } from '../emulator';
import { ofType, records, ROOT, runCli, statuses, writeJson, type CliResult } from '../helpers/cli';
import { STATIC_STREAMS } from '../helpers/streams';

let emulator: Emulator;
let configFile: string;
const catalogFile = path.join(ROOT, 'integration_tests', 'configured_catalog.json');

beforeAll(async () => {
  emulator = await startEmulator();
  configFile = writeJson('organization-config.json', emulator.config());
});
afterAll(() => emulator.close());

describe('discover', () => {
  let result: CliResult;
  beforeAll(async () => {
    result = await runCli(['discover', '--config', configFile]);
  });

  test('prints exactly one CATALOG and exits 0', () => {
    expect(result.code).toBe(0);
    expect(result.messages.map((m) => m.type)).toEqual(['CATALOG']);
  });

  test('organization: full refresh, primary key organizationid, valid draft-07 schema without $ref/allOf/not', () => {
    const streams = result.messages[0].catalog.streams;
    expect(streams.map((s: { name: string }) => s.name)).toEqual([...STATIC_STREAMS]);
    const [organization] = streams;
    expect(organization.supported_sync_modes).toEqual(['full_refresh']);
    expect(organization.source_defined_primary_key).toEqual([['organizationid']]);
    const schema = organization.json_schema;
    expect(JSON.stringify(schema)).not.toMatch(/"\$ref"|"allOf"|"not"/);
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    expect(ajv.validateSchema(schema)).toBe(true);
    for (const key of organization.source_defined_primary_key) expect(Object.keys(schema.properties)).toContain(key[0]);
  });
});

describe('read organization', () => {
  let result: CliResult;
  beforeAll(async () => {
    emulator.log.length = 0;
    result = await runCli(['read', '--config', configFile, '--catalog', catalogFile]);
  });

  test('exits 0 with STARTED, RUNNING, one record, one STATE of recordCount 1, COMPLETE', () => {
    expect(result.code).toBe(0);
    expect(statuses(result.messages, 'organization')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(records(result.messages)).toHaveLength(1);
    const states = ofType(result.messages, 'STATE');
    expect(states).toEqual([
      { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'organization' }, stream_state: {} }, sourceStats: { recordCount: 1 } } },
    ]);
    const types = result.messages.map((m) => m.type);
    expect(types.indexOf('RECORD')).toBeLessThan(types.indexOf('STATE'));
  });

  test('the record holds every contract field with the emulator values, and nothing else', () => {
    const [message] = records(result.messages);
    expect(Number.isInteger(message.record.emitted_at)).toBe(true);
    const row = emulator.world.org.organizationRow.values as Record<string, unknown>;
    const detail = emulator.world.org.detail as Record<string, any>;
    expect(message.record.data).toEqual({
      organizationid: row.organizationid,
      name: row.name,
      languagecode: row.languagecode,
      localeid: row.localeid,
      _basecurrencyid_value: row._basecurrencyid_value,
      currencysymbol: row.currencysymbol,
      fiscalcalendarstart: row.fiscalcalendarstart,
      fiscalperiodformat: row.fiscalperiodformat,
      isfiscalperiodmonthbased: row.isfiscalperiodmonthbased,
      isauditenabled: row.isauditenabled,
      expirechangetrackingindays: row.expirechangetrackingindays,
      maxuploadfilesize: row.maxuploadfilesize,
      friendly_name: detail.FriendlyName,
      unique_name: detail.UniqueName,
      url_name: detail.UrlName,
      version: detail.OrganizationVersion,
      environment_id: detail.EnvironmentId,
      tenant_id: detail.TenantId,
      geo: detail.Geo,
      datacenter_id: detail.DatacenterId,
      state: detail.State,
      organization_type: detail.OrganizationType,
      web_application_url: `${emulator.orgUrl}/`,
    });
    for (const key of ['organizationid', 'name', 'languagecode', 'localeid', '_basecurrencyid_value', 'currencysymbol', 'fiscalcalendarstart', 'isfiscalperiodmonthbased', 'expirechangetrackingindays']) {
      expect([key, message.record.data[key] === undefined || message.record.data[key] === null]).toEqual([key, false]);
    }
  });

  test('the record validates against the discovered schema, with no field outside it', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'organization.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile({ ...schema, additionalProperties: false });
    const data = records(result.messages)[0].record.data;
    expect(validate(data) ? [] : validate.errors).toEqual([]);
  });

  test('the emulator saw only the openid-configuration GET, the token POST and GETs to the org host', () => {
    const seen = emulator.log.map((e) => `${e.target} ${e.method} ${e.path.split('?')[0]}`);
    expect(seen).toEqual([
      `login GET /${emulator.config().tenant_id}/v2.0/.well-known/openid-configuration`,
      `login POST /${emulator.config().tenant_id}/oauth2/v2.0/token`,
      'org GET /api/data/v9.2/RetrieveCurrentOrganization(AccessType=@p1)',
      'org GET /api/data/v9.2/organizations',
    ]);
    for (const entry of emulator.log) {
      if (entry.target === 'login') expect(entry.headers.authorization).toBeUndefined();
      else expect(entry.headers.authorization).toBe(`Bearer ${emulator.issuedTokens()[emulator.issuedTokens().length - 1]}`);
    }
  });

  test('the organizations request selects the contract columns and asks for OData v4 JSON', () => {
    const request = emulator.log.find((e) => e.path.startsWith('/api/data/v9.2/organizations'));
    expect(request?.path).toBe(
      '/api/data/v9.2/organizations?$select=organizationid,name,languagecode,localeid,_basecurrencyid_value,currencysymbol,fiscalcalendarstart,fiscalperiodformat,isfiscalperiodmonthbased,isauditenabled,expirechangetrackingindays,maxuploadfilesize',
    );
    expect(request?.headers['odata-version']).toBe('4.0');
    expect(request?.headers['odata-maxversion']).toBe('4.0');
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.headers.prefer).toBe('odata.maxpagesize=5000');
  });
});
