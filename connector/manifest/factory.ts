/**
 * The component factory: one `type -> createX` table, each createX short and reading its fields
 * through ManifestNode so a bad field is reported with its YAML path. Custom components are looked
 * up by `class_name` in the source's extensions (extensions.ts), which the caller injects.
 */
import type { Config } from '../config/config';
import type { Authenticator } from '../http/authenticator';
import { HttpRequester, type Renderable } from '../http/requester';
import { DEFAULT_RETRY_POLICY, type ResponseFilter, type RetryPolicy } from '../http/retry-policy';
import { DeclarativeStream } from '../streams/declarative-stream';
import { CursorPaginator, NoPaginator, type Paginator } from '../streams/paginator';
import { DpathExtractor, RecordSelector } from '../streams/record-selector';
import { ListPartitionRouter, type PartitionRouter } from '../streams/partition-router';
import { SimpleRetriever, type Retriever } from '../streams/retriever';
import { InlineSchemaLoader, JsonFileSchemaLoader, type SchemaLoader } from '../streams/schema-loader';
import { AddFields } from '../streams/transformations';
import type { RecordTransformation } from '../streams/types';
import { DatetimeCursor } from '../streams/datetime-cursor';
import type { IncrementalSync } from '../streams/incremental';
import { resolveDynamicStreams } from './dynamic-streams';
import type { ComponentBuilder, FactoryDeps } from './extensions';
import { COMPONENT_FIELDS } from './fields';
import { ALL_VARIABLES, CONFIG_VARIABLES, PAGINATION_VARIABLES, RECORD_VARIABLES, REQUEST_VARIABLES, compileTemplate, interpolateDeep, type Variables } from './interpolation';
import { ManifestNode } from './node';

export type { FactoryDeps } from './extensions';

/** CheckStream: the streams to read one record of, after the preflight request. */
export interface ConnectionCheck {
  streamNames: string[];
  /** Config values for the check only (Airbyte's `config_overrides`), e.g. a one-row page. */
  configOverrides?: Record<string, unknown>;
  /** A request that must succeed first (WhoAmI): it proves the token and the application user. */
  preflight?: HttpRequester;
}

export interface DeclarativeSource {
  streams: DeclarativeStream[];
  check: ConnectionCheck;
}

type Creator = (node: ManifestNode, factory: ComponentFactory) => unknown;

