/**
 * Bad input as data: config, catalog and state files that `read` must reject with a message
 * saying what to fix. The end-to-end test runs them; docs/robustness.md is generated from this list.
 */
import { loadSpec } from '../../connector/config/spec';

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
/** A STATE line exactly as `read` prints it. */
const stateLine = (name: string, streamState: unknown) => JSON.stringify({ type: 'STATE', state: state(name, streamState) });
const ACCOUNT_CONFIG = { ...GOOD_CONFIG, entities: ['account'] };
const ACCOUNT_STREAM = { stream: { name: 'account', json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append' };
const ACCOUNT_CATALOG = { streams: [ACCOUNT_STREAM] };
/** A delta token as Dataverse hands them out (`<version>!<MM/dd/yyyy HH:mm:ss>`, facts §5). */
const DELTA_TOKEN = '919042!08/22/2017 08:10:44';
const RESTART = 'start from a state printed by this connector';
const LONG = (n: number) => 'a'.repeat(n);
/** The field list unknown-field messages end with: spec.yaml's properties, in order. */
const KNOWN_FIELDS = Object.keys(loadSpec().connection_specification.properties as Record<string, unknown>).join(', ');
/** Stands for the emulator's org URL in an emulator case's state and message. */
export const ORG_URL = '{org_url}';

export interface BadInputCase {
  name: string;
  input: 'config' | 'catalog' | 'state';
  config?: FileContent;
  catalog?: FileContent;
  state?: FileContent;
  /** The exact message; FILE stands for the path of the file at fault, {org_url} for the emulator's org URL. */
  message: string;
  /**
   * The check needs the service (a resume_link is checked against the entity set, from the
   * metadata): the config's connection fields point at an emulator, which must see no entity-set request.
   */
  emulator?: boolean;
}

const config = (name: string, value: FileContent, message: string): BadInputCase => ({ name, input: 'config', config: value, message });
const catalog = (name: string, value: FileContent, message: string): BadInputCase => ({ name, input: 'catalog', catalog: value, message });
const stateCase = (name: string, value: FileContent, message: string): BadInputCase => ({ name, input: 'state', state: value, message });
/** A state case of the `account` stream (incremental): the entity-stream state rules. */
const accountState = (name: string, streamState: unknown, message: string): BadInputCase => ({
  name,
  input: 'state',
  config: ACCOUNT_CONFIG,
  catalog: ACCOUNT_CATALOG,
  state: [state('account', streamState)],
  message: `--state FILE [0]: stream "account": ${message}: ${RESTART}`,
});
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
  config('entities a string', { ...GOOD_CONFIG, entities: 'account' }, 'config field "entities" must be a list: set it to a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]'),
  config('entities with a display name', { ...GOOD_CONFIG, entities: ['Account Name'] }, 'config field "entities.0" has an invalid value: set it to a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]'),
  config('picklists item malformed', { ...GOOD_CONFIG, picklists: ['account..industrycode'] }, 'config field "picklists.0" has an invalid value: set it to a list of "entity" or "entity.attribute" logical names, e.g. ["account", "opportunity.statuscode"]'),
  config('unknown field (typo)', { ...GOOD_CONFIG, page_sise: 100 }, `config field "page_sise" is not known (did you mean "page_size"?): remove it (known fields: ${KNOWN_FIELDS})`),
  config('max_parallel_requests above 52', { ...GOOD_CONFIG, max_parallel_requests: 64 }, 'config field "max_parallel_requests" has an invalid value: set it to an integer from 1 to 52'),
  config('request_timeout_seconds 0', { ...GOOD_CONFIG, request_timeout_seconds: 0 }, 'config field "request_timeout_seconds" has an invalid value: set it to an integer from 1 to 600'),
  catalog('catalog file missing', MISSING, 'the --catalog file FILE does not exist'),
  catalog('catalog not JSON', 'streams: [organization]', 'the --catalog file FILE is not valid JSON: fix its syntax'),
  catalog('catalog without streams', { stream: 'organization' }, 'the --catalog file FILE must be a configured catalog: an object with a "streams" list (see integration_tests/configured_catalog.json)'),
  catalog('catalog entry without a stream name', { streams: [{ sync_mode: 'full_refresh' }] }, '--catalog FILE streams[0] must hold {"stream": {"name": ...}, "sync_mode": ..., "destination_sync_mode": ...}'),
  catalog('unknown stream', { streams: [{ ...ORG_STREAM, stream: { name: 'accounts' } }] }, '--catalog FILE streams[0]: stream "accounts" does not exist in this source (streams: organization, picklist, entity_metadata, attribute_metadata); run discover for the current catalog'),
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
  stateCase('state for an unknown stream', [state('accounts')], '--state FILE [0] is for stream "accounts", which this source does not have (streams: organization, picklist, entity_metadata, attribute_metadata)'),
  stateCase('stream_state not an object', [state('organization', 'yesterday')], '--state FILE [0]: stream_state of "organization" must be an object'),
  stateCase('state without a stream descriptor', [{ type: 'STREAM', stream: { stream_state: {} } }], '--state FILE [0] needs stream.stream_descriptor.name'),
  // Input hardening (issue 15): every value bounded, quoted values cut, state checked before the first record.
  config('client_secret empty', { ...GOOD_CONFIG, client_secret: '' }, 'config field "client_secret" is empty: set it to the client secret\'s Value from Certificates & secrets (setup step 2)'),
  config('client_secret over 1,024 characters', { ...GOOD_CONFIG, client_secret: 'long-secret-'.repeat(86).slice(0, 1025) }, 'config field "client_secret" is 1025 characters long, more than the 1024 allowed: set it to the client secret\'s Value from Certificates & secrets (setup step 2)'),
  config('org_url of 100 KB', { ...GOOD_CONFIG, org_url: `https://contoso.crm4.dynamics.com/${LONG(102_400)}` }, 'config field "org_url" is 102434 characters long, more than the 2048 allowed: set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost'),
  config('org_url with a 2,000-character path', { ...GOOD_CONFIG, org_url: `https://contoso.crm4.dynamics.com/${LONG(2000)}` }, `config field "org_url" must be the environment's base URL without a path (found "/${LONG(59)}..." (2001 characters)): set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost`),
  config('authority_host over 2,048 characters', { ...GOOD_CONFIG, authority_host: `https://${LONG(2041)}` }, 'config field "authority_host" is 2049 characters long, more than the 2048 allowed: set it to an https URL such as https://login.microsoftonline.com'),
  config('entity name over 128 characters', { ...GOOD_CONFIG, entities: ['account', LONG(129)] }, 'config field "entities.1" is 129 characters long, more than the 128 allowed: set it to a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]'),
  config('entities item not a string', { ...GOOD_CONFIG, entities: [42] }, 'config field "entities.0" must be a string: set it to a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]'),
  config('entities over 10,000 items', { ...GOOD_CONFIG, entities: Array.from({ length: 10_001 }, (_, i) => `e${i}`) }, 'config field "entities" lists 10001 items, more than the 10000 allowed: set it to a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]'),
  config('picklists item over 257 characters', { ...GOOD_CONFIG, picklists: [`account.${LONG(250)}`] }, 'config field "picklists.0" is 258 characters long, more than the 257 allowed: set it to a list of "entity" or "entity.attribute" logical names, e.g. ["account", "opportunity.statuscode"]'),
  config('picklists over 10,000 items', { ...GOOD_CONFIG, picklists: Array.from({ length: 10_001 }, () => 'account') }, 'config field "picklists" lists 10001 items, more than the 10000 allowed: set it to a list of "entity" or "entity.attribute" logical names, e.g. ["account", "opportunity.statuscode"]'),
  config('entities listing a table twice', { ...GOOD_CONFIG, entities: ['account', 'contact', 'account'] }, 'config field "entities.2" repeats "account" (already entities.0): list each name in entities once'),
  config('entities naming the organization stream', { ...GOOD_CONFIG, entities: ['organization'] }, 'config field "entities.0" is "organization", which is the name of this source\'s organization stream: the organization stream already syncs that table\'s rows; remove "organization" from entities'),
  config('entities naming the picklist stream', { ...GOOD_CONFIG, entities: ['account', 'picklist'] }, 'config field "entities.1" is "picklist", which is the name of this source\'s picklist stream: the picklist stream already syncs that table\'s rows; remove "picklist" from entities'),
  config('unknown field with a 100 KB name', { ...GOOD_CONFIG, [LONG(100_000)]: 1 }, `config field "${LONG(60)}..." (100000 characters) is not known: remove it (known fields: ${KNOWN_FIELDS})`),
  catalog('json_schema not an object', { streams: [{ ...ORG_STREAM, stream: { ...ORG_STREAM.stream, json_schema: 'schemas/organization.json' } }] }, '--catalog FILE streams[0]: stream.json_schema of "organization" must be a JSON schema object, as discover printed it (found a string)'),
  catalog('cursor_field with a non-string item', { streams: [{ ...ORG_STREAM, cursor_field: [1] }] }, '--catalog FILE streams[0]: cursor_field must be a list of field names, e.g. ["modifiedon"]'),
  catalog('unknown stream with a 100 KB name', { streams: [{ ...ORG_STREAM, stream: { name: LONG(100_000) } }] }, `--catalog FILE streams[0]: stream "${LONG(60)}..." (100000 characters) does not exist in this source (streams: organization, picklist, entity_metadata, attribute_metadata); run discover for the current catalog`),
  {
    name: 'unknown stream among many',
    input: 'catalog',
    config: { ...GOOD_CONFIG, entities: Array.from({ length: 12 }, (_, i) => `sample_table${i}`) },
    catalog: { streams: [{ ...ORG_STREAM, stream: { name: 'accounts' } }] },
    message: '--catalog FILE streams[0]: stream "accounts" does not exist in this source (streams: organization, picklist, entity_metadata, attribute_metadata, sample_table0, sample_table1, sample_table2, sample_table3, sample_table4, sample_table5, ... (16 in all)); run discover for the current catalog',
  },
  accountState('modifiedon holding a filter', { modifiedon: 'null or modifiedon ne 2024-01-01' }, 'modifiedon "null or modifiedon ne 2024-01-01" is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z'),
  accountState('modifiedon an impossible date', { modifiedon: '2024-02-30T00:00:00Z' }, 'modifiedon "2024-02-30T00:00:00Z" is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z'),
  accountState('modifiedon without a time zone', { modifiedon: '2024-01-01T00:00:00' }, 'modifiedon "2024-01-01T00:00:00" is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z'),
  accountState('modifiedon a number', { modifiedon: 1704067200 }, 'modifiedon 1704067200 is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z'),
  accountState('modifiedon of 100 KB', { modifiedon: `2024-01-01T00:00:00Z${LONG(102_380)}` }, `modifiedon "2024-01-01T00:00:00Z${LONG(40)}..." (102400 characters) is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z`),
  accountState('deltatoken empty', { deltatoken: '' }, 'deltatoken is empty'),
  accountState('deltatoken a number', { deltatoken: 919042 }, 'deltatoken is a number, not a string'),
  accountState('deltatoken with a line break', { deltatoken: `${DELTA_TOKEN}\n` }, 'deltatoken "919042!08/22/2017 08:10:44\\n" holds line breaks, tabs or spaces at its ends'),
  accountState('deltatoken over 1,024 characters', { deltatoken: LONG(1025) }, 'deltatoken is 1025 characters long, more than the 1024 a delta token can be'),
  accountState('resume_link not a string', { deltatoken: DELTA_TOKEN, resume_link: 42 }, 'resume_link is a number, not a link'),
  accountState('entity state with an unknown key', { modifiedon: '2024-01-01T00:00:00Z', cursor: 'x' }, 'stream_state holds "cursor", which this stream never writes (it keeps deltatoken, resume_link and page_size, or modifiedon)'),
  accountState('deltatoken and modifiedon together', { deltatoken: DELTA_TOKEN, modifiedon: '2024-01-01T00:00:00Z' }, 'stream_state holds both deltatoken (change tracking) and modifiedon (the datetime cursor); a state holds one or the other'),
  accountState('partitions with none open', { partitions: { open: [], done: {} } }, 'stream_state partitions.open is empty, but a state with partitions always has one not finished'),
  accountState('partitions with a relative link', { partitions: { open: [{ key: 'a', next: 'accounts?$skiptoken=1' }], done: {} } }, 'stream_state partitions.open[0].next "accounts?$skiptoken=1" is not an absolute https link'),
  stateCase('partitions on a stream never partitioned', [state('organization', { partitions: { open: [{ key: 'a' }], done: {} } })], `--state FILE [0]: stream "organization": stream_state holds "partitions", but this stream is never read in partitions: ${RESTART}, or from none`),
  stateCase('state keys on a full-refresh stream', [state('organization', { modifiedon: '2024-01-01T00:00:00Z' })], `--state FILE [0]: stream "organization": stream_state holds "modifiedon", but this stream is full refresh only and keeps no state: ${RESTART}, or from none`),
  {
    name: 'the second stream\'s state broken',
    input: 'state',
    config: ACCOUNT_CONFIG,
    catalog: { streams: [ORG_STREAM, ACCOUNT_STREAM] },
    state: [state('organization'), state('account', { modifiedon: 'yesterday' })],
    message: `--state FILE [1]: stream "account": modifiedon "yesterday" is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z: ${RESTART}`,
  },
  stateCase('STATE lines with a RECORD line', `${stateLine('organization', {})}\n${JSON.stringify({ type: 'RECORD', record: { stream: 'organization', data: {}, emitted_at: 0 } })}\n`, '--state FILE line 2 is a "RECORD" message, not a STATE message: keep only the STATE lines read printed, or give a JSON list of STATE messages'),
  stateCase('STATE lines with a broken line', `${stateLine('organization', {})}\n\n{"type": "STATE",\n`, 'the --state file FILE is not valid JSON (line 3): fix its syntax'),
  stateCase('STATE line for an unknown stream', `${stateLine('accounts', {})}\n`, '--state FILE line 1 is for stream "accounts", which this source does not have (streams: organization, picklist, entity_metadata, attribute_metadata)'),
  {
    name: 'STATE lines with a broken modifiedon',
    input: 'state',
    config: ACCOUNT_CONFIG,
    catalog: ACCOUNT_CATALOG,
    state: `${stateLine('account', { modifiedon: '2024-01-01T00:00:00Z' })}\n${stateLine('account', { modifiedon: '2024-13-01T00:00:00Z' })}\n`,
    message: `--state FILE line 2: stream "account": modifiedon "2024-13-01T00:00:00Z" is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z: ${RESTART}`,
  },
  { ...accountState('resume_link to another entity set', { deltatoken: DELTA_TOKEN, resume_link: `${ORG_URL}/api/data/v9.2/contacts?$select=fullname&$skiptoken=1` }, 'resume_link points at /api/data/v9.2/contacts, not at /api/data/v9.2/accounts where the read started'), emulator: true },
  { ...accountState('resume_link to another host', { resume_link: 'https://contoso.example.com/api/data/v9.2/accounts?$skiptoken=1' }, `resume_link points at https://contoso.example.com, which is not the org host ${ORG_URL}`), emulator: true },
  { ...accountState('resume_link not a URL', { resume_link: 'accounts?$skiptoken=1' }, 'resume_link is not an absolute URL'), emulator: true },
];
