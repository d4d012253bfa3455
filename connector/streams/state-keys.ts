/** The key rule every stream's state check shares: a state holds only the keys its stream writes. */
import { kindOf, quote } from '../config/quote';

/**
 * Keys starting with `__` belong to the platform (as in the config): Airbyte may add its own
 * markers to a stream's state, and a source must hand them back untouched, not refuse them.
 */
export function isPlatformKey(key: string): boolean {
  return key.startsWith('__');
}

/** The keys of a state the stream itself wrote or may write. */
export function ownStateKeys(state: Record<string, unknown>): string[] {
  return Object.keys(state).filter((key) => !isPlatformKey(key));
}

/**
 * The keys of `state` outside `allowed` (platform keys aside), quoted for a message ("a", "b"
 * and 3 more), or undefined when there are none.
 */
export function unknownStateKeys(state: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  const unknown = ownStateKeys(state).filter((key) => !allowed.includes(key));
  if (unknown.length === 0) return undefined;
  const named = unknown.slice(0, 3).map((key) => quote(key));
  if (unknown.length > 3) return `${named.join(', ')} and ${unknown.length - 3} more keys`;
  return named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

/**
 * Why `value` cannot be a saved `page_size` (the rows per page a saved link was read at: a whole
 * number Dataverse pages by, 1 to 5,000, facts §5), worded after the key; undefined when it can.
 */
export function pageSizeProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5000) return undefined;
  return `is ${typeof value === 'number' ? value : kindOf(value)}, not a page size from 1 to 5000`;
}