const CREATORS: Readonly<Record<string, Creator>> = {
  DeclarativeSource: (n, f) => {
    const dynamic = resolveDynamicStreams(n, f.deps.config as unknown as Record<string, unknown>);
    const streams = [...n.list('streams'), ...dynamic.flatMap((d) => d.streams)].map((s) => f.create<DeclarativeStream>(s, 'DeclarativeStream'));
    const check = f.create<ConnectionCheck>(n.child('check'), 'CheckStream');
    for (const config of n.child('check').optList('dynamic_streams_check_configs') ?? []) {
      checkFields(config, 'DynamicStreamCheckConfig');
      const group = dynamic.find((d) => d.name === config.str('dynamic_stream_name')) ?? config.fail(`no dynamic stream is named ${config.str('dynamic_stream_name')}`);
      const names = group.streams.map((s) => s.str('name'));
      check.streamNames.push(...names.slice(0, config.optInt('stream_count') ?? names.length));
    }
    return { streams, check };
  },
  CheckStream: (n, f) => ({
    // A copy: dynamic streams are appended to it, and the resolved manifest is shared by every build.
    streamNames: [...(n.optStrList('stream_names') ?? [])],
    configOverrides: n.optRecord('config_overrides'),
    preflight: n.has('preflight') ? f.create<HttpRequester>(n.child('preflight'), 'HttpRequester') : undefined,
  }),
  DeclarativeStream: (n, f) =>
    new DeclarativeStream({
      name: n.str('name'),
      primaryKey: n.has('primary_key') ? primaryKey(n) : [],
      schemaLoader: f.create<SchemaLoader>(n.child('schema_loader'), 'JsonFileSchemaLoader', 'InlineSchemaLoader', 'CustomSchemaLoader'),
      retriever: f.create<Retriever>(n.child('retriever'), 'SimpleRetriever', 'CustomRetriever'),
      transformations: (n.optList('transformations') ?? []).map((t) => f.create<RecordTransformation>(t)),
      incrementalSync: n.has('incremental_sync') ? f.create<IncrementalSync>(n.child('incremental_sync'), 'DatetimeBasedCursor') : undefined,
      context: f.context(n),
    }),
  SimpleRetriever: (n, f) =>
    new SimpleRetriever(
      f.create<HttpRequester>(n.child('requester'), 'HttpRequester'),
      f.create<RecordSelector>(n.child('record_selector'), 'RecordSelector'),
      n.has('paginator') ? f.create<Paginator>(n.child('paginator'), 'DefaultPaginator', 'NoPagination') : new NoPaginator(),
      n.has('partition_router') ? f.create<PartitionRouter>(n.child('partition_router'), 'ListPartitionRouter', 'CustomPartitionRouter') : undefined,
    ),
  ListPartitionRouter: (n, f) => new ListPartitionRouter(f.templateOrList(n, 'values', CONFIG_VARIABLES), n.str('cursor_field')),
  HttpRequester: (n, f) => {
    const method = n.optStr('http_method') ?? 'GET';
    if (method !== 'GET') n.fail(`http_method must be GET: the connector only reads (found ${method})`);
    return new HttpRequester({
      urlBase: f.template(n, 'url_base', REQUEST_VARIABLES),
      path: n.has('path') ? f.template(n, 'path', REQUEST_VARIABLES) : constant(''),
      requestParameters: f.templateTree(n, 'request_parameters', REQUEST_VARIABLES),
      requestHeaders: f.templateTree(n, 'request_headers', REQUEST_VARIABLES),
      authenticator: f.create<Authenticator>(n.child('authenticator'), 'CustomAuthenticator'),
      retryPolicy: n.has('error_handler') ? f.create<RetryPolicy>(n.child('error_handler'), 'DefaultErrorHandler') : DEFAULT_RETRY_POLICY,
      describer: f.deps.extensions.describer(f.deps.config),
      deps: f.deps.http,
    });
  },
  RecordSelector: (n, f) => new RecordSelector(f.create<DpathExtractor>(n.child('extractor'), 'DpathExtractor')),
  DpathExtractor: (n) => new DpathExtractor(n.strList('field_path')),
  DefaultPaginator: (n, f) => {
    const option = n.optChild('page_token_option');
    if (option && option.type !== 'RequestPath') option.fail('only RequestPath is supported: Dataverse next links are whole URLs');
    if (option) checkFields(option, 'RequestPath');
    return f.create<Paginator>(n.child('pagination_strategy'), 'CursorPagination');
  },
  NoPagination: () => new NoPaginator(),
  CursorPagination: (n, f) => {
    // The paginator renders with the page alone; the config is bound here, as Airbyte's strategy has it.
    const template = (key: string) => bindConfig(f.template(n, key, PAGINATION_VARIABLES), f.deps.config);
    return new CursorPaginator(template('cursor_value'), n.has('stop_condition') ? template('stop_condition') : undefined);
  },
  JsonFileSchemaLoader: (n) => new JsonFileSchemaLoader(n.str('file_path')),
  InlineSchemaLoader: (n) => new InlineSchemaLoader(n.record('schema')),
  AddFields: (n, f) => {
    const condition = n.optStr('condition');
    return new AddFields({
      fields: n.list('fields').map((field) => {
        checkFields(field, 'AddedFieldDefinition');
        return { path: field.strList('path'), value: fastTemplate(field.str('value')) ?? f.template(field, 'value', RECORD_VARIABLES) };
      }),
      condition: condition ? f.template(n, 'condition', RECORD_VARIABLES) : undefined,
      // A condition that never reads the record is the same for a whole page: evaluate it once.
      conditionPerRecord: condition !== undefined && /\brecord\b/.test(condition),
      parameters: n.parameters,
    });
  },
  DefaultErrorHandler: (n, f) => errorHandler(n, f),
  CustomAuthenticator: (n, f) => f.custom(n),
  CustomTransformation: (n, f) => f.custom(n),
  CustomRetriever: (n, f) => f.custom(n),
  CustomSchemaLoader: (n, f) => f.custom(n),
  DatetimeBasedCursor: (n, f) => {
    const format = n.str('datetime_format');
    // Dataverse compares ISO 8601 instants; a cursor in another format would not filter right.
    if (!['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ', '%Y-%m-%dT%H:%M:%S%z'].includes(format)) n.fail(`datetime_format must be an ISO 8601 form such as %Y-%m-%dT%H:%M:%SZ (found ${format})`);
    const start = n.has('start_datetime') ? f.renderNow(n, 'start_datetime') : undefined;
    const query = f.deps.extensions.cursorQuery ?? n.fail('this source has no query language for a DatetimeBasedCursor');
    return new DatetimeCursor(n.str('cursor_field'), start === '' ? undefined : start, query);
  },
  CustomPartitionRouter: (n, f) => f.custom(n),
};

/** The component types the factory builds (each but Custom* has its fields in fields.ts). */
export const COMPONENT_TYPES: readonly string[] = Object.keys(CREATORS);

function constant(value: unknown): Renderable {
  return { render: () => value };
}

