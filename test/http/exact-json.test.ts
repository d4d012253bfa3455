import { canonicalDecimal, EXACT_NUMBERS_SUPPORTED, hasLongDigitRun, isRawJson, LongDigitScan, parseExactJson } from '../../connector/http/exact-json';
import { compileProjection } from '../../connector/protocol/writer';

test('the runtime has JSON.rawJSON and the reviver source (Node 24)', () => {
  expect(EXACT_NUMBERS_SUPPORTED).toBe(true);
});

describe('canonicalDecimal', () => {
  test.each([
    ['20000.0000', '2e5'],
    ['20000', '2e5'],
    ['0.00012', '12e-3'],
    ['-1.50', '-15e1'],
    ['0', '0'],
    ['0.0', '0'],
    ['1e+21', '1e22'],
    ['9007199254740993', '9007199254740993e16'],
  ])('%s -> %s', (literal, canonical) => {
    expect(canonicalDecimal(literal)).toBe(canonical);
  });
});

describe('parseExactJson', () => {
  test.each([
    ['Int64 past 2^53', '9007199254740993'],
    ['Int64 maximum', '9223372036854775807'],
    ['Int64 minimum', '-9223372036854775808'],
    ['Decimal with 10 decimals', '12345678901.1234567891'],
    ['Money maximum with 4 decimals', '922337203685477.5807'],
    ['17 digits that read back shorter as a double', '0.10000000000000001'],
  ])('%s (%s) keeps every digit through JSON.stringify', (_name, literal) => {
    const parsed = parseExactJson(`{"value":[{"x":${literal},"name":"a"}]}`) as { value: Array<{ x: unknown; name: string }> };
    expect(isRawJson(parsed.value[0].x)).toBe(true);
    expect(JSON.stringify(parsed)).toBe(`{"value":[{"x":${literal},"name":"a"}]}`);
  });

  test.each([
    ['short numbers', '{"a":1,"b":20000.0000,"c":-3.5}'],
    ['16 digits a double holds', '{"a":9007199254740992,"b":1234567890123456}'],
    ['long digit runs inside strings only', '{"id":"12345678901234567890","n":5}'],
    ['16 significant digits after leading zeros', '{"a":0.0000000000000001}'],
  ])('%s stay plain numbers', (_name, text) => {
    const parsed = parseExactJson(text) as Record<string, unknown>;
    expect(parsed).toEqual(JSON.parse(text));
    for (const value of Object.values(parsed)) expect(isRawJson(value)).toBe(false);
  });

  test('a string with a long digit run is kept as a string (the slow path only touches numbers)', () => {
    expect(parseExactJson('{"s":"9007199254740993","n":9007199254740993}')).toEqual({ s: '9007199254740993', n: expect.anything() });
    expect(JSON.stringify(parseExactJson('{"s":"9007199254740993","n":9007199254740993}'))).toBe('{"s":"9007199254740993","n":9007199254740993}');
  });

  test('malformed JSON throws as JSON.parse does, on both paths', () => {
    expect(() => parseExactJson('{"a":1')).toThrow(SyntaxError);
    expect(() => parseExactJson('{"a":9007199254740993')).toThrow(SyntaxError);
  });
});

describe('the writer writes exact numbers verbatim', () => {
  const text = '{"@odata.etag":"W/\\"1\\"","id":"x","big":9007199254740993,"dec":12345678901.1234567891}';
  const project = compileProjection(['id', 'big', 'dec']);

  test('a row that is the schema plus the etag', () => {
    const record = parseExactJson(text) as Record<string, unknown>;
    expect(JSON.stringify(project(record))).toBe('{"id":"x","big":9007199254740993,"dec":12345678901.1234567891}');
  });

  test('a row with annotations or extra columns', () => {
    const record = parseExactJson(text.replace('"id":"x"', '"id":"x","extra":1,"id@OData.Community.Display.V1.FormattedValue":"X"')) as Record<string, unknown>;
    expect(JSON.stringify(project(record))).toBe('{"id":"x","big":9007199254740993,"dec":12345678901.1234567891}');
  });
});

describe('hasLongDigitRun (the cheap scan) agrees with the regex /\\d(?:\\.?\\d){15}/', () => {
  const REGEX = /\d(?:\.?\d){15}/;
  test.each([
    ['16 digits at the start', '9007199254740993,'],
    ['16 digits at the end', '{"a":9007199254740993'],
    ['a decimal with a dot', '{"a":12345678901.1234567891}'],
    ['15 digits', '{"a":123456789012345}'],
    ['several dots (a false positive only costs the slow path)', '{"a":"1234567.8901234.56789"}'],
    ['digits around a long run of dots', '1.................2'],
    ['empty', ''],
  ])('%s', (_name, text) => {
    expect(hasLongDigitRun(text)).toBe(REGEX.test(text));
  });

  test('random texts of digits, dots and other characters: same answer as the regex', () => {
    let seed = 42;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = '0123456789012345678901234567890123456789.."a,:';
    for (let k = 0; k < 3000; k++) {
      const length = Math.floor(next() * 80);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      expect([text, hasLongDigitRun(text)]).toEqual([text, REGEX.test(text)]);
    }
  });
});

describe('LongDigitScan', () => {
  /** Feeds `text`'s UTF-8 bytes cut at `cuts` (byte offsets), as body-text does with its pieces. */
  function scan(text: string, cuts: number[]): boolean {
    const bytes = new TextEncoder().encode(text);
    const scanner = new LongDigitScan();
    let at = 0;
    for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
      scanner.feed(bytes.subarray(at, cut));
      at = cut;
    }
    return scanner.found;
  }

  test.each<[string, string, boolean]>([
    ['an Int64 past 2^53', '{"v":9007199254740993}', true],
    ['a decimal of 21 digits', '{"v":12345678901.1234567891}', true],
    ['15 digits', '{"v":123456789012345}', false],
    ['16 digits split by two dots', '{"v":"12345678..12345678"}', false],
    ['GUIDs and dates', '{"id":"bd123d40-02e0-410d-8b2e-dad08997b52f","on":"2023-01-01T00:00:00Z"}', false],
    ['digits beside multi-byte text', '{"n":"Zürich 東京","v":90071992547409931}', true],
  ])('%s: the same answer as the text scan, whole and cut at every byte', (_name, text, expected) => {
    expect(hasLongDigitRun(text)).toBe(expected);
    expect(scan(text, [])).toBe(expected);
    const length = new TextEncoder().encode(text).length;
    for (let cut = 1; cut < length; cut++) expect([cut, scan(text, [cut])]).toEqual([cut, expected]);
    // Every byte its own piece: a run cut into one-byte pieces is joined across all of them.
    expect(scan(text, Array.from({ length }, (_, i) => i))).toBe(expected);
  });

  test('random pages cut into random pieces agree with the text scan', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const parts = ['"name":"Contoso é"', ',', '12345678', '9012345', '.', '123', '{"v":', '}', '2023-01-01', '"x"', '0', '99999999'];
    for (let round = 0; round < 400; round++) {
      let text = '';
      const n = 1 + Math.floor(random() * 40);
      for (let i = 0; i < n; i++) text += parts[Math.floor(random() * parts.length)];
      const length = new TextEncoder().encode(text).length;
      const cuts = Array.from({ length: Math.floor(random() * 6) }, () => Math.floor(random() * length));
      expect([text, cuts, scan(text, cuts)]).toEqual([text, cuts, hasLongDigitRun(text)]);
    }
  });
});
