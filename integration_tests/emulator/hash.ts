/**
 * Stateless integer hashing for generated table data.
 *
 * Rows are a pure function of (entity, seed, index): every value comes from hashing those numbers
 * instead of drawing from a stateful generator, so row 900,000 costs the same as row 0 and nothing
 * needs to be kept in memory. Row ids must also lead back to their index (a paging cookie names
 * the last row of a page), hence the invertible {@link scramble32}.
 */

/** murmur3's 32-bit finalizer: a good avalanche for one word. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of two words (order matters). */
export function hash2(a: number, b: number): number {
  return mix32(Math.imul(a ^ 0x9e3779b9, 0x01000193) ^ mix32(b + 0x7f4a7c15));
}

/** Hash of three words. */
export function hash3(a: number, b: number, c: number): number {
  return hash2(hash2(a, b), c);
}

/** FNV-1a of a string: names of entities and attributes become hash inputs. */
export function stringHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A bijection on 32-bit integers ("lowbias32"); {@link unscramble32} undoes it. */
export function scramble32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The inverse of {@link scramble32}. */
export function unscramble32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x43021123);
  x ^= (x >>> 15) ^ (x >>> 30);
  x = Math.imul(x, 0x1d69e2a5);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A float in [0, 1) from a hash word. */
export function unit(h: number): number {
  return h / 4294967296;
}

/** `n` as exactly `width` lowercase hex digits (n < 16^width). */
export function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(width, '0');
}