function primaryKey(n: ManifestNode): string[][] {
  const raw = n.raw as Record<string, unknown>;
  const pk = raw.primary_key;
  if (typeof pk === 'string') return [[pk]];
  if (Array.isArray(pk) && pk.every((p) => typeof p === 'string')) return pk.map((p) => [p as string]);
  if (Array.isArray(pk) && pk.every((p) => Array.isArray(p))) return pk as string[][];
  return n.fail('primary_key must be a field name, a list of names, or a list of paths');
}

/** Actions of HttpResponseFilter this engine carries out; IGNORE would drop a page without a word, so it is refused. */
const FILTER_ACTIONS: ReadonlySet<string> = new Set(['SUCCESS', 'RETRY', 'RATE_LIMITED', 'FAIL']);
const FAILURE_TYPES: ReadonlySet<string> = new Set(['config_error', 'system_error', 'transient_error']);

/**
 * DefaultErrorHandler -> the failure policy: response filters kept in manifest order (first match
 * wins, as in Airbyte's CDK), backoff strategies setting the waits.
 */
function errorHandler(n: ManifestNode, f: ComponentFactory): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  const filters = n.optList('response_filters');
  if (filters) policy.filters = filters.map((filter) => responseFilter(filter));
  policy.maxRetries = n.optInt('max_retries') ?? policy.maxRetries;
  for (const strategy of n.optList('backoff_strategies') ?? []) {
    const type = strategy.expectType('WaitTimeFromHeader', 'ExponentialBackoffStrategy');
    if (type === 'WaitTimeFromHeader') {
      checkFields(strategy, type);
      if (strategy.str('header').toLowerCase() !== 'retry-after') strategy.fail('header must be Retry-After');
      const max = f.numberNow(strategy, 'max_waiting_time_in_seconds');
      if (max !== undefined) policy.maxRetryAfterMs = max * 1000;
    } else {
      checkFields(strategy, type);
      const factor = strategy.optNum('factor');
      if (factor !== undefined) policy.baseDelayMs = factor * 1000;
    }
  }
  return policy;
}

function responseFilter(filter: ManifestNode): ResponseFilter {
  filter.expectType('HttpResponseFilter');
  checkFields(filter, 'HttpResponseFilter');
  const action = filter.str('action');
  if (!FILTER_ACTIONS.has(action)) filter.fail(`action ${action} is not supported by this engine (SUCCESS, RETRY, RATE_LIMITED or FAIL)`);
  const raw = filter.raw as Record<string, unknown>;
  const codes = raw.http_codes;
  if (codes !== undefined && !(Array.isArray(codes) && codes.every((c) => Number.isInteger(c)))) filter.fail('http_codes must be a list of HTTP status codes');
  const failureType = filter.optStr('failure_type');
  if (failureType !== undefined && !FAILURE_TYPES.has(failureType)) filter.fail(`failure_type must be config_error, system_error or transient_error (found ${failureType})`);
  return {
    action: action as ResponseFilter['action'],
    httpCodes: Array.isArray(codes) ? new Set(codes as number[]) : undefined,
    errorMessageContains: filter.optStr('error_message_contains'),
    failureType: failureType as ResponseFilter['failureType'],
  };
}

/** Builds components from manifest nodes; one instance per source build. */
export class ComponentFactory implements ComponentBuilder {
  private readonly shared = new Map<string, unknown>();

  constructor(readonly deps: FactoryDeps) {}

  /** Creates the component at `node`; `allowed` restricts the types this slot accepts. */
  create<T>(node: ManifestNode, ...allowed: string[]): T {
    const type = allowed.length > 0 ? node.expectType(...allowed) : node.type;
    if (!type) return node.fail('a component needs a "type"');
    const creator = CREATORS[type];
    if (!creator) return node.fail(`unknown component type ${type}`);
    if (COMPONENT_FIELDS[type]) checkFields(node, type);
    return creator(node, this) as T;
  }

  /**
   * A custom component: `class_name` looked up in the injected extensions. Components that hold a per-run
   * cache (MSAL's token, the entity metadata) are built once per identical definition.
   */
  custom(node: ManifestNode): unknown {
    const className = node.str('class_name');
    const { components, shared } = this.deps.extensions;
    const creator = components[className];
    if (!creator) node.fail(`unknown class_name ${className}; known: ${Object.keys(components).join(', ')}`);
    if (!shared.has(className)) return creator(node, this);
    const key = `${className}:${JSON.stringify(shareKey(node.raw))}`;
    if (!this.shared.has(key)) this.shared.set(key, creator(node, this));
    return this.shared.get(key);
  }

  /** The interpolation context a component's templates see: config and its own $parameters. */
  context(node: ManifestNode): Record<string, unknown> {
    return { config: this.deps.config, parameters: node.parameters };
  }

