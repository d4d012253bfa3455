import { ConfigError } from '../../connector/errors';
import { DeclarativeStream } from '../../connector/streams/declarative-stream';
import { ODATA_CURSOR_QUERY } from '../../connector/dataverse/odata-cursor';
import { DatetimeCursor } from '../../connector/streams/datetime-cursor';
import { partitionedState, partitionProgressOf, withoutPartitions } from '../../connector/streams/partition-state';
import type { PartitionPlanner } from '../../connector/streams/partitions';
import type { Retriever } from '../../connector/streams/retriever';
import { FakePlanner, Meter, partitionedStream, seeded } from '../commands/scheduler-fakes';

const RESTART = 'start from a state printed by this connector';
const link = 'https://org.crm.dynamics.com/api/data/v9.2/accounts?$skiptoken=x';

describe('partitionProgressOf', () => {
  test('a state without partitions has no progress; one written by partitionedState reads back', () => {
    expect(partitionProgressOf({ modifiedon: '2024-01-01T00:00:00Z' })).toBeUndefined();
    expect(partitionProgressOf(undefined)).toBeUndefined();
    const state = partitionedState({ modifiedon: '2024-01-01T00:00:00Z' }, new Map([['a', { next: link }], ['b', {}], ['d', { next: link, pageSize: 50 }]]), new Map([['c', { deltatoken: 't' }]]));
    expect(state).toEqual({ modifiedon: '2024-01-01T00:00:00Z', partitions: { open: [{ key: 'a', next: link }, { key: 'b' }, { key: 'd', next: link, page_size: 50 }], done: { c: { deltatoken: 't' } } } });
    expect(partitionProgressOf(JSON.parse(JSON.stringify(state)))).toEqual({ open: [{ key: 'a', next: link }, { key: 'b' }, { key: 'd', next: link, pageSize: 50 }], done: new Map([['c', { deltatoken: 't' }]]) });
    expect(withoutPartitions(state)).toEqual({ modifiedon: '2024-01-01T00:00:00Z' });
  });

  test.each<[string, unknown, string]>([
    ['a list', [], 'stream_state partitions is a list, not an object with "open" and "done"'],
    ['an unknown key', { open: [{ key: 'a' }], done: {}, page: 2 }, 'stream_state partitions holds "page", which this connector never writes (it keeps "open" and "done")'],
    ['no open list', { done: {} }, 'stream_state partitions.open is undefined, not a list of partitions'],
    ['an empty open list', { open: [], done: {} }, 'stream_state partitions.open is empty, but a state with partitions always has one not finished'],
    ['a string partition', { open: ['a'], done: {} }, 'stream_state partitions.open[0] is a string, not an object with "key" and "next"'],
    ['a numeric key', { open: [{ key: 7 }], done: {} }, 'stream_state partitions.open[0].key is a number, not a string'],
    ['an empty key', { open: [{ key: '' }], done: {} }, 'stream_state partitions.open[0].key is empty, not a partition key'],
    ['an extra field', { open: [{ key: 'a', page: 1 }], done: {} }, 'stream_state partitions.open[0] holds "page", which this connector never writes'],
    ['a key twice', { open: [{ key: 'a' }, { key: 'a' }], done: {} }, 'stream_state partitions.open lists partition "a" twice'],
    ['a numeric link', { open: [{ key: 'a', next: 5 }], done: {} }, 'stream_state partitions.open[0].next is a number, not a page link'],
    ['a relative link', { open: [{ key: 'a', next: 'accounts?page=2' }], done: {} }, 'stream_state partitions.open[0].next "accounts?page=2" is not an absolute https link'],
    ['a file link', { open: [{ key: 'a', next: 'file:///etc/passwd' }], done: {} }, 'stream_state partitions.open[0].next "file:///etc/passwd" is not an absolute https link'],
    ['a huge link', { open: [{ key: 'a', next: `https://x/${'a'.repeat(9000)}` }], done: {} }, 'stream_state partitions.open[0].next is 9010 characters long, longer than any page link Dataverse hands out'],
    ['a page size without a link', { open: [{ key: 'a', page_size: 50 }], done: {} }, 'stream_state partitions.open[0] holds "page_size" without "next"'],
    ['a page size past 5000', { open: [{ key: 'a', next: link, page_size: 5001 }], done: {} }, 'stream_state partitions.open[0].page_size is 5001, not a page size from 1 to 5000'],
    ['a page size as text', { open: [{ key: 'a', next: link, page_size: '50' }], done: {} }, 'stream_state partitions.open[0].page_size is a string, not a page size from 1 to 5000'],
    ['done as a list', { open: [{ key: 'a' }], done: [] }, 'stream_state partitions.done is a list, not an object of finished partitions'],
    ['a result not an object', { open: [{ key: 'a' }], done: { b: 'x' } }, 'stream_state partitions.done["b"] is a string, not an object'],
    ['a partition open and done', { open: [{ key: 'a' }], done: { a: {} } }, 'stream_state partitions: partition "a" is both open and done'],
  ])('refuses %s', (_name, partitions, message) => {
    expect(() => partitionProgressOf({ partitions })).toThrow(new ConfigError(`${message}: ${RESTART}`));
  });
});

