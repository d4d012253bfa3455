/**
 * The expression AST and its recursive-descent parser. Precedence as in Jinja:
 * if-else < or < and < not < comparisons < + - < ~ < * / // % < unary - < postfix . [] ()
 * < filters | and tests is.
 */

import { FILTERS, FUNCTIONS, METHODS, TESTS, lookup, type FilterSpec, type FunctionSpec, type MethodSpec, type Param, type TestSpec } from './builtins';
import { describeToken, type FailAt, type Token } from './lexer';
import { hasOwn } from './values';

/** An arithmetic or concatenation (`~`) operator. */
export type BinaryOperator = '+' | '-' | '*' | '/' | '//' | '%' | '~';
/** A comparison; `a < b < c` chains them, as in Python. */
export type CompareOperator = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'not in';

/**
 * An expression node. Built-ins are resolved while parsing and held by reference, so
 * rendering never looks a name up and an unknown name fails at compile time.
 */
export type Node =
  | { readonly k: 'literal'; readonly value: unknown }
  | { readonly k: 'name'; readonly name: string }
  | { readonly k: 'attr'; readonly target: Node; readonly name: string }
  | { readonly k: 'item'; readonly target: Node; readonly key: Node }
  | { readonly k: 'call'; readonly fn: FunctionSpec; readonly args: readonly Node[] }
  | { readonly k: 'method'; readonly target: Node; readonly method: MethodSpec; readonly args: readonly Node[] }
  | { readonly k: 'filter'; readonly target: Node; readonly filter: FilterSpec; readonly args: readonly Node[] }
  | { readonly k: 'test'; readonly target: Node; readonly test: TestSpec; readonly negated: boolean }
  | { readonly k: 'not'; readonly operand: Node }
  | { readonly k: 'neg'; readonly operand: Node; readonly sign: 1 | -1 }
  | { readonly k: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly k: 'binary'; readonly op: BinaryOperator; readonly left: Node; readonly right: Node }
  | { readonly k: 'compare'; readonly first: Node; readonly rest: ReadonlyArray<{ readonly op: CompareOperator; readonly operand: Node }> }
  | { readonly k: 'cond'; readonly test: Node; readonly then: Node; readonly otherwise: Node | undefined }
  | { readonly k: 'list'; readonly items: readonly Node[] }
  | { readonly k: 'dict'; readonly entries: ReadonlyArray<readonly [Node, Node]> };

const KEYWORD_LITERALS: Readonly<Record<string, unknown>> = {
  true: true, false: false, True: true, False: false, none: null, None: null, null: null,
};
const RESERVED = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);
const COMPARE_OPERATORS = new Set(['==', '!=', '<', '>', '<=', '>=']);
const ADDITIVE_OPERATORS: readonly BinaryOperator[] = ['+', '-'];
const CONCAT_OPERATORS: readonly BinaryOperator[] = ['~'];
const MULTIPLICATIVE_OPERATORS: readonly BinaryOperator[] = ['*', '/', '//', '%'];
const METHOD_NAMES = `.${Object.keys(METHODS).join('(), .')}()`;

/**
 * Parses the tokens of one `{{ ... }}` expression (ending with the `end` token).
 * @throws whatever `failAt` throws, on the first syntax error or unknown built-in
 */
