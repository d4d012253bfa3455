/**
 * A typed, path-aware reader over resolved manifest data. Component factories read
 * fields through it so that every wrong or missing field is reported with its YAML path
 * and with what was found versus what was expected.
 *
 * Conventions: a key whose value is `null` (YAML `key:` with nothing after it) counts as
 * absent, so optional getters return `undefined` and required getters report it missing.
 */

import { ManifestError, childPath, describeValue } from './errors';

const PARAMETERS_KEY = '$parameters';

// Fields every component may carry whatever its type: its type tag and its merged parameters.
const ALWAYS_ALLOWED_KEYS = new Set(['type', PARAMETERS_KEY]);

/** Reads one manifest value (usually a component mapping) found at `path`. */
export class ManifestNode {
  /**
   * @param value the manifest value (plain JSON data)
   * @param path its YAML path, e.g. `streams[0].retriever` (`''` for the root)
   */
  constructor(
    readonly raw: unknown,
    readonly path: string,
  ) {}

  /** The component's `type`, or undefined when absent or not a string. */
  get type(): string | undefined {
    const type = this.isMapping() ? (this.raw as Record<string, unknown>).type : undefined;
    return typeof type === 'string' ? type : undefined;
  }

  /** The component's merged `$parameters` (what interpolation sees as `parameters`); `{}` when none. */
  get parameters(): Record<string, unknown> {
    const parameters = this.isMapping() ? this.get(PARAMETERS_KEY) : undefined;
    return isMapping(parameters) ? parameters : {};
  }

  /** True when the key is present with a non-null value. */
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** A required string field. */
  str(key: string): string {
    return this.required(key, 'a string', (v): v is string => typeof v === 'string');
  }

  /** An optional string field. */
  optStr(key: string): string | undefined {
    return this.optional(key, 'a string', (v): v is string => typeof v === 'string');
  }

  /** A required finite number field. */
  num(key: string): number {
    return this.required(key, 'a number', isFiniteNumber);
  }

  /** An optional finite number field. */
  optNum(key: string): number | undefined {
    return this.optional(key, 'a number', isFiniteNumber);
  }

  /** A required integer field. */
  int(key: string): number {
    return this.required(key, 'an integer', isInteger);
  }

  /** An optional integer field. */
  optInt(key: string): number | undefined {
    return this.optional(key, 'an integer', isInteger);
  }

  /** A boolean field; required unless a default is given. */
  bool(key: string, defaultValue?: boolean): boolean {
    if (defaultValue !== undefined && !this.has(key)) return defaultValue;
    return this.required(key, 'a boolean', (v): v is boolean => typeof v === 'boolean');
  }

  /** A required list of strings. */
  strList(key: string): string[] {
    return this.checkStrings(key, this.required(key, 'a list of strings', Array.isArray));
  }

  /** An optional list of strings. */
  optStrList(key: string): string[] | undefined {
    const list = this.optional(key, 'a list of strings', Array.isArray);
    return list === undefined ? undefined : this.checkStrings(key, list);
  }

  /** A required mapping field, as a node. */
  child(key: string): ManifestNode {
    return new ManifestNode(this.required(key, 'a mapping', isMapping), this.childPath(key));
  }

  /** An optional mapping field, as a node. */
  optChild(key: string): ManifestNode | undefined {
    const value = this.optional(key, 'a mapping', isMapping);
    return value === undefined ? undefined : new ManifestNode(value, this.childPath(key));
  }

  /** A required list field, one node per item (items may be of any kind). */
  list(key: string): ManifestNode[] {
    return this.items(key, this.required(key, 'a list', Array.isArray));
  }

  /** An optional list field. */
  optList(key: string): ManifestNode[] | undefined {
    const list = this.optional(key, 'a list', Array.isArray);
    return list === undefined ? undefined : this.items(key, list);
  }

  /** A required mapping of names to plain data (e.g. request_headers), as-is. */
  record(key: string): Record<string, unknown> {
    return this.required(key, 'a mapping', isMapping);
  }

