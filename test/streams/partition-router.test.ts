/** Partition routers: one empty partition without a router, one per rendered value with ListPartitionRouter. */
import type { Renderable } from '../../connector/http/requester';
import { ListPartitionRouter, SinglePartitionRouter } from '../../connector/streams/partition-router';

const rendering = (value: unknown): Renderable & { contexts: unknown[] } => {
  const contexts: unknown[] = [];
  return { contexts, render: (context) => (contexts.push(context), value) };
};

describe('SinglePartitionRouter', () => {
  test('yields exactly one empty partition', async () => {
    expect(await new SinglePartitionRouter().partitions()).toEqual([{}]);
  });
});

describe('ListPartitionRouter', () => {
  test('one partition per value, under the cursor field, in order; the values are rendered over the stream context', async () => {
    const values = rendering(['account', 'contact', 'lead']);
    const context = { config: { entities: ['account', 'contact', 'lead'] } };
    expect(await new ListPartitionRouter(values, 'entity').partitions(context)).toEqual([{ entity: 'account' }, { entity: 'contact' }, { entity: 'lead' }]);
    expect(values.contexts).toEqual([context]);
  });

  test('a single value is one partition; non-string values are kept as they are', async () => {
    expect(await new ListPartitionRouter(rendering('account'), 'entity').partitions({})).toEqual([{ entity: 'account' }]);
    expect(await new ListPartitionRouter(rendering([1, { a: 2 }]), 'n').partitions({})).toEqual([{ n: 1 }, { n: { a: 2 } }]);
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['an empty list', []],
  ])('%s gives no partitions', async (_name, value) => {
    expect(await new ListPartitionRouter(rendering(value), 'entity').partitions({})).toEqual([]);
  });
});
