/**
 * Turns manifest YAML text into plain, fully resolved JSON data, the way Airbyte's
 * declarative CDK prepares a manifest before building components:
 *
 * 1. parse the YAML (syntax errors name line and column);
 * 2. resolve references (`$ref: "#/definitions/x"` objects and `"#/definitions/x"` strings),
 *    like Airbyte's ManifestReferenceResolver;
 * 3. insert default component types and propagate `$parameters`, like Airbyte's
 *    ManifestComponentTransformer.
 *
 * Validation of component fields is left to the factories (see `node.ts`).
 */

import { LineCounter, parseDocument, type Document } from 'yaml';
import { ManifestError, describeValue, formatPath, type PathSegment, type SourcePosition } from './errors';

/** The loaded manifest: plain JSON data with references resolved and (by default) parameters propagated. */
export interface ResolvedManifest {
  readonly root: Record<string, unknown>;
}

/** Options for {@link loadManifest}. */
export interface LoadManifestOptions {
  /** Name of the manifest file, used in YAML syntax error paths (default `manifest.yaml`). */
  readonly sourceName?: string;
  /**
   * Push `$parameters` down into component fields (step 3); default true. False leaves each
   * `$parameters` where it is written and only inserts default types (as Airbyte does before it
   * validates), for exporting the manifest: propagation copies parameters into component fields
   * that Airbyte's schema may not allow there.
   */
  readonly propagate?: boolean;
}

/**
 * Type given to a component without `type`, keyed by `<ParentType>.<field>`. Mirrors
 * Airbyte's DEFAULT_MODEL_TYPES, with the deviations noted inline.
 */
export const DEFAULT_COMPONENT_TYPES: Readonly<Record<string, string>> = {
  'CompositeErrorHandler.error_handlers': 'DefaultErrorHandler',
  'CursorPagination.decoder': 'JsonDecoder',
  'DatetimeBasedCursor.end_datetime': 'MinMaxDatetime',
  'DatetimeBasedCursor.end_time_option': 'RequestOption',
  'DatetimeBasedCursor.start_datetime': 'MinMaxDatetime',
  'DatetimeBasedCursor.start_time_option': 'RequestOption',
  'DeclarativeSource.check': 'CheckStream',
  'DeclarativeSource.spec': 'Spec',
  'DeclarativeSource.streams': 'DeclarativeStream',
  'DeclarativeStream.retriever': 'SimpleRetriever',
  'DeclarativeStream.schema_loader': 'JsonFileSchemaLoader',
  'DynamicDeclarativeStream.stream_template': 'DeclarativeStream',
  // Airbyte's table says "ConfigComponentResolver", a type its schema does not define.
  'DynamicDeclarativeStream.components_resolver': 'ConfigComponentsResolver',
  'HttpComponentsResolver.retriever': 'SimpleRetriever',
  'HttpComponentsResolver.components_mapping': 'ComponentMappingDefinition',
  'ConfigComponentsResolver.stream_config': 'StreamConfig',
  'ConfigComponentsResolver.components_mapping': 'ComponentMappingDefinition',
  'DefaultErrorHandler.response_filters': 'HttpResponseFilter',
  // Not in Airbyte's table (an untyped strategy there is an error); the common case here.
  'DefaultErrorHandler.backoff_strategies': 'ExponentialBackoffStrategy',
  'DefaultPaginator.decoder': 'JsonDecoder',
  'DefaultPaginator.page_size_option': 'RequestOption',
  'DpathExtractor.decoder': 'JsonDecoder',
  'DpathExtractor.record_expander': 'RecordExpander',
  'HttpRequester.error_handler': 'DefaultErrorHandler',
  'ListPartitionRouter.request_option': 'RequestOption',
  'ParentStreamConfig.request_option': 'RequestOption',
  'ParentStreamConfig.stream': 'DeclarativeStream',
  'RecordSelector.extractor': 'DpathExtractor',
  'RecordSelector.record_filter': 'RecordFilter',
  // Airbyte defaults an untyped paginator to NoPagination; an untyped paginator block here
  // carries a pagination_strategy, so DefaultPaginator is what the author meant.
  'SimpleRetriever.paginator': 'DefaultPaginator',
  'SimpleRetriever.record_selector': 'RecordSelector',
  'SimpleRetriever.requester': 'HttpRequester',
  'SubstreamPartitionRouter.parent_stream_configs': 'ParentStreamConfig',
  'AddFields.fields': 'AddedFieldDefinition',
  'CustomPartitionRouter.parent_stream_configs': 'ParentStreamConfig',
  'DynamicSchemaLoader.retriever': 'SimpleRetriever',
  'SchemaTypeIdentifier.types_map': 'TypesMap',
  'StreamGroup.streams': 'DeclarativeStream',
};

