/**
 * Step 3 of loading a manifest, as Airbyte's ManifestComponentTransformer does it: untyped
 * components get their default type, and `$parameters` are pushed down into component fields.
 */
import { ManifestError, describeValue, formatPath, type PathSegment } from './errors';
import { cloneJson, hasOwn, isMapping, omitKey, type Mapping } from './json';

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

const PARAMETERS_KEY = '$parameters';

/**
 * Propagates `$parameters` through a stream built from a dynamic stream's template, with the
 * parent's parameters winning (Airbyte's `use_parent_parameters: true`): the template was already
 * propagated at load time, so its children hold stale copies that the resolved values must beat.
 */
export function propagateResolvedStream(stream: Mapping, path: string): void {
  pushParameters(stream, '', {}, [path], true);
}
/**
 * Gives untyped components their default type and pushes merged `$parameters` down the
 * tree, mutating `component` in place (it is a fresh copy from reference resolution).
 * Mirrors ManifestComponentTransformer.propagate_types_and_parameters, except that a field
 * is filled from a parameter only when absent or null (Airbyte also overwrites falsy values
 * such as `""`, `0` and `false`, which is surprising), and the root's `definitions` are skipped.
 * `parentWins`: the inherited parameters beat the component's own (a resolved dynamic stream).
 */
export function pushParameters(component: Mapping, fieldId: string, inherited: Mapping, path: PathSegment[], parentWins: boolean): void {
  insertDefaultType(component, fieldId);
  const own = ownParameters(component, path) ?? {};
  delete component[PARAMETERS_KEY];
  const parameters = parentWins ? { ...own, ...inherited } : { ...inherited, ...own };
  // JSON Schemas (stream schemas, connection_specification) are data, not components.
  if (isJsonSchemaObject(component)) return;
  const typed = component.type !== undefined;
  if (typed) fillFromParameters(component, parameters);
  forEachChildComponent(component, fieldId, path, (child, childId, childPath, field) => {
    // A parameter named like the field is not passed into it: Airbyte does this to
    // avoid feeding a component's own value back into itself.
    const passed = field !== undefined && hasOwn(parameters, field) ? omitKey(parameters, field) : parameters;
    pushParameters(child, childId, passed, childPath, parentWins);
  });
  if (typed && Object.keys(parameters).length > 0) component[PARAMETERS_KEY] = parameters;
}

/** Gives untyped components their default type only, leaving every `$parameters` where it is written (export). */
export function insertTypes(component: Mapping, fieldId: string, path: PathSegment[]): void {
  insertDefaultType(component, fieldId);
  ownParameters(component, path);
  if (isJsonSchemaObject(component)) return;
  forEachChildComponent(component, fieldId, path, (child, childId, childPath) => insertTypes(child, childId, childPath));
}

/** Airbyte's default type for an untyped component at `<ParentType>.<field>`, a custom one when it names a class. */
function insertDefaultType(component: Mapping, fieldId: string): void {
  if (component.type !== undefined) return;
  const table = 'class_name' in component ? DEFAULT_CUSTOM_COMPONENT_TYPES : DEFAULT_COMPONENT_TYPES;
  const found = table[fieldId];
  if (found !== undefined) component.type = found;
}

/** The component's own `$parameters`, which must be a mapping when present. */
function ownParameters(component: Mapping, path: PathSegment[]): Mapping | undefined {
  const own = component[PARAMETERS_KEY];
  if (own === undefined || own === null) return undefined;
  if (!isMapping(own)) {
    throw new ManifestError(
      formatPath([...path, PARAMETERS_KEY]),
      `expected $parameters to be a mapping of names to values, found ${describeValue(own)}`,
    );
  }
  return own;
}

/** Fields of a typed component that are absent or null take the parameter of their name. */
function fillFromParameters(component: Mapping, parameters: Mapping): void {
  for (const [key, value] of Object.entries(parameters)) {
    if (component[key] === undefined || component[key] === null) component[key] = cloneJson(value);
  }
}

type ChildVisit = (child: Mapping, childId: string, childPath: PathSegment[], field: string | undefined) => void;

/**
 * Calls `visit` for each component directly below `component`: in a typed component, every
 * mapping field, every mapping of a list field and every entry of a named map (typed on the way);
 * in an untyped mapping (request_parameters, say), only the typed mappings it holds, which keep
 * the mapping's field id and get no `field`.
 */
function forEachChildComponent(component: Mapping, fieldId: string, path: PathSegment[], visit: ChildVisit): void {
  if (component.type === undefined) {
    for (const [key, value] of Object.entries(component)) {
      if (isMapping(value) && value.type) visit(value, fieldId, [...path, key], undefined);
    }
    return;
  }
  const type = String(component.type);
  for (const [field, value] of Object.entries(component)) {
    if (path.length === 0 && field === 'definitions') continue;
    const childId = `${type}.${field}`;
    if (isMapping(value)) {
      const namedType = NAMED_COMPONENT_MAP_TYPES[childId];
      if (namedType === undefined) {
        visit(value, childId, [...path, field], field);
        continue;
      }
      for (const [name, item] of Object.entries(value)) {
        if (!isMapping(item)) continue;
        if (item.type === undefined) item.type = namedType;
        visit(item, childId, [...path, field, name], field);
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (isMapping(item)) visit(item, childId, [...path, field, i], field);
      });
    }
  }
}

function isJsonSchemaObject(value: Mapping): boolean {
  const type = value.type;
  return type === 'object' || (Array.isArray(type) && type.length === 2 && type[0] === 'null' && type[1] === 'object');
}
