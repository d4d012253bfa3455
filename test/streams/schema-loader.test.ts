/** Schema loaders: a file under the package root, read once, or an inline schema; callers get their own copy. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InlineSchemaLoader, JsonFileSchemaLoader } from '../../connector/streams/schema-loader';

const ROOT = path.resolve(__dirname, '..', '..');
const onDisk = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'organization.json'), 'utf8'));

describe('JsonFileSchemaLoader', () => {
  test('reads the file relative to the package root, with or without ./', async () => {
    expect(await new JsonFileSchemaLoader('schemas/organization.json').load()).toEqual(onDisk);
    expect(await new JsonFileSchemaLoader('./schemas/organization.json').load()).toEqual(onDisk);
  });

  test('reads the file once, and each load is a copy the caller may change', async () => {
    const read = jest.spyOn(fs.promises, 'readFile');
    try {
      const loader = new JsonFileSchemaLoader('schemas/organization.json');
      const first = await loader.load();
      (first.properties as Record<string, unknown>).injected = { type: 'string' };
      const second = await loader.load();
      expect(second).toEqual(onDisk);
      expect(second).not.toBe(first);
      expect(read).toHaveBeenCalledTimes(1);
    } finally {
      read.mockRestore();
    }
  });

  test('a missing file fails the load with the path', async () => {
    await expect(new JsonFileSchemaLoader('schemas/nope.json').load()).rejects.toThrow(`ENOENT: no such file or directory, open '${path.join(ROOT, 'schemas', 'nope.json')}'`);
  });
});

describe('InlineSchemaLoader', () => {
  test('returns the schema, a fresh deep copy each time', async () => {
    const schema = { type: 'object', properties: { id: { type: 'string' } } };
    const loader = new InlineSchemaLoader(schema);
    const first = await loader.load();
    expect(first).toEqual({ type: 'object', properties: { id: { type: 'string' } } });
    (first.properties as Record<string, any>).id.type = 'integer';
    expect(await loader.load()).toEqual({ type: 'object', properties: { id: { type: 'string' } } });
    expect(schema.properties.id.type).toBe('string');
  });
});
