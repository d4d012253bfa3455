/**
 * Bad input as data: config, catalog and state files that `read` must reject with a message
 * saying what to fix. The end-to-end test runs them; docs/robustness.md is generated from this list.
 */

/** A file's content: an object/array (written as JSON), raw text, or MISSING (no such file). */
export type FileContent = unknown;
export const MISSING = Symbol('missing file');
export const DIRECTORY = Symbol('a directory');

const GOOD_CONFIG = {
  org_url: 'https://127.0.0.1:1',
  tenant_id: 'f6976b02-5a42-4e90-ac3d-8bf516ce0859',
  client_id: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
  client_secret: 'bad-input-secret-value',
};
const ORG_STREAM = { stream: { name: 'organization', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' };
const GOOD_CATALOG = { streams: [ORG_STREAM] };
const state = (name: string, streamState: unknown = {}) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState }, sourceStats: { recordCount: 1 } });

export interface BadInputCase {
  name: string;
  input: 'config' | 'catalog' | 'state';
  config?: FileContent;
  catalog?: FileContent;
  state?: FileContent;
  /** The exact message; FILE stands for the path of the file at fault. */
  message: string;
}

const config = (name: string, value: FileContent, message: string): BadInputCase => ({ name, input: 'config', config: value, message });
const catalog = (name: string, value: FileContent, message: string): BadInputCase => ({ name, input: 'catalog', catalog: value, message });
const stateCase = (name: string, value: FileContent, message: string): BadInputCase => ({ name, input: 'state', state: value, message });
const without = (key: string) => Object.fromEntries(Object.entries(GOOD_CONFIG).filter(([k]) => k !== key));

export const BASE = { config: GOOD_CONFIG, catalog: GOOD_CATALOG };

