/**
 * The engine refuses what it does not implement: unknown keys, Airbyte fields it does not carry
 * out (by name), and template variables the field's context does not provide, each at start with
 * the YAML path. The field table is checked against Airbyte's declarative component schema.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { Config } from '../../connector/config/config';
import { COMPONENT_TYPES, createSource, type FactoryDeps } from '../../connector/manifest/factory';
import { COMPONENT_FIELDS } from '../../connector/manifest/fields';
import { loadManifest } from '../../connector/manifest/loader';
import { Redactor } from '../../connector/protocol/redactor';
import { DATAVERSE_EXTENSIONS } from '../../connector/dataverse/components';
import { STATIC_STREAMS } from '../../integration_tests/helpers/streams';

const config: Config = {
  org_url: 'https://contoso.crm4.dynamics.com',
  tenant_id: 'f6976b02-5a42-4e90-ac3d-8bf516ce0859',
  client_id: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
  client_secret: 'fields-test-secret',
  authority_host: 'https://login.microsoftonline.com',
  page_size: 100,
  formatted_values: false,
  request_timeout_seconds: 5,
  max_retry_after_seconds: 42,
  entities: ['account'],
};

const deps: FactoryDeps = {
  config,
  redactor: new Redactor(),
  extensions: DATAVERSE_EXTENSIONS,
  http: {
    fetch: () => Promise.reject(new Error('no network in factory tests')),
    sleep: () => Promise.resolve(),
    now: () => 0,
    random: () => 0.5,
    log: () => undefined,
    timeoutMs: 1000,
  },
};

const ROOT = path.join(__dirname, '..', '..');
const manifestText = fs.readFileSync(path.join(ROOT, 'connector', 'manifest.yaml'), 'utf8');
const AIRBYTE_SCHEMA = path.join(ROOT, '..', 'shared', 'airbyte', 'declarative_component_schema.yaml');

function build(edit: (doc: any) => void) {
  const doc = YAML.parse(manifestText);
  edit(doc);
  return createSource(loadManifest(YAML.stringify(doc)).root, deps);
}

function refusal(edit: (doc: any) => void): string {
  try {
    build(edit);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the manifest to be refused');
}

describe('the field table matches Airbyte\'s declarative component schema', () => {
  const schema = YAML.parse(fs.readFileSync(AIRBYTE_SCHEMA, 'utf8'));
  const documented = (type: string): string[] => {
    const definition = type === 'DeclarativeSource' ? schema : schema.definitions[type];
    return Object.keys(definition.properties).filter((key) => key !== 'type' && key !== '$parameters');
  };
  // This engine's own additions, not in Airbyte's vocabulary.
  const EXTENSIONS: Record<string, string[]> = { CheckStream: ['preflight'] };

  test.each(Object.keys(COMPONENT_FIELDS))('%s: every documented field is either read or refused by name, and nothing else is claimed', (type) => {
    const { supported, unsupported } = COMPONENT_FIELDS[type];
    const known = [...supported, ...Object.keys(unsupported)];
    expect(new Set(known).size).toBe(known.length);
    expect([...known].sort()).toEqual([...documented(type), ...(EXTENSIONS[type] ?? [])].sort());
  });

  test('every component type the factory builds, except Custom* (registry.ts), has its fields listed', () => {
    expect(COMPONENT_TYPES.filter((type) => !type.startsWith('Custom') && !COMPONENT_FIELDS[type])).toEqual([]);
    expect(COMPONENT_TYPES.filter((type) => !type.startsWith('Custom')).length).toBe(16);
  });
});

describe('an unknown key is refused with its YAML path', () => {
  test.each<[string, (doc: any) => void, string]>([
    [
      'request_parameter on a requester',
      (d) => (d.definitions.organization_stream.retriever.requester.request_parameter = { $top: 1 }),
      'manifest error at streams[0].retriever.requester.request_parameter: unknown field "request_parameter" for HttpRequester; expected one of: authenticator, error_handler, http_method, path, request_headers, request_parameters, url_base',
    ],
    [
      'primary_keyy on a stream',
      (d) => (d.definitions.organization_stream.primary_keyy = ['organizationid']),
      'manifest error at streams[0].primary_keyy: unknown field "primary_keyy" for DeclarativeStream; expected one of: incremental_sync, name, primary_key, retriever, schema_loader, transformations',
    ],
    [
      'a misspelt field of a custom component',
      (d) => (d.definitions.authenticator.client_secrett = 'x'),
      'manifest error at streams[0].retriever.requester.authenticator.client_secrett: unknown field "client_secrett" for CustomAuthenticator; expected one of: authority_host, class_name, client_id, client_secret, org_url, tenant_id',
    ],
    [
      'a key beside the root\'s streams',
      (d) => (d.stream = []),
      'manifest error at stream: unknown field "stream" for DeclarativeSource; expected one of: check, definitions, description, dynamic_streams, metadata, streams, version',
    ],
    [
      'an added field with a typo',
      (d) => (d.definitions.entity_stream.transformations[1].fields[0].vaule = 'x'),
      'manifest error at dynamic_streams[0].stream_template(account).transformations[1].fields[0].vaule: unknown field "vaule" for AddedFieldDefinition',
    ],
    [
      'a metadata query with a typo',
      (d) => (d.definitions.entity_metadata.datetime_query.request_parameter = {}),
      'manifest error at dynamic_streams[0].stream_template(account).schema_loader.metadata.datetime_query.request_parameter: unknown field "request_parameter" for datetime_query',
    ],
    [
      'a response filter with a typo',
      (d) => (d.definitions.error_handler.response_filters[0].http_code = [429]),
      'manifest error at streams[0].retriever.requester.error_handler.response_filters[0].http_code: unknown field "http_code" for HttpResponseFilter',
    ],
  ])('%s', (_name, edit, message) => {
    expect(refusal(edit)).toMatch(new RegExp(`^${escape(message)}`));
  });
});

describe('an Airbyte field this engine does not implement is refused by name', () => {
  test.each<[string, (doc: any) => void, string]>([
    [
      'lookback_window on the datetime cursor',
      (d) => (d.definitions.entity_stream.incremental_sync.lookback_window = 'P1D'),
      'manifest error at dynamic_streams[0].stream_template(account).incremental_sync.lookback_window: lookback_window is not supported by this engine; DatetimeBasedCursor reads only: cursor_field, datetime_format, start_datetime',
    ],
    [
      'end_datetime on the datetime cursor',
      (d) => (d.definitions.entity_stream.incremental_sync.end_datetime = '{{ now_utc() }}'),
      'manifest error at dynamic_streams[0].stream_template(account).incremental_sync.end_datetime: end_datetime is not supported by this engine; DatetimeBasedCursor reads only: cursor_field, datetime_format, start_datetime',
    ],
    [
      'step on the datetime cursor',
      (d) => Object.assign(d.definitions.entity_stream.incremental_sync, { step: 'P1M', cursor_granularity: 'PT1S' }),
      'manifest error at dynamic_streams[0].stream_template(account).incremental_sync.step: step is not supported by this engine',
    ],
    [
      'record_filter on a record selector',
      (d) => (d.definitions.odata_records.record_filter = { type: 'RecordFilter', condition: '{{ true }}' }),
      'manifest error at streams[0].retriever.record_selector.record_filter: record_filter is not supported by this engine; RecordSelector reads only: extractor',
    ],
    [
      'a request body, with the reason',
      (d) => (d.definitions.requester.request_body_json = { a: 1 }),
      'manifest error at streams[0].retriever.requester.request_body_json: request_body_json is not supported by this engine (the connector only sends GET requests)',
    ],
    [
      'a predicate on a response filter',
      (d) => (d.definitions.error_handler.response_filters[1].predicate = "{{ 'x' in response }}"),
      'manifest error at streams[0].retriever.requester.error_handler.response_filters[1].predicate: predicate is not supported by this engine',
    ],
    [
      'state_migrations on a stream',
      (d) => (d.definitions.organization_stream.state_migrations = []),
      'manifest error at streams[0].state_migrations: state_migrations is not supported by this engine',
    ],
  ])('%s', (_name, edit, message) => {
    expect(refusal(edit)).toMatch(new RegExp(`^${escape(message)}`));
  });
});

describe('an undeclared template variable is refused at start, with its name and YAML path', () => {
  test.each<[string, (doc: any) => void, string]>([
    [
      "{{ confg['org_url'] }} in url_base",
      (d) => (d.definitions.requester.url_base = "{{ confg['org_url'] }}/api/data/v9.2/"),
      'manifest error at streams[0].retriever.requester.url_base: undeclared template variable "confg" in "{{ confg[\'org_url\'] }}/api/data/v9.2/"; this field can read: config, parameters, stream_partition, stream_slice, stream_state, stream_interval, next_page_token',
    ],
    [
      'a record in a request header (requests have no record)',
      (d) => (d.definitions.requester.request_headers.Prefer = '{{ record.id }}'),
      'manifest error at streams[0].retriever.requester.request_headers.Prefer: undeclared template variable "record"',
    ],
    [
      'the partition in an authenticator field (fixed for the run)',
      (d) => (d.definitions.authenticator.org_url = '{{ stream_partition.entity }}'),
      'manifest error at streams[0].retriever.requester.authenticator.org_url: undeclared template variable "stream_partition" in "{{ stream_partition.entity }}"; this field can read: config, parameters',
    ],
    [
      'the request in a paginator (it reads the page)',
      (d) => (d.definitions.next_link_paginator.pagination_strategy.stop_condition = '{{ next_page_token is none }}'),
      'manifest error at streams[0].retriever.paginator.pagination_strategy.stop_condition: undeclared template variable "next_page_token"',
    ],
    [
      'a typo in an AddFields value',
      (d) => (d.definitions.entity_stream.transformations[1].fields[0].value = "{{ recrod['modifiedon'] }}"),
      'manifest error at dynamic_streams[0].stream_template(account).transformations[1].fields[0].value: undeclared template variable "recrod"',
    ],
    [
      'a typo in a custom component template',
      (d) => (d.definitions.entity_metadata.entities = "{{ confi.get('entities') }}"),
      'manifest error at dynamic_streams[0].stream_template(account).schema_loader.metadata.entities: undeclared template variable "confi"',
    ],
  ])('%s', (_name, edit, message) => {
    expect(refusal(edit)).toMatch(new RegExp(`^${escape(message)}`));
  });

  test('the shipped manifest builds: every template reads only what its context provides', () => {
    expect(build(() => undefined).streams.map((s) => s.name)).toEqual([...STATIC_STREAMS, 'account']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
