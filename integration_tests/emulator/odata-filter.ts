/**
 * A small OData `$filter` parser and evaluator for the metadata routes: comparisons
 * (`eq ne gt ge lt le`) between property paths (`LogicalName`, `CanChangeTrackingBeEnabled/Value`)
 * and literals (strings, numbers, `true`/`false`/`null`, GUIDs, qualified enum literals such as
 * `Microsoft.Dynamics.CRM.AttributeTypeCode'Picklist'`), combined with `and`, `or`, `not` and
 * parentheses. That is the whole of what metadata clients send.
 *
 * Type checking happens at parse time against a {@link FilterSchema}, the way ODataLib does it on
 * the service, so an unknown property or an enum compared to a bare string fails the request (400)
 * even when no item would have been tested. Error texts follow ODataLib's wording [INF: the service
 * is ODataLib-based; only the unknown-property text is documented, fixture error-400-bad-select.json].
 */

/** Edm type names used by the schemas; enum types are their qualified names. */
export type EdmType = string;

/** What the parser needs to know about the filtered type. */
export interface FilterSchema {
  /** Qualified type name for messages, e.g. `Microsoft.Dynamics.CRM.AttributeMetadata`. */
  typeName: string;
  /**
   * The Edm type of a property path; `undefined` when the first segment is not a property (or a
   * later one not a member of that complex type); a string error when the path cannot be filtered.
   */
  typeOf(path: readonly string[]): EdmType | undefined | { error: string };
  /** Members of an enum type the schema uses, to reject unknown enum constants. */
  enumMembers?(enumType: string): readonly string[] | undefined;
}

type Literal = string | number | boolean | null;

/** A parsed operand: a property path or a typed literal. */
export type Operand = { kind: 'property'; path: string[]; type: EdmType } | { kind: 'literal'; value: Literal; type: EdmType | 'null' };

/** A parsed `$filter` expression. */
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: ComparisonOperator; left: Operand; right: Operand };

type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** OData's names of the comparison operators, as its type-mismatch errors spell them. */
export const OPERATOR_KIND: Record<ComparisonOperator, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};

type Token =
  | { kind: 'lparen' | 'rparen' | 'comma' | 'end'; pos: number }
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'enum'; type: string; member: string; pos: number }
  | { kind: 'number'; value: number; integer: boolean; pos: number }
  | { kind: 'guid'; value: string; pos: number };

class FilterError extends Error {}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*(?:[./][A-Za-z_][A-Za-z0-9_]*)*/;
const NUMBER = /^-?\d+(?:\.\d+)?/;

/** ODataLib's syntax-error wording; positions are 0-based like its messages. */
function syntaxError(pos: number, text: string): FilterError {
  return new FilterError(`Syntax error at position ${pos} in '${text}'.`);
}

/** Reads a `'...'` literal starting at `start` (a quote); `''` is an escaped quote. */
function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new FilterError(`There is an unterminated string literal at position ${start} in '${text}'.`);
    if (text[i] === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += text[i++];
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'comma', pos: i });
      i++;
    } else if (ch === "'") {
      const { value, end } = readQuoted(text, i);
      tokens.push({ kind: 'string', value, pos: i });
      i = end;
    } else if (GUID.test(rest) && !/^[0-9a-fA-F-]/.test(rest.charAt(36))) {
      tokens.push({ kind: 'guid', value: rest.slice(0, 36).toLowerCase(), pos: i });
      i += 36;
    } else if (NUMBER.test(rest)) {
      const m = NUMBER.exec(rest)![0];
      tokens.push({ kind: 'number', value: Number(m), integer: !m.includes('.'), pos: i });
      i += m.length;
    } else if (WORD.test(rest)) {
      const m = WORD.exec(rest)![0];
      if (text[i + m.length] === "'") {
        // Qualified enum literal: Namespace.Type'Member'
        const dot = m.lastIndexOf('.');
        if (dot < 0) throw syntaxError(i + m.length, text);
        const { value, end } = readQuoted(text, i + m.length);
        tokens.push({ kind: 'enum', type: m, member: value, pos: i });
        i = end;
      } else {
        tokens.push({ kind: 'word', text: m, pos: i });
        i += m.length;
      }
    } else {
      throw syntaxError(i, text);
    }
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

const COMPARISON = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const NUMERIC = new Set(['Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double']);

/** Whether two operand types may be compared (ODataLib promotes numerics; null fits anything). */
function compatible(a: EdmType | 'null', b: EdmType | 'null'): boolean {
  if (a === 'null' || b === 'null' || a === b) return true;
  return NUMERIC.has(a) && NUMERIC.has(b);
}