  /** An optional mapping of names to plain data. */
  optRecord(key: string): Record<string, unknown> | undefined {
    return this.optional(key, 'a mapping', isMapping);
  }

  /** The keys of this mapping, in document order. */
  keys(): string[] {
    return Object.keys(this.mapping());
  }

  /** Throws a ManifestError at this node's path. */
  fail(message: string): never {
    throw new ManifestError(this.path, message);
  }

  /**
   * Checks that this node is a component of one of the given types and returns its type.
   */
  expectType(...types: string[]): string {
    const expected = types.length === 1 ? `"${types[0]}"` : `one of ${types.map((t) => `"${t}"`).join(', ')}`;
    const found = this.mapping().type;
    if (typeof found === 'string' && types.includes(found)) return found;
    const what = found === undefined || found === null ? 'no type' : `type ${JSON.stringify(found)}`;
    return this.fail(`expected a component of type ${expected}, found ${what}`);
  }

  /**
   * Rejects keys that are not in `allowed` (besides `type` and `$parameters`), naming the
   * first unexpected one. A key in `unsupported` (a field Airbyte documents that this engine does
   * not carry out) is refused by name, with the reason when one is given. Other keys that are also
   * `$parameters` names are accepted, because parameter propagation copies every parameter onto
   * each component as a field. `kind` names the component in messages (default: its type).
   */
  unknownKeys(allowed: readonly string[], unsupported: Readonly<Record<string, string>> = {}, kind = this.type ?? 'this component'): void {
    const parameters = this.parameters;
    for (const key of this.keys()) {
      if (Object.prototype.hasOwnProperty.call(unsupported, key)) {
        const reason = unsupported[key];
        throw new ManifestError(childPath(this.path, key), `${key} is not supported by this engine${reason ? ` (${reason})` : ''}; ${kind} reads only: ${allowed.join(', ') || 'no fields'}`);
      }
      if (ALWAYS_ALLOWED_KEYS.has(key) || allowed.includes(key) || Object.prototype.hasOwnProperty.call(parameters, key)) {
        continue;
      }
      const known = [...allowed].sort().join(', ');
      throw new ManifestError(
        childPath(this.path, key),
        `unknown field "${key}" for ${kind}; expected one of: ${known}`,
      );
    }
  }

  private isMapping(): boolean {
    return isMapping(this.raw);
  }

  private mapping(): Record<string, unknown> {
    if (!isMapping(this.raw)) this.fail(`expected a mapping, found ${describeValue(this.raw)}`);
    return this.raw as Record<string, unknown>;
  }

  private get(key: string): unknown {
    const mapping = this.mapping();
    if (!Object.prototype.hasOwnProperty.call(mapping, key)) return undefined;
    const value = mapping[key];
    return value === null ? undefined : value;
  }

  private childPath(key: string): string {
    return childPath(this.path, key);
  }

  private required<T>(key: string, expected: string, accept: (value: unknown) => value is T): T {
    const value = this.get(key);
    if (value === undefined) {
      throw new ManifestError(this.childPath(key), `required field is missing; expected ${expected}`);
    }
    if (!accept(value)) this.wrongKind(key, expected, value);
    return value;
  }

  private optional<T>(key: string, expected: string, accept: (value: unknown) => value is T): T | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (!accept(value)) this.wrongKind(key, expected, value);
    return value;
  }

  private wrongKind(key: string, expected: string, value: unknown): never {
    throw new ManifestError(this.childPath(key), `expected ${expected}, found ${describeValue(value)}`);
  }

  private checkStrings(key: string, list: unknown[]): string[] {
    list.forEach((item, i) => {
      if (typeof item !== 'string') {
        throw new ManifestError(childPath(this.childPath(key), i), `expected a string, found ${describeValue(item)}`);
      }
    });
    return list as string[];
  }

  private items(key: string, list: unknown[]): ManifestNode[] {
    const base = this.childPath(key);
    return list.map((item, i) => new ManifestNode(item, childPath(base, i)));
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}