export const BAD_INPUT_CASES: BadInputCase[] = [
  config('config file missing', MISSING, 'the --config file FILE does not exist'),
  config('config path is a directory', DIRECTORY, 'the --config file FILE is a directory'),
  config('config not JSON', '{"org_url": "https://x", tenant_id}', 'the --config file FILE is not valid JSON (line 1): fix its syntax'),
  config('config is a list', [GOOD_CONFIG], 'the config must be a JSON object with org_url, tenant_id, client_id and client_secret'),
  config('org_url missing', without('org_url'), 'the config is missing the required field "org_url": set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost'),
  config('tenant_id missing', without('tenant_id'), 'the config is missing the required field "tenant_id": set it to the Directory (tenant) ID GUID from the app registration overview (setup step 1)'),
  config('client_id missing', without('client_id'), 'the config is missing the required field "client_id": set it to the Application (client) ID GUID from the app registration overview (setup step 1)'),
  config('client_secret missing', without('client_secret'), 'the config is missing the required field "client_secret": set it to the client secret\'s Value from Certificates & secrets (setup step 2)'),
  config('org_url a number', { ...GOOD_CONFIG, org_url: 42 }, 'config field "org_url" must be a string: set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost'),
  config('org_url over http', { ...GOOD_CONFIG, org_url: 'http://contoso.crm4.dynamics.com' }, 'config field "org_url" has an invalid value: set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost'),
  config('org_url without scheme', { ...GOOD_CONFIG, org_url: 'contoso.crm4.dynamics.com' }, 'config field "org_url" has an invalid value: set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost'),
  config('org_url with a page path', { ...GOOD_CONFIG, org_url: 'https://contoso.crm4.dynamics.com/main.aspx' }, 'config field "org_url" must be the environment\'s base URL without a path (found "/main.aspx"): set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost'),
  config('tenant_id a domain', { ...GOOD_CONFIG, tenant_id: 'contoso.onmicrosoft.com' }, 'config field "tenant_id" has an invalid value: set it to the Directory (tenant) ID GUID from the app registration overview (setup step 1)'),
  config('client_id not a GUID', { ...GOOD_CONFIG, client_id: 'my-app' }, 'config field "client_id" has an invalid value: set it to the Application (client) ID GUID from the app registration overview (setup step 1)'),
  config('authority_host over http', { ...GOOD_CONFIG, authority_host: 'http://login.microsoftonline.com' }, 'config field "authority_host" has an invalid value: set it to an https URL such as https://login.microsoftonline.com'),
  config('page_size 0', { ...GOOD_CONFIG, page_size: 0 }, 'config field "page_size" has an invalid value: set it to an integer from 1 to 5000'),
  config('page_size above 5000', { ...GOOD_CONFIG, page_size: 10000 }, 'config field "page_size" has an invalid value: set it to an integer from 1 to 5000'),
  config('page_size a string', { ...GOOD_CONFIG, page_size: '500' }, 'config field "page_size" must be an integer: set it to an integer from 1 to 5000'),
  config('formatted_values "yes"', { ...GOOD_CONFIG, formatted_values: 'yes' }, 'config field "formatted_values" must be true or false: set it to true or false'),
  config('entities a string', { ...GOOD_CONFIG, entities: 'account' }, 'config field "entities" must be a list: set it to a list of entity logical names, e.g. ["account", "opportunity"]'),
  config('entities with a display name', { ...GOOD_CONFIG, entities: ['Account Name'] }, 'config field "entities.0" has an invalid value: set it to a list of entity logical names, e.g. ["account", "opportunity"]'),
  config('picklists item malformed', { ...GOOD_CONFIG, picklists: ['account..industrycode'] }, 'config field "picklists.0" has an invalid value: set it to a list of "entity" or "entity.attribute" logical names, e.g. ["account", "opportunity.statuscode"]'),
  config('unknown field (typo)', { ...GOOD_CONFIG, page_sise: 100 }, 'config field "page_sise" is not known (did you mean "page_size"?): remove it (known fields: org_url, tenant_id, client_id, client_secret, authority_host, picklists, entities, page_size, formatted_values, request_timeout_seconds, max_retry_after_seconds)'),
  config('request_timeout_seconds 0', { ...GOOD_CONFIG, request_timeout_seconds: 0 }, 'config field "request_timeout_seconds" has an invalid value: set it to an integer from 1 to 600'),
  catalog('catalog file missing', MISSING, 'the --catalog file FILE does not exist'),
  catalog('catalog not JSON', 'streams: [organization]', 'the --catalog file FILE is not valid JSON: fix its syntax'),
  catalog('catalog without streams', { stream: 'organization' }, 'the --catalog file FILE must be a configured catalog: an object with a "streams" list (see integration_tests/configured_catalog.json)'),
  catalog('catalog entry without a stream name', { streams: [{ sync_mode: 'full_refresh' }] }, '--catalog FILE streams[0] must hold {"stream": {"name": ...}, "sync_mode": ..., "destination_sync_mode": ...}'),
  catalog('unknown stream', { streams: [{ ...ORG_STREAM, stream: { name: 'accounts' } }] }, '--catalog FILE streams[0]: stream "accounts" does not exist in this source (streams: organization, picklist); run discover for the current catalog'),
  catalog('invalid sync_mode', { streams: [{ ...ORG_STREAM, sync_mode: 'sometimes' }] }, '--catalog FILE streams[0]: sync_mode "sometimes" is invalid; use full_refresh or incremental'),
  catalog('incremental on a full-refresh stream', { streams: [{ ...ORG_STREAM, sync_mode: 'incremental' }] }, '--catalog FILE streams[0]: stream "organization" does not support incremental (supported: full_refresh)'),
  catalog('a stream listed twice', { streams: [ORG_STREAM, ORG_STREAM] }, '--catalog FILE streams[1]: stream "organization" is listed twice'),
  {
    name: 'a cursor other than the source-defined one',
    input: 'catalog',
    config: { ...GOOD_CONFIG, entities: ['account'] },
    catalog: { streams: [{ stream: { name: 'account' }, sync_mode: 'incremental', cursor_field: ['createdon'], destination_sync_mode: 'append' }] },
    message: '--catalog FILE streams[0]: stream "account" has the source-defined cursor ["modifiedon"]; cursor_field ["createdon"] cannot be used (remove it or set it to ["modifiedon"])',
  },
  catalog('cursor_field not a list', { streams: [{ ...ORG_STREAM, cursor_field: 'modifiedon' }] }, '--catalog FILE streams[0]: cursor_field must be a list of field names, e.g. ["modifiedon"]'),
  stateCase('state file missing', MISSING, 'the --state file FILE does not exist'),
  stateCase('state not JSON', '[{"type": "STREAM",', 'the --state file FILE is not valid JSON (line 1): fix its syntax'),
  stateCase('LEGACY state (one object)', { organization: { modifiedon: '2024-01-01T00:00:00Z' } }, 'the --state file FILE must be a list of STREAM state messages, as printed by read (found an object: LEGACY state is not supported)'),
  stateCase('GLOBAL state', [{ type: 'GLOBAL', global: { stream_states: [] } }], '--state FILE [0] has type "GLOBAL"; only STREAM state is supported: start from a state printed by this connector, or from none'),
  stateCase('state for an unknown stream', [state('accounts')], '--state FILE [0] is for stream "accounts", which this source does not have (streams: organization, picklist)'),
  stateCase('stream_state not an object', [state('organization', 'yesterday')], '--state FILE [0]: stream_state of "organization" must be an object'),
  stateCase('state without a stream descriptor', [{ type: 'STREAM', stream: { stream_state: {} } }], '--state FILE [0] needs stream.stream_descriptor.name'),
];