  /** A field's template, bound to the component's $parameters; `variables` are what its context provides. */
  template(node: ManifestNode, key: string, variables: Variables = ALL_VARIABLES): Renderable {
    const raw = (node.raw as Record<string, unknown>)[key];
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      node.str(key);
    }
    const template = compileTemplate(String(raw), `${node.path}.${key}`, variables);
    return bindParameters(template, node.parameters);
  }

  /** A template or a list of templates (ListPartitionRouter.values takes either). */
  templateOrList(node: ManifestNode, key: string, variables: Variables = ALL_VARIABLES): Renderable {
    const raw = (node.raw as Record<string, unknown>)[key];
    if (Array.isArray(raw)) return bindParameters(interpolateDeep(raw, `${node.path}.${key}`, variables), node.parameters);
    return this.template(node, key, variables);
  }

  /** A mapping of templates (request_parameters, request_headers), bound to the component's $parameters. */
  templateTree(node: ManifestNode, key: string, variables: Variables = ALL_VARIABLES): Renderable {
    const value = node.optRecord(key) ?? {};
    return bindParameters(interpolateDeep(value, `${node.path}.${key}`, variables), node.parameters);
  }

  /** Renders a field once with the config (for values fixed for the whole run, e.g. the authenticator's). */
  renderNow(node: ManifestNode, key: string): string {
    return String(this.template(node, key, CONFIG_VARIABLES).render({ config: this.deps.config }));
  }

  /** A number field that may be a template over the config (e.g. a config option with a default). */
  numberNow(node: ManifestNode, key: string): number | undefined {
    if (!node.has(key)) return undefined;
    const raw = (node.raw as Record<string, unknown>)[key];
    const value = typeof raw === 'number' ? raw : Number(this.renderNow(node, key));
    if (!Number.isFinite(value)) return node.fail(`${key} must be a number or a template giving one (found ${JSON.stringify(raw)})`);
    return value;
  }
}

/**
 * A component's definition without what parameter propagation added ($parameters and the fields
 * copied from them), so the same definition reached from two streams is recognised as one.
 */
function shareKey(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shareKey);
  if (value === null || typeof value !== 'object') return value;
  const mapping = value as Record<string, unknown>;
  const parameters = (mapping.$parameters ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(mapping)) {
    if (key === '$parameters') continue;
    if (key in parameters && JSON.stringify(parameters[key]) === JSON.stringify(item)) continue;
    out[key] = shareKey(item);
  }
  return out;
}

/** Refuses the fields `type` does not read, by name when Airbyte documents them (fields.ts). */
function checkFields(node: ManifestNode, type: string): void {
  const fields = COMPONENT_FIELDS[type];
  node.unknownKeys(fields.supported, fields.unsupported, node.type ?? type);
}

function bindConfig(template: Renderable, config: Config): Renderable {
  return { render: (context) => template.render(context.config === undefined ? { ...context, config } : context) };
}

function bindParameters(template: Renderable, parameters: Record<string, unknown>): Renderable {
  // Per-record callers pass a context already holding these parameters: no copy then.
  return { render: (context) => template.render(context.parameters === parameters ? context : { ...context, parameters }) };
}

/**
 * Direct evaluators for the templates that run once per record in AddFields: a field of the
 * record (`{{ record['x'] }}`, `{{ record.x }}`), the same with `| default(None)`, and a null
 * literal. Same result as the interpreter, without walking an AST for every record of a
 * million-row sync.
 */
export function fastTemplate(source: string): Renderable | undefined {
  const field = /^\{\{\s*record(?:\[\s*(?:'([^'\\]+)'|"([^"\\]+)")\s*\]|\.([A-Za-z_]\w*))\s*\}\}$/.exec(source);
  if (field) {
    const name = field[1] ?? field[2] ?? field[3];
    return { render: (context) => (context.record as Record<string, unknown> | undefined)?.[name] };
  }
  // `| default(None)`: Jinja replaces only an undefined value (a missing key), not a null one.
  const defaulted = /^\{\{\s*record(?:\[\s*(?:'([^'\\]+)'|"([^"\\]+)")\s*\]|\.([A-Za-z_]\w*))\s*\|\s*default\(\s*(?:None|none|null)\s*\)\s*\}\}$/.exec(source);
  if (defaulted) {
    const name = defaulted[1] ?? defaulted[2] ?? defaulted[3];
    return { render: (context) => (context.record as Record<string, unknown> | undefined)?.[name] ?? null };
  }
  if (/^\{\{\s*(None|none|null)\s*\}\}$/.test(source)) return { render: () => null };
  return undefined;
}

/** Builds the whole source from the resolved manifest root. */
export function createSource(root: Record<string, unknown>, deps: FactoryDeps): DeclarativeSource {
  return new ComponentFactory(deps).create<DeclarativeSource>(new ManifestNode(root, ''), 'DeclarativeSource');
}