class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly schema: FilterSchema,
  ) {}

  parse(): FilterNode {
    const node = this.or();
    const next = this.tokens[this.i];
    if (next.kind !== 'end') throw syntaxError(next.pos, this.text);
    return node;
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.i];
    return t.kind === 'word' && t.text === word;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.peekWord('or')) {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.peekWord('and')) {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    if (this.peekWord('not')) {
      this.i++;
      return { kind: 'not', operand: this.unary() };
    }
    const t = this.tokens[this.i];
    if (t.kind === 'lparen') {
      this.i++;
      const inner = this.or();
      const close = this.tokens[this.i];
      if (close.kind !== 'rparen') throw syntaxError(close.pos, this.text);
      this.i++;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): FilterNode {
    const left = this.operand();
    const opToken = this.tokens[this.i];
    if (opToken.kind !== 'word' || !COMPARISON.has(opToken.text)) {
      // A bare boolean property (`ChangeTrackingEnabled`) is valid OData; keep it explicit instead.
      throw syntaxError(opToken.pos, this.text);
    }
    this.i++;
    const op = opToken.text as ComparisonOperator;
    const right = this.operand();
    if (!compatible(left.type, right.type)) {
      throw new FilterError(
        `A binary operator with incompatible types was detected. Found operand types '${left.type}' and '${right.type}' for operator kind '${OPERATOR_KIND[op]}'.`,
      );
    }
    return { kind: 'compare', op, left, right };
  }

  private operand(): Operand {
    const t = this.tokens[this.i];
    switch (t.kind) {
      case 'string':
        this.i++;
        return { kind: 'literal', value: t.value, type: 'Edm.String' };
      case 'number':
        this.i++;
        return { kind: 'literal', value: t.value, type: t.integer ? 'Edm.Int32' : 'Edm.Decimal' };
      case 'guid':
        this.i++;
        return { kind: 'literal', value: t.value, type: 'Edm.Guid' };
      case 'enum': {
        this.i++;
        const members = this.schema.enumMembers?.(t.type);
        if (members && !members.includes(t.member)) throw new FilterError(`The string '${t.member}' is not a valid enumeration type constant.`);
        return { kind: 'literal', value: t.member, type: t.type };
      }
      case 'word': {
        if (t.text === 'true' || t.text === 'false') {
          this.i++;
          return { kind: 'literal', value: t.text === 'true', type: 'Edm.Boolean' };
        }
        if (t.text === 'null') {
          this.i++;
          return { kind: 'literal', value: null, type: 'null' };
        }
        if (this.tokens[this.i + 1].kind === 'lparen') {
          // contains(), startswith(), any()...: valid OData the emulator does not evaluate.
          throw new FilterError(`The function '${t.text}' is not supported in $filter by the emulator's metadata routes [INF].`);
        }
        this.i++;
        const path = t.text.split('/');
        const type = this.schema.typeOf(path);
        if (type === undefined) {
          // Name the first segment that is not there: the property itself, or the complex member.
          const missing = path.length > 1 && this.schema.typeOf(path.slice(0, 1)) !== undefined ? path[path.length - 1] : path[0];
          throw new FilterError(`Could not find a property named '${missing}' on type '${this.schema.typeName}'.`);
        }
        if (typeof type !== 'string') throw new FilterError(type.error);
        return { kind: 'property', path, type };
      }
      default:
        throw syntaxError(t.pos, this.text);
    }
  }
}

/** Parses and type-checks a `$filter` value; the error is the message of the service's 400. */
export function parseFilter(text: string, schema: FilterSchema): { filter: FilterNode } | { error: string } {
  try {
    const tokens = tokenize(text);
    if (tokens.length === 1) throw syntaxError(0, text);
    return { filter: new Parser(text, tokens, schema).parse() };
  } catch (err) {
    if (err instanceof FilterError) return { error: err.message };
    throw err;
  }
}

function compareValues(op: ComparisonOperator, a: unknown, b: unknown): boolean {
  // GUIDs compare case-insensitively; everything else strictly.
  const norm = (v: unknown) => (typeof v === 'string' && GUID.test(v) && v.length === 36 ? v.toLowerCase() : v);
  const x = norm(a);
  const y = norm(b);
  switch (op) {
    case 'eq':
      return x === y;
    case 'ne':
      return x !== y;
    default: {
      if (x === null || y === null || x === undefined || y === undefined) return false;
      const [l, r] = [x as number | string, y as number | string];
      if (op === 'gt') return l > r;
      if (op === 'ge') return l >= r;
      if (op === 'lt') return l < r;
      return l <= r;
    }
  }
}

/**
 * Evaluates a parsed filter against one item; `get` reads a property path (complex members
 * included) and answers `null` for absent values.
 */
export function evaluateFilter(node: FilterNode, get: (path: readonly string[]) => unknown): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, get) && evaluateFilter(node.right, get);
    case 'or':
      return evaluateFilter(node.left, get) || evaluateFilter(node.right, get);
    case 'not':
      return !evaluateFilter(node.operand, get);
    case 'compare': {
      const value = (o: Operand) => (o.kind === 'literal' ? o.value : (get(o.path) ?? null));
      return compareValues(node.op, value(node.left), value(node.right));
    }
  }
}
