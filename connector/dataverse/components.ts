/**
 * What Dataverse adds to the generic engine (manifest/extensions.ts): the custom components by
 * class_name, for what Airbyte's vocabulary cannot say (MSAL auth, OData annotations, the
 * organization detail merge, ...), the setup guide's wording of errors and the OData cursor query.
 * Injected into the source by commands/source-for.ts.
 */
import type { Config } from '../config/config';
import { MsalAuthenticator } from '../http/authenticator';
import { DEFAULT_RETRY_POLICY } from '../http/retry-policy';
import type { HttpRequester } from '../http/requester';
import type { ComponentBuilder, CustomCreator, SourceExtensions } from '../manifest/extensions';
import type { ManifestNode } from '../manifest/node';
import type { SimpleRetriever } from '../streams/retriever';
import { EntityPartitionRouter, EntityRowShaper, EntitySchemaLoader } from './entity-components';
import { ChangeTrackingRetriever } from './entity-incremental';
import { EntityPartitionPlanner } from './entity-partitions';
import { EntityMetadataProvider } from './entity-metadata';
import { setupGuideDescriber, type ErrorContext } from './error-messages';
import { AttributeMetadataRetriever, EntityMetadataRetriever, MetadataScope } from './metadata-streams';
import { ODATA_CURSOR_QUERY } from './odata-cursor';
import { OptionSetBatchRetriever } from './option-set-retriever';
import { OPTION_SET_KINDS, type OptionSetKind } from './option-sets';
import { CurrentOrganizationDetail } from './organization-detail';
import { PicklistSelectionRouter } from './picklist-selection';

/**
 * Components built once per identical definition, because they hold a per-run cache and read
 * only the config (never `parameters`, which differ per stream).
 */
const SHARED_COMPONENTS: ReadonlySet<string> = new Set([
  'source_dataverse.components.MsalClientCredentialsAuthenticator',
  'source_dataverse.components.EntityMetadataProvider',
  'source_dataverse.components.MetadataScope',
]);

const OPTION_SET_KINDS_SET = new Set<string>(OPTION_SET_KINDS);

