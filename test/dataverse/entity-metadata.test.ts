import { NAME_CHARS_PER_REQUEST, chunkNames } from '../../connector/dataverse/entity-metadata';

describe('chunkNames: entity names per filtered request', () => {
  test('few names: one chunk, in order', () => {
    expect(chunkNames(['account', 'contact', 'opportunity'])).toEqual([['account', 'contact', 'opportunity']]);
  });

  test('no names: no request', () => {
    expect(chunkNames([])).toEqual([]);
  });

  test('each name costs its encoded length plus 40; a chunk never passes the budget', () => {
    const names = Array.from({ length: 10 }, (_, i) => `n${i}`.padEnd(10, 'x'));
    // 10 + 40 = 50 per name: a budget of 120 takes two.
    expect(chunkNames(names, 120).map((c) => c.length)).toEqual([2, 2, 2, 2, 2]);
    expect(chunkNames(names, 150).map((c) => c.length)).toEqual([3, 3, 3, 1]);
  });

  test('3,000 names of 30 characters: every name once, in order, each chunk within the budget', () => {
    const names = Array.from({ length: 3000 }, (_, i) => `new_averylongtablename${String(i).padStart(8, '0')}`);
    const chunks = chunkNames(names);
    expect(chunks.flat()).toEqual(names);
    for (const c of chunks) expect(c.reduce((n, name) => n + name.length + 40, 0)).toBeLessThanOrEqual(NAME_CHARS_PER_REQUEST);
    expect(chunks).toHaveLength(Math.ceil(3000 / Math.floor(NAME_CHARS_PER_REQUEST / 70)));
  });

  test('a name longer than the budget still goes out, alone', () => {
    expect(chunkNames(['a', 'x'.repeat(200), 'b'], 100)).toEqual([['a'], ['x'.repeat(200)], ['b']]);
  });
});