/** Type given to an untyped component that has a `class_name` (Airbyte's CUSTOM_COMPONENTS_MAPPING). */
export const DEFAULT_CUSTOM_COMPONENT_TYPES: Readonly<Record<string, string>> = {
  'CompositeErrorHandler.backoff_strategies': 'CustomBackoffStrategy',
  'DeclarativeStream.retriever': 'CustomRetriever',
  'DeclarativeStream.transformations': 'CustomTransformation',
  'DefaultErrorHandler.backoff_strategies': 'CustomBackoffStrategy',
  'DefaultPaginator.pagination_strategy': 'CustomPaginationStrategy',
  'HttpRequester.authenticator': 'CustomAuthenticator',
  'HttpRequester.error_handler': 'CustomErrorHandler',
  'RecordSelector.extractor': 'CustomRecordExtractor',
  'SimpleRetriever.partition_router': 'CustomPartitionRouter',
};

/** Fields holding a mapping of name -> component (JSON Schema additionalProperties). */
const NAMED_COMPONENT_MAP_TYPES: Readonly<Record<string, string>> = {
  'DeclarativeSource.stream_groups': 'StreamGroup',
};

const REF_KEY = '$ref';
const PARAMETERS_KEY = '$parameters';
const REF_PREFIX = '#/';
const ROOT_TYPE = 'DeclarativeSource';

type Mapping = Record<string, unknown>;
type Locate = (segments: readonly PathSegment[]) => SourcePosition | undefined;

/**
 * Parses and resolves a manifest.
 *
 * @param yamlText the manifest YAML
 * @param options `sourceName` names the file in syntax errors; `propagate: false` keeps
 *   `$parameters` where written
 * @returns the resolved manifest; `definitions` is kept but is not parameter-propagated,
 *   consumers read `streams`, `check`, `spec`, `dynamic_streams`
 * @throws ManifestError for YAML syntax errors, bad or circular references and
 *   malformed `$parameters`
 */
export function loadManifest(yamlText: string, options: LoadManifestOptions = {}): ResolvedManifest {
  const { data, locate } = parseYaml(yamlText, options.sourceName ?? 'manifest.yaml');
  if (!isMapping(data)) {
    throw new ManifestError('', `expected the manifest to be a mapping, found ${describeValue(data)}`);
  }
  const resolved = new ReferenceResolver(data, locate).resolveDocument();
  const root = resolved as Mapping;
  if (root.type === undefined) root.type = ROOT_TYPE;
  propagateComponent(root, '', options.propagate === false ? null : {}, []);
  return { root };
}

/**
 * Propagates `$parameters` through a stream built from a dynamic stream's template, with the
 * parent's parameters winning (Airbyte's `use_parent_parameters: true`): the template was already
 * propagated at load time, so its children hold stale copies that the resolved values must beat.
 */
export function propagateResolvedStream(stream: Record<string, unknown>, path: string): void {
  propagateComponent(stream, '', {}, [path], true);
}

function parseYaml(text: string, sourceName: string): { data: unknown; locate: Locate } {
  const lineCounter = new LineCounter();
  // merge: PyYAML (which Airbyte uses) honours `<<` merge keys; prettyErrors off so we word the message.
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new ManifestError(
      `${sourceName}:${line}:${col}`,
      `invalid YAML at line ${line}, column ${col}: ${first.message}`,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ManifestError(sourceName, `invalid YAML: ${(error as Error).message}`);
  }
  return { data, locate: (segments) => locateNode(doc, lineCounter, segments) };
}

