import { ConfigError } from '../../connector/errors';
import { DeclarativeStream } from '../../connector/streams/declarative-stream';
import { ODATA_CURSOR_QUERY } from '../../connector/dataverse/odata-cursor';
import { DatetimeCursor } from '../../connector/streams/datetime-cursor';
import type { IncrementalSync, StateCheckArgs } from '../../connector/streams/incremental';
import type { Retriever } from '../../connector/streams/retriever';

const noReads: Retriever = {
  read: () => {
    throw new Error('checkState must not read');
  },
};

function stream(retriever: Retriever, incrementalSync?: IncrementalSync) {
  return new DeclarativeStream({
    name: 's',
    primaryKey: [['id']],
    schemaLoader: { load: async () => ({}) },
    retriever,
    transformations: [],
    incrementalSync,
    context: { config: { org_url: 'https://x' }, parameters: { entity: 'account' } },
  });
}

describe('DeclarativeStream.checkState', () => {
  const fullRefresh = stream(noReads);
  test.each([
    ['an empty state', {}],
    ["the platform's own markers", { __ab_full_refresh_sync_complete: true, __ab_no_cursor_state_message: true }],
  ])('a full-refresh stream accepts %s', async (_name, state) => {
    await expect(fullRefresh.checkState(state)).resolves.toBeUndefined();
  });

  test('a full-refresh stream refuses any key of its own', async () => {
    await expect(fullRefresh.checkState({ modifiedon: '2024-01-01T00:00:00Z', page: 2 })).rejects.toThrow(
      new ConfigError('stream_state holds "modifiedon" and "page", but this stream is full refresh only and keeps no state: start from a state printed by this connector, or from none'),
    );
  });

  test('a cursor stream asks its cursor', async () => {
    const cursorStream = stream(noReads, new DatetimeCursor('modifiedon', undefined, ODATA_CURSOR_QUERY));
    await expect(cursorStream.checkState({ modifiedon: '2024-01-01T00:00:00Z' })).resolves.toBeUndefined();
    await expect(cursorStream.checkState({ modifiedon: 'x' })).rejects.toThrow(ConfigError);
  });

  test('a retriever with its own incremental protocol is asked instead, with the stream context and the cursor', async () => {
    const cursor = new DatetimeCursor('modifiedon', undefined, ODATA_CURSOR_QUERY);
    const calls: Array<[StateCheckArgs, IncrementalSync]> = [];
    const retriever = {
      ...noReads,
      readIncremental: () => {
        throw new Error('checkState must not read');
      },
      checkState: async (args: StateCheckArgs, c: IncrementalSync) => {
        calls.push([args, c]);
      },
    };
    await stream(retriever, cursor).checkState({ deltatoken: 't' });
    expect(calls).toEqual([[{ context: { config: { org_url: 'https://x' }, parameters: { entity: 'account' }, stream_state: { deltatoken: 't' } }, state: { deltatoken: 't' } }, cursor]]);
  });
});
