/**
 * Errors raised while loading, reading or interpolating the declarative manifest,
 * and the YAML path notation they use.
 *
 * Every manifest problem is reported against the place in the YAML where it sits,
 * so a connector developer can go straight to the offending line.
 */

/** One step of a YAML path: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** Optional source position of the offending node (1-based). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** How the document root is shown in messages, since the root path itself is empty. */
export const ROOT_PATH_LABEL = '(root)';

// Keys that read unambiguously after a dot; anything else (dots, dashes, '@', spaces)
// is quoted so the path can be split back into its segments by a reader.
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Appends one segment to a path in the notation used by all manifest errors:
 * `streams[0].retriever.requester.request_headers["Content-Type"]`.
 */
export function childPath(path: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  if (PLAIN_KEY.test(segment)) return path === '' ? segment : `${path}.${segment}`;
  return `${path}[${JSON.stringify(segment)}]`;
}

/** Formats a list of segments as a path (`[]` is the root, shown as `(root)` in messages). */
export function formatPath(segments: readonly PathSegment[]): string {
  let path = '';
  for (const segment of segments) path = childPath(path, segment);
  return path;
}

/**
 * A problem in the manifest. `path` names where it is (a YAML path such as
 * `definitions.streams.organization.retriever.requester.url_base` or
 * `streams[0].retriever`, empty for the root) and the message always starts with
 * `manifest error at <path>: `, followed by what is wrong and what is expected.
 */
export class ManifestError extends Error {
  /** YAML path of the offending node; `''` for the document root. */
  readonly path: string;
  /** The message without the `manifest error at <path>: ` prefix. */
  readonly detail: string;
  /** Where the node is in the YAML text, when it could be located. */
  readonly position?: SourcePosition;

  constructor(path: string, detail: string, position?: SourcePosition) {
    const where = position ? ` (line ${position.line}, column ${position.column})` : '';
    super(`manifest error at ${path === '' ? ROOT_PATH_LABEL : path}: ${detail}${where}`);
    this.name = 'ManifestError';
    this.path = path;
    this.detail = detail;
    if (position) this.position = position;
  }
}

/**
 * Describes a found value for "expected X, found Y" messages: its kind and, for
 * scalars, a short rendering of the value itself.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `a string (${JSON.stringify(shown)})`;
  }
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `a boolean (${value})`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}
