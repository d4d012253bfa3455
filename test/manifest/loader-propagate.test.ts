/** loadManifest's `propagate` option: false resolves references and inserts default types, but leaves `$parameters` where written (used by the manifest export). */
import { loadManifest } from '../../connector/manifest/loader';

const TEXT = [
  'definitions:',
  '  requester:',
  '    type: HttpRequester',
  '    url_base: https://x.test/',
  'streams:',
  '  - type: DeclarativeStream',
  '    name: s',
  '    $parameters:',
  '      path: items',
  '    retriever:',
  '      requester:',
  '        $ref: "#/definitions/requester"',
  '',
].join('\n');

test('propagate: false resolves $ref and inserts default types, keeping $parameters where written', () => {
  const { root } = loadManifest(TEXT, { propagate: false });
  expect(root).toEqual({
    type: 'DeclarativeSource',
    definitions: { requester: { type: 'HttpRequester', url_base: 'https://x.test/' } },
    streams: [
      {
        type: 'DeclarativeStream',
        name: 's',
        $parameters: { path: 'items' },
        retriever: { type: 'SimpleRetriever', requester: { type: 'HttpRequester', url_base: 'https://x.test/' } },
      },
    ],
  });
});

test('propagate: false still rejects a malformed $parameters', () => {
  expect(() => loadManifest('streams:\n  - type: DeclarativeStream\n    $parameters: [a]\n', { propagate: false })).toThrow(
    'manifest error at streams[0].$parameters: expected $parameters to be a mapping of names to values, found a list of 1 item',
  );
});

test.each([
  ['absent', {}],
  ['true', { propagate: true }],
])('propagate %s: default types are inserted and $parameters pushed into fields', (_name, options) => {
  const { root } = loadManifest(TEXT, options);
  expect(root.type).toBe('DeclarativeSource');
  const stream = (root.streams as Array<Record<string, unknown>>)[0]!;
  expect(stream.retriever).toEqual({
    type: 'SimpleRetriever',
    path: 'items',
    $parameters: { path: 'items' },
    requester: { type: 'HttpRequester', url_base: 'https://x.test/', path: 'items', $parameters: { path: 'items' } },
  });
});
