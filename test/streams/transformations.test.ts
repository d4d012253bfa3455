/** AddFields: each path set to its rendered value, on the records the condition admits (per record, or once per page). */
import type { Renderable } from '../../connector/http/requester';
import { AddFields } from '../../connector/streams/transformations';

/** A template fake counting its renders. */
function template(render: (context: Record<string, any>) => unknown): Renderable & { renders: number } {
  const fake = { renders: 0, render: (context: unknown) => (fake.renders++, render(context as Record<string, any>)) };
  return fake;
}

describe('AddFields', () => {
  test('sets each field from a template that sees the record, the stream context and the $parameters', () => {
    const add = new AddFields({
      fields: [
        { path: ['entity'], value: template((c) => c.parameters.entity) },
        { path: ['org'], value: template((c) => c.config.org_url) },
        { path: ['key'], value: template((c) => `${c.record.id}-${c.stream_partition.n}`) },
      ],
      conditionPerRecord: false,
      parameters: { entity: 'account' },
    });
    const context = { config: { org_url: 'https://org.example' }, stream_partition: { n: 7 } };
    const record: Record<string, unknown> = { id: 'r1' };
    expect(add.transform(record, context)).toBeUndefined();
    expect(record).toEqual({ id: 'r1', entity: 'account', org: 'https://org.example', key: 'r1-7' });
    expect(context).toEqual({ config: { org_url: 'https://org.example' }, stream_partition: { n: 7 } });
  });

  test('a nested path creates the objects on the way and replaces a scalar in the way, keeping sibling keys', () => {
    const add = new AddFields({ fields: [{ path: ['meta', 'source', 'name'], value: template(() => 'dataverse') }], conditionPerRecord: false, parameters: {} });
    const kept: Record<string, unknown> = { meta: { source: { version: 2 }, other: 1 } };
    const created: Record<string, unknown> = {};
    const replaced: Record<string, unknown> = { meta: 'text' };
    const nulled: Record<string, unknown> = { meta: null };
    for (const record of [kept, created, replaced, nulled]) add.transform(record, {});
    expect(kept).toEqual({ meta: { source: { version: 2, name: 'dataverse' }, other: 1 } });
    expect(created).toEqual({ meta: { source: { name: 'dataverse' } } });
    expect(replaced).toEqual({ meta: { source: { name: 'dataverse' } } });
    expect(nulled).toEqual({ meta: { source: { name: 'dataverse' } } });
  });

  test('a per-record condition adds the fields only where it holds ("False" does not)', () => {
    const condition = template((c) => (c.record.n % 2 === 0 ? 'True' : 'False'));
    const add = new AddFields({ fields: [{ path: ['even'], value: template(() => true) }], condition, conditionPerRecord: true, parameters: {} });
    const context = {};
    const records = [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }];
    for (const record of records) add.transform(record, context);
    expect(records).toEqual([{ n: 1 }, { n: 2, even: true }, { n: 3 }, { n: 4, even: true }]);
    expect(condition.renders).toBe(4);
  });

  test('a condition that does not read the record is rendered once per page context', () => {
    const condition = template((c) => c.config.formatted_values);
    const value = template(() => 'x');
    const add = new AddFields({ fields: [{ path: ['f'], value }], condition, conditionPerRecord: false, parameters: {} });
    const on = { config: { formatted_values: true } };
    const off = { config: { formatted_values: false } };
    const a = [{}, {}, {}] as Record<string, unknown>[];
    const b = [{}, {}] as Record<string, unknown>[];
    for (const record of a) add.transform(record, on);
    for (const record of b) add.transform(record, off);
    expect(a).toEqual([{ f: 'x' }, { f: 'x' }, { f: 'x' }]);
    expect(b).toEqual([{}, {}]);
    expect(condition.renders).toBe(2);
    expect(value.renders).toBe(3);
  });
});
