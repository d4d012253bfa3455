/** DpathExtractor / RecordSelector: records by field path; anything but a list of objects there is a broken page, never data. */
import { ResponseError } from '../../connector/errors';
import { DpathExtractor, RecordSelector } from '../../connector/streams/record-selector';

const select = (path: string[], body: unknown) => new RecordSelector(new DpathExtractor(path)).select(body);

describe('DpathExtractor', () => {
  test('a plain path yields the list there, in order, the same objects', () => {
    const rows = [{ accountid: 'a' }, { accountid: 'b' }];
    const records = select(['value'], { '@odata.context': 'x', value: rows });
    expect(records).toEqual([{ accountid: 'a' }, { accountid: 'b' }]);
    expect(records[0]).toBe(rows[0]);
    // The body's own list, so that emptying it once written frees the rows (protocol/messages.ts).
    expect(records).toBe(rows);
  });

  test('a nested path and an empty list', () => {
    expect(select(['d', 'results'], { d: { results: [{ n: 1 }] } })).toEqual([{ n: 1 }]);
    expect(select(['value'], { value: [] })).toEqual([]);
  });

  test('an empty path takes the body itself: one object, or the items of a list', () => {
    expect(select([], { organizationid: 'o1' })).toEqual([{ organizationid: 'o1' }]);
    expect(select([], [{ n: 1 }, { n: 2 }])).toEqual([{ n: 1 }, { n: 2 }]);
    expect(select([], null)).toEqual([]);
  });

  test('`*` matches every element of a list or every value of an object', () => {
    expect(select(['groups', '*'], { groups: { a: { n: 1 }, b: { n: 2 } } })).toEqual([{ n: 1 }, { n: 2 }]);
    expect(select(['groups', '*', 'rows'], { groups: [{ rows: [{ n: 1 }] }, { rows: [{ n: 2 }, { n: 3 }] }] })).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  test('`*` over an empty list or object is an empty page, not a missing field', () => {
    expect(select(['groups', '*'], { groups: [] })).toEqual([]);
    expect(select(['groups', '*', 'rows'], { groups: {} })).toEqual([]);
  });

  test.each<[string, string[], unknown]>([
    ['the field is absent', ['value'], { error: 'x' }],
    ['the body is not an object', ['value'], 'text'],
    ['a nested field is absent', ['d', 'results'], { d: {} }],
    ['the field under `*` is absent everywhere', ['groups', '*', 'rows'], { groups: [{ other: [] }] }],
  ])('refuses a page where %s', (_name, path, body) => {
    expect(() => select(path, body)).toThrow(new ResponseError(`the response has no "${path.join('.')}" field where records were expected`));
  });

  test.each<[string, unknown, string]>([
    ['null', null, 'null'],
    ['an empty object', {}, 'an empty object'],
    ['an object', { accountid: 'a' }, 'an object'],
    ['a number', 5, 'a number'],
    ['a string', 'rows', 'a string'],
  ])('refuses %s where a list of records was expected', (_name, value, described) => {
    expect(() => select(['value'], { value })).toThrow(new ResponseError(`the response has "value": ${described} where a list of records was expected`));
  });

  test.each<[string, unknown]>([
    ['a number', 1],
    ['null', null],
    ['a list', [{ a: 1 }]],
    ['a string', 'row'],
  ])('refuses a list holding %s', (_name, item) => {
    expect(() => select(['value'], { value: [{ ok: true }, item] })).toThrow(new ResponseError('the response holds a non-object at "value" where records were expected'));
  });
});
