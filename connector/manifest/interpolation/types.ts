/** The public shapes of the interpolation engine, apart so every module can name them without import cycles. */

/**
 * Variables a template can read: Airbyte's well-known names plus any other key. Which of them a
 * template may name is fixed when it is compiled (variables.ts); the context must provide those.
 * `__now` is the clock behind `now_utc()`, `today_utc()` and `day_delta()`, never a variable.
 */
export interface InterpolationContext {
  readonly config?: Record<string, unknown>;
  readonly parameters?: Record<string, unknown>;
  readonly stream_partition?: Record<string, unknown>;
  readonly stream_slice?: Record<string, unknown>;
  readonly stream_state?: Record<string, unknown>;
  readonly stream_interval?: Record<string, unknown>;
  readonly next_page_token?: unknown;
  readonly response?: unknown;
  readonly last_record?: unknown;
  readonly last_page_size?: number;
  readonly record?: unknown;
  readonly headers?: Record<string, unknown>;
  readonly __now?: () => Date;
  readonly [name: string]: unknown;
}

/** A compiled template. */
export interface Template {
  /** The template text as written in the manifest. */
  readonly source: string;
  /** YAML path of the template, used in errors. */
  readonly path: string;
  /** True when the text has no `{{ }}` expression: `render` always returns `source`. */
  readonly isConstant: boolean;
  /**
   * Renders the template. A single-expression template returns the value with its type;
   * any other template returns a string.
   * @throws ManifestError when an operation is invalid for the values at hand (e.g. `<`
   *   between a number and a string)
   */
  render(context: InterpolationContext): unknown;
}

/** A nested structure (mapping, list, scalars) whose strings are compiled templates. */
export interface TemplateTree {
  /** True when no string in the structure contains an expression. */
  readonly isConstant: boolean;
  /**
   * Renders every template and returns the same shape. Mapping keys are interpolated too
   * (as Airbyte's InterpolatedMapping does) and rendered in string form. Values rendering
   * to undefined or null are kept; dropping them is up to the consumer. Constant parts are
   * returned as given and must not be mutated.
   */
  render(context: InterpolationContext): unknown;
}
