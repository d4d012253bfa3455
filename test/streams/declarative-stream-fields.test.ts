import { DeclarativeStream } from '../../connector/streams/declarative-stream';
import { ODATA_CURSOR_QUERY } from '../../connector/dataverse/odata-cursor';
import { DatetimeCursor } from '../../connector/streams/datetime-cursor';
import type { Retriever } from '../../connector/streams/retriever';
import type { SchemaLoader } from '../../connector/streams/schema-loader';
import type { StreamContext } from '../../connector/streams/types';

const SCHEMA = { type: 'object', properties: { id: {}, name: {}, name__label: {}, size: {}, modifiedon: {}, extra: {} } };

function stream(loader: SchemaLoader, retriever: Retriever = { read: async function* () {} }) {
  return new DeclarativeStream({
    name: 's',
    primaryKey: [['id']],
    schemaLoader: loader,
    retriever,
    transformations: [],
    incrementalSync: new DatetimeCursor('modifiedon', undefined, ODATA_CURSOR_QUERY),
    context: { config: {}, parameters: {} },
  });
}

describe('DeclarativeStream.recordFields', () => {
  test('no selection: every property of the schema; a schema without properties: undefined', async () => {
    expect(await stream({ load: async () => SCHEMA }).recordFields()).toEqual(['id', 'name', 'name__label', 'size', 'modifiedon', 'extra']);
    expect(await stream({ load: async () => ({}) }).recordFields(['name'])).toBeUndefined();
  });

  test('a selection: it, the key and the cursor, in schema order', async () => {
    expect(await stream({ load: async () => SCHEMA }).recordFields(['size'])).toEqual(['id', 'size', 'modifiedon']);
  });

  test('fields the schema loader links to the selection come along; linked names outside the schema do not', async () => {
    const seen: string[][] = [];
    const loader = {
      load: async () => SCHEMA,
      linkedFields: async (selected: ReadonlySet<string>) => {
        seen.push([...selected].sort());
        return [...selected].flatMap((f) => [`${f}__label`, 'not_in_schema']);
      },
    };
    expect(await stream(loader).recordFields(['name'])).toEqual(['id', 'name', 'name__label', 'modifiedon']);
    expect(seen).toEqual([['id', 'modifiedon', 'name']]);
  });

  test('read passes the fields to the retriever as selected_fields; without fields the context has none', async () => {
    const contexts: StreamContext[] = [];
    const retriever: Retriever = {
      read: async function* (context) {
        contexts.push(context);
        yield { records: [{ id: '1' }] };
      },
    };
    const s = stream({ load: async () => SCHEMA }, retriever);
    for await (const _ of s.read({ syncMode: 'full_refresh', fields: ['id', 'size'] }));
    for await (const _ of s.read({ syncMode: 'full_refresh' }));
    expect(contexts.map((c) => c.selected_fields)).toEqual([['id', 'size'], undefined]);
  });
});
