/** loadManifest's `propagate` option: false resolves references and changes nothing else (used by the manifest export). */
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

test('propagate: false resolves $ref but adds no default types and keeps $parameters where written', () => {
  const { root } = loadManifest(TEXT, { propagate: false });
  expect(root).toEqual({
    definitions: { requester: { type: 'HttpRequester', url_base: 'https://x.test/' } },
    streams: [
      {
        type: 'DeclarativeStream',
        name: 's',
        $parameters: { path: 'items' },
        retriever: { requester: { type: 'HttpRequester', url_base: 'https://x.test/' } },
      },
    ],
  });
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
