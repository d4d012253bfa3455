import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { Config } from '../../connector/config/config';
import { createSource, type FactoryDeps } from '../../connector/manifest/factory';
import { loadManifest } from '../../connector/manifest/loader';
import { Redactor } from '../../connector/protocol/redactor';
import { DATAVERSE_EXTENSIONS } from '../../connector/dataverse/components';
import { STATIC_STREAMS } from '../../integration_tests/helpers/streams';

const config: Config = {
  org_url: 'https://contoso.crm4.dynamics.com',
  tenant_id: 'f6976b02-5a42-4e90-ac3d-8bf516ce0859',
  client_id: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
  client_secret: 'factory-test-secret',
  authority_host: 'https://login.microsoftonline.com',
  page_size: 100,
  formatted_values: false,
  request_timeout_seconds: 5,
  max_retry_after_seconds: 42,
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

const manifestText = fs.readFileSync(path.join(__dirname, '..', '..', 'connector', 'manifest.yaml'), 'utf8');

function build(edit?: (doc: any) => void) {
  const doc = YAML.parse(manifestText);
  edit?.(doc);
  return createSource(loadManifest(YAML.stringify(doc)).root, deps);
}

describe('the real manifest', () => {
  test('builds the organization stream and a WhoAmI check', async () => {
    const source = build();
    expect(source.streams.map((s) => s.name)).toEqual([...STATIC_STREAMS]);
    expect(await source.streams[0].primaryKey()).toEqual([['organizationid']]);
    expect(source.check.streamNames).toEqual([...STATIC_STREAMS]);
    expect(source.check.preflight).toBeDefined();
    const schema = await source.streams[0].jsonSchema();
    expect(Object.keys(schema.properties as object)).toContain('web_application_url');
  });

  test('registers the client secret with the redactor when the authenticator is built', () => {
    const redactor = new Redactor();
    createSource(loadManifest(manifestText).root, { ...deps, redactor });
    expect(redactor.redact('x factory-test-secret y')).toBe('x ********** y');
  });
});

describe('a bad manifest is reported with the YAML path at fault', () => {
  test.each<[string, (doc: any) => void, string]>([
    [
      'unknown component type',
      (d) => (d.definitions.organization_stream.retriever.type = 'FancyRetriever'),
      'manifest error at streams[0].retriever: expected a component of type one of "SimpleRetriever", "CustomRetriever", found type "FancyRetriever"',
    ],
    [
      'url_base of the wrong kind',
      (d) => (d.definitions.requester.url_base = ['a']),
      'manifest error at streams[0].retriever.requester.url_base: expected a string, found a list',
    ],
    [
      'a write method',
      (d) => (d.definitions.requester.http_method = 'POST'),
      'manifest error at streams[0].retriever.requester: http_method must be GET: the connector only reads (found POST)',
    ],
    [
      'unknown custom class',
      (d) => (d.definitions.authenticator.class_name = 'source_dataverse.components.Nope'),
      'manifest error at streams[0].retriever.requester.authenticator: unknown class_name source_dataverse.components.Nope',
    ],
    [
      'a template that does not parse',
      (d) => (d.definitions.next_link_paginator.pagination_strategy.cursor_value = "{{ response['@odata.nextLink' }}"),
      'manifest error at streams[0].retriever.paginator.pagination_strategy.cursor_value',
    ],
    [
      'a missing stream name',
      (d) => delete d.definitions.organization_stream.name,
      'manifest error at streams[0].name: ',
    ],
  ])('%s', (_name, edit, message) => {
    expect(() => build(edit)).toThrow(message);
  });
});

describe('dynamic entity streams', () => {
  test('one stream per configured entity, incremental, sharing one metadata loader', () => {
    const source = createSource(loadManifest(manifestText).root, { ...deps, config: { ...config, entities: ['account', 'opportunity'] } });
    expect(source.streams.map((s) => [s.name, s.supportedSyncModes, s.cursorField])).toEqual([
      ['organization', ['full_refresh'], []],
      ['picklist', ['full_refresh'], []],
      ['entity_metadata', ['full_refresh'], []],
      ['attribute_metadata', ['full_refresh'], []],
      ['account', ['full_refresh', 'incremental'], ['modifiedon']],
      ['opportunity', ['full_refresh', 'incremental'], ['modifiedon']],
    ]);
    expect(source.check.streamNames).toEqual([...STATIC_STREAMS, 'account', 'opportunity']);
  });

  test('the throttling cap comes from the config', () => {
    const source = createSource(loadManifest(manifestText).root, deps);
    const requester = (source.streams[0] as any).options.retriever.requester;
    expect(requester.options.retryPolicy.maxRetryAfterMs).toBe(42_000);
  });
});

test('building the source twice from the shared manifest does not grow the check list', () => {
  const root = loadManifest(manifestText).root;
  const withEntities = { ...deps, config: { ...config, entities: ['account'] } };
  createSource(root, withEntities);
  expect(createSource(root, withEntities).check.streamNames).toEqual([...STATIC_STREAMS, 'account']);
});

test('the check asks for one-row pages', () => {
  expect(createSource(loadManifest(manifestText).root, deps).check.configOverrides).toEqual({ page_size: 1 });
});
