import { ConfigError } from '../../connector/errors';
import { ODATA_CURSOR_QUERY } from '../../connector/dataverse/odata-cursor';
import { DatetimeCursor, parseDateTime, type CursorQuery } from '../../connector/streams/datetime-cursor';
import type { SimpleRetriever } from '../../connector/streams/retriever';
import type { StreamEvent, StreamRecord } from '../../connector/streams/types';

describe('parseDateTime', () => {
  test.each<[string, unknown, string | undefined]>([
    ['UTC with Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z'],
    ['milliseconds', '2024-01-01T00:00:00.123Z', '2024-01-01T00:00:00.123Z'],
    ['seven fraction digits (Dataverse) are cut to milliseconds', '2024-01-01T00:00:00.1234567Z', '2024-01-01T00:00:00.123Z'],
    ['one fraction digit', '2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00.500Z'],
    ['a positive offset', '2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00.000Z'],
    ['a negative offset', '2023-12-31T19:30:00-04:30', '2024-01-01T00:00:00.000Z'],
    ['a leap day', '2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['the year 0050 (not 1950)', '0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
    ['a filter', 'null or modifiedon ne 2024-01-01', undefined],
    ['a date alone', '2024-01-01', undefined],
    ['no time zone', '2024-01-01T00:00:00', undefined],
    ['no seconds', '2024-01-01T00:00Z', undefined],
    ['a space for the T', '2024-01-01 00:00:00Z', undefined],
    ['February 30th', '2024-02-30T00:00:00Z', undefined],
    ['February 29th of a common year', '2023-02-29T00:00:00Z', undefined],
    ['month 13', '2024-13-01T00:00:00Z', undefined],
    ['hour 24', '2024-01-01T24:00:00Z', undefined],
    ['minute 60', '2024-01-01T00:60:00Z', undefined],
    ['an offset of 15 hours', '2024-01-01T00:00:00+15:00', undefined],
    ['offset minutes 60', '2024-01-01T00:00:00+01:60', undefined],
    ['text after it', '2024-01-01T00:00:00Z or 1 eq 1', undefined],
    ['a trailing line break', '2024-01-01T00:00:00Z\n', undefined],
    ['a number', 1704067200000, undefined],
    ['null', null, undefined],
  ])('%s', (_name, text, expected) => {
    const ms = parseDateTime(text);
    expect(ms === undefined ? undefined : new Date(ms).toISOString()).toBe(expected);
  });
});

describe('DatetimeCursor.checkState', () => {
  const cursor = new DatetimeCursor('modifiedon', '1900-01-01T00:00:00Z', ODATA_CURSOR_QUERY);
  test.each([
    ['an empty state', {}],
    ['a date-time', { modifiedon: '2024-01-01T00:00:00Z' }],
    ['a date-time with an offset', { modifiedon: '2024-01-01T00:00:00.1234567+01:00' }],
    ['platform keys', { modifiedon: '2024-01-01T00:00:00Z', __ab_no_cursor_state_message: true }],
  ])('accepts %s', (_name, state) => {
    expect(() => cursor.checkState(state)).not.toThrow();
  });

  const notADateTime = (found: string) => `modifiedon ${found} is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z: start from a state printed by this connector`;
  test.each([
    ['a filter', { modifiedon: 'null or modifiedon ne 2024-01-01' }, notADateTime('"null or modifiedon ne 2024-01-01"')],
    ['null', { modifiedon: null }, notADateTime('null')],
    ['a number', { modifiedon: 5 }, notADateTime('5')],
    ['an object', { modifiedon: { a: 1 } }, notADateTime('{"a":1}')],
    ['a 100 KB text', { modifiedon: 'm'.repeat(100_000) }, notADateTime(`"${'m'.repeat(60)}..." (100000 characters)`)],
    ['another key', { modifiedon: '2024-01-01T00:00:00Z', deltatoken: 'x' }, 'stream_state holds "deltatoken", which this stream never writes (it keeps only modifiedon): start from a state printed by this connector'],
  ])('refuses %s', (_name, state, message) => {
    expect(() => cursor.checkState(state)).toThrow(new ConfigError(message));
  });
});

/** A retriever with one partition whose pages are given; it records the query of every read. */
function fakeRetriever(pages: StreamRecord[][]) {
  const queries: Array<Record<string, string>> = [];
  const retriever = {
    partitions: async (context: Record<string, unknown>) => [{ ...context, stream_partition: { primary_key: 'accountid' } }],
    pages: async function* (_context: unknown, _start: unknown, extra: { parameters: Record<string, string> }) {
      queries.push(extra.parameters);
      for (const records of pages) yield { records };
    },
  } as unknown as SimpleRetriever;
  return { retriever, queries };
}

async function readAll(cursor: DatetimeCursor, state: Record<string, unknown> | undefined, pages: StreamRecord[][]) {
  const { retriever, queries } = fakeRetriever(pages);
  const events: StreamEvent[] = [];
  for await (const event of cursor.read({ context: {}, state, retriever, transform: () => undefined })) events.push(event);
  return { events, queries, checkpoints: events.filter((e) => e.kind === 'checkpoint').map((e) => (e as { state: unknown }).state) };
}

describe('DatetimeCursor.read', () => {
  test('hands the query the bound as an instant and the partition read, once per partition', async () => {
    const calls: unknown[][] = [];
    const query: CursorQuery = {
      parameters: (...args) => {
        calls.push(args);
        return { since: String(args[1]) };
      },
    };
    const { queries } = await readAll(new DatetimeCursor('modifiedon', undefined, query), { modifiedon: '2024-01-01T00:00:00.5+01:00' }, [[]]);
    expect(calls).toEqual([['modifiedon', Date.UTC(2023, 11, 31, 23, 0, 0, 500), { stream_partition: { primary_key: 'accountid' } }]]);
    expect(queries).toEqual([{ since: String(Date.UTC(2023, 11, 31, 23, 0, 0, 500)) }]);
  });


  const cursor = new DatetimeCursor('modifiedon', '1900-01-01T00:00:00Z', ODATA_CURSOR_QUERY);

  test.each([
    ['the start datetime on a first sync', undefined, 'modifiedon ge 1900-01-01T00:00:00Z'],
    ['the saved cursor, rendered by the connector', { modifiedon: '2024-01-01T00:00:00Z' }, 'modifiedon ge 2024-01-01T00:00:00Z'],
    ['an offset rendered in UTC', { modifiedon: '2024-01-01T02:00:00+02:00' }, 'modifiedon ge 2024-01-01T00:00:00Z'],
    ['seven fraction digits rounded down to milliseconds', { modifiedon: '2024-01-01T00:00:00.1239999Z' }, 'modifiedon ge 2024-01-01T00:00:00.123Z'],
  ])('$filter from %s', async (_name, state, filter) => {
    const { queries } = await readAll(cursor, state, [[]]);
    expect(queries).toEqual([{ $orderby: 'modifiedon asc,accountid asc', $filter: filter }]);
  });

  test('a saved cursor that is not a date-time never reaches $filter', async () => {
    const { retriever, queries } = fakeRetriever([[]]);
    const read = cursor.read({ context: {}, state: { modifiedon: 'null or modifiedon ne 2024-01-01' }, retriever, transform: () => undefined });
    await expect(read.next()).rejects.toThrow(ConfigError);
    expect(queries).toEqual([]);
  });

  test('the cursor follows the latest valid row value only', async () => {
    const { checkpoints } = await readAll(cursor, { modifiedon: '2024-01-01T00:00:00Z' }, [
      [{ modifiedon: '2024-01-02T00:00:00Z' }, { modifiedon: '9999 or 1 eq 1' }, { modifiedon: null }],
      [{ modifiedon: '2024-01-03T00:00:00Z' }, { modifiedon: '2024-02-30T00:00:00Z' }, { modifiedon: '2024-01-02T12:00:00Z' }],
      [{ modifiedon: 12345 }],
    ]);
    expect(checkpoints).toEqual([{ modifiedon: '2024-01-02T00:00:00Z' }, { modifiedon: '2024-01-03T00:00:00Z' }, { modifiedon: '2024-01-03T00:00:00Z' }]);
  });

  test('no start datetime and no state: no $filter, and an empty state until a row has a date-time', async () => {
    const { queries, checkpoints } = await readAll(new DatetimeCursor('modifiedon', undefined, ODATA_CURSOR_QUERY), undefined, [[{ modifiedon: 'soon' }], [{ modifiedon: '2024-01-01T00:00:00Z' }]]);
    expect(queries).toEqual([{ $orderby: 'modifiedon asc,accountid asc' }]);
    expect(checkpoints).toEqual([{}, { modifiedon: '2024-01-01T00:00:00Z' }]);
  });

  test('a start_datetime that is not a date-time is a manifest defect', () => {
    expect(() => new DatetimeCursor('modifiedon', 'yesterday', ODATA_CURSOR_QUERY)).toThrow('start_datetime "yesterday" is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z');
  });
});
