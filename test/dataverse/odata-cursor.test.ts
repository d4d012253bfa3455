import { ODATA_CURSOR_QUERY, odataDateTimeLiteral } from '../../connector/dataverse/odata-cursor';

describe('odataDateTimeLiteral', () => {
  test.each([
    ['whole seconds drop the fraction', Date.UTC(2024, 0, 1), '2024-01-01T00:00:00Z'],
    ['milliseconds stay', Date.UTC(2024, 0, 1, 0, 0, 0, 5), '2024-01-01T00:00:00.005Z'],
    ['before 1970', Date.UTC(1900, 0, 1), '1900-01-01T00:00:00Z'],
  ])('%s', (_name, ms, expected) => {
    expect(odataDateTimeLiteral(ms)).toBe(expected);
  });
});

describe('ODATA_CURSOR_QUERY', () => {
  const entity = { stream_partition: { entity: 'account', primary_key: 'accountid' } };

  test('orders by the cursor then the entity key, and filters from the bound', () => {
    expect(ODATA_CURSOR_QUERY.parameters('modifiedon', Date.UTC(2024, 0, 1, 0, 0, 0, 123), entity)).toEqual({
      $orderby: 'modifiedon asc,accountid asc',
      $filter: 'modifiedon ge 2024-01-01T00:00:00.123Z',
    });
  });

  test('no bound: no $filter', () => {
    expect(ODATA_CURSOR_QUERY.parameters('modifiedon', undefined, entity)).toEqual({ $orderby: 'modifiedon asc,accountid asc' });
  });

  test('a partition without a primary key (or no partition) orders by the cursor alone', () => {
    expect(ODATA_CURSOR_QUERY.parameters('createdon', 0, { stream_partition: {} })).toEqual({ $orderby: 'createdon asc', $filter: 'createdon ge 1970-01-01T00:00:00Z' });
    expect(ODATA_CURSOR_QUERY.parameters('createdon', undefined, {})).toEqual({ $orderby: 'createdon asc' });
  });
});
