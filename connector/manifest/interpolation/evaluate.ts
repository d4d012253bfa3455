/** Rendering: walks a compiled template's AST against a context. */

import { ManifestError } from '../errors';
import type { RenderScope } from './builtins';
import { DateTimeValue } from './datetime';
import type { BinaryOperator, CompareOperator, Node } from './parser';
import type { InterpolationContext, Template } from './types';
import { hasOwn, isMapping, isTruthy, kindOf, toTemplateString, valuesEqual } from './values';

/**
 * A template split into literal text and parsed expressions. It is its own RenderScope,
 * so a render allocates nothing to hand the context and the error path to built-ins.
 */
export class CompiledTemplate implements Template, RenderScope {
  readonly isConstant: boolean;
  /** Set while rendering, so built-ins can reach the clock without an extra allocation. */
  context: InterpolationContext = {};

  constructor(
    readonly source: string,
    readonly path: string,
    private readonly parts: ReadonlyArray<string | Node>,
    /** The expression when the template is exactly one `{{ }}`. */
    private readonly single: Node | undefined,
  ) {
    this.isConstant = parts.every((part) => typeof part === 'string');
  }

  render(context: InterpolationContext): unknown {
    if (this.isConstant) return this.source;
    const previous = this.context;
    this.context = context;
    try {
      if (this.single) {
        const value = this.evaluate(this.single);
        return value instanceof DateTimeValue ? value.toString() : value;
      }
      let out = '';
      for (const part of this.parts) out += typeof part === 'string' ? part : toTemplateString(this.evaluate(part));
      return out;
    } finally {
      // Restored for the (rare) re-entrant render with another context.
      this.context = previous;
    }
  }

  fail(message: string): never {
    throw new ManifestError(this.path, `in template ${JSON.stringify(this.source)}: ${message}`);
  }

  private evaluate(node: Node): unknown {
    switch (node.k) {
      case 'literal':
        return node.value;
      case 'name':
        return node.name.startsWith('__') || !hasOwn(this.context, node.name) ? undefined : this.context[node.name];
      case 'attr':
        return getAttribute(this.evaluate(node.target), node.name);
      case 'item':
        return getItem(this.evaluate(node.target), this.evaluate(node.key));
      case 'call':
        return node.fn.apply(this.evaluateAll(node.args), this);
      case 'method':
        return node.method.apply(this.evaluate(node.target), this.evaluateAll(node.args), this);
      case 'filter':
        return node.filter.apply(this.evaluate(node.target), this.evaluateAll(node.args), this);
      case 'test':
        return node.test(this.evaluate(node.target)) !== node.negated;
      case 'not':
        return !isTruthy(this.evaluate(node.operand));
      case 'neg': {
        const value = this.evaluate(node.operand);
        if (typeof value !== 'number') return this.fail(`unary ${node.sign < 0 ? '-' : '+'} needs a number, found ${kindOf(value)}`);
        return node.sign * value;
      }
      case 'and': {
        const left = this.evaluate(node.left);
        return isTruthy(left) ? this.evaluate(node.right) : left;
      }
      case 'or': {
        const left = this.evaluate(node.left);
        return isTruthy(left) ? left : this.evaluate(node.right);
      }
      case 'binary':
        return this.binary(node.op, this.evaluate(node.left), this.evaluate(node.right));
      case 'compare': {
        // Chained like Python: a < b < c means a < b and b < c.
        let left = this.evaluate(node.first);
        for (const { op, operand } of node.rest) {
          const right = this.evaluate(operand);
          if (!this.compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'cond':
        return isTruthy(this.evaluate(node.test)) ? this.evaluate(node.then) : node.otherwise && this.evaluate(node.otherwise);
      case 'list':
        return this.evaluateAll(node.items);
      case 'dict': {
        const out: Record<string, unknown> = {};
        for (const [key, value] of node.entries) out[toTemplateString(this.evaluate(key))] = this.evaluate(value);
        return out;
      }
    }
  }

  private evaluateAll(nodes: readonly Node[]): unknown[] {
    const out = new Array<unknown>(nodes.length);
    for (let i = 0; i < nodes.length; i++) out[i] = this.evaluate(nodes[i]);
    return out;
  }

  private binary(op: BinaryOperator, left: unknown, right: unknown): unknown {
    if (op === '~') return toTemplateString(left) + toTemplateString(right);
    if (op === '+') {
      if (typeof left === 'string' && typeof right === 'string') return left + right;
      if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
    }
    if (typeof left !== 'number' || typeof right !== 'number') {
      const hint = op === '+' ? '; use ~ to join values as text' : '';
      return this.fail(`cannot apply "${op}" to ${kindOf(left)} and ${kindOf(right)}${hint}`);
    }
    switch (op) {
      case '+': return left + right;
      case '-': return left - right;
      case '*': return left * right;
      default:
        if (right === 0) return this.fail(`division by zero in "${op}"`);
        if (op === '/') return left / right;
        if (op === '//') return Math.floor(left / right);
        // Python's % takes the sign of the divisor.
        return ((left % right) + right) % right;
    }
  }

  private compare(op: CompareOperator, left: unknown, right: unknown): boolean {
    switch (op) {
      case '==': return valuesEqual(left, right);
      case '!=': return !valuesEqual(left, right);
      case 'in': return this.contains(right, left);
      case 'not in': return !this.contains(right, left);
      default: {
        const order = this.order(op, left, right);
        return op === '<' ? order < 0 : op === '>' ? order > 0 : op === '<=' ? order <= 0 : order >= 0;
      }
    }
  }

  private order(op: string, left: unknown, right: unknown): number {
    if (typeof left === 'number' && typeof right === 'number') return left - right;
    if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
    if (left instanceof DateTimeValue && right instanceof DateTimeValue) return left.compare(right);
    return this.fail(`cannot compare ${kindOf(left)} with ${kindOf(right)} using "${op}"`);
  }

  private contains(container: unknown, item: unknown): boolean {
    if (container === undefined || container === null) return false;
    if (typeof container === 'string') {
      if (typeof item !== 'string') return this.fail(`"in" on a string needs a string on the left, found ${kindOf(item)}`);
      return container.includes(item);
    }
    if (Array.isArray(container)) return container.some((element) => valuesEqual(element, item));
    if (isMapping(container)) return hasOwn(container, toTemplateString(item));
    return this.fail(`"in" needs a string, list or mapping on the right, found ${kindOf(container)}`);
  }
}

/** `a.b`: a mapping's own key; anything else (lists, strings, missing values) gives undefined. */
function getAttribute(target: unknown, name: string): unknown {
  return isMapping(target) && hasOwn(target, name) ? target[name] : undefined;
}

/** `a[k]`: mapping key, or list/string index (negative counts from the end, as in Python). */
function getItem(target: unknown, key: unknown): unknown {
  if (isMapping(target)) {
    const name = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : undefined;
    return name !== undefined && hasOwn(target, name) ? target[name] : undefined;
  }
  if ((Array.isArray(target) || typeof target === 'string') && typeof key === 'number' && Number.isInteger(key)) {
    const index = key < 0 ? target.length + key : key;
    return index >= 0 && index < target.length ? target[index] : undefined;
  }
  return undefined;
}