export function parseExpression(tokens: readonly Token[], failAt: FailAt): Node {
  return new Parser(tokens, failAt).parseWhole();
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly failAt: FailAt,
  ) {}

  parseWhole(): Node {
    if (this.peek().kind === 'end') this.failAt(this.peek().pos, 'empty expression: expected something between "{{" and "}}"');
    const node = this.parseConditional();
    const token = this.peek();
    if (token.kind !== 'end') this.failAt(token.pos, `unexpected ${describeToken(token)}; expected an operator or "}}"`);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isOp(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'op' && token.text === text;
  }

  private isName(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'name' && token.text === text;
  }

  private expectOp(text: string): Token {
    const token = this.peek();
    if (token.kind !== 'op' || token.text !== text) this.failAt(token.pos, `expected "${text}" but found ${describeToken(token)}`);
    return this.next();
  }

  private parseConditional(): Node {
    let node = this.parseOr();
    while (this.isName('if')) {
      this.next();
      const test = this.parseOr();
      let otherwise: Node | undefined;
      if (this.isName('else')) {
        this.next();
        otherwise = this.parseConditional();
      }
      node = { k: 'cond', test, then: node, otherwise };
    }
    return node;
  }

  private parseOr(): Node {
    return this.parseLogical('or', () => this.parseAnd());
  }

  private parseAnd(): Node {
    return this.parseLogical('and', () => this.parseNot());
  }

  private parseLogical(keyword: 'and' | 'or', operand: () => Node): Node {
    let node = operand();
    while (this.isName(keyword)) {
      this.next();
      node = { k: keyword, left: node, right: operand() };
    }
    return node;
  }

  private parseNot(): Node {
    if (this.isName('not')) {
      this.next();
      return { k: 'not', operand: this.parseNot() };
    }
    return this.parseCompare();
  }

  private parseCompare(): Node {
    const first = this.parseAdditive();
    const rest: Array<{ op: CompareOperator; operand: Node }> = [];
    for (;;) {
      const token = this.peek();
      let op: CompareOperator;
      if (token.kind === 'op' && COMPARE_OPERATORS.has(token.text)) {
        op = token.text as CompareOperator;
        this.next();
      } else if (this.isName('in')) {
        op = 'in';
        this.next();
      } else if (this.isName('not') && this.isName('in', 1)) {
        op = 'not in';
        this.next();
        this.next();
      } else {
        break;
      }
      rest.push({ op, operand: this.parseAdditive() });
    }
    return rest.length === 0 ? first : { k: 'compare', first, rest };
  }

  private parseAdditive(): Node {
    return this.parseBinary(ADDITIVE_OPERATORS, () => this.parseConcat());
  }

  private parseConcat(): Node {
    return this.parseBinary(CONCAT_OPERATORS, () => this.parseMultiplicative());
  }

  private parseMultiplicative(): Node {
    return this.parseBinary(MULTIPLICATIVE_OPERATORS, () => this.parseUnary(true));
  }

  private parseBinary(operators: readonly BinaryOperator[], operand: () => Node): Node {
    let node = operand();
    while (operators.some((op) => this.isOp(op))) {
      const op = this.next().text as BinaryOperator;
      node = { k: 'binary', op, left: node, right: operand() };
    }
    return node;
  }

  private parseUnary(withFilters: boolean): Node {
    let node: Node;
    if (this.isOp('-') || this.isOp('+')) {
      const sign = this.next().text === '-' ? -1 : 1;
      node = { k: 'neg', operand: this.parseUnary(false), sign };
    } else {
      node = this.parsePrimary();
    }
    node = this.parsePostfix(node);
    return withFilters ? this.parseFiltersAndTests(node) : node;
  }

  private parsePrimary(): Node {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { k: 'literal', value: token.text };
      case 'number':
        return { k: 'literal', value: token.number };
      case 'name':
        if (hasOwn(KEYWORD_LITERALS, token.text)) return { k: 'literal', value: KEYWORD_LITERALS[token.text] };
        if (RESERVED.has(token.text)) this.failAt(token.pos, `unexpected keyword "${token.text}"; expected a value`);
        if (this.isOp('(')) return this.parseFunctionCall(token);
        return { k: 'name', name: token.text };
      case 'op':
        if (token.text === '(') {
          const inner = this.parseConditional();
          if (this.isOp(',')) this.failAt(this.peek().pos, 'tuples are not supported; use a list [a, b]');
          this.expectOp(')');
          return inner;
        }
        if (token.text === '[') return { k: 'list', items: this.parseSequence(']') };
        if (token.text === '{') return this.parseDict();
        return this.failAt(token.pos, `unexpected "${token.text}"; expected a value`);
      default:
        return this.failAt(token.pos, `unexpected ${describeToken(token)}; expected a value`);
    }
  }

  private parseSequence(close: string): Node[] {
    const items: Node[] = [];
    this.parseCommaSeparated(close, () => items.push(this.parseConditional()));
    return items;
  }

  private parseDict(): Node {
    const entries: Array<[Node, Node]> = [];
    this.parseCommaSeparated('}', () => {
      const key = this.parseConditional();
      this.expectOp(':');
      entries.push([key, this.parseConditional()]);
    });
    return { k: 'dict', entries };
  }

  /** Items up to and including `close`; a trailing comma is allowed, as in Python. */
  private parseCommaSeparated(close: string, item: () => void): void {
    while (!this.isOp(close)) {
      item();
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(close);
  }

  private parsePostfix(start: Node): Node {
    let node = start;
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const token = this.next();
        if (token.kind === 'number' && Number.isInteger(token.number)) {
          node = { k: 'item', target: node, key: { k: 'literal', value: token.number } };
        } else if (token.kind === 'name') {
          node = this.isOp('(') ? this.parseMethodCall(node, token) : { k: 'attr', target: node, name: token.text };
        } else {
          this.failAt(token.pos, `expected a name after "." but found ${describeToken(token)}`);
        }
      } else if (this.isOp('[')) {
        const open = this.next();
        if (this.isOp(']') || this.isOp(':')) this.failAt(open.pos, 'expected an index or key inside "[...]" (slices are not supported)');
        const key = this.parseConditional();
        if (this.isOp(':')) this.failAt(this.peek().pos, 'slices are not supported');
        this.expectOp(']');
        node = { k: 'item', target: node, key };
      } else if (this.isOp('(')) {
        this.failAt(this.peek().pos, `only the functions ${Object.keys(FUNCTIONS).join(', ')} and the methods ${METHOD_NAMES} can be called`);
      } else {
        return node;
      }
    }
  }

  private parseFiltersAndTests(start: Node): Node {
    let node = start;
    for (;;) {
      if (this.isOp('|')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'name') this.failAt(name.pos, `expected a filter name after "|" but found ${describeToken(name)}`);
        const filter = lookup(FILTERS, name.text);
        if (!filter) this.failAt(name.pos, `unknown filter "${name.text}"; supported filters: ${Object.keys(FILTERS).join(', ')}`);
        const args = this.isOp('(') ? this.parseArguments(filter.params, `filter "${name.text}"`, name.pos) : this.bindArguments(filter.params, [], new Map(), `filter "${name.text}"`, name.pos);
        node = { k: 'filter', target: node, filter, args };
      } else if (this.isName('is')) {
        this.next();
        let negated = false;
        if (this.isName('not')) {
          this.next();
          negated = true;
        }
        const name = this.next();
        const testName = name.kind === 'name' ? name.text : '';
        const test = lookup(TESTS, testName);
        if (!test) this.failAt(name.pos, `unknown test "${name.kind === 'end' ? '' : name.text}" after "is"; supported tests: ${Object.keys(TESTS).join(', ')}`);
        node = { k: 'test', target: node, test, negated };
      } else {
        return node;
      }
    }
  }

  private parseFunctionCall(name: Token): Node {
    const fn = lookup(FUNCTIONS, name.text);
    if (!fn) this.failAt(name.pos, `unknown function "${name.text}()"; supported functions: ${Object.keys(FUNCTIONS).join(', ')}`);
    return { k: 'call', fn, args: this.parseArguments(fn.params, `${name.text}()`, name.pos) };
  }

  private parseMethodCall(target: Node, name: Token): Node {
    const method = lookup(METHODS, name.text);
    if (!method) this.failAt(name.pos, `unsupported method ".${name.text}()"; supported methods: ${METHOD_NAMES}`);
    return { k: 'method', target, method, args: this.parseArguments(method.params, `.${name.text}()`, name.pos) };
  }

  /** Parses `(a, b, name=c)` and binds it to the parameter list at compile time. */
  private parseArguments(params: readonly Param[], what: string, pos: number): Node[] {
    this.expectOp('(');
    const positional: Node[] = [];
    const keywords = new Map<string, Node>();
    this.parseCommaSeparated(')', () => {
      if (this.peek().kind === 'name' && this.isOp('=', 1)) {
        const key = this.next();
        this.next();
        if (keywords.has(key.text)) this.failAt(key.pos, `${what} got "${key.text}" twice`);
        keywords.set(key.text, this.parseConditional());
      } else {
        if (keywords.size > 0) this.failAt(this.peek().pos, `${what}: positional arguments must come before keyword arguments`);
        positional.push(this.parseConditional());
      }
    });
    return this.bindArguments(params, positional, keywords, what, pos);
  }

  private bindArguments(params: readonly Param[], positional: Node[], keywords: Map<string, Node>, what: string, pos: number): Node[] {
    if (positional.length > params.length) {
      this.failAt(pos, `${what} takes at most ${params.length} argument${params.length === 1 ? '' : 's'}, got ${positional.length}`);
    }
    for (const key of keywords.keys()) {
      if (!params.some((p) => p.name === key)) this.failAt(pos, `${what} has no parameter "${key}"`);
    }
    return params.map((param, i): Node => {
      const given = i < positional.length ? positional[i] : keywords.get(param.name);
      if (given) {
        if (i < positional.length && keywords.has(param.name)) this.failAt(pos, `${what} got "${param.name}" twice`);
        return given;
      }
      if (!('default' in param)) this.failAt(pos, `${what} is missing its "${param.name}" argument`);
      return { k: 'literal', value: param.default };
    });
  }
}