function locateNode(doc: Document, lineCounter: LineCounter, segments: readonly PathSegment[]): SourcePosition | undefined {
  const node = doc.getIn(segments, true) as { range?: [number, number, number] } | undefined;
  if (!node || typeof node !== 'object' || !node.range) return undefined;
  const { line, col } = lineCounter.linePos(node.range[0]);
  return { line, column: col };
}

/**
 * Resolves `$ref` objects and `"#/..."` strings. Each reference target is resolved once
 * (cached) and handed out as a fresh deep copy, so later stages may mutate the tree.
 */
class ReferenceResolver {
  private readonly resolvedTargets = new Map<string, unknown>();

  constructor(
    private readonly document: Mapping,
    private readonly locate: Locate,
  ) {}

  resolveDocument(): unknown {
    return this.evaluate(this.document, [], []);
  }

  private evaluate(node: unknown, path: PathSegment[], refStack: string[]): unknown {
    if (Array.isArray(node)) return node.map((item, i) => this.evaluate(item, [...path, i], refStack));
    if (isMapping(node)) return this.evaluateMapping(node, path, refStack);
    if (isRefString(node)) return this.follow(node, path, refStack);
    return node;
  }

  private evaluateMapping(node: Mapping, path: PathSegment[], refStack: string[]): unknown {
    const siblings: Mapping = {};
    for (const [key, value] of Object.entries(node)) {
      if (key !== REF_KEY) siblings[key] = this.evaluate(value, [...path, key], refStack);
    }
    if (!(REF_KEY in node)) return siblings;
    const ref = node[REF_KEY];
    if (!isRefString(ref)) {
      throw this.error(
        [...path, REF_KEY],
        `expected $ref to be a reference string like "#/definitions/name", found ${describeValue(ref)}`,
      );
    }
    const target = this.follow(ref, path, refStack);
    if (isMapping(target)) {
      // Airbyte: the referenced mapping updated with the sibling keys (shallow; siblings win).
      return { ...target, ...siblings };
    }
    if (Object.keys(siblings).length > 0) {
      // Airbyte silently drops the siblings here; that hides mistakes, so we refuse.
      throw this.error(
        path,
        `$ref "${ref}" points to ${describeValue(target)}, which cannot take the sibling keys ` +
          `${Object.keys(siblings).map((k) => JSON.stringify(k)).join(', ')}; point it to a mapping or remove them`,
      );
    }
    return target;
  }

  private follow(ref: string, usedAt: PathSegment[], refStack: string[]): unknown {
    const cycleStart = refStack.indexOf(ref);
    if (cycleStart >= 0) {
      const cycle = [...refStack.slice(cycleStart), ref].join(' -> ');
      throw this.error(usedAt, `circular reference: ${cycle}`);
    }
    let resolved = this.resolvedTargets.get(ref);
    if (resolved === undefined) {
      const target = this.lookup(ref, usedAt);
      refStack.push(ref);
      resolved = this.evaluate(target.value, target.segments, refStack);
      refStack.pop();
      this.resolvedTargets.set(ref, resolved);
    }
    return cloneJson(resolved);
  }

  /**
   * Reads a reference target. Like Airbyte, the remaining pointer is first tried as one
   * key (so `#/a/b` finds a key literally named `a/b`), then split at the first `/`.
   * JSON Pointer escapes (`~0`, `~1`) are not decoded, as in Airbyte.
   */
  private lookup(ref: string, usedAt: PathSegment[]): { value: unknown; segments: PathSegment[] } {
    let rest = ref.slice(REF_PREFIX.length);
    let node: unknown = this.document;
    const segments: PathSegment[] = [];
    while (rest !== '') {
      if (isMapping(node) && hasOwn(node, rest)) {
        segments.push(rest);
        node = node[rest];
        break;
      }
      const slash = rest.indexOf('/');
      const head = slash < 0 ? rest : rest.slice(0, slash);
      rest = slash < 0 ? '' : rest.slice(slash + 1);
      if (Array.isArray(node) && /^\d+$/.test(head) && Number(head) < node.length) {
        segments.push(Number(head));
        node = node[Number(head)];
      } else if (isMapping(node) && hasOwn(node, head)) {
        segments.push(head);
        node = node[head];
      } else {
        const where = segments.length === 0 ? 'the manifest root' : formatPath(segments);
        const what = Array.isArray(node) ? `no item ${JSON.stringify(head)}` : isMapping(node) ? `no key ${JSON.stringify(head)}` : `${describeValue(node)}, not a mapping`;
        throw this.error(usedAt, `reference "${ref}" cannot be resolved: ${where} has ${what}`);
      }
    }
    return { value: node, segments };
  }