const CUSTOM_COMPONENTS: Readonly<Record<string, CustomCreator>> = {
  'source_dataverse.components.MsalClientCredentialsAuthenticator': (n, f) => {
    n.unknownKeys(['class_name', 'org_url', 'tenant_id', 'client_id', 'client_secret', 'authority_host']);
    const ctx: ErrorContext = {
      orgUrl: f.renderNow(n, 'org_url'),
      tenantId: f.renderNow(n, 'tenant_id'),
      clientId: f.renderNow(n, 'client_id'),
      authorityHost: f.renderNow(n, 'authority_host'),
    };
    return new MsalAuthenticator({
      ...ctx,
      clientSecret: f.renderNow(n, 'client_secret'),
      // Messages name the authority by its origin, as the authenticator's own do.
      describer: setupGuideDescriber({ ...ctx, authorityHost: new URL(ctx.authorityHost).origin }),
      redactor: f.deps.redactor,
      fetch: f.deps.http.fetch,
      sleep: f.deps.http.sleep,
      now: f.deps.http.now,
      random: f.deps.http.random,
      timeoutMs: f.deps.http.timeoutMs,
      signal: f.deps.http.signal,
      log: f.deps.http.log,
      reachedHosts: f.deps.http.reachedHosts,
      retryPolicy: f.deps.http.backoffBaseMs === undefined ? undefined : { ...DEFAULT_RETRY_POLICY, baseDelayMs: f.deps.http.backoffBaseMs },
    });
  },
  'source_dataverse.components.EntityMetadataProvider': (n, f) => {
    n.unknownKeys(['class_name', 'entities', 'definitions_requester', 'catalog_requester', 'counts_requester', 'requester', 'attributes_query', 'datetime_query', 'lookup_query']);
    for (const key of ['attributes_query', 'datetime_query', 'lookup_query']) n.optChild(key)?.unknownKeys(['path', 'request_parameters'], {}, key);
    return new EntityMetadataProvider({
      entities: f.template(n, 'entities'),
      definitionsRequester: f.create<HttpRequester>(n.child('definitions_requester'), 'HttpRequester'),
      catalogRequester: n.has('catalog_requester') ? f.create<HttpRequester>(n.child('catalog_requester'), 'HttpRequester') : undefined,
      countsRequester: n.has('counts_requester') ? f.create<HttpRequester>(n.child('counts_requester'), 'HttpRequester') : undefined,
      batchRequester: f.create<HttpRequester>(n.child('requester'), 'HttpRequester'),
      attributesQuery: { path: f.template(n.child('attributes_query'), 'path'), requestParameters: f.templateTree(n.child('attributes_query'), 'request_parameters') },
      dateTimeQuery: { path: f.template(n.child('datetime_query'), 'path'), requestParameters: f.templateTree(n.child('datetime_query'), 'request_parameters') },
      lookupQuery: n.has('lookup_query') ? { path: f.template(n.child('lookup_query'), 'path'), requestParameters: f.templateTree(n.child('lookup_query'), 'request_parameters') } : undefined,
      errorContext: errorContext(f.deps.config),
    });
  },
  'source_dataverse.components.EntityPartitionRouter': (n, f) => {
    n.unknownKeys(['class_name', 'metadata', 'entity', 'formatted_values']);
    return new EntityPartitionRouter(f.custom(n.child('metadata')) as EntityMetadataProvider, f.template(n, 'entity'), f.template(n, 'formatted_values'));
  },
  'source_dataverse.components.EntitySchemaLoader': (n, f) => {
    n.unknownKeys(['class_name', 'metadata', 'entity', 'formatted_values']);
    return new EntitySchemaLoader(f.custom(n.child('metadata')) as EntityMetadataProvider, f.template(n, 'entity'), f.template(n, 'formatted_values'), f.context(n));
  },
  'source_dataverse.components.EntityRowShaper': (n) => {
    n.unknownKeys(['class_name']);
    return new EntityRowShaper();
  },
  'source_dataverse.components.ChangeTrackingRetriever': (n, f) => {
    n.unknownKeys(['class_name', 'retriever', 'metadata']);
    const inner = f.create<SimpleRetriever>(n.child('retriever'), 'SimpleRetriever');
    const metadata = n.has('metadata') ? (f.custom(n.child('metadata')) as EntityMetadataProvider) : undefined;
    return new ChangeTrackingRetriever(inner, f.deps.http.now, new EntityPartitionPlanner({ inner, now: f.deps.http.now, metadata }));
  },
  'source_dataverse.components.PicklistSelectionRouter': (n, f) => {
    n.unknownKeys(['class_name', 'selection', 'entities_requester']);
    return new PicklistSelectionRouter(f.template(n, 'selection'), f.create<HttpRequester>(n.child('entities_requester'), 'HttpRequester'));
  },
  'source_dataverse.components.OptionSetBatchRetriever': (n, f) => {
    n.unknownKeys(['class_name', 'requester', 'partition_router', 'attribute_queries', 'batch_size']);
    return new OptionSetBatchRetriever({
      requester: f.create<HttpRequester>(n.child('requester'), 'HttpRequester'),
      router: f.create<PicklistSelectionRouter>(n.child('partition_router'), 'CustomPartitionRouter'),
      queries: n.list('attribute_queries').map((q) => {
        q.unknownKeys(['attribute_type', 'path', 'request_parameters'], {}, 'an attribute query');
        const kind = q.str('attribute_type');
        if (!OPTION_SET_KINDS_SET.has(kind)) q.fail(`attribute_type must be one of ${OPTION_SET_KINDS.join(', ')} (found ${kind})`);
        return { kind: kind as OptionSetKind, path: f.template(q, 'path'), requestParameters: f.templateTree(q, 'request_parameters') };
      }),
      batchSize: batchSize(n),
      errorContext: errorContext(f.deps.config),
    });
  },
  'source_dataverse.components.MetadataScope': (n, f) => {
    n.unknownKeys(['class_name', 'entities', 'definitions_requester']);
    return new MetadataScope(f.template(n, 'entities'), f.create<HttpRequester>(n.child('definitions_requester'), 'HttpRequester'), errorContext(f.deps.config));
  },
  'source_dataverse.components.EntityMetadataRetriever': (n, f) => {
    n.unknownKeys(['class_name', 'scope']);
    return new EntityMetadataRetriever(f.custom(n.child('scope')) as MetadataScope);
  },
  'source_dataverse.components.AttributeMetadataRetriever': (n, f) => {
    n.unknownKeys(['class_name', 'scope', 'requester', 'batch_size', 'attributes_query', 'detail_queries']);
    const query = (q: ManifestNode) => {
      q.unknownKeys(['path', 'request_parameters'], {}, 'a metadata query');
      return { path: f.template(q, 'path'), requestParameters: f.templateTree(q, 'request_parameters') };
    };
    return new AttributeMetadataRetriever({
      scope: f.custom(n.child('scope')) as MetadataScope,
      requester: f.create<HttpRequester>(n.child('requester'), 'HttpRequester'),
      attributesQuery: query(n.child('attributes_query')),
      detailQueries: n.list('detail_queries').map(query),
      batchSize: batchSize(n),
    });
  },
  'source_dataverse.components.CurrentOrganizationDetail': (n, f) => {
    n.unknownKeys(['class_name', 'requester', 'fields', 'endpoint_fields']);
    const fields: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(n.record('fields'))) {
      fields[key] = Array.isArray(value) ? value.map(String) : String(value).split('.');
    }
    const endpoints: Record<string, string> = {};
    for (const [key, value] of Object.entries(n.optRecord('endpoint_fields') ?? {})) endpoints[key] = String(value);
    return new CurrentOrganizationDetail({
      requester: f.create<HttpRequester>(n.child('requester'), 'HttpRequester'),
      fields,
      endpointFields: endpoints,
    });
  },
};

/** Dataverse takes at most 1,000 requests in one $batch. */
function batchSize(n: ManifestNode): number {
  const size = n.optInt('batch_size') ?? 1000;
  if (size < 1 || size > 1000) n.fail(`batch_size must be 1 to 1000 (Dataverse's $batch limit), found ${size}`);
  return size;
}

/** The facts a Dataverse message may name, from the config: never the secret. */
function errorContext(config: Config): ErrorContext {
  return { orgUrl: config.org_url, tenantId: config.tenant_id, clientId: config.client_id, authorityHost: config.authority_host };
}

/** Dataverse's extensions of the engine, for commands/source-for.ts to inject. */
export const DATAVERSE_EXTENSIONS: SourceExtensions = {
  components: CUSTOM_COMPONENTS,
  shared: SHARED_COMPONENTS,
  describer: (config) => setupGuideDescriber(errorContext(config)),
  cursorQuery: ODATA_CURSOR_QUERY,
};
