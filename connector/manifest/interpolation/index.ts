/**
 * Airbyte-style Jinja interpolation (`{{ config['org_url'] }}/api/data/v9.2`) without
 * `eval`: a template is tokenized and parsed once into an AST, and rendering walks it.
 *
 * Semantics follow Jinja as Airbyte uses it, with these documented choices:
 * - A template that is exactly one `{{ expr }}` (surrounding whitespace allowed) renders to
 *   the expression's value with its type (object, number, boolean, string, null, undefined).
 *   Airbyte instead renders to text and then `ast.literal_eval`s it, which also turns the
 *   *string* `"123"` into a number; here a string stays a string.
 * - Otherwise the result is a string, each value in Python `str()` form (see
 *   {@link toTemplateString}), except that null renders as `""` like undefined (Jinja prints
 *   `None`, which is never what a URL or header wants).
 * - Missing values are undefined, never errors: `a.b.c`, `a['x'][0]` with anything missing
 *   along the way give undefined (Jinja's default Undefined would raise on the second step).
 * - Context keys starting with `__` (such as the `__now` clock) are hooks, not variables.
 * - A variable the field's context does not provide (see variables.ts) is a compile-time
 *   ManifestError naming it, where Airbyte's Jinja raises when rendering.
 * - Only the functions, filters, tests and methods in the tables of builtins.ts exist; any other
 *   name is a compile-time ManifestError.
 */

export { compileTemplate } from './compile';
export { interpolateDeep } from './tree';
export type { InterpolationContext, Template, TemplateTree } from './types';
export { toTemplateString } from './values';
export { ALL_VARIABLES, CONFIG_VARIABLES, PAGINATION_VARIABLES, RECORD_VARIABLES, REQUEST_VARIABLES, type Variables } from './variables';