  private error(path: PathSegment[], detail: string): ManifestError {
    return new ManifestError(formatPath(path), detail, this.locate(path));
  }
}

/**
 * Gives untyped components their default type and pushes merged `$parameters` down the
 * tree, mutating `component` in place (it is a fresh copy from reference resolution).
 * Mirrors ManifestComponentTransformer.propagate_types_and_parameters, except that a field
 * is filled from a parameter only when absent or null (Airbyte also overwrites falsy values
 * such as `""`, `0` and `false`, which is surprising), and the root's `definitions` are skipped.
 * `parentParameters` null: insert types only, leaving every `$parameters` as written.
 */
function propagateComponent(
  component: Mapping,
  fieldId: string,
  parentParameters: Mapping | null,
  path: PathSegment[],
  parentWins = false,
): void {
  if (component.type === undefined) {
    const table = 'class_name' in component ? DEFAULT_CUSTOM_COMPONENT_TYPES : DEFAULT_COMPONENT_TYPES;
    const found = table[fieldId];
    if (found !== undefined) component.type = found;
  }

  const own = component[PARAMETERS_KEY];
  if (own !== undefined && own !== null && !isMapping(own)) {
    throw new ManifestError(
      formatPath([...path, PARAMETERS_KEY]),
      `expected $parameters to be a mapping of names to values, found ${describeValue(own)}`,
    );
  }
  const pushing = parentParameters !== null;
  if (pushing) delete component[PARAMETERS_KEY];
  const parameters: Mapping | null = !pushing ? null : parentWins ? { ...(own ?? {}), ...parentParameters } : { ...parentParameters, ...(own ?? {}) };

  // JSON Schemas (stream schemas, connection_specification) are data, not components.
  if (isJsonSchemaObject(component)) return;

  if (component.type === undefined) {
    // A plain mapping (e.g. request_parameters) may still hold typed components.
    for (const [key, value] of Object.entries(component)) {
      if (isMapping(value) && value.type) propagateComponent(value, fieldId, parameters, [...path, key], parentWins);
    }
    return;
  }

  for (const [key, value] of Object.entries(parameters ?? {})) {
    if (component[key] === undefined || component[key] === null) component[key] = cloneJson(value);
  }

  const type = String(component.type);
  for (const [field, value] of Object.entries(component)) {
    if (path.length === 0 && field === 'definitions') continue;
    const childId = `${type}.${field}`;
    // A parameter named like the field is not passed into it: Airbyte does this to
    // avoid feeding a component's own value back into itself.
    const childParameters = parameters && hasOwn(parameters, field) ? omitKey(parameters, field) : parameters;
    if (isMapping(value)) {
      const namedType = NAMED_COMPONENT_MAP_TYPES[childId];
      if (namedType === undefined) {
        propagateComponent(value, childId, childParameters, [...path, field], parentWins);
        continue;
      }
      for (const [name, item] of Object.entries(value)) {
        if (!isMapping(item)) continue;
        if (item.type === undefined) item.type = namedType;
        propagateComponent(item, childId, childParameters, [...path, field, name], parentWins);
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (isMapping(item)) propagateComponent(item, childId, childParameters, [...path, field, i], parentWins);
      });
    }
  }

  if (parameters && Object.keys(parameters).length > 0) component[PARAMETERS_KEY] = parameters;
}

function isJsonSchemaObject(value: Mapping): boolean {
  const type = value.type;
  return type === 'object' || (Array.isArray(type) && type.length === 2 && type[0] === 'null' && type[1] === 'object');
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRefString(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(REF_PREFIX);
}

function hasOwn(value: Mapping, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

function omitKey(value: Mapping, key: string): Mapping {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (isMapping(value)) {
    const copy: Mapping = {};
    for (const [key, item] of Object.entries(value)) copy[key] = cloneJson(item);
    return copy as T;
  }
  return value;
}
