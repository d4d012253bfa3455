import { cut, kindOf, listOf, quote } from '../../connector/config/quote';

describe('cut', () => {
  test.each([
    ['short text stays', 'account', 10, 'account'],
    ['exactly the limit stays', 'abcde', 5, 'abcde'],
    ['longer text keeps the first characters and says the length', 'abcdefgh', 5, 'abcde... (8 characters)'],
  ])('%s', (_name, text, max, expected) => {
    expect(cut(text, max)).toBe(expected);
  });

  test('the default limit is 60 characters', () => {
    expect(cut('x'.repeat(100_000))).toBe(`${'x'.repeat(60)}... (100000 characters)`);
  });
});

describe('quote', () => {
  test.each([
    ['a plain name', 'account', 60, '"account"'],
    ['a quote and a line break are escaped', 'a"b\nc', 60, '"a\\"b\\nc"'],
    ['a long value is cut inside the quotes, its length outside', 'abcdefgh', 5, '"abcde..." (8 characters)'],
  ])('%s', (_name, text, max, expected) => {
    expect(quote(text, max)).toBe(expected);
  });
});

describe('kindOf', () => {
  test.each([
    [null, 'null'],
    [[1], 'a list'],
    [{}, 'an object'],
    ['x', 'a string'],
    [1, 'a number'],
    [true, 'true'],
    [undefined, 'undefined'],
  ])('%p is %s', (value, expected) => {
    expect(kindOf(value)).toBe(expected);
  });
});

describe('listOf', () => {
  test.each([
    ['a few names', ['a', 'b'], 10, 'a, b'],
    ['exactly the limit', ['a', 'b', 'c'], 3, 'a, b, c'],
    ['more than the limit: the first ones and the count', ['a', 'b', 'c', 'd'], 2, 'a, b, ... (4 in all)'],
    ['none', [], 10, ''],
  ])('%s', (_name, names, max, expected) => {
    expect(listOf(names, max)).toBe(expected);
  });
});
