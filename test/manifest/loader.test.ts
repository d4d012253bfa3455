import { ManifestError } from '../../connector/manifest/errors';
import { loadManifest } from '../../connector/manifest/loader';
import { DEFAULT_COMPONENT_TYPES } from '../../connector/manifest/propagation';

/** Joins lines so YAML indentation is explicit in the test source. */
function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

function errorOf(text: string, options?: { sourceName?: string }): ManifestError {
  try {
    loadManifest(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('reference resolution', () => {
  const cases: Array<{ name: string; text: string; key: string; expected: unknown }> = [
    {
      name: '$ref object is replaced by a copy of its target',
      text: yaml('definitions:', '  base: {a: 1, b: {c: 2}}', 'target:', '  $ref: "#/definitions/base"'),
      key: 'target',
      expected: { a: 1, b: { c: 2 } },
    },
    {
      name: 'sibling keys override the target, shallowly',
      text: yaml(
        'definitions:',
        '  base: {a: 1, b: {c: 2, d: 3}}',
        'target:',
        '  $ref: "#/definitions/base"',
        '  b: {c: 9}',
        '  e: 5',
      ),
      key: 'target',
      expected: { a: 1, b: { c: 9 }, e: 5 },
    },
    {
      name: 'string reference to a scalar',
      text: yaml('definitions:', '  limit: 50', 'target: "#/definitions/limit"'),
      key: 'target',
      expected: 50,
    },
    {
      name: 'string reference to a mapping',
      text: yaml('definitions:', '  kv: {k1: v1}', 'target: "#/definitions/kv"'),
      key: 'target',
      expected: { k1: 'v1' },
    },
    {
      name: 'nested references resolve recursively',
      text: yaml(
        'definitions:',
        '  url: "https://x.test"',
        '  requester: {url_base: "#/definitions/url", method: GET}',
        '  retriever:',
        '    requester:',
        '      $ref: "#/definitions/requester"',
        '      method: POST',
        'target:',
        '  $ref: "#/definitions/retriever"',
      ),
      key: 'target',
      expected: { requester: { url_base: 'https://x.test', method: 'POST' } },
    },
    {
      name: 'reference through a list index',
      text: yaml('definitions:', '  list: [zero, one]', 'target: "#/definitions/list/1"'),
      key: 'target',
      expected: 'one',
    },
    {
      name: 'a key containing a slash wins over nested lookup (as in Airbyte)',
      text: yaml('nested: {path: first}', '"nested/path": second', 'target: "#/nested/path"'),
      key: 'target',
      expected: 'second',
    },
    {
      name: '$ref to a scalar without siblings gives the scalar',
      text: yaml('definitions:', '  n: 3', 'target:', '  $ref: "#/definitions/n"'),
      key: 'target',
      expected: 3,
    },
    {
      name: 'references inside lists',
      text: yaml('definitions:', '  a: {x: 1}', 'target:', '  - "#/definitions/a"', '  - $ref: "#/definitions/a"', '    y: 2'),
      key: 'target',
      expected: [{ x: 1 }, { x: 1, y: 2 }],
    },
  ];
  test.each(cases)('$name', ({ text, key, expected }) => {
    expect(loadManifest(text).root[key]).toEqual(expected);
  });

  test('each use of a reference is an independent copy', () => {
    const root = loadManifest(yaml('definitions:', '  a: {x: {y: 1}}', 'one: "#/definitions/a"', 'two: "#/definitions/a"')).root;
    (root.one as { x: { y: number } }).x.y = 99;
    expect(root.two).toEqual({ x: { y: 1 } });
    expect(root.definitions).toEqual({ a: { x: { y: 1 } } });
  });

  test('YAML merge keys are honoured like PyYAML', () => {
    const root = loadManifest(yaml('base: &b {a: 1, b: 2}', 'target:', '  <<: *b', '  b: 3')).root;
    expect(root.target).toEqual({ a: 1, b: 3 });
  });
});

describe('loader errors', () => {
  const cases: Array<{ name: string; text: string; message: string; path: string }> = [
    {
      name: 'missing reference target names the ref and where it is used',
      text: yaml('definitions:', '  a: 1', 'streams:', '  - retriever:', '      $ref: "#/definitions/nope"'),
      message:
        'manifest error at streams[0].retriever: reference "#/definitions/nope" cannot be resolved: definitions has no key "nope" (line 5, column 7)',
      path: 'streams[0].retriever',
    },
    {
      name: 'missing string reference',
      text: yaml('check:', '  stream_names: "#/definitions/names"'),
      message:
        'manifest error at check.stream_names: reference "#/definitions/names" cannot be resolved: the manifest root has no key "definitions" (line 2, column 17)',
      path: 'check.stream_names',
    },
    {
      name: 'reference into a scalar',
      text: yaml('definitions:', '  a: 1', 'x: "#/definitions/a/b"'),
      message:
        'manifest error at x: reference "#/definitions/a/b" cannot be resolved: definitions.a has a number (1), not a mapping (line 3, column 4)',
      path: 'x',
    },
    {
      name: 'list index out of range',
      text: yaml('definitions:', '  l: [a]', 'x: "#/definitions/l/3"'),
      message:
        'manifest error at x: reference "#/definitions/l/3" cannot be resolved: definitions.l has no item "3" (line 3, column 4)',
      path: 'x',
    },
    {
      name: 'direct cycle',
      text: yaml('definitions:', '  a:', '    $ref: "#/definitions/a"'),
      message: 'manifest error at definitions.a: circular reference: #/definitions/a -> #/definitions/a (line 3, column 5)',
      path: 'definitions.a',
    },
    {
      name: 'indirect cycle is named in full',
      text: yaml(
        'streams:',
        '  - $ref: "#/definitions/a"',
        'definitions:',
        '  a: {retriever: "#/definitions/b"}',
        '  b: {inner: {$ref: "#/definitions/a"}}',
      ),
      message:
        'manifest error at definitions.b.inner: circular reference: #/definitions/a -> #/definitions/b -> #/definitions/a (line 5, column 14)',
      path: 'definitions.b.inner',
    },
    {
      name: '$ref that is not a reference string',
      text: yaml('x:', '  $ref: definitions/a'),
      message:
        'manifest error at x.$ref: expected $ref to be a reference string like "#/definitions/name", found a string ("definitions/a") (line 2, column 9)',
      path: 'x.$ref',
    },
    {
      name: '$ref to a scalar with sibling keys',
      text: yaml('definitions:', '  n: 3', 'x:', '  $ref: "#/definitions/n"', '  extra: 1'),
      message:
        'manifest error at x: $ref "#/definitions/n" points to a number (3), which cannot take the sibling keys "extra"; point it to a mapping or remove them (line 4, column 3)',
      path: 'x',
    },
    {
      name: '$parameters that is not a mapping',
      text: yaml('streams:', '  - type: DeclarativeStream', '    $parameters: [a]'),
      message: 'manifest error at streams[0].$parameters: expected $parameters to be a mapping of names to values, found a list of 1 item',
      path: 'streams[0].$parameters',
    },
    {
      name: 'root that is not a mapping',
      text: yaml('- a', '- b'),
      message: 'manifest error at (root): expected the manifest to be a mapping, found a list of 2 items',
      path: '',
    },
    {
      name: 'empty document',
      text: '',
      message: 'manifest error at (root): expected the manifest to be a mapping, found null',
      path: '',
    },
  ];
  test.each(cases)('$name', ({ text, message, path }) => {
    const error = errorOf(text);
    expect(error.message).toBe(message);
    expect(error.path).toBe(path);
  });

  test('YAML syntax errors name the file, line and column', () => {
    const error = errorOf(yaml('streams:', '  - name: a', '   bad: [1, 2'), { sourceName: 'connector/manifest.yaml' });
    expect(error.path).toBe('connector/manifest.yaml:3:1');
    expect(error.message).toBe(
      'manifest error at connector/manifest.yaml:3:1: invalid YAML at line 3, column 1: Sequence item without - indicator',
    );
  });

  test('compact nested mappings report the column', () => {
    expect(errorOf(yaml('a: b: c')).message).toBe(
      'manifest error at manifest.yaml:1:4: invalid YAML at line 1, column 4: Nested mappings are not allowed in compact mappings',
    );
  });

  test('duplicate keys are YAML errors', () => {
    const error = errorOf(yaml('a: 1', 'a: 2'));
    expect(error.message).toBe('manifest error at manifest.yaml:2:1: invalid YAML at line 2, column 1: Map keys must be unique');
  });
});

describe('default component types', () => {
  test('untyped components in well-known slots get their default type', () => {
    const root = loadManifest(
      yaml(
        'check: {stream_names: [s]}',
        'streams:',
        '  - name: s',
        '    schema_loader: {file_path: schemas/s.json}',
        '    retriever:',
        '      paginator:',
        '        pagination_strategy: {type: CursorPagination, cursor_value: x}',
        '      record_selector:',
        '        extractor: {field_path: [value]}',
        '      requester:',
        '        url_base: https://x.test',
        '        error_handler:',
        '          backoff_strategies:',
        '            - factor: 2',
      ),
    ).root;
    expect(root).toEqual({
      type: 'DeclarativeSource',
      check: { type: 'CheckStream', stream_names: ['s'] },
      streams: [
        {
          type: 'DeclarativeStream',
          name: 's',
          schema_loader: { type: 'JsonFileSchemaLoader', file_path: 'schemas/s.json' },
          retriever: {
            type: 'SimpleRetriever',
            paginator: {
              type: 'DefaultPaginator',
              pagination_strategy: { type: 'CursorPagination', cursor_value: 'x' },
            },
            record_selector: { type: 'RecordSelector', extractor: { type: 'DpathExtractor', field_path: ['value'] } },
            requester: {
              type: 'HttpRequester',
              url_base: 'https://x.test',
              error_handler: {
                type: 'DefaultErrorHandler',
                backoff_strategies: [{ type: 'ExponentialBackoffStrategy', factor: 2 }],
              },
            },
          },
        },
      ],
    });
  });

  test('an explicit type is kept', () => {
    const root = loadManifest(yaml('type: DeclarativeSource', 'streams:', '  - retriever: {type: CustomRetriever, class_name: x}')).root;
    expect((root.streams as Array<{ retriever: unknown }>)[0].retriever).toEqual({ type: 'CustomRetriever', class_name: 'x' });
  });

  test('an untyped component with class_name gets the Custom* type', () => {
    const root = loadManifest(yaml('streams:', '  - retriever:', '      requester: {authenticator: {class_name: MsalAuthenticator}}')).root;
    const stream = (root.streams as Array<Record<string, Record<string, Record<string, unknown>>>>)[0];
    expect(stream.retriever.requester.authenticator).toEqual({ type: 'CustomAuthenticator', class_name: 'MsalAuthenticator' });
  });

  test('the table is data with the required entries', () => {
    expect(DEFAULT_COMPONENT_TYPES).toMatchObject({
      'DeclarativeStream.retriever': 'SimpleRetriever',
      'SimpleRetriever.requester': 'HttpRequester',
      'SimpleRetriever.record_selector': 'RecordSelector',
      'RecordSelector.extractor': 'DpathExtractor',
      'SimpleRetriever.paginator': 'DefaultPaginator',
      'DeclarativeStream.schema_loader': 'JsonFileSchemaLoader',
      'HttpRequester.error_handler': 'DefaultErrorHandler',
      'DefaultErrorHandler.backoff_strategies': 'ExponentialBackoffStrategy',
      'DeclarativeSource.check': 'CheckStream',
    });
  });
});

describe('$parameters propagation', () => {
  const manifest = yaml(
    'definitions:',
    '  base_requester:',
    '    type: HttpRequester',
    '    url_base: https://x.test',
    '    path: "{{ parameters.path }}"',
    '  stream:',
    '    type: DeclarativeStream',
    '    retriever:',
    '      type: SimpleRetriever',
    '      requester: {$ref: "#/definitions/base_requester"}',
    '      record_selector:',
    '        type: RecordSelector',
    '        $parameters: {field: inner, name: selector_name}',
    '        extractor: {type: DpathExtractor, field_path: []}',
    'streams:',
    '  - $ref: "#/definitions/stream"',
    '    $parameters: {name: organization, path: organizations, primary_key: organizationid}',
    '  - $ref: "#/definitions/stream"',
    '    name: explicit',
    '    $parameters: {name: ignored_for_stream, path: picklists}',
  );
  const root = loadManifest(manifest).root;
  type Component = Record<string, any>;
  const [first, second] = root.streams as Component[];

  const cases: Array<[string, () => unknown, unknown]> = [
    ['stream gets parameter fields', () => [first.name, first.path, first.primary_key], ['organization', 'organizations', 'organizationid']],
    ['stream keeps merged $parameters', () => first.$parameters, { name: 'organization', path: 'organizations', primary_key: 'organizationid' }],
    ['nested requester gets name and path', () => [first.retriever.requester.name, first.retriever.requester.path], ['organization', '{{ parameters.path }}']],
    ['existing field wins over a parameter', () => first.retriever.requester.path, '{{ parameters.path }}'],
    ['requester sees the stream parameters', () => first.retriever.requester.$parameters.path, 'organizations'],
    ['child $parameters override the parent', () => first.retriever.record_selector.$parameters, {
      name: 'selector_name', path: 'organizations', primary_key: 'organizationid', field: 'inner',
    }],
    ['child override flows to grandchildren', () => [first.retriever.record_selector.extractor.name, first.retriever.record_selector.extractor.field], ['selector_name', 'inner']],
    ['a field set on the stream is not replaced', () => second.name, 'explicit'],
    ['but the parameter still flows down', () => second.retriever.name, 'ignored_for_stream'],
    ['each stream gets its own copy', () => second.retriever.requester.$parameters.path, 'picklists'],
    ['definitions are not propagated into', () => (root.definitions as Component).stream.retriever.record_selector, {
      type: 'RecordSelector', $parameters: { field: 'inner', name: 'selector_name' }, extractor: { type: 'DpathExtractor', field_path: [] },
    }],
  ];
  test.each(cases)('%s', (_name, read, expected) => {
    expect(read()).toEqual(expected);
  });

  test('a parameter is not passed into the field of the same name', () => {
    const r = loadManifest(
      yaml('streams:', '  - type: DeclarativeStream', '    $parameters: {retriever: x, name: s}', '    retriever: {type: SimpleRetriever}'),
    ).root;
    expect((r.streams as Component[])[0].retriever).toEqual({ type: 'SimpleRetriever', name: 's', $parameters: { name: 's' } });
  });

  test('JSON schemas are data, not components', () => {
    const r = loadManifest(
      yaml(
        'streams:',
        '  - $parameters: {name: s}',
        '    schema_loader:',
        '      type: InlineSchemaLoader',
        '      schema: {type: object, properties: {id: {type: string}}}',
      ),
    ).root;
    expect((r.streams as Component[])[0].schema_loader).toEqual({
      type: 'InlineSchemaLoader',
      name: 's',
      schema: { type: 'object', properties: { id: { type: 'string' } } },
      $parameters: { name: 's' },
    });
  });

  test('untyped mappings pass parameters to typed components inside them only', () => {
    const r = loadManifest(
      yaml(
        'streams:',
        '  - $parameters: {name: s}',
        '    retriever:',
        '      requester:',
        '        request_parameters:',
        '          plain: "{{ x }}"',
        '          nested: {type: QueryProperties, property_list: [a]}',
      ),
    ).root;
    const params = (r.streams as Component[])[0].retriever.requester.request_parameters;
    expect(params).toEqual({
      plain: '{{ x }}',
      nested: { type: 'QueryProperties', property_list: ['a'], name: 's', $parameters: { name: 's' } },
    });
  });

  test('a mapping-valued parameter becomes a field that is walked, while $parameters keeps the original', () => {
    const r = loadManifest(yaml('streams:', '  - $parameters: {name: s, extra: {type: Thing}}')).root;
    expect((r.streams as Component[])[0]).toEqual({
      type: 'DeclarativeStream',
      name: 's',
      extra: { type: 'Thing', name: 's', $parameters: { name: 's' } },
      $parameters: { name: 's', extra: { type: 'Thing' } },
    });
  });
});
