/** exportManifest: the self-contained manifest built from in-memory sources (the file round trip is in integration_tests/acceptance). */
import { ManifestError } from '../../connector/manifest/errors';
import { EXPORT_HEADER, exportManifest, renderExport } from '../../connector/manifest/export';

const SPEC_TEXT = 'type: Spec\nconnection_specification:\n  type: object\n  properties: {}\n';
const SCHEMAS: Record<string, Record<string, unknown>> = {
  'schemas/a.json': { type: 'object', properties: { id: { type: 'string' } } },
};

function exportOf(manifestText: string): Record<string, unknown> {
  return exportManifest({
    manifestText,
    specText: SPEC_TEXT,
    readSchema: (file) => {
      const schema = SCHEMAS[file];
      if (!schema) throw new Error(`ENOENT: ${file}`);
      return structuredClone(schema);
    },
  });
}

const MANIFEST = [
  'version: 6.60.0',
  'type: DeclarativeSource',
  'definitions:',
  '  a_stream:',
  '    type: DeclarativeStream',
  '    name: a',
  '    $parameters: {entity: a}',
  '    schema_loader: {type: JsonFileSchemaLoader, file_path: ./schemas/a.json}',
  '    retriever:',
  '      type: SimpleRetriever',
  '      requester: {type: HttpRequester, url_base: "https://x.test/"}',
  'streams:',
  '  - $ref: "#/definitions/a_stream"',
  '',
].join('\n');

test('resolves $ref, inlines file schemas everywhere, keeps $parameters where written, appends the spec', () => {
  const stream = {
    type: 'DeclarativeStream',
    name: 'a',
    $parameters: { entity: 'a' },
    schema_loader: { type: 'InlineSchemaLoader', schema: SCHEMAS['schemas/a.json'] },
    retriever: { type: 'SimpleRetriever', requester: { type: 'HttpRequester', url_base: 'https://x.test/' } },
  };
  expect(exportOf(MANIFEST)).toEqual({
    version: '6.60.0',
    type: 'DeclarativeSource',
    definitions: { a_stream: stream },
    streams: [stream],
    spec: { type: 'Spec', connection_specification: { type: 'object', properties: {} } },
  });
});

test('renders YAML with the header, writing an object used twice out twice (no anchors)', () => {
  const schema = { type: 'object' };
  expect(renderExport({ a: { schema }, b: { schema } })).toBe(`${EXPORT_HEADER}a:\n  schema:\n    type: object\nb:\n  schema:\n    type: object\n`);
});

test.each([
  [
    'a spec in the manifest',
    'streams: []\nspec: {type: Spec}\n',
    'manifest error at spec: connector/manifest.yaml must not hold a spec: the export takes it from spec.yaml',
  ],
  [
    'an interpolated file_path',
    'streams:\n  - type: DeclarativeStream\n    schema_loader: {type: JsonFileSchemaLoader, file_path: "schemas/{{ parameters.name }}.json"}\n',
    'manifest error at streams[0].schema_loader.file_path: cannot inline a JsonFileSchemaLoader without a literal file_path (found "schemas/{{ parameters.name }}.json")',
  ],
  [
    'a missing schema file',
    'streams:\n  - type: DeclarativeStream\n    schema_loader: {type: JsonFileSchemaLoader, file_path: schemas/b.json}\n',
    'manifest error at streams[0].schema_loader.file_path: cannot read schema file schemas/b.json: ENOENT: schemas/b.json',
  ],
])('refuses %s', (_name, text, message) => {
  let thrown: unknown;
  try {
    exportOf(text);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ManifestError);
  expect((thrown as Error).message).toBe(message);
});
