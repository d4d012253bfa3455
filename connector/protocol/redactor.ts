/**
 * Removes secrets from text before it leaves the process. Secrets are registered as they become
 * known (the client secret at config load, each access token when MSAL hands it over), so even
 * an error thrown deep inside a library cannot carry one out. A part of a secret is a leak too:
 * text cut in the middle of an echoed token still holds most of it, so any run of
 * `FRAGMENT_CHARS` characters of a registered secret is masked, and so is anything shaped like a
 * JWT or a bearer credential, registered or not.
 */

/** The shortest piece of a secret that counts as a leak (and is masked). */
export const FRAGMENT_CHARS = 40;

/**
 * Any run of FRAGMENT_CHARS characters of a secret holds an ANCHOR_CHARS-long piece of it that
 * starts at a multiple of ANCHOR_CHARS in the text; looking at those places first makes a clean
 * text cost one lookup per ANCHOR_CHARS characters instead of one per character (a read's STATE
 * messages carry every open partition's link: 100 KB each, and 4% of a read's CPU before).
 */
const ANCHOR_CHARS = FRAGMENT_CHARS / 2;

const MASK = '**********';
/** header.payload.signature in base64url: what Entra's access tokens look like. */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/g;

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Every FRAGMENT_CHARS-long window of every long secret. */
  private readonly fragments = new Set<string>();
  /** Every ANCHOR_CHARS-long window of those secrets. */
  private readonly anchors = new Set<string>();

  /** Registers a value that must never be printed. Very short values are ignored: they would shred ordinary text. */
  add(secret: unknown): void {
    if (typeof secret !== 'string' || secret.length < 6) return;
    this.register(secret);
    // JSON output escapes some characters; register the escaped form too so it is found in serialized messages.
    this.register(JSON.stringify(secret).slice(1, -1));
    this.register(encodeURIComponent(secret));
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    if (this.fragments.size > 0 && out.length >= FRAGMENT_CHARS) out = this.maskFragments(out);
    // Tokens we never saw (e.g. echoed by a proxy) still must not leak.
    return out.replace(JWT_SHAPE, MASK).replace(BEARER, `$1${MASK}`);
  }

  private register(secret: string): void {
    if (this.secrets.has(secret)) return;
    this.secrets.add(secret);
    if (secret.length < FRAGMENT_CHARS) return;
    for (let i = 0; i + FRAGMENT_CHARS <= secret.length; i++) this.fragments.add(secret.slice(i, i + FRAGMENT_CHARS));
    for (let i = 0; i + ANCHOR_CHARS <= secret.length; i++) this.anchors.add(secret.slice(i, i + ANCHOR_CHARS));
  }

  /**
   * Where the first fragment can start, or -1 when the text holds none: a fragment at p has an
   * anchor at some multiple of ANCHOR_CHARS q in [p, p + ANCHOR_CHARS], so p >= q - ANCHOR_CHARS.
   */
  private firstCandidate(text: string): number {
    for (let q = 0; q + ANCHOR_CHARS <= text.length; q += ANCHOR_CHARS) {
      if (this.anchors.has(text.slice(q, q + ANCHOR_CHARS))) return Math.max(0, q - ANCHOR_CHARS);
    }
    return -1;
  }

  /** Masks every stretch of text made of overlapping fragments of a secret. */
  private maskFragments(text: string): string {
    const from = this.firstCandidate(text);
    if (from < 0) return text;
    let out = '';
    let copiedTo = 0;
    for (let i = from; i + FRAGMENT_CHARS <= text.length; i++) {
      if (!this.fragments.has(text.slice(i, i + FRAGMENT_CHARS))) continue;
      let end = i + FRAGMENT_CHARS;
      while (end < text.length && this.fragments.has(text.slice(end - FRAGMENT_CHARS + 1, end + 1))) end++;
      out += text.slice(copiedTo, i) + MASK;
      copiedTo = end;
      i = end - 1;
    }
    return out === '' ? text : out + text.slice(copiedTo);
  }
}
