/** Tokenizer for the inside of one `{{ ... }}` expression. */

import { hasOwn } from './values';

/** What a token is; `end` is the closing `}}` (or `-}}`). */
export type TokenKind = 'name' | 'string' | 'number' | 'op' | 'end';

/** One lexical unit of an expression. */
export interface Token {
  readonly kind: TokenKind;
  /** Operator or name text; the decoded value for strings. */
  readonly text: string;
  readonly number?: number;
  /** Offset in the template source, for error columns. */
  readonly pos: number;
}

/**
 * Raises a syntax error at an offset of the template source; one callback for lexer and
 * parser so both report the same line and column format.
 */
export type FailAt = (pos: number, message: string) => never;

const OPERATORS = ['//', '==', '!=', '<=', '>=', '(', ')', '[', ']', '{', '}', '.', ',', ':', '|', '~', '+', '-', '*', '/', '%', '<', '>', '='];
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', '\\': '\\', "'": "'", '"': '"', '\n': '',
};

// Sticky patterns match in place, without slicing the source.
const NAME_PATTERN = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER_PATTERN = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function matchAt(pattern: RegExp, source: string, pos: number): string {
  pattern.lastIndex = pos;
  return pattern.exec(source)![0];
}

/**
 * Tokenizes one `{{ ... }}` expression starting at `start` (just after `{{` or `{{-`).
 * Brackets are balanced so that `}}` inside a dict literal does not end the expression,
 * the way Jinja's lexer does it.
 */
export function tokenizeExpression(source: string, open: number, start: number, failAt: FailAt): { tokens: Token[]; next: number; stripAfter: boolean } {
  const tokens: Token[] = [];
  const brackets: string[] = [];
  let pos = start;
  for (;;) {
    while (pos < source.length && /\s/.test(source[pos])) pos++;
    if (pos >= source.length) failAt(open, 'unterminated expression: "{{" has no matching "}}"');
    if (brackets.length === 0) {
      if (source.startsWith('-}}', pos)) {
        tokens.push({ kind: 'end', text: '}}', pos });
        return { tokens, next: pos + 3, stripAfter: true };
      }
      if (source.startsWith('}}', pos)) {
        tokens.push({ kind: 'end', text: '}}', pos });
        return { tokens, next: pos + 2, stripAfter: false };
      }
    }
    const c = source[pos];
    if (/[A-Za-z_]/.test(c)) {
      const text = matchAt(NAME_PATTERN, source, pos);
      tokens.push({ kind: 'name', text, pos });
      pos += text.length;
    } else if (/[0-9]/.test(c)) {
      const text = matchAt(NUMBER_PATTERN, source, pos);
      tokens.push({ kind: 'number', text, number: Number(text), pos });
      pos += text.length;
    } else if (c === "'" || c === '"') {
      const { value, next } = readString(source, pos, failAt);
      tokens.push({ kind: 'string', text: value, pos });
      pos = next;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, pos));
      if (op === undefined) failAt(pos, `unexpected character "${c}"`);
      if (op === '(' || op === '[' || op === '{') brackets.push(op);
      if (op === ')' || op === ']' || op === '}') {
        const open = brackets.pop();
        const expected = open === '(' ? ')' : open === '[' ? ']' : open === '{' ? '}' : undefined;
        if (expected !== op) failAt(pos, expected ? `expected "${expected}" but found "${op}"` : `unexpected "${op}"`);
      }
      tokens.push({ kind: 'op', text: op, pos });
      pos += op.length;
    }
  }
}

/** Reads a quoted string literal with Python escapes; an unknown escape keeps its backslash. */
function readString(source: string, start: number, failAt: FailAt): { value: string; next: number } {
  const quote = source[start];
  let value = '';
  let pos = start + 1;
  while (pos < source.length) {
    const c = source[pos];
    if (c === quote) return { value, next: pos + 1 };
    if (c !== '\\') {
      value += c;
      pos++;
      continue;
    }
    const e = source[pos + 1];
    if (e === undefined) break;
    if (hasOwn(SIMPLE_ESCAPES, e)) {
      value += SIMPLE_ESCAPES[e];
      pos += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = source.slice(pos + 2, pos + 2 + width);
      if (!new RegExp(`^[0-9A-Fa-f]{${width}}$`).test(hex)) failAt(pos, `invalid \\${e} escape: expected ${width} hex digits`);
      value += String.fromCodePoint(parseInt(hex, 16));
      pos += 2 + width;
    } else {
      value += `\\${e}`;
      pos += 2;
    }
  }
  return failAt(start, 'unterminated string literal');
}

/** Names a token the way a syntax error shows what it found. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end': return '"}}"';
    case 'string': return `the string ${JSON.stringify(token.text)}`;
    case 'number': return `the number ${token.text}`;
    case 'name': return `"${token.text}"`;
    default: return `"${token.text}"`;
  }
}
