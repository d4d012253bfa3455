/**
 * JSON.parse loses how a number was written: `1.0` and `1` both become 1. Airbyte's acceptance
 * tests parse records in Python, where `1.0` is a float and fails `"type": "integer"`. This parser
 * returns the value and the JSON pointers of every number written with a fraction or an exponent,
 * so record validation can be as strict as theirs.
 */

export interface ParsedJson {
  value: unknown;
  /** JSON pointers (`/record/data/x`) of numbers written with `.` or `e`/`E`. */
  fractionalLiterals: string[];
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Parses one JSON text (throws SyntaxError like JSON.parse on bad input). */
export function parseJsonKeepingLiterals(text: string): ParsedJson {
  const fractionalLiterals: string[] = [];
  let i = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const stringToken = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (pointer: string): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name');
        const key = stringToken();
        ws();
        if (text[i++] !== ':') fail('expected ":"');
        out[key] = value(`${pointer}/${escapePointer(key)}`);
        ws();
        const sep = text[i++];
        if (sep === '}') return out;
        if (sep !== ',') fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(`${pointer}/${out.length}`));
        ws();
        const sep = text[i++];
        if (sep === ']') return out;
        if (sep !== ',') fail('expected "," or "]"');
      }
    }
    if (c === '"') return stringToken();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    if (m[2] !== undefined || m[3] !== undefined) fractionalLiterals.push(pointer);
    return Number(m[0]);
  };

  const result = value('');
  ws();
  if (i !== text.length) fail('unexpected text after the JSON value');
  return { value: result, fractionalLiterals };
}
