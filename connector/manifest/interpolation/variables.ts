/**
 * Which variables a template may read, checked when it is compiled. Airbyte's Jinja raises on a
 * variable its context does not hold; rendering it as empty text instead would turn a typo
 * (`confg['org_url']`) into a wrong URL, so an undeclared name is refused at start.
 */

import type { Node } from './parser';

/** The names a template slot's context provides. */
export type Variables = ReadonlySet<string>;

/** Every variable any of Airbyte's interpolation contexts provides: the default for a slot not narrowed further. */
export const ALL_VARIABLES: Variables = new Set([
  'config',
  'parameters',
  'stream_partition',
  'stream_slice',
  'stream_state',
  'stream_interval',
  'next_page_token',
  'response',
  'headers',
  'last_record',
  'last_page_size',
  'record',
  'components_values',
]);

/** Fields fixed for the whole run (authenticator fields, start_datetime, limits): the config and `$parameters`. */
export const CONFIG_VARIABLES: Variables = new Set(['config', 'parameters']);

/** Request fields (url_base, path, request_parameters, request_headers): what a request is built from. */
export const REQUEST_VARIABLES: Variables = new Set([
  'config',
  'parameters',
  'stream_partition',
  'stream_slice',
  'stream_state',
  'stream_interval',
  'next_page_token',
]);

/** CursorPagination's cursor_value and stop_condition: the page just read. */
export const PAGINATION_VARIABLES: Variables = new Set(['config', 'parameters', 'response', 'headers', 'last_record', 'last_page_size']);

/** Per-record fields (AddFields value and condition). */
export const RECORD_VARIABLES: Variables = new Set([
  'config',
  'parameters',
  'record',
  'stream_partition',
  'stream_slice',
  'stream_state',
  'stream_interval',
]);

/** The variable names an expression reads, in order of appearance (built-ins are resolved while parsing, so they are not names). */
export function namesIn(node: Node, out: string[] = []): string[] {
  switch (node.k) {
    case 'name':
      out.push(node.name);
      break;
    case 'attr':
    case 'test':
      namesIn(node.target, out);
      break;
    case 'item':
      namesIn(node.target, out);
      namesIn(node.key, out);
      break;
    case 'call':
      node.args.forEach((arg) => namesIn(arg, out));
      break;
    case 'method':
    case 'filter':
      namesIn(node.target, out);
      node.args.forEach((arg) => namesIn(arg, out));
      break;
    case 'not':
    case 'neg':
      namesIn(node.operand, out);
      break;
    case 'and':
    case 'or':
    case 'binary':
      namesIn(node.left, out);
      namesIn(node.right, out);
      break;
    case 'compare':
      namesIn(node.first, out);
      node.rest.forEach((r) => namesIn(r.operand, out));
      break;
    case 'cond':
      namesIn(node.test, out);
      namesIn(node.then, out);
      if (node.otherwise) namesIn(node.otherwise, out);
      break;
    case 'list':
      node.items.forEach((item) => namesIn(item, out));
      break;
    case 'dict':
      node.entries.forEach(([key, value]) => {
        namesIn(key, out);
        namesIn(value, out);
      });
      break;
    case 'literal':
      break;
  }
  return out;
}