describe('DeclarativeStream.checkState with partitions', () => {
  const planned = () => partitionedStream('p', new FakePlanner('p', new Meter(seeded(1)), { partitions: 2, pages: 2, size: 1 }));

  test('a planned stream accepts its saved partitions and asks its planner to rebuild them', async () => {
    const planner = new FakePlanner('p', new Meter(seeded(1)), { partitions: 2, pages: 2, size: 1 });
    await expect(partitionedStream('p', planner).checkState({ partitions: { open: [{ key: 'p1', next: 'https://x.test/p1?page=1' }], done: { p0: { rows: 2 } } } })).resolves.toBeUndefined();
    expect(planner.restored).toEqual([['p1']]);
  });

  test("a key the planner never cuts is refused with the planner's reason", async () => {
    await expect(planned().checkState({ partitions: { open: [{ key: 'q9' }], done: {} } })).rejects.toThrow(new ConfigError('partition q9 is not one this stream cuts'));
  });

  test('a malformed partitions value is refused before the planner is asked', async () => {
    const planner = new FakePlanner('p', new Meter(seeded(1)), { partitions: 2, pages: 2, size: 1 });
    await expect(partitionedStream('p', planner).checkState({ partitions: { open: [{ key: 'p1', next: 3 }], done: {} } })).rejects.toThrow(ConfigError);
    expect(planner.restored).toEqual([]);
  });

  test('the other keys still follow the stream rules: a full-refresh stream keeps nothing beside partitions', async () => {
    await expect(planned().checkState({ partitions: { open: [{ key: 'p1' }], done: {} }, page: 3 })).rejects.toThrow(
      new ConfigError('stream_state holds "page", but this stream is full refresh only and keeps no state: start from a state printed by this connector, or from none'),
    );
  });

  test('a cursor stream keeps its cursor beside partitions, checked as ever', async () => {
    const cursorStream = (retriever: Retriever & PartitionPlanner) =>
      new DeclarativeStream({
        name: 'c',
        primaryKey: [['id']],
        schemaLoader: { load: async () => ({}) },
        retriever,
        transformations: [],
        incrementalSync: new DatetimeCursor('modifiedon', undefined, ODATA_CURSOR_QUERY),
        context: { config: {}, parameters: {} },
      });
    const planner = new FakePlanner('c', new Meter(seeded(1)), { partitions: 1, pages: 1, size: 1 });
    await expect(cursorStream(planner).checkState({ modifiedon: '2024-01-01T00:00:00Z', partitions: { open: [{ key: 'p0' }], done: {} } }, 'incremental')).resolves.toBeUndefined();
    await expect(cursorStream(planner).checkState({ modifiedon: 'yesterday', partitions: { open: [{ key: 'p0' }], done: {} } }, 'incremental')).rejects.toThrow(
      new ConfigError('modifiedon "yesterday" is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z: start from a state printed by this connector'),
    );
  });

  test('a stream never read in partitions refuses the key', async () => {
    const plain = new DeclarativeStream({
      name: 's',
      primaryKey: [['id']],
      schemaLoader: { load: async () => ({}) },
      retriever: { read: () => (async function* () {})() },
      transformations: [],
      context: {},
    });
    await expect(plain.checkState({ partitions: { open: [{ key: 'a' }], done: {} } })).rejects.toThrow(
      new ConfigError('stream_state holds "partitions", but this stream is never read in partitions: start from a state printed by this connector, or from none'),
    );
  });

  test('a page without its primary key fails the partitioned read before it is written', async () => {
    const broken = new DeclarativeStream({
      name: 'b',
      primaryKey: [['id']],
      schemaLoader: { load: async () => ({}) },
      retriever: {
        read: () => (async function* () {})(),
        planPartitions: async () => ({
          partitions: [{ key: 'k', emits: true, pages: async function* () { yield { records: [{ id: 'x' }, { name: 'no key' }] }; } }],
          finalState: () => ({}),
        }),
        restorePartitions: async () => ({ partitions: [], finalState: () => ({}) }),
      } as Retriever & PartitionPlanner,
      transformations: [],
      context: {},
    });
    const planned = await broken.planRead({ syncMode: 'full_refresh' }, 2);
    const pages = planned?.open[0].partition.pages();
    await expect(pages?.next()).rejects.toThrow('stream b: record 2 of a page of 2 has no value for its primary key id; nothing of that page was written');
  });
});
