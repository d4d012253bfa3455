/** CursorPaginator: the next link comes from the cursor template, a stop condition ends the read, a repeated link fails it. */
import { ResponseError } from '../../connector/errors';
import type { Renderable } from '../../connector/http/requester';
import { CursorPaginator, NoPaginator } from '../../connector/streams/paginator';
import type { PageResponse } from '../../connector/streams/types';

/** A template fake that records every context it is rendered with. */
function template(render: (context: Record<string, any>) => unknown): Renderable & { seen: Record<string, any>[] } {
  const seen: Record<string, any>[] = [];
  return { seen, render: (context) => (seen.push(context), render(context as Record<string, any>)) };
}

const nextLink = () => template((c) => c.response['@odata.nextLink']);
const page = (body: unknown, headers: Record<string, string> = {}): PageResponse => ({ url: 'https://org.example/api/data/v9.2/accounts', body, headers: new Headers(headers) });

describe('CursorPaginator', () => {
  test('returns the rendered token as the next URL, rendered over the response, headers, last record and page size', () => {
    const cursor = nextLink();
    const paginator = new CursorPaginator(cursor, undefined);
    const records = [{ id: 1 }, { id: 2 }];
    expect(paginator.next(page({ '@odata.nextLink': 'https://org.example/next?page=2' }, { 'X-Page': '1' }), records)).toBe('https://org.example/next?page=2');
    expect(cursor.seen).toEqual([
      { response: { '@odata.nextLink': 'https://org.example/next?page=2' }, headers: { 'x-page': '1' }, last_record: { id: 2 }, last_page_size: 2 },
    ]);
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
  ])('a token that renders as %s ends the read', (_name, token) => {
    expect(new CursorPaginator(template(() => token), undefined).next(page({}), [])).toBeUndefined();
  });

  test('a token that is not a string is used as text', () => {
    expect(new CursorPaginator(template(() => 42), undefined).next(page({}), [])).toBe('42');
  });

  test('a stop condition that holds ends the read without rendering the cursor', () => {
    const cursor = nextLink();
    const paginator = new CursorPaginator(cursor, template((c) => c.last_page_size < 2));
    expect(paginator.next(page({ '@odata.nextLink': 'https://org.example/next' }), [{ id: 1 }])).toBeUndefined();
    expect(cursor.seen).toHaveLength(0);
  });

  test.each<[string, unknown, string | undefined]>([
    ['false', false, 'https://org.example/next'],
    ['Jinja "False"', 'False', 'https://org.example/next'],
    ['"false"', 'false', 'https://org.example/next'],
    ['an empty list', [], 'https://org.example/next'],
    ['true', true, undefined],
    ['Jinja "True"', 'True', undefined],
    ['a non-empty list', [1], undefined],
  ])('a stop condition rendering %s', (_name, rendered, expected) => {
    const paginator = new CursorPaginator(nextLink(), template(() => rendered));
    expect(paginator.next(page({ '@odata.nextLink': 'https://org.example/next' }), [])).toBe(expected);
  });

  test('the same link twice fails the read instead of looping, naming its length and the page size', () => {
    const paginator = new CursorPaginator(nextLink(), undefined);
    const body = { '@odata.nextLink': 'https://org.example/next?skip=1' };
    expect(paginator.next(page(body), [{}])).toBe('https://org.example/next?skip=1');
    expect(paginator.next(page({ '@odata.nextLink': 'https://org.example/next?skip=2' }), [{}])).toBe('https://org.example/next?skip=2');
    expect(() => paginator.next(page(body), [{}, {}, {}])).toThrow(
      new ResponseError('Dataverse returned the same next-page link twice; the read stopped instead of looping (link 31 characters, page of 3 records)'),
    );
  });

  test('fresh() gives a paginator that knows none of the links of the read before', () => {
    const paginator = new CursorPaginator(nextLink(), undefined);
    const body = { '@odata.nextLink': 'https://org.example/next' };
    expect(paginator.next(page(body), [])).toBe('https://org.example/next');
    const next = paginator.fresh();
    expect(next.next(page(body), [])).toBe('https://org.example/next');
    expect(() => next.next(page(body), [])).toThrow(ResponseError);
    expect(() => paginator.next(page(body), [])).toThrow(ResponseError);
  });
});

describe('NoPaginator', () => {
  test('never has a next page', () => {
    const paginator = new NoPaginator().fresh();
    expect(paginator.next()).toBeUndefined();
  });
});
