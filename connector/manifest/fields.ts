/**
 * The fields each component type of the factory reads, and the fields Airbyte documents for it
 * (declarative_component_schema.yaml) that this engine does not carry out. A manifest using one
 * of the latter is refused by name rather than built as if the field were honoured: a manifest
 * that lies about what runs is worse than one that is refused.
 */

/** What one component type accepts. */
export interface ComponentFields {
  /** Fields the creator reads (besides `type` and `$parameters`). */
  readonly supported: readonly string[];
  /** Fields Airbyte documents that are refused by name; the value, when not empty, says what to do instead. */
  readonly unsupported: Readonly<Record<string, string>>;
}

const none: Readonly<Record<string, string>> = {};

function refused(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, '']));
}

/**
 * By component type. Custom* types are absent: their fields depend on `class_name` and are
 * listed by each creator in registry.ts.
 */
export const COMPONENT_FIELDS: Readonly<Record<string, ComponentFields>> = {
  DeclarativeSource: {
    // `preflight` etc. live under check; `definitions` only feeds $ref; `metadata` is the Builder's.
    supported: ['version', 'description', 'definitions', 'streams', 'dynamic_streams', 'check', 'metadata'],
    unsupported: {
      ...refused('schemas', 'concurrency_level', 'api_budget', 'stream_groups', 'max_concurrent_async_job_count'),
      spec: 'the connector specification is spec.yaml',
    },
  },
  // `preflight` is this engine's addition: a request that must succeed before the streams are tried.
  CheckStream: { supported: ['stream_names', 'config_overrides', 'dynamic_streams_check_configs', 'preflight'], unsupported: none },
  DynamicStreamCheckConfig: { supported: ['dynamic_stream_name', 'stream_count'], unsupported: none },
  DeclarativeStream: {
    supported: ['name', 'primary_key', 'schema_loader', 'retriever', 'transformations', 'incremental_sync'],
    unsupported: refused('state_migrations', 'file_uploader'),
  },
  SimpleRetriever: {
    supported: ['requester', 'record_selector', 'paginator', 'partition_router'],
    unsupported: refused('decoder', 'pagination_reset', 'ignore_stream_slicer_parameters_on_paginated_requests'),
  },
  ListPartitionRouter: {
    supported: ['values', 'cursor_field'],
    unsupported: { request_option: 'use stream_partition in the request templates' },
  },
  HttpRequester: {
    supported: ['url_base', 'path', 'http_method', 'authenticator', 'request_parameters', 'request_headers', 'error_handler'],
    unsupported: {
      ...refused('fetch_properties_from_endpoint', 'query_properties', 'use_cache'),
      url: 'use url_base and path',
      request_body_data: 'the connector only sends GET requests',
      request_body_json: 'the connector only sends GET requests',
      request_body: 'the connector only sends GET requests',
    },
  },
  RecordSelector: { supported: ['extractor'], unsupported: refused('record_filter', 'schema_normalization', 'transform_before_filtering') },
  DpathExtractor: { supported: ['field_path'], unsupported: refused('record_expander') },
  DefaultPaginator: { supported: ['pagination_strategy', 'page_token_option'], unsupported: refused('page_size_option') },
  RequestPath: { supported: [], unsupported: none },
  NoPagination: { supported: [], unsupported: none },
  CursorPagination: { supported: ['cursor_value', 'stop_condition'], unsupported: { page_size: 'the page size is the Prefer header (config page_size)' } },
  JsonFileSchemaLoader: { supported: ['file_path'], unsupported: none },
  InlineSchemaLoader: { supported: ['schema'], unsupported: none },
  AddFields: { supported: ['fields', 'condition'], unsupported: none },
  AddedFieldDefinition: { supported: ['path', 'value'], unsupported: refused('value_type') },
  DefaultErrorHandler: { supported: ['max_retries', 'backoff_strategies', 'response_filters'], unsupported: none },
  HttpResponseFilter: {
    supported: ['action', 'http_codes', 'error_message_contains', 'failure_type'],
    unsupported: refused('error_message', 'predicate'),
  },
  WaitTimeFromHeader: { supported: ['header', 'max_waiting_time_in_seconds'], unsupported: refused('regex') },
  ExponentialBackoffStrategy: { supported: ['factor'], unsupported: refused('jitter_range_in_seconds') },
  // dynamic_streams (dynamic-streams.ts): resolved before the factory runs, so checked there.
  DynamicDeclarativeStream: {
    supported: ['name', 'stream_template', 'components_resolver'],
    unsupported: refused('use_parent_parameters'),
  },
  ConfigComponentsResolver: { supported: ['stream_config', 'components_mapping'], unsupported: none },
  StreamConfig: { supported: ['configs_pointer'], unsupported: refused('default_values') },
  ComponentMappingDefinition: {
    supported: ['field_path', 'value', 'create_or_update'],
    unsupported: refused('value_type', 'condition'),
  },
  DatetimeBasedCursor: {
    supported: ['cursor_field', 'datetime_format', 'start_datetime'],
    unsupported: refused(
      'clamping',
      'allow_catalog_defined_cursor_field',
      'cursor_datetime_formats',
      'start_time_option',
      'end_datetime',
      'end_time_option',
      'cursor_granularity',
      'is_data_feed',
      'is_client_side_incremental',
      'is_compare_strictly',
      'global_substream_cursor',
      'lookback_window',
      'partition_field_end',
      'partition_field_start',
      'step',
    ),
  },
};
