/** Splits template text into literal parts and `{{ }}` expressions, and compiles the latter. */

import { ManifestError } from '../errors';
import { CompiledTemplate } from './evaluate';
import { tokenizeExpression, type FailAt } from './lexer';
import { parseExpression, type Node } from './parser';
import type { Template } from './types';
import { ALL_VARIABLES, namesIn, type Variables } from './variables';

/**
 * Compiles a template string once; render it as often as needed.
 *
 * @param source the template text, e.g. `{{ config['org_url'] }}/api/data/v9.2/`
 * @param path YAML path of the string, used in every error message
 * @param variables the variables this field's context provides (default: every Airbyte context variable)
 * @throws ManifestError on syntax errors (with the column), Jinja statements `{% %}` and
 *   comments `{# #}`, unknown functions, filters, tests or methods, and variables not in `variables`
 */
export function compileTemplate(source: string, path = '<template>', variables: Variables = ALL_VARIABLES): Template {
  const failAt: FailAt = (pos, message) => {
    throw new ManifestError(path, `template syntax error at ${locationOf(source, pos)}: ${message} in ${JSON.stringify(source)}`);
  };
  const parts: Array<string | Node> = [];
  let pos = 0;
  let stripLeading = false;
  for (;;) {
    const open = findBlockStart(source, pos);
    let text = source.slice(pos, open < 0 ? source.length : open);
    if (stripLeading) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text !== '') parts.push(text);
      break;
    }
    const kind = source[open + 1];
    if (kind === '%') failAt(open, 'Jinja statements ({% ... %}) are not supported; use a {{ ... }} expression');
    if (kind === '#') failAt(open, 'Jinja comments ({# ... #}) are not supported');
    let start = open + 2;
    if (source[start] === '-') {
      text = text.replace(/\s+$/, '');
      start++;
    }
    if (text !== '') parts.push(text);
    const { tokens, next, stripAfter } = tokenizeExpression(source, open, start, failAt);
    const expression = parseExpression(tokens, failAt);
    checkVariables(expression, variables, source, path);
    parts.push(expression);
    pos = next;
    stripLeading = stripAfter;
  }
  const expressions = parts.filter((part): part is Node => typeof part !== 'string');
  const single =
    expressions.length === 1 && parts.every((part) => typeof part !== 'string' || part.trim() === '') ? expressions[0] : undefined;
  return new CompiledTemplate(source, path, parts, single);
}

function checkVariables(expression: Node, variables: Variables, source: string, path: string): void {
  const undeclared = namesIn(expression).find((name) => !variables.has(name));
  if (undeclared === undefined) return;
  const known = [...variables].join(', ');
  throw new ManifestError(path, `undeclared template variable "${undeclared}" in ${JSON.stringify(source)}; this field can read: ${known}`);
}

function findBlockStart(source: string, from: number): number {
  for (let i = source.indexOf('{', from); i >= 0 && i < source.length - 1; i = source.indexOf('{', i + 1)) {
    const next = source[i + 1];
    if (next === '{' || next === '%' || next === '#') return i;
  }
  return -1;
}

function locationOf(source: string, pos: number): string {
  const before = source.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - (before.lastIndexOf('\n') + 1) + 1;
  return line > 1 || source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
}
