/** Small helpers over the plain JSON data a manifest becomes. */

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function hasOwn(value: Mapping, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

export function omitKey(value: Mapping, key: string): Mapping {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (isMapping(value)) {
    const copy: Mapping = {};
    for (const [key, item] of Object.entries(value)) copy[key] = cloneJson(item);
    return copy as T;
  }
  return value;
}
